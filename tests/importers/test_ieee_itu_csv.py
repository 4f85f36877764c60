"""IEEE IDAMS XML, ITU-T search JSON and CSV, and the registry's CSV templates."""

import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from importers.csv_template import DEFINITION_COLUMNS, STANDARD_COLUMNS
from registry.models import Body, Definition, ImportBatch, Revision, Standard
from tests.importers.catalogue_helpers import FIXTURES, count, problems, real, run

STATIC = Path(__file__).resolve().parents[2] / "static" / "import-templates"


def standard(session, reference: str) -> Standard:
    return session.scalar(select(Standard).where(Standard.reference == reference))


# -- IEEE -------------------------------------------------------------------------------------


def test_ieee_real_records(session):
    for name in ("idams_04039945.xml", "idams_05491847.xml", "idams_07873195.xml"):
        report = run("ieee", real("ieee", name))
        assert (report.exit_code, report.created) == (0, 1), report.summary()
    draft = standard(session, "IEEE Std P802.11u/D9.0")
    assert draft.title.startswith("IEEE Draft Standard for Information Technology")
    assert (draft.doc_type, draft.status) == ("Std", "withdrawn")  # an Inactive draft
    assert draft.published == datetime.date(2010, 6, 15)
    assert (
        draft.committee.reference == "Local and Metropolitan Area Networks of IEEE Computer Society"
    )
    assert draft.ics == ["35.100.10", "35.100.20", "35.110"]
    assert len(draft.keywords) == 25 and draft.keywords[0] == "IEEE standards"
    assert draft.scope.startswith("This amendment specifies enhancements to the 802.11 MAC")
    assert "802.11u are aiding" in draft.scope  # the "Standard" abstract, not the "Regular" one
    assert draft.url == "https://ieeexplore.ieee.org/document/5491847"
    redline = standard(session, "IEEE Std 1012-1998 - Redline")
    assert (redline.status, redline.published) == ("superseded", datetime.date(1998, 7, 20))
    assert redline.committee.reference == (
        "Software & Systems Engineering Standards Committee of the IEEE Computer Society"
    )
    assert "(V&V) processes" in redline.scope
    token_ring = standard(session, "IEEE Std P802.5t/D2.5")
    assert token_ring.published is None  # only a year in the file


def test_ieee_wrapper_relations_and_rejections(session):
    report = run("ieee", FIXTURES / "ieee-mixed.xml")
    assert (report.exit_code, report.created) == (1, 2)
    assert problems(report) == {
        "ieee-mixed.xml:30 (publication 2)": "normtitle: missing (no reference for the "
        "publication)",
        "ieee-mixed.xml:36 (publication 3)": "standard_status: unknown status 'mysterious'",
    }
    transparency = standard(session, "IEEE Std 7001-2021")
    assert transparency.published == datetime.date(2021, 12, 8)
    assert transparency.keywords == ["transparency"]
    assert transparency.committee.reference == "Vehicular Technology & Robotics Committee (test)"
    ethics = standard(session, "IEEE Std 7000-2021")
    # type S names a publication of the file by amsid; the unknown amsid is left out.
    assert [(r.type, r.target_id) for r in ethics.relations] == [("replaced_by", transparency.id)]


@pytest.mark.parametrize("name", ["ieee-xxe.xml", "ieee-laughs.xml"])
def test_ieee_entity_attacks_are_refused_whole(session, name):
    report = run("ieee", FIXTURES / name)
    assert report.exit_code == 2
    assert "declares XML entities; refused as unsafe" in report.refused
    assert count(session, Standard) == count(session, ImportBatch) == 0


# -- ITU --------------------------------------------------------------------------------------


def test_itu_real_search_results(session):
    report = run("itu", real("itu", "itu-t_globalsearch_Y.3500.json"))
    assert (report.exit_code, report.created) == (0, 20)
    cloud = standard(session, "ITU-T Y.3500 (08/2014)")
    assert cloud.title == "Information technology – Cloud computing – Overview and vocabulary"
    assert (cloud.status, cloud.doc_type, cloud.body_codes) == (
        "published",
        "Recommendation",
        ["ITU-T"],
    )
    assert cloud.published == datetime.date(2014, 8, 1)
    assert cloud.url == "https://www.itu.int/rec/T-REC-Y.3500-201408-I"
    # The twin text ITU publishes with ISO/IEC is a relation, no longer dropped.
    assert [(r.type, r.target_reference) for r in cloud.relations] == [
        ("identical_to", "ISO/IEC 17788")]
    roadmap = standard(session, "ITU-T Y Suppl. 49 (11/2018)")
    assert roadmap.doc_type == "Supplement"
    assert standard(session, "ITU-T Y.3550 (12/2023)").title.startswith(
        "Cloud computing – Requirements for artificial intelligence based"
    )


