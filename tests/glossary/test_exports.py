"""TBX v3, SKOS and CSV exports: structure, licences, links; and the TBX round trip."""

import csv
import io

import pytest
from lxml import etree
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS
from sqlalchemy import select

import importers
from app import importing
from app.extensions import db
from registry.models import Concept, Definition
from registry.policy import OPERATOR
from registry.services import links
from tests import dbs
from tests import factories as f

NS = {"t": "urn:iso:std:iso:30042:ed:3.0"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def linked(glossary):
    """The glossary plus an ISO excerpt and two links (one accepted, one proposed)."""
    f.load(
        glossary,
        f.definition(
            "short excerpt of the ISO text",
            body="ISO",
            source="ISO/IEC 22989:2022 3.5.4",
            excerpt=True,
            url="https://www.iso.org/obp/ui/",
            licence="Excerpt; text (c) ISO/IEC",
        ),
    )
    current = {
        d.body.code: d
        for d in glossary.scalars(
            select(Definition).where(Definition.status == "current", Definition.language == "en")
        )
    }
    links.create_link(
        glossary,
        OPERATOR,
        source_id=current["NIST"].id,
        target_id=current["OECD"].id,
        type="broader",
        rationale="x",
    )
    conflict = links.create_link(
        glossary,
        OPERATOR,
        source_id=current["NIST"].id,
        target_id=current["EU"].id,
        type="conflicting",
        rationale="y",
    )
    links.review_link(glossary, OPERATOR, conflict, state="accepted")
    links.review_link(
        glossary,
        OPERATOR,
        links.existing_link(glossary, current["NIST"].id, current["OECD"].id),
        state="accepted",
    )
    glossary.commit()
    return current


def test_tbx_export_has_the_v3_basic_core_structure(client, linked):
    response = client.get("/api/v1/export/glossary.tbx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    root = etree.fromstring(response.data)
    assert root.tag == "{urn:iso:std:iso:30042:ed:3.0}tbx"
    assert (root.get("type"), root.get("style")) == ("TBX-Basic", "dca")
    assert root.find("t:tbxHeader/t:fileDesc/t:sourceDesc", NS) is not None
    entries = root.findall("t:text/t:body/t:conceptEntry", NS)
    assert [e.get("id") for e in entries] == ["fairness", "trustworthiness"]
    fairness = entries[0]
    languages = [s.get(XML_LANG) for s in fairness.findall("t:langSec", NS)]
    assert languages == sorted(set(languages)) == ["ar", "en", "zh-Hans"]
    for lang_sec in fairness.findall("t:langSec", NS):
        children = [etree.QName(c).localname for c in lang_sec]
        # Core structure: auxiliary information first, then one or more termSec.
        assert children[-1] == "termSec"
        assert "descripGrp" not in children[children.index("termSec") :]
    en = next(s for s in fairness.findall("t:langSec", NS) if s.get(XML_LANG) == "en")
    groups = en.findall("t:descripGrp", NS)
    assert len(groups) == 4  # NIST (current revision only), OECD, EU, ISO
    by_body = {
        g.findtext("t:transacGrp/t:transacNote[@type='responsibility']", namespaces=NS): g
        for g in groups
    }
    assert (
        by_body["NIST"].findtext("t:admin[@type='source']", namespaces=NS)
        == "NIST AI 100-1, clause 3.7"
    )
    assert (
        by_body["ISO"].findtext("t:admin[@type='source']", namespaces=NS)
        == "ISO/IEC 22989:2022, clause 3.5.4"
    )
    for code, group in by_body.items():
        notes = [n.text for n in group.findall("t:note", NS)]
        assert any(n.startswith("Licence: ") for n in notes), code
    iso_notes = [n.text for n in by_body["ISO"].findall("t:note", NS)]
    assert "Licence: Excerpt; text (c) ISO/IEC" in iso_notes
    assert any(n.startswith("Excerpt only") for n in iso_notes)
    assert (
        by_body["ISO"].findtext("t:descrip[@type='definition']", namespaces=NS)
        == "short excerpt of the ISO text"
    )


def test_concept_export_holds_only_that_concept(client, linked):
    root = etree.fromstring(client.get("/api/v1/export/concepts/fairness.tbx").data)
    assert [e.get("id") for e in root.iter("{*}conceptEntry")] == ["fairness"]
    assert client.get("/api/v1/export/concepts/nothing.tbx").status_code == 404
    assert client.get("/api/v1/export/glossary.pdf").status_code == 404


def test_skos_export_parses_with_rdflib(client, app, linked):
    response = client.get("/api/v1/export/glossary.ttl")
    assert response.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    base = app.config["BASE_URL"].rstrip("/")
    fairness = URIRef(f"{base}/glossary/fairness")
    assert (fairness, RDF.type, SKOS.Concept) in graph
    assert (fairness, SKOS.prefLabel, Literal("الإنصاف", lang="ar")) in graph
    assert (fairness, SKOS.broader, URIRef(f"{base}/glossary/trustworthiness")) in graph
    bodies = {}
    for d in graph.subjects(DCTERMS.subject, fairness):
        bodies.setdefault(str(graph.value(d, DCTERMS.creator)).rsplit("/", 1)[1], []).append(d)
    assert set(bodies) == {"NIST", "OECD", "EU", "ISO"}
    nist = bodies["NIST"][0]
    oecd = next(d for d in bodies["OECD"] if graph.value(d, SKOS.definition).language == "en")
    assert (nist, SKOS.broadMatch, oecd) in graph
    assert graph.value(nist, DCTERMS.license) is not None
    assert str(nist).startswith(f"{base}/glossary/fairness#d-")
    conflicts = URIRef(f"{base}/vocab#conflictsWith")
    assert len(list(graph.objects(nist, conflicts))) == 1
    iso = bodies["ISO"][0]
    assert str(graph.value(iso, SKOS.definition)) == "short excerpt of the ISO text"
    assert graph.value(iso, SKOS.editorialNote) is not None


def test_proposed_links_are_not_skos_mappings(client, glossary):
    current = {
        d.body.code: d
        for d in glossary.scalars(
            select(Definition).where(Definition.status == "current", Definition.language == "en")
        )
    }
    links.create_link(
        glossary,
        OPERATOR,
        source_id=current["NIST"].id,
        target_id=current["OECD"].id,
        type="exact",
        rationale="x",
    )
    glossary.commit()
    graph = Graph().parse(
        data=client.get("/api/v1/export/glossary.ttl").get_data(as_text=True), format="turtle"
    )
    assert not list(graph.triples((None, SKOS.exactMatch, None)))


def test_csv_export_carries_licence_and_excerpt_flag(client, linked):
    text = client.get("/api/v1/export/glossary.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 6  # current definitions: 4 en, 1 ar, 1 zh-Hans
    assert all(r["licence"] for r in rows)
    iso = next(r for r in rows if r["body"] == "ISO")
    assert (iso["excerpt_only"], iso["source"], iso["clause"]) == (
        "yes",
        "ISO/IEC 22989:2022, clause 3.5.4",
        "3.5.4",
    )
    assert {r["language"] for r in rows} == {"en", "ar", "zh-Hans"}


def test_tbx_round_trip_into_an_empty_registry(client, app, linked, tmp_path):
    if "tbx" not in importers.FORMATS:
        pytest.skip(
            "no TBX importer yet: 'tbx' is not in importers.FORMATS "
            "(importers/tbx.py is written in parallel)"
        )
    exported = tmp_path / "glossary.tbx"
    exported.write_bytes(client.get("/api/v1/export/glossary.tbx").data)
    before = _glossary_state(app)
    # Close the session first: on PostgreSQL its open transaction would block the TRUNCATE.
    db.session.remove()
    dbs.wipe(db.engine)
    report = importing.run("tbx", exported)
    assert report.exit_code == 0, report.rejected or report.refused
    assert _glossary_state(app) == before


def _glossary_state(app):
    db.session.expire_all()
    concepts = {
        c.slug for c in db.session.scalars(select(Concept).where(Concept.definitions.any()))
    }
    definitions = sorted(
        (
            d.concept.slug,
            d.body.code,
            d.language,
            d.term,
            d.text,
            d.licence,
            f"{d.source_label}, clause {d.clause}" if d.clause else d.source_label,
        )
        for d in db.session.scalars(select(Definition).where(Definition.status == "current"))
    )
    return concepts, definitions


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, glossary):
    f.load(
        glossary,
        f.definition(
            '=HYPERLINK("http://x.example")', body="OECD", source="OECD report", term="+fair"
        ),
    )
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/api/v1/export/glossary.csv").get_data(as_text=True))
        )
    )
    row = next(r for r in rows if r["source"] == "OECD report")
    assert row["text"].startswith("'=") and row["term"] == "'+fair"


