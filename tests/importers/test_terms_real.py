"""The terminology importers on real third-party files, read in place (see SOURCES.md there)."""

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import importing
from importers import skos, sts, tbx
from importers.pipeline import ImportOptions, Record, Rejected, Source
from registry.models import Concept, ConceptLabel, Definition, Standard
from tests import factories

REAL = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "real"


def real(path: str) -> Path:
    file = REAL / path
    if not file.is_file():
        pytest.skip(f"real sample {file} is absent (the shared fixtures are not mounted)")
    return file


def items(reader, path: str, **options) -> list[Record | Rejected]:
    return list(reader(Source(real(path)), ImportOptions(**options)))


def kinds(found) -> Counter:
    return Counter(i.kind if isinstance(i, Record) else "rejected" for i in found)


# The file says its examples are "mainly taken from ISO 10241-1:2011, Annex A".
ISO_EXAMPLES = "\u00a9 ISO (examples from ISO 10241-1:2011, Annex A)"


@pytest.fixture
def sample_body(session):
    # The samples' own bodies are placeholders ("N/A") or people: a neutral test body.
    factories.load(session, factories.body("SAMPLE", kind="other"))


def test_sts_tbx_markup_examples_48_terms(session, sample_body):
    path = "sts/tbx-nisosts-0.2.xml"
    found = items(sts.read, path, body="SAMPLE", licence=ISO_EXAMPLES)
    assert kinds(found) == {"standard": 1, "concept": 48, "definition": 74, "rejected": 1}
    report = importing.run("sts", real(path), body="SAMPLE", licence=ISO_EXAMPLES)
    assert report.exit_code == 1
    assert {r["location"] for r in report.rejected} == {
        "tbx-nisosts-0.2.xml:371",
        "tbx-nisosts-0.2.xml:1425",
    }
    standard = session.scalar(select(Standard))
    assert (standard.reference, standard.title) == ("TBX examples", "TBX markup examples")
    assert session.scalar(select(func.count()).select_from(Concept)) == 48
    defs = session.scalars(select(Definition)).all()
    assert len(defs) == 73 and {d.standard_id for d in defs} == {standard.id}
    assert Counter(d.language for d in defs)["en"] >= 40
    chart = next(d for d in defs if d.term == "chart datum")
    assert chart.designations == [
        {"term": "chart datum", "type": "preferred"},
        {"term": "CD", "type": "admitted"},
    ]
    # The licence does not allow full text: excerpts, flagged.
    assert all(d.is_excerpt for d in defs)
    special = next(d for d in defs if d.term == "special language")
    assert special.text.startswith("language used in a domain (3.1.2) and characterized")
    again = importing.run("sts", real(path), body="SAMPLE", licence=ISO_EXAMPLES)
    assert (again.created, again.updated) == (0, 0)


@pytest.mark.parametrize(
    "path, body, reference, relations",
    [
        ("sts/Samp1.xml", "ISO", "ISO 2560:2009", []),
        ("sts/reg-meta.xml", "CEN", "ISO 123456:2009", [("replaces", "ISO 123456:2004")]),
        ("sts/nat-meta.xml", "NEN", "ISO 123456:2009", [("replaces", "ISO 123456:2004")]),
    ],
)
def test_sts_metadata_samples(path, body, reference, relations):
    (record,) = items(sts.read, path)
    data = record.data
    assert (data["reference"], data["bodies"], data["committee"]) == (
        reference,
        [body],
        "ISO/TC 44/SC 3",
    )
    assert data["title"] == (
        "Welding consumables \u2014 Covered electrodes for manual metal arc "
        "welding of non-alloy and fine grain steels \u2014 Classification"
    )
    assert (data["published"], data["edition"], data["ics"]) == ("2009-05-30", "3", ["25.160.20"])
    assert [(r["type"], r["reference"]) for r in data["relations"]] == relations


def test_sts_feature_doc_with_empty_metadata_is_refused(session):
    report = importing.run("sts", real("sts/feature_doc.xml"), body="SAMPLE", licence="x")
    assert report.exit_code == 2 and "name no standard" in report.refused


