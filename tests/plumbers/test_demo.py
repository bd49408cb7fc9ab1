import datetime as dt
import io

from django.core.management import call_command
from django.utils import timezone

from plumbers.models import Announcement, Conference, User


def test_load_demo_is_idempotent_and_shifts_the_story_to_today(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=out)

    conference = Conference.objects.get(slug="2022")
    assert conference.is_current
    assert conference.city == "Dublin" and conference.timezone == "Europe/Dublin"
    # About three months ahead, as on 14 June 2022.
    assert 80 <= (conference.starts_on - timezone.localdate()).days <= 100
    assert Announcement.objects.filter(slug="cfp-deadline-extended-refereed").count() == 1
    assert User.objects.filter(email="organizer@example.org", is_staff=True).count() == 1
    assert "organizer@example.org" in out.getvalue() and "plumbers-organizer" in out.getvalue()


def test_load_demo_historical_keeps_real_2022_dates(db):
    call_command("load_demo", "--historical", stdout=io.StringIO())
    conference = Conference.objects.get(slug="2022")
    assert conference.starts_on == dt.date(2022, 9, 12)
    assert conference.ends_on == dt.date(2022, 9, 14)
    extended = Announcement.objects.get(slug="cfp-deadline-extended-refereed")
    assert extended.published_at.date() == dt.date(2022, 6, 9)
