"""The three exports: valid against the published schemas (../shared/standards), read back
with independent parsers (lxml, json + jsonschema, icalendar), served with ETag and
Last-Modified, cached until the next release."""

import datetime as dt
import json
import os
import uuid
from pathlib import Path

import icalendar
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schedule.models import Item
from tests.factories import UserFactory
from tests.schedule.factories import RoomFactory
from tests.schedule.factories_public import (
    big_program,
    local,
    mc_item,
    place,
    plain_item,
    publish,
    talk_item,
)

pytestmark = pytest.mark.django_db

# ../shared/standards beside the project, or wherever PLUMBERS_STANDARDS_DIR says (.ci/run
# finds the copy when the clone does not sit beside it).
STANDARDS = Path(
    os.environ.get("PLUMBERS_STANDARDS_DIR")
    or Path(settings.BASE_DIR).parent / "shared" / "standards"
)


def standard(name: str) -> Path:
    path = STANDARDS / name
    if not path.exists():
        reason = f"{path} is absent (a bare clone): schedule export validation not run"
        if os.environ.get("STANDARDS_REQUIRED") == "1":
            pytest.fail(f"STANDARDS_REQUIRED=1 but {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def xsd():
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(standard("schedule.xml.xsd"))))


@pytest.fixture(scope="module")
def json_validator():
    import jsonschema

    schema = json.loads(standard("schedule.json").read_text())
    return jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture
def program(conference):
    hall = RoomFactory(conference=conference, name="Main hall", order=0, capacity=300)
    side = RoomFactory(conference=conference, name="Room “B” & <side>", order=1)
    alice = UserFactory(display_name="Alice Ünïcode")
    bob = UserFactory(display_name="Bob <b>")
    talk = place(
        talk_item(conference, title="io_uring & <friends> 🚀", speakers=[alice, bob]),
        hall,
        local(conference, 0, 9),
    )
    block = place(
        mc_item(conference, leads=[UserFactory(display_name="Lena Lead")], title="VFIO MC"),
        side,
        local(conference, 0, 9),
        210,
    )
    coffee = place(plain_item(conference, "Coffee"), hall, local(conference, 1, 10, 30), 30)
    release = publish(conference)
    return {"talk": talk, "block": block, "coffee": coffee, "release": release, "alice": alice}


def get(client, fmt, **headers):
    return client.get(f"/schedule/export/schedule.{fmt}", **headers)


# --------------------------------------------------------------------------- validity


