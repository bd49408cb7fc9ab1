"""The organizers' dashboard: numbers and charts the apps declare, drawn on the server.

Extension point (like ``plumbers/extensions.py``): an app declares on its AppConfig

    dashboard = "registration.dashboard.panels"

the dotted path of a function ``panels(conference, *, now) -> list[Card | LineChart |
BarChart]``. The core never imports a higher app: it reads the declarations through the app
registry, in ``INSTALLED_APPS`` order (lowest layer first), and lays the panels out by their
``order``. Each provider answers with a fixed number of aggregate queries, whatever the size
of the edition (tests/plumbers/test_dashboard.py counts them).

Every number of a card links to the admin list it counts (filtered). Charts are SVG drawn
here, with no script and no inline style (the CSP forbids both): colours are presentation
attributes, the chart is an ``<svg role="img">`` named by its ``<title>`` and described by its
``<desc>``, and each chart also has a data table and a CSV download of the same numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe

# Okabe-Ito: told apart by people with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


# --------------------------------------------------------------------------- cards


@dataclass(frozen=True)
class Cell:
    """One number of a card and the admin page it links to: the list it counts (filtered),
    or, with ``counts=False``, the page where it is acted on (a capacity, free seats)."""

    value: int | str | None
    url: str = ""
    counts: bool = True

    @property
    def shown(self) -> str:
        return "—" if self.value is None else str(self.value)


@dataclass(frozen=True)
class Row:
    label: str
    cells: Sequence[Cell]
    url: str = ""  # the row heading's link (e.g. the kind's waitlist page)


@dataclass(frozen=True)
class Card:
    """A small table of numbers: one row per kind, track, tier..., one column per count."""

    key: str
    title: str
    columns: Sequence[str]
    rows: Sequence[Row]
    note: str = ""
    order: int = 100
    empty: str = "Nothing yet."

    kind = "card"


# --------------------------------------------------------------------------- charts


@dataclass(frozen=True)
class Series:
    """A line of a date chart: ``points`` are (day, value); ``step`` keeps a value until the
    next point (a cumulative count, a capacity); ``None`` values break the line."""

    name: str
    points: Sequence[tuple[dt.date, float | None]]
    dashed: bool = False


@dataclass(frozen=True)
class Marker:
    """A vertical line at a day: a deadline, an extension, a capacity change."""

    day: dt.date
    label: str


def _csv(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _csv_safe(v) for v in row])
    return out.getvalue()


def _csv_safe(value) -> str:
    """A cell a spreadsheet will not run as a formula (=, +, -, @ lead a formula)."""
    text = str(value)
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _nice_ceiling(value: float) -> float:
    """The axis top: 1, 2, 2.5 or 5 times a power of ten, at least ``value``."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _day(day: dt.date) -> str:
    return day.strftime("%-d %b")


