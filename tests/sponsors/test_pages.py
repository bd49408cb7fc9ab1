import re

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sponsors.services import sponsor_save, sponsor_set_logo, tier_save
from tests.conftest import get_counting_queries
from tests.factories import ConferenceFactory
from tests.sponsors.factories import SponsorFactory, SponsorTierFactory, png_upload


def tier_headings(html: str) -> list[str]:
    return re.findall(r'<h2 id="sponsor-tier-\d+">([^<]+)</h2>', html)


def footer(html: str) -> str:
    return html.split('<footer class="site-footer">', 1)[1]


def test_sponsor_list_groups_by_tier_in_tier_order(client, conference):
    gold = SponsorTierFactory(conference=conference, name="Gold", order=3)
    diamond = SponsorTierFactory(conference=conference, name="Diamond", order=1)
    platinum = SponsorTierFactory(conference=conference, name="Platinum", order=2)
    SponsorFactory(tier=gold, name="Gold Example")
    SponsorFactory(tier=diamond, name="Diamond Example")
    SponsorFactory(tier=platinum, name="Platinum Example")
    html = client.get(reverse("sponsors:list")).content.decode()
    assert tier_headings(html) == ["Diamond", "Platinum", "Gold"]
    assert (
        html.index("Diamond Example") < html.index("Platinum Example") < html.index("Gold Example")
    )


def test_sponsor_list_shows_logo_alt_link_and_description(client, conference, organizer):
    sponsor = SponsorFactory(
        tier=SponsorTierFactory(conference=conference),
        name="Example Silicon Ltd",
        url="https://silicon.example.org/",
        description="Makes **fictional** chips.",
    )
    sponsor_set_logo(
        sponsor=sponsor, logo=png_upload(), logo_alt="Example Silicon logo", actor=organizer
    )
    html = client.get(reverse("sponsors:list")).content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert f'src="{sponsor.logo_wall_url}" alt="Example Silicon logo"' in main
    assert (
        '<a href="https://silicon.example.org/" rel="sponsored noopener">Example Silicon Ltd</a>'
        in main
    )
    assert "<strong>fictional</strong>" in main
    assert "/media/" not in html  # the raw upload is never shown


def test_sponsor_list_hides_hidden_sponsors_other_editions_and_empty_tiers(client, conference):
    tier = SponsorTierFactory(conference=conference, name="Gold")
    SponsorFactory(tier=tier, name="Shown Example")
    SponsorFactory(tier=tier, name="Secret Example", visible=False)
    SponsorFactory(tier=SponsorTierFactory(conference=conference, name="Silver"), visible=False)
    SponsorFactory(tier=SponsorTierFactory(conference=ConferenceFactory()), name="Old Example")
    html = client.get(reverse("sponsors:list")).content.decode()
    assert "Shown Example" in html
    assert "Secret Example" not in html
    assert "Old Example" not in html
    assert tier_headings(html) == ["Gold"]


def test_sponsor_list_without_sponsors_says_so(client, conference):
    html = client.get(reverse("sponsors:list")).content.decode()
    assert "No sponsors have been announced yet." in html


def count_queries(client) -> int:
    return get_counting_queries(client, reverse("sponsors:list"))[0]


def add_many_sponsors(conference, organizer):
    for index in range(3):
        tier = SponsorTierFactory(conference=conference)
        for _ in range(4):
            sponsor = SponsorFactory(tier=tier)
            if index == 0:
                sponsor_set_logo(sponsor=sponsor, logo=png_upload(), logo_alt="L", actor=organizer)


def test_sponsor_list_query_count_is_fixed_with_one_or_many_sponsors_cold(
    client, conference, organizer
):
    first = SponsorFactory(tier=SponsorTierFactory(conference=conference))
    sponsor_set_logo(sponsor=first, logo=png_upload(), logo_alt="First", actor=organizer)
    cache.clear()  # nothing cached: page, wall and home fragments all rendered
    one = count_queries(client)
    add_many_sponsors(conference, organizer)
    cache.clear()
    many = count_queries(client)
    assert one == many


def test_sponsor_list_query_count_is_fixed_for_logged_in_user(client, conference, organizer):
    first = SponsorFactory(tier=SponsorTierFactory(conference=conference))
    sponsor_set_logo(sponsor=first, logo=png_upload(), logo_alt="First", actor=organizer)
    client.force_login(organizer)
    client.get(reverse("sponsors:list"))
    one = count_queries(client)
    add_many_sponsors(conference, organizer)
    client.get(reverse("sponsors:list"))  # warms the wall again after the invalidation
    many = count_queries(client)
    assert one == many