def test_itu_real_editions_and_amendments(session):
    report = run("itu", real("itu", "itu-t_globalsearch_G.780-Y.1351.json"))
    assert (report.exit_code, report.created) == (0, 19)
    assert standard(session, "ITU-T G.780/Y.1351 (07/2010)").status == "published"
    assert standard(session, "ITU-T G.780/Y.1351 (03/2008)").status == "superseded"
    assert standard(session, "ITU-T G.8101/Y.1355 (11/2016)").status == "withdrawn"
    amendment = standard(session, "ITU-T G.780/Y.1351 (2004) Amd. 1 (06/2005)")
    assert (amendment.doc_type, amendment.title) == ("Amd", amendment.reference)
    again = run("itu", real("itu", "itu-t_globalsearch_G.780-Y.1351.json"))
    assert (again.created, again.unchanged) == (0, 19)


def test_itu_csv(session):
    report = run("itu", FIXTURES / "itu-recs.csv")
    assert (report.exit_code, report.created) == (1, 3)
    assert problems(report) == {
        "itu-recs.csv:5": "date: '2021-13' is not a valid date",
        "itu-recs.csv:6": "status: 'lost' is not one of draft, in force, proposed, published, "
        "superseded, under development, withdrawn",
        "itu-recs.csv:7": "number: Missing data for required field.",
    }
    ml = standard(session, "ITU-T Y.3172 (06/2019)")
    assert (ml.committee.reference, ml.published) == ("ITU-T SG13", datetime.date(2019, 6, 1))
    assert standard(session, "ITU-T F.748.11 (08/2020)").committee.reference == "ITU-T SG21"
    assert standard(session, "ITU-T F.748.12 (06/2021)").status == "superseded"


# -- the CSV templates ------------------------------------------------------------------------


def test_templates_for_download_match_the_importer():
    assert (STATIC / "standards.csv").read_text().strip() == ",".join(STANDARD_COLUMNS)
    assert (STATIC / "definitions.csv").read_text().strip() == ",".join(DEFINITION_COLUMNS)


def test_csv_standards(session):
    report = run("csv", FIXTURES / "csv-standards.csv")
    assert (report.exit_code, report.created) == (1, 2)
    found = problems(report)
    assert found["csv-standards.csv:4"].startswith("type: Must be one of: IS, TS")
    assert "measurement_evaluation: Not a valid boolean." in found["csv-standards.csv:4"]
    assert "duplicate standard 'ISO/IEC 5338:2023'" in found["csv-standards.csv:5"]
    lifecycle = standard(session, "ISO/IEC 5338:2023")
    assert (lifecycle.body_codes, lifecycle.stage_code) == (["IEC", "ISO"], "60.60")
    assert lifecycle.languages == ["en", "fr"] and lifecycle.keywords == ["life cycle"]
    assert standard(session, "ITU-T F.748.12 (06/2021)").measurement_evaluation is True


def test_csv_definitions(session):
    session.add(Body(code="TEST-BODY", name="Test body (importer tests)", kind="other"))
    session.commit()
    report = run("csv", FIXTURES / "csv-definitions.csv")
    assert problems(report) == {
        "csv-definitions.csv:3": "body: Missing data for required field.; "
        "licence: Missing data for required field.",
        "csv-definitions.csv:4": "term: Missing data for required field.",
    }
    widget = session.scalar(select(Definition).where(Definition.term == "widget"))
    assert [d["type"] for d in widget.designations] == ["preferred", "admitted", "admitted"]
    assert widget.notes == ["First note; with a semicolon", "Second note"]
    assert (widget.clause, widget.citation, widget.licence) == (
        "1.1",
        "Test glossary 2026",
        "CC0-1.0",
    )
    # The body and licence of the whole file may come from the command line.
    with_defaults = run(
        "csv", FIXTURES / "csv-definitions.csv", body="TEST-BODY", licence="CC0-1.0"
    )
    assert (with_defaults.created, with_defaults.unchanged) == (1, 1)
    assert list(problems(with_defaults)) == ["csv-definitions.csv:4"]
    revisions = count(session, Revision)
    third = run("csv", FIXTURES / "csv-definitions.csv", body="TEST-BODY", licence="CC0-1.0")
    assert (third.created, third.unchanged) == (0, 2)
    assert count(session, Revision) == revisions


# -- every format: empty and wrong-format files are refused, nothing written -------------------


@pytest.mark.parametrize("fmt", ["iso-open-data", "ieee", "itu", "csv"])
def test_empty_file_is_refused(session, tmp_path, fmt):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    report = run(fmt, path)
    assert report.exit_code == 2 and report.refused
    assert count(session, ImportBatch) == 0


@pytest.mark.parametrize(
    "fmt, name, reason",
    [
        ("iso-open-data", "ieee-mixed.xml", "not an ISO open data file"),
        ("ieee", "itu-recs.csv", "not well-formed XML"),
        ("ieee", "csv-standards.csv", "not well-formed XML"),
        ("itu", "ieee-mixed.xml", "not an ITU Recommendation CSV"),
        ("itu", "iso-mixed.jsonl", "not JSON"),
        ("csv", "iso-mixed.jsonl", "not a registry CSV template"),
        ("iso-open-data", "itu-recs.csv", "not an ISO open data file"),
    ],
)
def test_wrong_format_is_refused(session, fmt, name, reason):
    report = run(fmt, FIXTURES / name)
    assert report.exit_code == 2
    assert reason in report.refused
    assert count(session, Standard) == count(session, ImportBatch) == 0
