"""The concept page: side by side, filters, history, RTL and CJK, graph, comparison."""

import re

from sqlalchemy import select

from registry.models import Definition
from registry.policy import OPERATOR
from registry.services import links
from tests.auth import make_user, sign_in
from tests.glossary.conftest import SHARED


def _ids(session, **where):
    stmt = select(Definition.id).join(Definition.body)
    for key, value in where.items():
        stmt = stmt.where(
            Definition.body.has(code=value) if key == "body" else getattr(Definition, key) == value
        )
    return list(session.scalars(stmt.order_by(Definition.id)))


def test_every_body_side_by_side_with_source_date_licence_status(client, glossary):
    page = client.get("/glossary/fairness").get_data(as_text=True)
    for code in ("NIST", "OECD", "EU"):
        assert f'id="body-{code}"' in page
    assert "clause 3.7" in page and "Dated Jan 26, 2023" in page
    assert "CC BY 4.0 (EUR-Lex)" in page and "Socio-technical" in page
    assert "IEEE 3198-2025 gives an evaluation method." in page  # measurability
    assert "&lt;b&gt;and&lt;/b&gt;" in page  # text escaped
    assert "Superseded" not in page.split('class="side-by-side"')[1].split("</div>")[0]
    assert 'href="/glossary/trustworthiness"' in page  # broader concept


def test_filters_by_body_and_language_and_superseded_on_request(client, glossary):
    page = client.get("/glossary/fairness?body=OECD").get_data(as_text=True)
    assert 'id="body-OECD"' in page and 'id="body-NIST"' not in page
    page = client.get("/glossary/fairness?language=ar").get_data(as_text=True)
    assert "الإنصاف هو" in page and SHARED + "\n" not in page and 'id="body-NIST"' not in page
    page = client.get("/glossary/fairness?superseded=true").get_data(as_text=True)
    assert page.count("badge status-superseded") == 1
    assert client.get("/glossary/fairness?as_of=someday").status_code == 400


def test_as_of_shows_the_glossary_as_it_stood(client, glossary):
    page = client.get("/glossary/fairness?as_of=2022-01-01").get_data(as_text=True)
    shown = page.split('class="side-by-side"')[1].split('id="divergence"')[0]
    # NIST's first revision (2021), OECD (2019); not the 2023 revision, not the 2024 AI Act.
    assert 'id="body-NIST"' in shown and 'id="body-OECD"' in shown
    assert 'id="body-EU"' not in shown
    assert SHARED in shown and "&lt;b&gt;and&lt;/b&gt;" not in shown
    page = client.get("/glossary/fairness?as_of=2018-01-01").get_data(as_text=True)
    assert "was in force on that date" in page


def test_history_diff_between_two_revisions(client, glossary):
    lineage = glossary.scalar(select(Definition.lineage).where(Definition.revision == 2))
    page = client.get(f"/glossary/fairness/history/{lineage}").get_data(as_text=True)
    assert "Changes from revision 1 to revision 2" in page
    assert "<ins>b&gt;and&lt;/b&gt; harm</ins>" in page
    assert client.get(f"/glossary/fairness/history/{lineage}?from=9").status_code == 400
    assert client.get("/glossary/fairness/history/nothing").status_code == 404


def test_rtl_and_cjk_render_with_language_and_direction(client, glossary):
    page = client.get("/glossary/fairness?lang=ar").get_data(as_text=True)
    assert '<h1 lang="ar" dir="rtl">الإنصاف</h1>' in page
    assert re.search(r'<article class="definition" id="def-\d+" lang="ar" dir="rtl">', page)
    assert re.search(r'<article class="definition" id="def-\d+" lang="zh-Hans" dir="ltr">', page)
    assert "公平性是指" in page
    # A label in the asked language: nothing is said about the languages without one (the
    # reader's own missing label is said in one sentence: tests/i18n/test_pages.py).
    assert "missing-labels" not in page
    page = client.get("/glossary/fairness?lang=fr").get_data(as_text=True)
    assert re.findall(r'class="muted missing-labels">([^<]*)<', page) == [
        "This concept has no label in French yet."]