def test_footer_wall_shows_current_edition_sponsors_on_every_page(client, conference):
    SponsorFactory(tier=SponsorTierFactory(conference=conference, name="Diamond"), name="Wall Ex")
    for url in [reverse("home"), reverse("news_list"), reverse("sponsors:list")]:
        assert "Wall Ex" in footer(client.get(url).content.decode())


def test_footer_wall_is_cached(client, conference, django_assert_num_queries):
    SponsorFactory(tier=SponsorTierFactory(conference=conference))
    client.get(reverse("news_list"))
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("news_list"))
    assert not any("sponsors_" in q["sql"] for q in ctx.captured_queries)


def test_footer_wall_follows_sponsor_change(client, conference, organizer):
    sponsor = SponsorFactory(tier=SponsorTierFactory(conference=conference), name="Before Ltd")
    assert "Before Ltd" in footer(client.get(reverse("news_list")).content.decode())
    sponsor.name = "After Ltd"
    sponsor_save(sponsor=sponsor, actor=organizer)
    html = footer(client.get(reverse("news_list")).content.decode())
    assert "After Ltd" in html and "Before Ltd" not in html


def test_footer_wall_follows_hiding_and_new_logo(client, conference, organizer):
    sponsor = SponsorFactory(tier=SponsorTierFactory(conference=conference), name="Logo Ltd")
    client.get(reverse("news_list"))
    sponsor_set_logo(sponsor=sponsor, logo=png_upload(), logo_alt="Logo Ltd mark", actor=organizer)
    html = footer(client.get(reverse("news_list")).content.decode())
    assert f'src="{sponsor.logo_wall_url}" alt="Logo Ltd mark"' in html
    sponsor.visible = False
    sponsor_save(sponsor=sponsor, actor=organizer)
    assert "Logo Ltd" not in footer(client.get(reverse("news_list")).content.decode())


def test_footer_wall_follows_tier_rename_and_order(client, conference, organizer):
    first = SponsorTierFactory(conference=conference, name="Alpha Tier", order=1)
    second = SponsorTierFactory(conference=conference, name="Beta Tier", order=2)
    SponsorFactory(tier=first)
    SponsorFactory(tier=second)
    html = footer(client.get(reverse("news_list")).content.decode())
    assert html.index("Alpha Tier") < html.index("Beta Tier")
    second.order = 0
    second.name = "Gamma Tier"
    tier_save(tier=second, actor=organizer)
    html = footer(client.get(reverse("news_list")).content.decode())
    assert html.index("Gamma Tier") < html.index("Alpha Tier")


def test_footer_wall_follows_current_edition_switch(client, conference):
    SponsorFactory(tier=SponsorTierFactory(conference=conference), name="This Year Ltd")
    nxt = ConferenceFactory()
    SponsorFactory(tier=SponsorTierFactory(conference=nxt), name="Next Year Ltd")
    assert "This Year Ltd" in footer(client.get(reverse("news_list")).content.decode())
    conference.is_current = False
    conference.save()
    nxt.is_current = True
    nxt.save()
    html = footer(client.get(reverse("news_list")).content.decode())
    assert "Next Year Ltd" in html and "This Year Ltd" not in html


def test_home_has_sponsors_section(client, conference):
    SponsorFactory(tier=SponsorTierFactory(conference=conference, name="Diamond"), name="Home Ex")
    html = client.get(reverse("home")).content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'id="sponsors-home-title"' in main and "Home Ex" in main


def test_logo_view_serves_rendition_with_cache_headers(client, conference, organizer):
    sponsor = SponsorFactory(tier=SponsorTierFactory(conference=conference))
    sponsor_set_logo(sponsor=sponsor, logo=png_upload(), logo_alt="X", actor=organizer)
    response = client.get(sponsor.logo_wall_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert "max-age=604800" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[8:12] == b"WEBP"


def test_logo_view_refuses_wrong_name_and_hidden_sponsor_to_public(client, conference, organizer):
    sponsor = SponsorFactory(tier=SponsorTierFactory(conference=conference), visible=False)
    sponsor_set_logo(sponsor=sponsor, logo=png_upload(), logo_alt="X", actor=organizer)
    assert client.get(f"/sponsors/logo/{sponsor.pk}/other.webp").status_code == 404
    assert client.get(sponsor.logo_wall_url).status_code == 404
    client.force_login(organizer)
    response = client.get(sponsor.logo_wall_url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