def test_tbx_v3_samples_45_concepts(session, sample_body):
    astronomy = items(tbx.read, "tbx/Example_Astronomy_DCA_VALID.tbx", body="SAMPLE", licence="MIT")
    assert kinds(astronomy) == {"concept": 45, "definition": 74}
    for path in ("tbx/min_good.tbx", "tbx/core_structure_good.tbx"):
        assert kinds(items(tbx.read, path)) == {"concept": 45}
    report = importing.run(
        "tbx", real("tbx/Example_Astronomy_DCA_VALID.tbx"), body="SAMPLE", licence="MIT"
    )
    assert (report.exit_code, report.created) == (0, 119)
    cluster = session.scalar(select(Definition).where(Definition.term == "open cluster"))
    assert cluster.text == "A group of stars formed together in the spiral arms of a galaxy."
    assert cluster.citation == "Oxford2007" and not cluster.is_excerpt  # MIT: full text
    assert cluster.designations[1] == {"term": "galactic cluster", "type": "deprecated"}
    # TBX-Min of the same termbase adds no new concepts for terms the registry already has.
    report = importing.run("tbx", real("tbx/min_good.tbx"))
    assert report.exit_code == 0 and report.unchanged >= 40
    assert session.scalar(select(func.count()).select_from(Concept)) < 50


def test_tbx_v2_basic_sample(session, sample_body):
    found = items(tbx.read, "tbx/TBX-basic-samples.tbx", body="SAMPLE", licence="MIT")
    assert kinds(found) == {"concept": 5, "definition": 3}
    lens = next(
        i.data for i in found if i.kind == "definition" and i.data["concept"] == "progressive-lens"
    )
    assert [d["type"] for d in lens["designations"]] == [
        "preferred",
        "admitted",
        "deprecated",
        "admitted",
        "deprecated",
    ]
    assert lens["source"] == "Wikipedia"


def test_tbx_iate_entry_with_22_languages(session):
    report = importing.run("tbx", real("tbx/iatefullmini.xml"))
    assert (report.exit_code, report.created) == (0, 2)
    concept = session.scalar(
        select(Concept)
        .join(ConceptLabel)
        .where(ConceptLabel.label == "competence of the Member States")
    )
    assert len({lab.language for lab in concept.labels}) == 22


def test_tbx_min_2013(session):
    found = items(tbx.read, "tbx/min.tbx")
    assert [i.data["labels"] for i in found] == [
        {"de": "Hund", "en": "dog"},
        {"de": "Katze", "en": "cat"},
        {"de": "Maus", "en": "mouse"},
    ]
    assert found[0].data["alt_labels"] == {}  # "hound" is obsolete: not a label


def test_skos_dpv_ai_with_iso_clause_sources(session):
    found = items(skos.read, "skos/dpv-ai.ttl", body="W3C")
    assert kinds(found) == {"concept": 241, "definition": 241}
    cited = [
        i.data for i in found if i.kind == "definition" and i.data["source"] == "ISO/IEC 22989:2022"
    ]
    assert len(cited) >= 50 and sum(1 for d in cited if d["clause"]) >= 30
    assert all(d["licence"] == "https://www.w3.org/copyright/document-license-2023/" for d in cited)
    report = importing.run("skos", real("skos/dpv-ai.ttl"), body="W3C")
    assert (report.exit_code, report.created) == (0, 482)
    summarisation = session.scalar(
        select(Definition).where(Definition.term == "Automatic Summarisation")
    )
    assert (summarisation.citation, summarisation.clause) == ("ISO/IEC 22989:2022", "3.6.1")
    assert not summarisation.is_excerpt
    again = importing.run("skos", real("skos/dpv-ai.ttl"), body="W3C")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 482)


def test_skos_eu_ai_act_merges_into_concepts_of_the_same_designation(session):
    importing.run("skos", real("skos/dpv-ai.ttl"), body="W3C")
    concepts = session.scalar(select(func.count()).select_from(Concept))
    report = importing.run("skos", real("skos/dpv-eu-aiact.ttl"), body="W3C")
    assert report.exit_code == 0 and report.rejected == []
    # Concepts whose label the registry already had are merged, not duplicated.
    added = session.scalar(select(func.count()).select_from(Concept)) - concepts
    assert 150 < added < 170
