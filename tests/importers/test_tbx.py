"""The TBX importer on hand-written edge cases: dialects, round trip, licences, bad input."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import importing
from registry.models import Concept, ConceptLabel, Definition, ImportBatch, Revision
from tests import factories

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "terms"


def run(name, **options):
    return importing.run("tbx", FIXTURES / name, **options)


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def xsdo(session):
    factories.load(session, factories.body("XSDO"))


def test_registry_export_round_trip(session, xsdo):
    """What the glossary's TBX export writes comes back: slug ids, body, source, licence."""
    factories.load(session, factories.concept("widget-fairness"))
    report = run("registry-export.tbx")
    assert (report.exit_code, report.rejected) == (0, [])
    fair = session.scalar(select(Definition).join(Concept).where(Concept.slug == "widget-fairness"))
    assert fair.body.code == "XSDO" and fair.licence == "CC BY 4.0"
    assert (fair.citation, fair.clause) == ("XSDO 1001:2024", "3.1.4")
    assert fair.designations == [
        {"term": "widget fairness", "type": "preferred"},
        {"term": "sorter equity", "type": "admitted"},
    ]
    assert fair.text == "equal treatment of widgets by a widget sorter"
    assert not fair.is_excerpt
    # A licence that does not allow the full text keeps an excerpt, flagged, without notes.
    opaque = session.scalar(select(Definition).where(Definition.term == "widget opacity"))
    assert opaque.is_excerpt and opaque.text.endswith("\u2026")
    assert len(opaque.text.split()) == 31 and opaque.notes == []
    assert opaque.licence == "© XSDO; short excerpt quoted for identification"
    # The existing concept keeps its own English label; the admitted term stays on the
    # definition. The new concept got the file's terms as labels.
    labels = set(
        session.execute(
            select(ConceptLabel.label, ConceptLabel.kind)
            .join(Concept)
            .where(Concept.slug == "widget-fairness")
        )
    )
    assert labels == {("widget fairness", "preferred")}
    assert session.scalar(select(Concept).where(Concept.slug == "widget-opacity")).labels
    again = run("registry-export.tbx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_reimport_writes_nothing_and_a_changed_text_is_a_new_revision(session, xsdo, tmp_path):
    first = run("registry-export.tbx")
    revisions = count(session, Revision)
    again = run("registry-export.tbx")
    assert (again.created, again.updated, again.rejected) == (0, 0, [])
    assert again.unchanged == first.created
    assert count(session, Revision) == revisions
    changed = tmp_path / "changed.tbx"
    changed.write_text(
        (FIXTURES / "registry-export.tbx")
        .read_text()
        .replace("equal treatment of widgets", "even treatment of widgets")
    )
    report = importing.run("tbx", changed)
    assert (report.created, report.updated) == (0, 1)
    revisions = session.scalars(
        select(Definition).where(Definition.term == "widget fairness").order_by(Definition.revision)
    ).all()
    assert [(d.revision, d.status) for d in revisions] == [(1, "superseded"), (2, "current")]


def test_bad_entries_are_reported_with_their_line_and_good_ones_kept(session, xsdo):
    report = run("malformed.tbx", body="XSDO", licence="CC BY 4.0")
    assert report.exit_code == 1
    problems = {r["location"]: r["reason"] for r in report.rejected}
    assert problems == {
        "malformed.tbx:18": "langSet without a valid xml:lang",
        "malformed.tbx:26": "the entry has no term",
        "malformed.tbx:29": "the entry has no preferred or admitted term",
    }
    terms = set(session.scalars(select(Definition.term)))
    assert terms == {"widget sorter", "trieuse de widgets", "widget tray"}
    # The French and English definitions of one entry belong to one concept.
    sorter = session.scalars(
        select(Definition.concept_id).where(
            Definition.term.in_(["widget sorter", "trieuse de widgets"])
        )
    ).all()
    assert len(set(sorter)) == 1
    assert session.get(ImportBatch, report.batch_id).rejected == 3


def test_dct_style_and_v3_namespace(session, xsdo):
    report = run("dct.tbx", body="XSDO", licence="CC BY 4.0")
    assert (report.exit_code, report.rejected) == (0, [])
    meta = session.scalar(select(Definition))
    assert meta.designations == [
        {"term": "meta-widget", "type": "preferred"},
        {"term": "MW", "type": "abbreviation"},
    ]
    assert (meta.citation, meta.clause) == ("XSDO 1002:2025", "2.1")
    concept = session.get(Concept, meta.concept_id)
    assert {(lab.language, lab.label) for lab in concept.labels} >= {("de", "Metawidget")}


def test_body_and_licence_from_the_command_line_only_when_the_file_lacks_them(session, xsdo):
    assert run("no-licence.tbx", licence="CC0").refused.endswith("give it with --body")
    assert count(session, Definition) == count(session, ImportBatch) == 0
    # No licence anywhere: imported under the restricted rule, and the licence says so.
    unstated = run("no-licence.tbx", body="XSDO")
    assert unstated.exit_code == 0
    assert session.scalar(select(Definition.licence)).startswith("Not stated by the file")
    assert session.scalar(select(Definition.is_excerpt)) is True
    accepted = run("no-licence.tbx", body="XSDO", licence="CC0 1.0")
    assert accepted.exit_code == 0
    current = session.scalars(select(Definition).where(Definition.status == "current")).all()
    assert [(d.licence, d.is_excerpt) for d in current] == [("CC0 1.0", False)]


@pytest.mark.parametrize(
    "name, reason",
    [
        ("external-entity.tbx", "declares XML entities; refused as unsafe"),
        ("entity-expansion.tbx", "declares XML entities; refused as unsafe"),
        ("empty.tbx", "not well-formed XML"),
        ("latin1.tbx", "not well-formed XML: line 3"),
        ("not-tbx.xml", "not a TBX file"),
        ("truncated.tbx", "not well-formed XML: line 5"),
    ],
)
def test_refused_files_write_nothing(session, name, reason):
    report = run(name, body="XSDO", licence="CC BY 4.0")
    assert report.exit_code == 2, report.summary()
    assert reason in report.refused
    assert count(session, Concept) == count(session, ImportBatch) == count(session, Revision) == 0


def test_dry_run_writes_nothing(session, xsdo):
    report = run("malformed.tbx", body="XSDO", licence="CC BY 4.0", dry_run=True)
    assert report.dry_run and report.created == 6 and len(report.rejected) == 3
    assert count(session, Concept) == count(session, Definition) == 0


def test_cli(runner, session, xsdo, tmp_path):
    out = tmp_path / "report.json"
    result = runner.invoke(
        args=[
            "import",
            "tbx",
            str(FIXTURES / "malformed.tbx"),
            "--body",
            "XSDO",
            "--licence",
            "CC BY 4.0",
            "--report",
            str(out),
        ]
    )
    assert result.exit_code == 1, result.output
    assert "rejected 3" in result.output and "malformed.tbx:26" in out.read_text()


def test_reimporting_the_registry_export_changes_nothing(session, tmp_path):
    """Export the glossary (registry.exports.tbx), import it back: every record unchanged."""
    from registry.exports import load as load_glossary
    from registry.exports import tbx as tbx_export

    factories.load(
        session,
        factories.body("EU", kind="legislation"),
        factories.concept("widget-fairness", labels={"en": "widget fairness", "fr": "équité"}),
        factories.concept("widget-bin", labels={"en": "widget bin", "de": "Widgetbehälter"}),
        factories.definition(
            "fair sorting of widgets",
            concept="widget-fairness",
            term="widget fairness",
            clause="3.7",
            date="2023-01-26",
            notes=["A note."],
            examples=["An example."],
            url="https://example.org/nist",
        ),
        factories.definition(
            "sorting widgets fairly",
            concept="widget-fairness",
            body="ISO",
            term="widget fairness",
            source="XSDO 1001:2024 3.1.4",
            excerpt=True,
            licence="\u00a9 XSDO; excerpt only",
            url="https://example.org/xsdo",
        ),
        factories.definition(
            "tri équitable des widgets",
            concept="widget-fairness",
            body="EU",
            language="fr",
            term="équité",
            source="Regulation (EU) 2024/1689, Article 3(1)",
            licence="\u00a9 European Union, reuse authorised",
        ),
    )
    exported = tmp_path / "glossary.tbx"
    exported.write_bytes(tbx_export.export(load_glossary(session)))
    revisions = count(session, Revision)
    report = importing.run("tbx", exported)
    assert (report.exit_code, report.created, report.updated) == (0, 0, 0), report.changes
    assert report.unchanged == 5  # two concepts, three definitions
    assert count(session, Revision) == revisions
