"""The STS and SKOS importers on hand-written edge cases."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import importing
from registry.models import (
    Concept,
    ConceptRelation,
    Definition,
    DefinitionLink,
    ImportBatch,
    Standard,
)
from tests import factories

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "terms"


@pytest.fixture
def xsdo(session):
    factories.load(session, factories.body("XSDO"))


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_sts_metadata_and_terms(session, xsdo):
    report = importing.run("sts", FIXTURES / "xsdo-terms.sts.xml")
    assert report.exit_code == 1
    assert report.rejected == [
        {"location": "xsdo-terms.sts.xml:83", "reason": "the entry has no term"}
    ]
    std = session.scalar(select(Standard))
    assert (std.reference, std.title, std.doc_type, std.edition) == (
        "XSDO 1001:2024",
        "Widgets \u2014 Vocabulary",
        "IS",
        "2",
    )
    assert str(std.published) == "2024-03-01" and std.ics == ["01.040.35"]
    assert std.committee.reference == "XSDO/TC 9"
    assert [(r.type, r.target_reference) for r in std.relations] == [("replaces", "XSDO 1001:2019")]
    defs = {(d.term, d.language): d for d in session.scalars(select(Definition))}
    assert set(defs) == {
        ("widget sorter", "en"),
        ("trieuse de widgets", "fr"),
        ("sorter tray", "en"),
    }
    sorter = defs["widget sorter", "en"]
    assert (sorter.standard_id, sorter.clause) == (std.id, "3.1")
    assert sorter.designations == [
        {"term": "widget sorter", "type": "preferred"},
        {"term": "sorter", "type": "admitted"},
        {"term": "grader", "type": "deprecated"},
    ]
    # "All rights reserved": an excerpt (this text is short, so whole) without notes.
    assert sorter.is_excerpt and sorter.licence == "\u00a9 All rights reserved, XSDO, 2024"
    assert sorter.text == "device that sorts widgets by size"
    assert defs["trieuse de widgets", "fr"].concept_id == sorter.concept_id
    tray = defs["sorter tray", "en"]
    # The cross-reference to 3.1 is resolved to its clause; the acronym is an abbreviation.
    assert tray.text == "output tray of a widget sorter (3.1)" and tray.clause == "3.2"
    assert tray.designations[1] == {"term": "ST", "type": "abbreviation"}
    assert str(tray.valid_from) == "2024-03-01"
    again = importing.run("sts", FIXTURES / "xsdo-terms.sts.xml")
    assert (again.created, again.updated) == (0, 0)


def test_niso_std_meta_with_open_licence_keeps_full_text_and_notes(session, xsdo):
    report = importing.run("sts", FIXTURES / "niso-std-meta.sts.xml")
    assert (report.exit_code, report.rejected) == (0, [])
    std = session.scalar(select(Standard))
    assert (std.reference, std.doc_type, std.title) == (
        "XSDO TR 1003:2025",
        "TR",
        "Widgets \u2014 Open glossary",
    )
    d = session.scalar(select(Definition))
    assert (d.clause, d.licence, d.is_excerpt) == ("2.1", "CC BY 4.0", False)


def test_sts_refuses_other_xml_and_entities(session):
    assert "not an STS document" in importing.run("sts", FIXTURES / "not-tbx.xml").refused
    attack = importing.run("sts", FIXTURES / "external-entity.tbx")
    assert "refused as unsafe" in attack.refused
    assert count(session, ImportBatch) == 0


def test_skos_turtle(session, xsdo):
    report = importing.run("skos", FIXTURES / "vocab.ttl", body="XSDO")
    problems = {r["reason"] for r in report.rejected}
    assert report.exit_code == 1
    assert "the concept has no skos:prefLabel" in problems
    assert any(p.startswith("two skos:prefLabel in 'en'") for p in problems)
    assert any("elsewhere.example.org" in p and "not a concept of this file" in p for p in problems)
    sorter = session.scalar(select(Definition).where(Definition.term == "widget sorter"))
    assert (sorter.citation, sorter.clause) == ("XSDO 1001:2024", "3.1")
    assert sorter.licence == "https://creativecommons.org/licenses/by/4.0/"
    assert not sorter.is_excerpt and sorter.notes == ["Manual sorters count too."]
    assert sorter.examples == ["a coin sorter"]
    assert sorter.source_url == "https://example.org/widgets#Sorter"
    assert sorter.designations == [
        {"term": "widget sorter", "type": "preferred"},
        {"term": "sorter", "type": "admitted"},
    ]
    french = session.scalar(select(Definition).where(Definition.language == "fr"))
    assert french.concept_id == sorter.concept_id
    tray = session.scalar(select(Definition).where(Definition.term == "sorter tray"))
    assert tray.citation == "Widget handbook"
    relations = {
        (r.source.slug, r.type, r.target.slug) for r in session.scalars(select(ConceptRelation))
    }
    assert relations == {
        ("widget-sorter", "narrower", "sorter-tray"),
        ("sorter-tray", "broader", "widget-sorter"),
    }
    link = session.scalar(select(DefinitionLink))
    assert (link.type, link.source_id, session.get(Definition, link.target_id).term) == (
        "exact",
        sorter.id,
        "grader",
    )
    again = importing.run("skos", FIXTURES / "vocab.ttl", body="XSDO")
    assert (again.created, again.updated) == (0, 0)


def test_skos_rdf_xml(session, xsdo):
    report = importing.run("skos", FIXTURES / "vocab.rdf", body="XSDO")
    assert (report.exit_code, report.rejected) == (0, [])
    d = session.scalar(select(Definition))
    assert (d.citation, d.clause, d.licence) == ("XSDO 1001:2024", "3.1", "CC BY 4.0")


@pytest.mark.parametrize(
    "name, reason",
    [
        ("entity.rdf", "refused as unsafe"),
        ("broken.ttl", "not valid Turtle"),
        ("latin1.tbx", "not UTF-8 text"),
        ("empty.tbx", "no skos:Concept"),
    ],
)
def test_skos_refused_files_write_nothing(session, name, reason):
    report = importing.run("skos", FIXTURES / name, body="XSDO", licence="CC0")
    assert report.exit_code == 2 and reason in report.refused, report.refused
    assert count(session, Concept) == count(session, ImportBatch) == 0


def test_skos_needs_a_body(session):
    report = importing.run("skos", FIXTURES / "vocab.ttl")
    assert report.exit_code == 2 and "--body" in report.refused


@pytest.mark.parametrize("permissions, stored", [
    # A national body's notice mentions "mit": it once matched the MIT licence.
    ("<copyright-statement>Jede Art der Vervielfältigung, auch auszugsweise, nur mit "
     "Genehmigung des DIN Deutsches Institut für Normung e. V., Berlin, gestattet."
     "</copyright-statement>",
     "\u00a9 Jede Art der Vervielfältigung, auch auszugsweise, nur mit Genehmigung des DIN "
     "Deutsches Institut für Normung e. V., Berlin, gestattet."),
    ("<copyright-statement>(c) 2006 ISO</copyright-statement>", "(c) 2006 ISO"),
    ("<copyright-statement>Tous droits réservés, publié par l'AFNOR</copyright-statement>",
     "\u00a9 Tous droits réservés, publié par l'AFNOR"),
])
def test_a_copyright_notice_in_any_language_keeps_only_an_excerpt(session, xsdo, tmp_path,
                                                                  permissions, stored):
    text = (FIXTURES / "niso-std-meta.sts.xml").read_text(encoding="utf-8")
    path = tmp_path / "notice.sts.xml"
    path.write_text(text.replace(
        "<permissions><license><license-p>CC BY 4.0</license-p></license></permissions>",
        f"<permissions>{permissions}</permissions>"), encoding="utf-8")
    report = importing.run("sts", path)
    assert (report.exit_code, report.rejected) == (0, [])
    d = session.scalar(select(Definition))
    assert (d.licence, d.is_excerpt) == (stored, True)


def test_sts_national_adoption_keeps_what_the_file_says(session, xsdo):
    report = importing.run("sts", FIXTURES / "xsdo-national.sts.xml")
    # The cross-reference of a type the registry does not record is reported, not dropped.
    assert report.exit_code == 1 and report.created == 3  # the standard, a concept, a definition
    (problem,) = report.rejected
    assert problem["location"] == "xsdo-national.sts.xml:27"
    assert "corrigendum-of" in problem["reason"] and "XSDO EN 77-1 Ber 1:2007-03" in (
        problem["reason"])
    std = session.scalar(select(Standard))
    assert (std.reference, std.doc_type, std.title) == (
        "XSDO EN 77-1:2006-11", "Std", "Widgets \u2014 Sicherheit von Sortierern")
    assert std.extra["titles"] == {"de": "Widgets \u2014 Sicherheit von Sortierern",
                          "en": "Widgets \u2014 Safety of sorters"}
    assert (str(std.published), std.published_precision) == ("2006-11-01", "month")
    assert [(r.type, r.target_reference) for r in std.relations] == [
        ("replaces", "XSDO EN 77-1:1999-07")]
    # A German copyright notice is not a licence: a flagged excerpt, no notes.
    definition = session.scalar(select(Definition))
    assert definition.is_excerpt and definition.notes == []
    assert "Genehmigung" in definition.licence
    # No identifiers the file did not show as text; sub- and superscripts kept.
    assert "std-id" not in definition.text and "A00007" not in definition.text
    assert definition.text.startswith("mittlere Zeit MTTF_d bis zum Ausfall nach XSDO 9070")
    assert definition.designations[1] == {"term": "MTTF_d", "type": "symbol"}
    again = importing.run("sts", FIXTURES / "xsdo-national.sts.xml")
    assert (again.created, again.updated) == (0, 0)


def test_numbered_note_labels_are_not_repeated_and_scripts_are_kept(session, tmp_path):
    factories.load(session, factories.body("XSDO"))
    termbase = tmp_path / "notes.tbx"
    termbase.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="en"><martifHeader><fileDesc><sourceDesc><p>test</p></sourceDesc>
</fileDesc></martifHeader><text><body>
<termEntry id="c1"><langSet xml:lang="en">
  <descripGrp><descrip type="definition">area in m<hi type="sup">2</hi></descrip></descripGrp>
  <note>NOTE 1 The first note.</note>
  <note>Note 2 to entry: The second note.</note>
  <note>Note that this one keeps its first word.</note>
  <tig><term>sorter area</term></tig>
</langSet></termEntry>
</body></text></martif>""", encoding="utf-8")
    report = importing.run("tbx", termbase, body="XSDO", licence="CC-BY-4.0")
    assert report.exit_code == 0, report.rejected
    definition = session.scalar(select(Definition))
    assert definition.notes == ["The first note.", "The second note.",
                                "Note that this one keeps its first word."]


def test_skos_on_a_tbx_file_says_what_the_file_is(session):
    refused = importing.run("skos", FIXTURES / "registry-export.tbx", body="XSDO").refused
    assert refused == ("registry-export.tbx: not SKOS: an RDF/XML file's root element is "
                       "<rdf:RDF>, this one's is <tbx> (a TBX termbase: import it with the tbx "
                       "format)")
    assert "not SKOS" in importing.run("skos", FIXTURES / "not-tbx.xml", body="XSDO").refused
