import csv
import io

from django.core.management import call_command

from registration import services
from tests.factories import UserFactory
from tests.registration.factories import AttendanceKindFactory


def test_export_command_writes_attendees_and_ranked_waitlist(conference, tmp_path):
    kind = AttendanceKindFactory(conference=conference, capacity=1)
    seated, waiting = UserFactory(display_name="=cmd|evil"), UserFactory(display_name="Wanda")
    services.registration_create(user=seated, kind=kind)
    services.registration_create(user=waiting, kind=kind, reason="I maintain a driver.")
    out = io.StringIO()

    call_command("export_registrations", "attendees", "--output", tmp_path / "a.csv", stdout=out)
    call_command("export_registrations", "waitlist", "--output", tmp_path / "w.csv", stdout=out)

    attendees = list(csv.reader(io.StringIO((tmp_path / "a.csv").read_text(encoding="utf-8"))))
    waitlist = list(csv.reader(io.StringIO((tmp_path / "w.csv").read_text(encoding="utf-8"))))
    assert attendees[1][0] == "'=cmd|evil"  # a formula stays text in a spreadsheet
    assert [row[2] for row in waitlist[1:]] == ["Wanda"] and waitlist[1][0] == "1"
    assert "Done: 1 rows" in out.getvalue()