@dataclass(frozen=True)
class LineChart:
    """Values over days (cumulative counts, a capacity), with markers."""

    key: str
    title: str
    description: str
    series: Sequence[Series]
    markers: Sequence[Marker] = ()
    y_label: str = ""
    order: int = 100

    kind = "chart"
    width = 720
    height = 300
    left, right, top, bottom = 56, 200, 20, 44

    # -- the numbers, as a table and as CSV

    @property
    def days(self) -> list[dt.date]:
        days = {day for s in self.series for day, _ in s.points}
        return sorted(days)

    def _value_at(self, series: Series, day: dt.date):
        """The value of a stepped series on ``day`` (the last point on or before it)."""
        value = None
        for point_day, point_value in series.points:
            if point_day > day:
                break
            value = point_value
        return value

    def table(self) -> tuple[list[str], list[list]]:
        header = ["Day", *(s.name for s in self.series), "Events"]
        events: dict[dt.date, list[str]] = {}
        for marker in self.markers:
            events.setdefault(marker.day, []).append(marker.label)
        rows = []
        for day in sorted(set(self.days) | set(events)):
            values = [self._value_at(s, day) for s in self.series]
            rows.append([day.isoformat(), *values, "; ".join(events.get(day, []))])
        return header, rows

    def csv(self) -> str:
        header, rows = self.table()
        return _csv(header, rows)

    @property
    def table_html(self) -> SafeString:
        return table_html(self)

    # -- the drawing

    def _x_range(self) -> tuple[dt.date, dt.date]:
        days = self.days + [m.day for m in self.markers]
        if not days:
            today = timezone.now().date()
            return today - dt.timedelta(days=1), today
        first, last = min(days), max(days)
        if first == last:
            first -= dt.timedelta(days=1)
        return first, last

    def svg(self) -> SafeString:
        first, last = self._x_range()
        span = max((last - first).days, 1)
        plot_w = self.width - self.left - self.right
        plot_h = self.height - self.top - self.bottom
        top_value = _nice_ceiling(
            max((v for s in self.series for _, v in s.points if v is not None), default=0)
        )

        def x(day: dt.date) -> float:
            return round(self.left + plot_w * (day - first).days / span, 1)

        def y(value: float) -> float:
            return round(self.top + plot_h * (1 - value / top_value), 1)

        parts = [_svg_open(self.key, self.title, self.description, self.width, self.height)]
        parts.append(self._axes(x, y, first, last, span, top_value))
        for marker in self.markers:
            mx = x(marker.day)
            parts.append(
                format_html(
                    '<g class="marker"><title>{}: {}</title>'
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#555" stroke-width="1" '
                    'stroke-dasharray="2 3"/>'
                    '<text x="{}" y="{}" font-size="10" fill="#333" text-anchor="end" '
                    'transform="rotate(-90 {} {})">{}</text></g>',
                    marker.day.isoformat(),
                    marker.label,
                    mx,
                    self.top,
                    mx,
                    self.top + plot_h,
                    mx - 3,
                    self.top + 4,
                    mx - 3,
                    self.top + 4,
                    _short(marker.label, 40),
                )
            )
        for n, series in enumerate(self.series):
            colour = PALETTE[n % len(PALETTE)]
            for segment in _segments(series, last):
                points = " ".join(f"{x(d)},{y(v)}" for d, v in segment)
                parts.append(
                    format_html(
                        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}>'
                        "<title>{}</title></polyline>",
                        points,
                        colour,
                        mark_safe(' stroke-dasharray="6 4"') if series.dashed else "",
                        series.name,
                    )
                )
        parts.append(self._legend())
        parts.append(mark_safe("</svg>"))
        return mark_safe("".join(parts))

    def _axes(self, x, y, first, last, span, top_value) -> SafeString:
        plot_bottom = self.height - self.bottom
        right = self.width - self.right
        parts = [
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333"/>'
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333"/>',
                self.left,
                self.top,
                self.left,
                plot_bottom,
                self.left,
                plot_bottom,
                right,
                plot_bottom,
            )
        ]
        divisions = next(n for n in (5, 4, 2, 1) if float(top_value / n).is_integer())
        for i in range(divisions + 1):
            value = top_value * i / divisions
            parts.append(
                format_html(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ddd"/>'
                    '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#333">{}</text>',
                    self.left,
                    y(value),
                    right,
                    y(value),
                    self.left - 6,
                    y(value) + 4,
                    _number(value),
                )
            )
        ticks = min(span, 6)
        for i in range(ticks + 1):
            day = first + dt.timedelta(days=round(span * i / ticks))
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#333">{}</text>',
                    x(day),
                    plot_bottom + 16,
                    _day(day),
                )
            )
        if self.y_label:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" fill="#333" '
                    'transform="rotate(-90 {} {})" text-anchor="middle">{}</text>',
                    14,
                    self.top + (plot_bottom - self.top) / 2,
                    14,
                    self.top + (plot_bottom - self.top) / 2,
                    self.y_label,
                )
            )
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#333">{}</text>',
                self.left + (right - self.left) / 2,
                self.height - 6,
                f"{first.year}" if first.year == last.year else f"{first.year}–{last.year}",
            )
        )
        return mark_safe("".join(parts))

    def _legend(self) -> SafeString:
        parts = []
        x0 = self.width - self.right + 16
        for n, series in enumerate(self.series):
            y0 = self.top + 8 + n * 18
            parts.append(
                format_html(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3"{}/>'
                    '<text x="{}" y="{}" font-size="11" fill="#333">{}</text>',
                    x0,
                    y0,
                    x0 + 18,
                    y0,
                    PALETTE[n % len(PALETTE)],
                    mark_safe(' stroke-dasharray="6 4"') if series.dashed else "",
                    x0 + 24,
                    y0 + 4,
                    _short(series.name, 28),
                )
            )
        return mark_safe("".join(parts))


def _segments(series: Series, last: dt.date) -> list[list[tuple[dt.date, float]]]:
    """The stepped polyline pieces of a series, carried on to ``last``; None breaks it."""
    pieces: list[list[tuple[dt.date, float]]] = []
    current: list[tuple[dt.date, float]] = []
    for day, value in series.points:
        if current:
            current.append((day, current[-1][1]))  # hold the previous value until today
        if value is None:
            if current:
                pieces.append(current)
            current = []
            continue
        current.append((day, value))
    if current:
        if current[-1][0] < last:
            current.append((last, current[-1][1]))
        pieces.append(current)
    return pieces


