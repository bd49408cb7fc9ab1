"""CSV exports for organizers: attendees and the ranked waitlist.

Cells are protected against spreadsheet formula injection: a cell starting with ``=``, ``+``,
``-``, ``@`` (or a tab / carriage return, also after leading spaces) is prefixed with a single
quote, so a display name such as ``=HYPERLINK(...)`` stays text when the file is opened in a
spreadsheet. Every field is quoted, so a spreadsheet that splits on ``;`` or ``,`` (by its
locale) keeps ``ACME;=1+2`` as one cell of text instead of starting a new cell at ``=``.
"""

import csv
from collections.abc import Iterable, Iterator

from django.utils import timezone

from registration import selectors
from registration.models import AttendanceKind, Registration

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    text = "" if value is None else str(value)
    if text.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    for row in rows:
        yield writer.writerow([csv_safe(cell) for cell in row])


def _local(value, kind: AttendanceKind) -> str:
    if value is None:
        return ""
    return timezone.localtime(value, kind.conference.tzinfo).strftime("%Y-%m-%d %H:%M %Z")


ATTENDEE_HEADER = [
    "name",
    "email",
    "affiliation",
    "edition",
    "attendance",
    "confirmed at",
    "pass code",
]


def attendee_rows(*, kinds: Iterable[AttendanceKind]) -> Iterator[list]:
    """Confirmed registrations of the kinds, one row each (the header first)."""
    yield ATTENDEE_HEADER
    regs = (
        Registration.objects.filter(kind__in=list(kinds), status=Registration.Status.CONFIRMED)
        .select_related("user", "kind__conference", "complimentary_pass")
        .order_by("kind__conference__starts_on", "kind__order", "kind_id", "confirmed_at", "id")
    )
    for reg in regs.iterator(chunk_size=500):
        item = getattr(reg, "complimentary_pass", None)
        yield [
            str(reg.user),
            reg.user.email,
            reg.user.affiliation,
            reg.kind.conference.slug,
            reg.kind.name,
            _local(reg.confirmed_at, reg.kind),
            item.display_code if item is not None else "",
        ]


WAITLIST_HEADER = [
    "rank",
    "score",
    "name",
    "email",
    "affiliation",
    "attendance",
    "priority reasons",
    "manual bonus",
    "joined at",
    "reasons for attending",
]


def waitlist_rows(*, kinds: Iterable[AttendanceKind]) -> Iterator[list]:
    """The waitlist of each kind in rank order, with rank and score (the header first)."""
    yield WAITLIST_HEADER
    for kind in kinds:
        for entry in selectors.waitlist_ranking(kind=kind):
            yield [
                entry.rank,
                entry.score,
                str(entry.user),
                entry.user.email,
                entry.user.affiliation,
                kind.name,
                "; ".join(entry.reasons),
                entry.manual_bonus,
                _local(entry.joined_at, kind),
                entry.reason,
            ]
