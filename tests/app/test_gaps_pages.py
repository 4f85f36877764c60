"""Gap pages, the two pictures (SVG, table, CSV) and the JSON API on known data."""

import csv
import io
from itertools import pairwise

import pytest
from lxml import etree

from app.web import charts
from registry.services.gaps import OTHERS, YearSeries
from tests import factories as f
from tests.auth import make_user, sign_in

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _without_the_thin_rule(app):
    """The small catalogue below pins the other rules; "thin" has its own test at the end."""
    app.config["GAP_MIN_PUBLISHED"] = 0


def catalogue(session):
    f.load(session, f.area("root", kind="governance"),
           f.area("energy", parent="root", kind="governance"),
           f.area("rights", parent="root", kind="governance"),
           f.standard("ISO/IEC 1:2024", published="2024-05-01", measurement_evaluation=True,
                      areas=["energy"]),
           f.standard("ISO/IEC DIS 2", status="under_development", published=None,
                      areas=["energy"]),
           f.standard("ITU-T L.1 (01/2023)", bodies=["ITU-T"], committee=None,
                      type="Recommendation", published="2023-01-10", areas=["energy"]),
           f.standard("IEEE 3-2022", bodies=["IEEE"], committee=None, published="2022-03-01",
                      areas=["rights"]))


def test_gap_list_shows_flagged_areas_with_reasons_and_filters(client, session):
    catalogue(session)
    html = client.get("/gaps").get_data(as_text=True)
    assert 'id="gap-rights"' in html and 'id="gap-energy"' not in html
    assert "from one body, IEEE" in html
    assert 'id="gap-rights"' not in client.get("/gaps?rule=stale").get_data(as_text=True)
    assert 'id="gap-rights"' in client.get("/gaps?rule=one-body&status=none").get_data(
        as_text=True)
    bad = client.get("/gaps?severity=apocalyptic")
    assert bad.status_code == 400 and "severity" in bad.get_data(as_text=True)


def test_heatmap_svg_has_a_linked_cell_per_area_and_body(client, session):
    catalogue(session)
    response = client.get("/gaps/coverage.svg")
    assert response.mimetype == "image/svg+xml"
    svg = etree.fromstring(response.data)
    assert svg.find(f"{SVG}title").text == "Coverage of areas by bodies"
    cells = {a.get("href"): a.find(f"{SVG}title").text for a in svg.iter(f"{SVG}a")
             if "/standards?" in a.get("href")}
    # 3 areas x 4 bodies (IEC, ISO, ITU-T, IEEE)
    assert len(cells) == 12
    assert cells["/standards?area=energy&body=ISO"] == (
        "Energy × ISO: 1 published, 1 in development")
    assert cells["/standards?area=rights&body=ISO"].endswith("0 published, 0 in development; "
                                                            "a gap")
    gap_cells = svg.findall(f".//{SVG}rect[@class='gap-cell']")
    assert len(gap_cells) == 3  # rights is flagged: ISO, IEC, ITU-T published nothing there


def test_heatmap_cell_link_lists_the_standards_behind_it(client, session):
    catalogue(session)
    html = client.get("/standards?area=root&body=ISO").get_data(as_text=True)
    assert "ISO/IEC 1:2024" in html and "ISO/IEC DIS 2" in html  # root counts energy's
    assert "IEEE 3-2022" not in html and "ITU-T L.1" not in html


