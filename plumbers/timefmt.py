"""One way to show a time: in the edition's zone, named by its city and UTC offset.

"IST" reads as India, Ireland or Israel depending on who reads it, so a bare abbreviation is
never shown: pages, mails and the admin say "Dublin time, UTC+1". Pages wrap the text in
``<time datetime="…">`` so static/js/localtime.js can add the visitor's own time.
"""

import zoneinfo
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateformat import format as date_format


def as_zone(tzname) -> zoneinfo.ZoneInfo:
    return tzname if isinstance(tzname, zoneinfo.ZoneInfo) else zoneinfo.ZoneInfo(str(tzname))


def zone_city(tzname) -> str:
    """ "Europe/Dublin" → "Dublin"; "America/Port_of_Spain" → "Port of Spain"; "UTC" stays."""
    name = str(tzname)
    return name.rsplit("/", 1)[-1].replace("_", " ")


def utc_offset(offset: timedelta | None) -> str:
    """timedelta(hours=1) → "UTC+1"; 5 h 30 → "UTC+5:30"; zero → "UTC"."""
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(value: datetime, tzname) -> str:
    """The zone a given moment is shown in: "Dublin time, UTC+1" (the offset of that moment,
    so summer and winter differ)."""
    zone = as_zone(tzname)
    if str(zone.key) in ("UTC", "Etc/UTC"):
        return "UTC"
    local = timezone.localtime(value, zone)
    return f"{zone_city(zone.key)} time, {utc_offset(local.utcoffset())}"


def format_time(value: datetime | None, tzname, fmt: str = "j F Y, H:i") -> str:
    """Plain text for mails and the admin: "12 September 2022, 09:00 (Dublin time, UTC+1)"."""
    if value is None:
        return ""
    local = timezone.localtime(value, as_zone(tzname))
    return f"{date_format(local, fmt)} ({zone_label(value, tzname)})"


def iso_utc(value: datetime) -> str:
    """The machine-readable form for ``<time datetime>``: UTC with a Z."""
    return value.astimezone(zoneinfo.ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