def test_a_damaged_stored_string_never_fails_an_export_or_a_feed(glossary, client):
    """Strings stored before the edge removed controls (or written by hand in SQL): \\x01 in a
    text made the whole-glossary TBX export and the feeds answer 500; a quote in a URL the SKOS
    export."""
    d = glossary.scalar(select(Definition).where(Definition.status == "current")
                        .order_by(Definition.id))
    d.text, d.source_url = "a\x01damaged text", 'https://example.org/a"<b>'
    glossary.commit()
    tbx = client.get("/api/v1/export/glossary.tbx")
    assert tbx.status_code == 200 and "a\ufffddamaged text" in tbx.data.decode()
    ttl = client.get("/api/v1/export/glossary.ttl")
    assert ttl.status_code == 200 and "https://example.org/a%22%3Cb%3E" in ttl.text
    slug = d.concept.slug
    assert client.get(f"/feeds/concepts/{slug}.atom").status_code == 200


def test_a_body_code_with_a_space_is_encoded_in_the_skos_export(glossary, client):
    """The demo's "US Congress" made the whole-glossary Turtle export answer 500 (found by the
    attack run): a space is not allowed in an IRI."""
    d = glossary.scalar(select(Definition).where(Definition.status == "current")
                        .order_by(Definition.id))
    d.body.code = "US Congress"
    glossary.commit()
    ttl = client.get("/api/v1/export/glossary.ttl")
    assert ttl.status_code == 200 and "/bodies/US%20Congress>" in ttl.text


def test_every_csv_column_is_neutralised_against_formulas(glossary, client):
    d = glossary.scalar(select(Definition).where(Definition.status == "current")
                        .order_by(Definition.id))
    d.licence, d.clause = "=HYPERLINK(\"https://evil.example\")", "@SUM(A1)"
    next(label for label in d.concept.labels if label.language == "en").label = "+cmd"
    glossary.commit()
    rows = list(csv.reader(io.StringIO(client.get("/api/v1/export/glossary.csv").text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], cells
    assert "'=HYPERLINK(\"https://evil.example\")" in cells and "'+cmd" in cells


def test_a_url_that_no_url_may_hold_is_refused(session):
    from marshmallow import ValidationError

    for url in ('https://x.org/a"<b', "https://x.org/a{b}", "https://x.org/a b"):
        with pytest.raises(ValidationError, match="not an http"):
            f.load(session, f.body("ISO"), f.standard("ISO 1:2020", url=url))