def test_coverage_page_has_the_data_table_and_csv(client, session):
    catalogue(session)
    html = client.get("/gaps/coverage").get_data(as_text=True)
    assert "<svg" in html and "<table" in html and "1 published, 1 in development" in html
    response = client.get("/gaps/coverage.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    energy_iso = next(r for r in rows if r["area"] == "energy" and r["body"] == "ISO")
    assert (energy_iso["published"], energy_iso["in_development"], energy_iso["gap"]) == (
        "1", "1", "no")
    assert next(r for r in rows if r["area"] == "rights" and r["body"] == "ITU-T")["gap"] == "yes"


def test_per_year_svg_bars_match_the_data(client, session):
    catalogue(session)
    svg = etree.fromstring(client.get("/gaps/standards-per-year.svg").data)
    bars = {(r.get("data-series"), r.get("data-year")): int(r.get("data-count"))
            for r in svg.iter(f"{SVG}rect") if r.get("class") == "bar"}
    assert bars == {("ISO", "2024"): 1, ("IEC", "2024"): 1, ("ITU-T", "2023"): 1,
                    ("IEEE", "2022"): 1}
    heights = {(r.get("data-series"), r.get("data-year")): float(r.get("height"))
               for r in svg.iter(f"{SVG}rect") if r.get("class") == "bar"}
    assert len(set(heights.values())) == 1  # one standard each: equal heights
    rows = list(csv.reader(io.StringIO(client.get("/gaps/standards-per-year.csv")
                                       .get_data(as_text=True))))
    assert rows[0] == ["year", "ITU-T", "ISO", "IEC", "IEEE", "total"]
    assert rows[1:] == [["2022", "0", "0", "0", "1", "1"], ["2023", "1", "0", "0", "0", "1"],
                        ["2024", "0", "1", "1", "0", "2"]]
    assert "<table" in client.get("/gaps/standards-per-year").get_data(as_text=True)


@pytest.mark.parametrize("first", [1995, 2015, 2021])
def test_figure_13_labels_and_legend_do_not_collide(app, first):
    years = list(range(first, 2027))
    series = ["ITU-T", "CEN-CENELEC", "ISO", OTHERS]
    data = YearSeries(years, series, {(s, y): 1 for s in series for y in years})
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        bars = charts.stacked_bars(data)
    assert bars.years[0][1] == first  # the axis starts at the first year with data
    xs = [x for x, _ in bars.year_labels]
    assert len(xs) >= 2 and all(b - a >= charts.YEAR_LABEL_ROOM for a, b in pairwise(xs))
    ends = [x + 20 + charts.text_width(label) for x, _, label in bars.legend]
    assert all(end <= x for end, (x, _, _) in zip(ends[:-1], bars.legend[1:], strict=True))
    assert ends[-1] <= bars.width
    assert bars.legend[-1][2] == "Autres"  # "Others" in the reader's language


def test_area_page_shows_standards_flags_and_concepts(client, session):
    catalogue(session)
    f.load(session, f.concept("watts", areas=["energy"]))
    html = client.get("/areas/rights").get_data(as_text=True)
    assert "Only one body" in html and "IEEE 3-2022" in html
    assert "No panel member has annotated this area yet." in html
    energy = client.get("/areas/energy").get_data(as_text=True)
    assert "/glossary/watts" in energy and "ISO/IEC DIS 2" in energy
    assert client.get("/areas/nowhere").status_code == 404


def test_api_gaps_shape(client, session):
    catalogue(session)
    body = client.get("/api/v1/gaps").get_json()
    assert body["total"] == 1
    (item,) = body["items"]
    assert item["area"] == "rights" and item["annotation_status"] is None
    assert [r["rule"] for r in item["rules"]] == ["no-measurement", "one-body"]
    assert item["rules"][1]["evidence"] == [
        client.get("/api/v1/standards?reference=IEEE 3-2022").get_json()["items"][0]["id"]]
    assert item["severity"] == "medium"
    assert client.get("/api/v1/gaps?rule=nope").status_code == 400


def test_api_coverage_area_and_per_year(client, session):
    catalogue(session)
    cov = client.get("/api/v1/coverage").get_json()
    assert cov["bodies"] == ["IEC", "ISO", "IEEE", "ITU-T"]  # most standards, then code
    energy = next(a for a in cov["areas"] if a["area"] == "energy")
    assert energy["parent"] == "root"
    assert {c["body"]: (c["published"], c["in_development"]) for c in energy["cells"]} == {
        "IEC": (1, 1), "ISO": (1, 1), "ITU-T": (1, 0), "IEEE": (0, 0)}
    area = client.get("/api/v1/areas/root").get_json()
    assert area["children"] == ["energy", "rights"] and len(area["standards"]) == 4
    assert {c["body"] for c in area["coverage"]} == {"IEC", "ISO", "ITU-T", "IEEE"}
    assert client.get("/api/v1/areas/none-such").status_code == 404
    years = client.get("/api/v1/stats/standards-per-year").get_json()
    assert [y["year"] for y in years["years"]] == [2022, 2023, 2024]
    assert years["years"][2]["counts"]["ISO"] == 1


def test_admin_edits_an_area_and_others_may_not(client, session):
    catalogue(session)
    form = {"title": "Energy and environment", "description": "Watts and water.",
            "source": "HLAB-AI report, para 112", "parent": "root", "position": "1"}
    assert client.post("/areas/energy/edit", data=form).status_code == 401
    sign_in(client, make_user(session, "panel"))
    assert client.post("/areas/energy/edit", data=form).status_code == 403
    sign_in(client, make_user(session, "admin"))
    assert client.get("/areas/energy/edit").status_code == 200
    assert client.post("/areas/energy/edit", data=form).status_code == 302
    html = client.get("/areas/energy").get_data(as_text=True)
    assert "Watts and water." in html and "HLAB-AI report, para 112" in html
    looping = client.post("/areas/root/edit", data={**form, "title": "Root", "parent": "energy"})
    assert looping.status_code == 400 and "loop" in looping.get_data(as_text=True)
    from registry.models import Revision
    assert session.query(Revision).filter_by(entity="areas", action="update").count() == 1


def test_panel_tags_a_standard_to_areas(client, session):
    catalogue(session)
    sid = client.get("/api/v1/standards?reference=IEEE 3-2022").get_json()["items"][0]["id"]
    assert client.post(f"/standards/{sid}/areas", data={"area": "energy"}).status_code == 401
    sign_in(client, make_user(session, "submitter", body="IEEE"))
    assert client.post(f"/standards/{sid}/areas", data={"area": "energy"}).status_code == 403
    sign_in(client, make_user(session, "panel"))
    page = client.get(f"/standards/{sid}").get_data(as_text=True)
    assert 'name="area" value="energy"' in page
    response = client.post(f"/standards/{sid}/areas", data={"area": ["energy", "rights"]})
    assert response.status_code == 302
    assert client.get(f"/api/v1/standards/{sid}").get_json()["areas"] == ["energy", "rights"]
    bad = client.post(f"/standards/{sid}/areas", data={"area": "atlantis"})
    assert bad.status_code == 400 and "atlantis" in bad.get_data(as_text=True)
    # The gap list follows at once: rights now holds... still only IEEE.
    energy = client.get("/api/v1/areas/energy").get_json()
    assert energy["stats"]["bodies"] == 4


@pytest.mark.parametrize("app", [{"GAP_STALE_YEARS": "1"}], indirect=True)
def test_thresholds_come_from_configuration(client, session):
    catalogue(session)
    stale = {i["area"] for i in client.get("/api/v1/gaps?rule=stale").get_json()["items"]}
    assert {"rights", "energy"} <= stale  # newest 2024: older than one year


def test_a_bad_threshold_is_refused_at_start(tmp_path):
    from app.config import build_config

    with pytest.raises(ValueError, match="GAP_STALE_YEARS must be an integer"):
        build_config(str(tmp_path), {"GAP_STALE_YEARS": "five", "SECRET_KEY": "x"})


def test_the_gap_list_follows_a_write_at_once(client, session):
    catalogue(session)
    assert client.get("/api/v1/gaps").get_json()["total"] == 1  # computed and memoized
    f.load(session, f.standard("ISO/IEC 9:2025", published="2025-01-01",
                               measurement_evaluation=True, areas=["rights"]))
    assert client.get("/api/v1/gaps").get_json()["total"] == 0


def test_thin_areas_are_flagged_by_default_configuration(app, client, session, tmp_path):
    from app.config import build_config

    assert build_config(str(tmp_path), {"SECRET_KEY": "x"})["GAP_MIN_PUBLISHED"] == 3
    catalogue(session)
    app.config["GAP_MIN_PUBLISHED"] = 3
    html = client.get("/gaps?rule=thin").get_data(as_text=True)
    # energy: 2 published (ISO/IEC, ITU-T); rights: 1 (IEEE); root counts all 3.
    assert 'id="gap-energy"' in html and 'id="gap-rights"' in html
    assert 'id="gap-root"' not in html
    assert "Only 2 published standards in all, fewer than 3" in html
