"""Gap pages: the flagged areas, the coverage heatmap and Figure 13, each also as SVG and CSV."""

import csv
import io
from urllib.parse import urlencode

from flask import Response, render_template, url_for
from flask_babel import get_locale
from markupsafe import Markup

from app import gaps as computed
from app.web import bp, charts
from app.web.args import load_args
from registry.schemas.gaps import GapQuery
from registry.services.gaps import OTHERS, rule_titles


def _csv(rows: list[list], filename: str) -> Response:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _svg(template: str, **context) -> Response:
    return Response(render_template(template, **context), mimetype="image/svg+xml")


@bp.get("/gaps")
def gaps():
    filters = load_args(GapQuery)
    return render_template("gaps/index.html", page=computed.gap_list(filters), filters=filters,
                           rules=rule_titles(), thresholds=computed.thresholds())


def _heatmap_context() -> dict:
    cov = computed.coverage()
    standards, area = url_for("web.standards"), url_for("web.area", slug="-").rstrip("-")
    layout = charts.heatmap(
        cov, lambda slug, code: f"{standards}?{urlencode({'area': slug, 'body': code})}",
        lambda slug: area + slug)
    return {"coverage": cov, "h": layout, "legend": charts.scale_legend(),
            "developing_only": charts.DEVELOPING_ONLY}


def _rendered(template: str) -> str:
    """The heatmap drawn once per catalogue state: thousands of cells are slow to render."""
    return computed.memoized((template, computed.thresholds(), str(get_locale())),
                             lambda: render_template(template, **_heatmap_context()))


@bp.get("/gaps/coverage")
def coverage():
    return render_template("gaps/coverage.html",
                           fragment=Markup(_rendered("gaps/_coverage_body.html")))


@bp.get("/gaps/coverage.svg")
def coverage_svg():
    return Response(_rendered("gaps/_heatmap.svg"), mimetype="image/svg+xml")


@bp.get("/gaps/coverage.csv")
def coverage_csv():
    cov = computed.coverage()
    rows: list[list] = [["area", "title", "flags", "body", "published", "in_development",
                         "gap"]]
    for area in cov.areas:
        for code, _ in cov.bodies:
            cell = cov.cell(area.area_id, code)
            rows.append([area.slug, area.title, " ".join(area.rules), code, cell.published,
                         cell.developing, "yes" if cov.is_gap(area, code) else "no"])
    return _csv(rows, "coverage.csv")


def _per_year_context() -> dict:
    data = computed.per_year()
    return {"data": data, "b": charts.stacked_bars(data), "others": OTHERS}


@bp.get("/gaps/standards-per-year")
def per_year():
    return render_template("gaps/per_year.html", **_per_year_context())


@bp.get("/gaps/standards-per-year.svg")
def per_year_svg():
    return _svg("gaps/_per_year.svg", **_per_year_context())


@bp.get("/gaps/standards-per-year.csv")
def per_year_csv():
    data = computed.per_year()
    rows: list[list] = [["year", *data.series, "total"]]
    for year in data.years:
        rows.append([year, *[data.count(s, year) for s in data.series], data.year_total(year)])
    return _csv(rows, "standards-per-year.csv")
