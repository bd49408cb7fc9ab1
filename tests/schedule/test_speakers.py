"""Public speaker pages and the profile fields they show (bio, photo)."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from plumbers.models import AuditLog
from tests.conftest import get_counting_queries
from tests.factories import UserFactory
from tests.schedule.factories import RoomFactory
from tests.schedule.factories_public import big_program, local, mc_item, place, publish, talk_item
from tests.sponsors.factories import SVG, image_bytes, png_header_only, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall(conference):
    return RoomFactory(conference=conference, name="Main hall")


def test_speakers_lists_only_people_of_published_items(client, conference, hall):
    alice = UserFactory(display_name="Alice Speaker", affiliation="Kernel Inc")
    bob = UserFactory(display_name="Bob Cospeaker")
    lead = UserFactory(display_name="Lena Lead")
    draft_only = UserFactory(display_name="Dora Draft")
    place(talk_item(conference, speakers=[alice, bob]), hall, local(conference, 0, 9))
    place(mc_item(conference, leads=[lead]), hall, local(conference, 0, 10))
    publish(conference)
    place(talk_item(conference, speakers=[draft_only]), hall, local(conference, 0, 14))
    page = client.get("/speakers/").content.decode()
    for person in (alice, bob, lead):
        assert f'href="/speakers/{person.pk}/"' in page
    assert "Kernel Inc" in page
    assert "Dora Draft" not in page
    assert client.get(f"/speakers/{draft_only.pk}/").status_code == 404


def test_speakers_before_publishing(client, conference):
    page = client.get("/speakers/").content.decode()
    assert "The program has not been published yet" in page


def test_speaker_page_shows_profile_and_items(client, conference, hall):
    alice = UserFactory(display_name="Alice Speaker", affiliation="Kernel Inc")
    alice.bio = "Maintains **io_uring**. <script>alert(1)</script>"
    alice.save()
    talk = place(
        talk_item(conference, title="Zero copy", speakers=[alice]), hall, local(conference, 0, 9)
    )
    publish(conference)
    page = client.get(f"/speakers/{alice.pk}/").content.decode()
    assert "Alice Speaker" in page and "Kernel Inc" in page
    assert "<strong>io_uring</strong>" in page and "<script>alert" not in page
    assert f"/schedule/{talk.guid}/" in page and "Zero copy" in page
    assert alice.email not in page


@pytest.mark.parametrize("pk", [0, 999999])
def test_speaker_unknown_404(client, conference, pk):
    assert client.get(f"/speakers/{pk}/").status_code == 404


def test_speaker_not_on_program_404(client, conference, hall, user):
    place(talk_item(conference), hall, local(conference, 0, 9))
    publish(conference)
    assert client.get(f"/speakers/{user.pk}/").status_code == 404


def test_speakers_list_queries_fixed(client, conference, hall, settings):
    settings.PLUMBERS_PAGE_CACHE = False
    place(talk_item(conference), hall, local(conference, 0, 9))
    publish(conference)
    client.get("/speakers/")  # warm the cached current edition
    few, _ = get_counting_queries(client, "/speakers/")
    big_program(conference, rooms=3, days=1, slots=30)
    client.get("/speakers/")
    many, response = get_counting_queries(client, "/speakers/")
    assert few == many
    assert response.content.decode().count('href="/speakers/') > 40


# ------------------------------------------------------------------------ profile fields


def post_profile(client, **fields):
    data = {"display_name": "Alice Speaker", "affiliation": "Kernel Inc", "bio": "", **fields}
    return client.post("/accounts/profile/", data)


def test_profile_saves_bio_rendered_and_audited(user_client, user):
    response = post_profile(user_client, bio="I *like* pipes.")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.bio == "I *like* pipes." and "<em>like</em>" in user.bio_html
    assert AuditLog.objects.filter(action="profile_update", object_id=str(user.pk)).exists()


def test_profile_bio_too_long_shows_text_back(user_client, user):
    response = post_profile(user_client, bio="x" * 10_001)
    assert response.status_code == 400
    page = response.content.decode()
    assert "at most 10000 characters" in page.replace(",", "") or "10,000" in page
    assert "x" * 10_001 in page
    user.refresh_from_db()
    assert user.bio == ""


def test_profile_photo_stored_reencoded_without_metadata(user_client, user, media_root):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera make
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (10, 120, 200)).save(buffer, "JPEG", exif=exif)
    response = post_profile(user_client, photo=upload("me.jpg", buffer.getvalue(), "image/jpeg"))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.photo.name.endswith(".webp")
    with user.photo.open("rb") as handle:
        data = handle.read()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "WEBP" and max(image.size) == 400
    assert b"SecretCam" not in data
    preview = user_client.get(reverse("profile_photo"))
    assert preview.status_code == 200 and preview["Content-Type"] == "image/webp"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("me.png", b"not an image at all" * 10, "is not a PNG, JPEG or WebP image"),
        ("me.png", SVG, "SVG photos are not accepted"),
        ("me.gif", image_bytes("GIF", size=(200, 200)), "photos must be PNG, JPEG or WebP"),
        ("tiny.png", image_bytes("PNG", size=(20, 20)), "at least 64×64 pixels"),
        ("bomb.png", png_header_only(100_000, 100_000), "too large in pixels"),
    ],
)
def test_profile_photo_refused_with_reason(user_client, user, media_root, name, data, message):
    response = post_profile(user_client, photo=upload(name, data), bio="Kept text")
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "Kept text" in page
    user.refresh_from_db()
    assert not user.photo and user.bio == ""


def test_profile_photo_replace_and_remove_delete_files(
    user_client, user, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_profile(user_client, photo=upload("a.png", image_bytes("PNG", size=(300, 300))))
    user.refresh_from_db()
    first = user.photo.name
    storage = user.photo.storage
    with django_capture_on_commit_callbacks(execute=True):
        post_profile(
            user_client, photo=upload("b.png", image_bytes("PNG", size=(300, 300), color=(1, 2, 3)))
        )
    user.refresh_from_db()
    assert user.photo.name != first and not storage.exists(first)
    second = user.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        post_profile(user_client, remove_photo="on")
    user.refresh_from_db()
    assert not user.photo and not storage.exists(second)


def test_speaker_photo_served_only_for_listed_speakers(client, conference, hall, media_root):
    alice = UserFactory(display_name="Alice Speaker")
    client.force_login(alice)
    post_profile(client, photo=upload("a.png", image_bytes("PNG", size=(300, 300))))
    client.logout()
    alice.refresh_from_db()
    filename = alice.photo.name.rsplit("/", 1)[-1]
    url = reverse("speakers:photo", kwargs={"pk": alice.pk, "filename": filename})
    assert client.get(url).status_code == 404  # not on the program yet
    place(talk_item(conference, speakers=[alice]), hall, local(conference, 0, 9))
    publish(conference)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert client.get(url.replace(filename, "other.webp")).status_code == 404
    page = client.get(f"/speakers/{alice.pk}/").content.decode()
    assert url in page and 'alt="Photo of Alice Speaker"' in page


def test_profile_photo_preview_needs_login_and_photo(client, user_client):
    assert user_client.get(reverse("profile_photo")).status_code == 404