def test_xml_export_valid_against_xsd(client, program, xsd):
    from lxml import etree

    response = get(client, "xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    document = etree.fromstring(response.content)
    assert xsd.validate(document), xsd.error_log


def test_xml_export_reads_back(client, program, conference):
    from lxml import etree

    document = etree.fromstring(get(client, "xml").content)
    assert document.findtext("version") == "1.0"
    assert document.findtext("conference/time_zone_name") == "Europe/Dublin"
    assert document.findtext("conference/acronym") == conference.slug
    talk = program["talk"]
    event = document.find(f".//event[@guid='{talk.guid}']")
    assert event.findtext("title") == "io_uring & <friends> 🚀"
    assert event.findtext("room") == "Main hall"
    assert event.findtext("start") == "09:00"
    assert event.findtext("duration") == "00:45"
    assert event.findtext("type") == "talk"
    assert event.findtext("track") == talk.proposal.track.name
    assert event.findtext("date").startswith(f"{conference.starts_on.isoformat()}T09:00:00+")
    assert event.findtext("url") == f"http://testserver/schedule/{talk.guid}/"
    assert [p.text for p in event.find("persons")] == ["Alice Ünïcode", "Bob <b>"]
    assert event.getparent().get("name") == "Main hall"
    days = document.findall("day")
    assert [d.get("index") for d in days] == ["1", "2", "3"]
    assert days[1].find(".//event").findtext("title") == "Coffee"


def test_json_export_valid_against_schema(client, program, json_validator):
    response = get(client, "json")
    assert response["Content-Type"].startswith("application/json")
    document = json.loads(response.content)
    errors = sorted(json_validator.iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_json_export_reads_back(client, program, conference):
    document = json.loads(get(client, "json").content)
    conf = document["schedule"]["conference"]
    assert conf["time_zone_name"] == "Europe/Dublin"
    assert conf["daysCount"] == 3
    events = [e for day in conf["days"] for room in day["rooms"].values() for e in room]
    by_guid = {e["guid"]: e for e in events}
    talk = by_guid[str(program["talk"].guid)]
    assert talk["room"] == "Main hall"
    assert talk["duration"] == "00:45"
    assert [p["name"] for p in talk["persons"]] == ["Alice Ünïcode", "Bob <b>"]
    assert talk["persons"][0]["url"] == f"http://testserver/speakers/{program['alice'].pk}/"
    block = by_guid[str(program["block"].guid)]
    assert block["type"] == "microconference" and block["duration"] == "03:30"
    assert block["track"] == "VFIO MC microconference"
    assert {r["name"] for r in conf["rooms"]} == {"Main hall", "Room “B” & <side>"}


def test_ics_export_one_event_per_slot_with_timezone(client, program, conference):
    response = get(client, "ics")
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    events = cal.walk("VEVENT")
    assert len(events) == 3
    assert {str(e["UID"]) for e in events} == {
        f"{program[k].guid}@plumbers" for k in ("talk", "block", "coffee")
    }
    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/Dublin"]
    talk = next(e for e in events if str(e["UID"]).startswith(str(program["talk"].guid)))
    start = talk.decoded("DTSTART")
    assert start == local(conference, 0, 9)
    assert talk["DTSTART"].params["TZID"] == "Europe/Dublin"
    assert str(talk["LOCATION"]) == "Main hall"
    assert "Alice Ünïcode" in str(talk["DESCRIPTION"])
    assert str(talk["URL"]) == f"http://testserver/schedule/{program['talk'].guid}/"
    assert int(talk["SEQUENCE"]) == 0


def test_big_program_exports_valid(client, conference, xsd, json_validator):
    from lxml import etree

    big_program(conference, slots=120)
    assert xsd.validate(etree.fromstring(get(client, "xml").content)), xsd.error_log
    document = json.loads(get(client, "json").content)
    assert not list(json_validator.iter_errors(document))
    assert len(icalendar.Calendar.from_ical(get(client, "ics").content).walk("VEVENT")) == 120


def test_exports_with_odd_conference_slug_stay_valid(client, conference, xsd, json_validator):
    from lxml import etree

    conference.slug = "LPC-22"
    conference.save()
    room = RoomFactory(conference=conference)
    place(talk_item(conference, title="!!!"), room, local(conference, 0, 9))
    publish(conference)
    assert xsd.validate(etree.fromstring(get(client, "xml").content)), xsd.error_log
    assert not list(json_validator.iter_errors(json.loads(get(client, "json").content)))


# ------------------------------------------------------------------ sequences and caching


def test_ics_sequence_rises_when_item_moves(client, program, conference):
    talk, coffee = program["talk"], program["coffee"]
    place(talk, talk.room, local(conference, 0, 11))
    publish(conference)
    place(talk, talk.room, local(conference, 0, 14))
    publish(conference)
    events = icalendar.Calendar.from_ical(get(client, "ics").content).walk("VEVENT")
    sequences = {str(e["UID"]).split("@")[0]: int(e["SEQUENCE"]) for e in events}
    assert sequences[str(talk.guid)] == 2
    assert sequences[str(coffee.guid)] == 0


@pytest.mark.parametrize("fmt", ["xml", "json", "ics"])
def test_export_conditional_get_answers_304(client, program, fmt):
    first = get(client, fmt)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified
    again = get(client, fmt, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    since = get(client, fmt, HTTP_IF_MODIFIED_SINCE=modified)
    assert since.status_code == 304
    stale = get(client, fmt, HTTP_IF_NONE_MATCH='"release-0-xml-r1"')
    assert stale.status_code == 200


def test_export_new_release_changes_etag_and_body(
    client, program, conference, django_capture_on_commit_callbacks
):
    before = get(client, "json")
    place(plain_item(conference, "Late addition"), program["talk"].room, local(conference, 2, 9))
    with django_capture_on_commit_callbacks(execute=True):
        publish(conference)
    after = get(client, "json", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "Late addition" in after.content.decode()


def test_export_served_from_cache_until_next_release(client, program):
    get(client, "xml")
    with CaptureQueriesContext(connection) as queries:
        cached = get(client, "xml")
    assert cached.status_code == 200
    assert len(queries) <= 2  # the edition and its latest release, not the slots
    Item.objects.filter(pk=program["talk"].pk).update(title="Draft rename")
    assert "Draft rename" not in get(client, "xml").content.decode()


@pytest.mark.parametrize("fmt", ["xml", "json", "ics"])
def test_export_unpublished_404(client, conference, fmt):
    assert get(client, fmt).status_code == 404


def test_item_calendar_is_one_event(client, program):
    talk = program["talk"]
    response = client.get(f"/schedule/{talk.guid}/calendar.ics")
    cal = icalendar.Calendar.from_ical(response.content)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["io_uring & <friends> 🚀"]
    assert cal.walk("VTIMEZONE")
    assert (
        client.get(
            f"/schedule/{talk.guid}/calendar.ics", HTTP_IF_NONE_MATCH=response["ETag"]
        ).status_code
        == 304
    )


def test_item_calendar_unknown_guid_404(client, program):
    assert client.get(f"/schedule/{uuid.uuid4()}/calendar.ics").status_code == 404


def test_export_days_cover_edition(client, program, conference):
    document = json.loads(get(client, "json").content)
    dates = [d["date"] for d in document["schedule"]["conference"]["days"]]
    assert dates == [(conference.starts_on + dt.timedelta(days=n)).isoformat() for n in range(3)]