@dataclass(frozen=True)
class BarChart:
    """Horizontal stacked bars: one bar per category (a rule, a reviewer), one segment per
    part of it (done, due)."""

    key: str
    title: str
    description: str
    categories: Sequence[str]
    segments: Sequence[tuple[str, Sequence[int]]]  # (name, one value per category)
    order: int = 100
    empty: str = "Nothing to show yet."

    kind = "chart"
    width = 720
    left, right, top = 220, 60, 32
    bar, gap = 18, 8

    @property
    def height(self) -> int:
        return self.top + max(len(self.categories), 1) * (self.bar + self.gap) + 24

    def totals(self) -> list[int]:
        return [sum(values[i] for _, values in self.segments) for i in range(len(self.categories))]

    def table(self) -> tuple[list[str], list[list]]:
        header = ["", *(name for name, _ in self.segments)]
        if len(self.segments) > 1:
            header.append("Total")
        rows = []
        for i, category in enumerate(self.categories):
            row = [category, *(values[i] for _, values in self.segments)]
            if len(self.segments) > 1:
                row.append(sum(values[i] for _, values in self.segments))
            rows.append(row)
        return header, rows

    def csv(self) -> str:
        header, rows = self.table()
        return _csv(["Category", *header[1:]], rows)

    @property
    def table_html(self) -> SafeString:
        return table_html(self)

    def svg(self) -> SafeString:
        plot_w = self.width - self.left - self.right
        top_value = _nice_ceiling(max(self.totals(), default=0))
        parts = [_svg_open(self.key, self.title, self.description, self.width, self.height)]
        x0 = self.left
        for n, (name, _) in enumerate(self.segments):  # the legend, above the bars
            lx = x0 + n * 140
            parts.append(
                format_html(
                    '<rect x="{}" y="6" width="12" height="12" fill="{}"/>'
                    '<text x="{}" y="16" font-size="11" fill="#333">{}</text>',
                    lx,
                    PALETTE[n % len(PALETTE)],
                    lx + 16,
                    _short(name, 20),
                )
            )
        for i, category in enumerate(self.categories):
            y0 = self.top + i * (self.bar + self.gap)
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#333">{}</text>',
                    self.left - 8,
                    y0 + self.bar - 5,
                    _short(category, 34),
                )
            )
            offset = 0.0
            for n, (name, values) in enumerate(self.segments):
                value = values[i]
                if value:
                    w = round(plot_w * value / top_value, 1)
                    parts.append(
                        format_html(
                            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                            "<title>{}: {} {}</title></rect>",
                            round(x0 + offset, 1),
                            y0,
                            w,
                            self.bar,
                            PALETTE[n % len(PALETTE)],
                            category,
                            value,
                            name,
                        )
                    )
                    offset += w
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" fill="#333">{}</text>',
                    round(x0 + offset + 4, 1),
                    y0 + self.bar - 5,
                    sum(values[i] for _, values in self.segments),
                )
            )
        parts.append(mark_safe("</svg>"))
        return mark_safe("".join(parts))


def _svg_open(key: str, title: str, description: str, width: int, height: int) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="dashboard-chart" role="img" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'aria-labelledby="chart-{key}-title chart-{key}-desc" font-family="sans-serif">'
        '<title id="chart-{key}-title">{title}</title>'
        '<desc id="chart-{key}-desc">{desc}</desc>',
        w=width,
        h=height,
        key=key,
        title=title,
        desc=description,
    )


def _short(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


Panel = Card | LineChart | BarChart


# --------------------------------------------------------------------------- the registry


@cache
def providers() -> tuple[tuple[str, Callable], ...]:
    """``(app label, panels function)`` of every app that declares a dashboard part."""
    return tuple(
        (config.label, import_string(config.dashboard))
        for config in apps.get_app_configs()
        if getattr(config, "dashboard", None)
    )


@dataclass
class Dashboard:
    conference: object
    now: dt.datetime
    cards: list[Card] = field(default_factory=list)
    charts: list[LineChart | BarChart] = field(default_factory=list)

    def chart(self, key: str) -> LineChart | BarChart | None:
        return next((c for c in self.charts if c.key == key), None)


def build_dashboard(conference, *, now: dt.datetime | None = None) -> Dashboard:
    """Every app's panels for ``conference``, cards and charts each in their order."""
    now = now or timezone.now()
    board = Dashboard(conference=conference, now=now)
    if conference is None:
        return board
    for _label, panels in providers():
        for panel in panels(conference, now=now):
            (board.cards if panel.kind == "card" else board.charts).append(panel)
    board.cards.sort(key=lambda p: p.order)
    board.charts.sort(key=lambda p: p.order)
    return board


def table_html(chart: LineChart | BarChart) -> SafeString:
    """The data table alternative of a chart (used by the template)."""
    header, rows = chart.table()
    head = "".join(str(format_html('<th scope="col">{}</th>', h)) for h in header)
    body = []
    for row in rows:
        first, *rest = row
        cells = "".join(
            str(format_html("<td>{}</td>", "" if v is None else _number_or_text(v))) for v in rest
        )
        body.append(f'<tr><th scope="row">{escape(first)}</th>{cells}</tr>')
    return mark_safe(
        f"<table><caption>{escape(chart.title)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _number_or_text(value) -> str:
    if isinstance(value, float):
        return _number(value)
    return str(value)
