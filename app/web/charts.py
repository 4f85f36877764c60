"""Geometry of the two pictures (heatmap, bars), computed here and drawn by SVG templates.

Pictures are plain SVG rendered on the server: readable without JavaScript, every mark with a
<title>, and each page carries the same numbers as a data table and as CSV.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from registry.services.gaps import OTHERS, Coverage, YearSeries

# Colour by published count (a sequential blue scale); in-development only is its own hue.
COVERAGE_SCALE = ((0, "#ffffff"), (1, "#deebf7"), (2, "#9ecae1"), (5, "#4292c6"),
                  (10, "#08519c"))
DEVELOPING_ONLY = "#fdf2c6"
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")


def coverage_colour(published: int, developing: int) -> tuple[str, bool]:
    """(fill, dark?) for a cell: dark fills need white text."""
    if published == 0:
        return (DEVELOPING_ONLY if developing else COVERAGE_SCALE[0][1]), False
    colour = COVERAGE_SCALE[0][1]
    for threshold, fill in COVERAGE_SCALE:
        if published >= threshold:
            colour = fill
    return colour, published >= 5


def scale_legend() -> list[tuple[str, str]]:
    labels = (_l("none"), "1", "2–4", "5–9", _l("10 or more"))
    return [(fill, label) for (_, fill), label in zip(COVERAGE_SCALE, labels, strict=True)]


@dataclass
class HeatCell:
    x: int
    y: int
    code: str
    published: int
    developing: int
    fill: str
    dark: bool
    gap: bool
    href: str


@dataclass
class HeatRow:
    y: int
    slug: str
    title: str
    depth: int
    flagged: bool
    href: str
    flags: str
    cells: list[HeatCell] = field(default_factory=list)


@dataclass
class Heatmap:
    width: int
    height: int
    label_width: int
    cell_w: int
    cell_h: int
    top: int
    bodies: list[tuple[int, str, str]]  # (x, code, name)
    rows: list[HeatRow]
    legend_y: int


def heatmap(cov: Coverage, cell_href: Callable[[str, str], str],
            area_href: Callable[[str], str]) -> Heatmap:
    """Layout of the heatmap; links are built by the caller (one url_for, not one per cell)."""
    label_width, cell_w, cell_h, top = 250, 78, 24, 64
    bodies = [(label_width + i * cell_w, code, name) for i, (code, name) in enumerate(cov.bodies)]
    rows = []
    for r, area in enumerate(cov.areas):
        y = top + r * cell_h
        row = HeatRow(y, area.slug, area.title, getattr(area, "depth", 0), bool(area.flags),
                      area_href(area.slug), "; ".join(f.title for f in area.flags))
        for x, code, _ in bodies:
            cell = cov.cell(area.area_id, code)
            fill, dark = coverage_colour(cell.published, cell.developing)
            row.cells.append(HeatCell(x, y, code, cell.published, cell.developing, fill, dark,
                                      cov.is_gap(area, code), cell_href(area.slug, code)))
        rows.append(row)
    grid_bottom = top + len(rows) * cell_h
    width = max(label_width + len(bodies) * cell_w + 10, 640)
    return Heatmap(width, grid_bottom + 70, label_width, cell_w, cell_h, top, bodies, rows,
                   grid_bottom + 20)


@dataclass
class Segment:
    x: int
    y: float
    w: int
    h: float
    series: str
    colour: str
    year: int
    count: int


@dataclass
class Bars:
    width: int
    height: int
    left: int
    plot_top: int
    plot_bottom: int
    bar_w: int
    ticks: list[tuple[float, int]]  # (y, value)
    years: list[tuple[float, int, int]]  # (x centre, year, total)
    segments: list[Segment]
    legend: list[tuple[int, str, str]]  # (x, colour, label)
    year_labels: list[tuple[float, int]]  # (x centre, year): the years written under the axis
    names: dict[str, str]  # series -> its label ("Others" in the reader's language)


def _nice_step(peak: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000):
        if peak / step <= 6:
            return step
    return max(1, peak // 5)


# A year written at 12 px is about 30 px wide: years are labelled every k years, k the first
# step that leaves this much room, on the years divisible by k (2000, 2005, ...).
YEAR_LABEL_ROOM = 36
LABEL_STEPS = (1, 2, 5, 10, 20, 50)


def text_width(text: str) -> int:
    """Rough width at 12 px (wide scripts count double): legend entries advance by it."""
    return sum(14 if ord(ch) > 0x2E80 else 8 for ch in text)


def stacked_bars(data: YearSeries) -> Bars:
    left, plot_top, plot_h = 48, 20, 260
    n = len(data.years)
    slot = 40 if n <= 12 else 26 if n <= 24 else 20 if n <= 40 else 14
    bar_w = slot - 6
    plot_bottom = plot_top + plot_h
    peak = max((data.year_total(y) for y in data.years), default=0) or 1
    step = _nice_step(peak)
    top_value = -(-peak // step) * step
    scale = plot_h / top_value
    colours = {s: SERIES_COLOURS[i % len(SERIES_COLOURS)] for i, s in enumerate(data.series)}
    segments, years = [], []
    for i, year in enumerate(data.years):
        x = left + 8 + i * slot
        base = float(plot_bottom)
        for s in data.series:
            n = data.count(s, year)
            if n:
                h = n * scale
                base -= h
                segments.append(Segment(x, round(base, 2), bar_w, round(h, 2), s, colours[s],
                                        year, n))
        years.append((x + bar_w / 2, year, data.year_total(year)))
    ticks = [(round(plot_bottom - v * scale, 2), v) for v in range(0, top_value + 1, step)]
    every = next((k for k in LABEL_STEPS if k * slot >= YEAR_LABEL_ROOM), LABEL_STEPS[-1])
    year_labels = [(x, year) for x, year, _ in years if year % every == 0]
    names = {s: gettext("Others") if s == OTHERS else s for s in data.series}
    legend, x = [], left
    for s in data.series:
        legend.append((x, colours[s], names[s]))
        x += 20 + text_width(names[s]) + 18
    width = max(left + 16 + len(data.years) * slot, x, 480)
    return Bars(width, plot_bottom + 70, left, plot_top, plot_bottom, bar_w, ticks, years,
                segments, legend, year_labels, names)