def test_graph_and_pair_table_and_compare_view(client, glossary):
    (nist,) = _ids(glossary, body="NIST", status="current")
    oecd, _ = _ids(glossary, body="OECD")
    links.create_link(
        glossary,
        OPERATOR,
        source_id=nist,
        target_id=oecd,
        type="close",
        rationale="same words",
    )
    glossary.commit()
    page = client.get("/glossary/fairness").get_data(as_text=True)
    svg = page.split("<svg", 1)[1].split("</svg>")[0]
    assert ">NIST</text>" in svg and ">OECD</text>" in svg and "edge-close" in svg
    assert f'href="/glossary/compare?a={nist}&amp;b={oecd}"' in page
    compare = client.get(f"/glossary/compare?a={nist}&b={oecd}").get_data(as_text=True)
    assert '<mark class="differs">' in compare and "Stored similarity" in compare
    assert "<b>" not in compare and "&lt;" in compare
    assert client.get("/glossary/compare?a=1").status_code == 400
    assert client.get("/glossary/compare?a=1&b=99999").status_code == 404


def test_index_sorts_most_contested_first(client, glossary):
    page = client.get("/glossary?sort=divergence").get_data(as_text=True)
    assert page.index("/glossary/fairness") < page.index("/glossary/trustworthiness")


def test_panel_sees_suggested_links(client, glossary):
    sign_in(client, make_user(glossary, "panel"))
    page = client.get("/glossary/fairness").get_data(as_text=True)
    assert "Suggested links" in page and "OECD ↔ NIST" in page
    listing = client.get("/glossary/suggested-links").get_data(as_text=True)
    assert "NIST: NIST AI 100-1" in listing


def test_language_switch_falls_back_to_english_and_says_so(client, glossary):
    page = client.get("/glossary/fairness?lang=fr").get_data(as_text=True)
    assert '<h1 lang="en" dir="ltr">fairness</h1>' in page
    assert client.get("/glossary/fairness?lang=???").status_code == 400


def test_as_of_before_a_sources_date_or_its_recording_shows_nothing_of_it(client, session,
                                                                           glossary):
    """A definition without a date is not valid "since always": it counts from the day the
    registry recorded it."""
    from tests import factories as f

    f.load(session, f.definition("an undated text", body="OECD", source="An undated source",
                                 concept="fairness"))
    undated = "an undated text"
    assert undated in client.get("/glossary/fairness").get_data(as_text=True)
    assert undated not in client.get("/glossary/fairness?as_of=2023-01-01").get_data(as_text=True)


def test_contested_only_when_two_bodies_define_it_differently_and_relations_once(
        client, session):
    from tests import factories as f

    f.load(session, f.body("EU", kind="legislation"), f.body("OECD", kind="intergovernmental"),
           f.concept("trustworthiness"),
           f.concept("robustness", contested=True,
                     relations=[{"type": "broader", "concept": "trustworthiness"}]),
           f.definition("ability to keep working under adverse conditions", concept="robustness",
                        body="EU"))
    # The same relation stated from the other end, as a second termbase would.
    f.load(session, f.concept("trustworthiness",
                              relations=[{"type": "narrower", "concept": "robustness"}]))
    page = client.get("/glossary/robustness").text
    assert "badge flag" not in page  # flagged, but one body's definition only
    assert page.count('href="/glossary/trustworthiness"') == 1
    assert "robustness" not in client.get("/glossary?contested=true").text.split("<tbody>")[-1]
    f.load(session, f.definition("resilience of a system to perturbations of its inputs",
                                 concept="robustness", body="OECD"))
    assert "badge flag" in client.get("/glossary/robustness").text
