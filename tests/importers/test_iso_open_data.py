"""ISO open data: the real deliverable and committee samples, and hand-written edge cases."""

import datetime
import json

import pytest
from sqlalchemy import select

from importers.iso_open_data import status_for
from registry.models import Committee, ImportBatch, Revision, Standard, StandardRelation
from registry.policy import OPERATOR
from tests import factories as f
from tests.importers.catalogue_helpers import FIXTURES, count, problems, real, run


def standard(session, reference: str) -> Standard:
    return session.scalar(select(Standard).where(Standard.reference == reference))


def test_real_single_deliverable(session):
    report = run("iso-open-data", real("iso_open_data", "62085.json"))
    assert (report.exit_code, report.created, report.rejected) == (0, 1, [])
    iso9001 = standard(session, "ISO 9001:2015")
    assert (iso9001.doc_type, iso9001.stage_code, iso9001.status) == ("IS", "90.92", "published")
    assert iso9001.published == datetime.date(2015, 9, 22)
    assert (iso9001.edition, iso9001.committee.reference) == ("5", "ISO/TC 176/SC 2")
    assert iso9001.ics == ["03.100.70", "03.120.10"]
    assert iso9001.languages == ["ar", "en", "es", "fr", "ru"]
    assert iso9001.body_codes == ["ISO"]
    assert iso9001.scope.startswith("ISO 9001:2015 specifies requirements for a quality")
    assert "<p>" not in iso9001.scope
    assert iso9001.text_licence.startswith("ODC-By 1.0")
    assert iso9001.url == "https://www.iso.org/standard/62085.html"
    assert iso9001.source_id == "62085"
    # The file has no title: the reference stands in, so the row is kept.
    assert iso9001.title == "ISO 9001:2015"
    # replaces/replacedBy name ids that are not in this one-record file: left out.
    assert iso9001.relations == []


def test_real_json_lines_with_an_amendment(session):
    report = run("iso-open-data", real("iso_open_data", "88821-88915.jsonl"))
    assert (report.exit_code, report.created) == (0, 2)
    amendment = standard(session, "ISO/IEC 19566-7:2022/Amd 1:2025")
    assert (amendment.doc_type, amendment.body_codes) == ("Amd", ["IEC", "ISO"])
    assert amendment.committee.reference == "ISO/IEC JTC 1/SC 29"
    assert amendment.scope is None and amendment.text_licence is None
    report_tr = standard(session, "ISO/TR 7035-2:2024")
    assert report_tr.doc_type == "TR"
    assert "ductile iron pipeline systems for water supply" in report_tr.scope
    assert "mso-" not in report_tr.scope and "[if" not in report_tr.scope


def test_real_committees(session):
    report = run("iso-open-data", real("iso_open_data", "iso_technical_committees_jtc1_tc37.jsonl"))
    assert (report.exit_code, report.created, report.updated) == (0, 31, 0)
    sc42 = session.scalar(select(Committee).where(Committee.reference == "ISO/IEC JTC 1/SC 42"))
    assert sc42.title == "Artificial intelligence"
    assert sc42.parent.reference == "ISO/IEC JTC 1"
    assert [b.code for b in sc42.bodies] == ["IEC", "ISO"]
    assert sc42.url.startswith("https://www.iso.org/committee/")
    tc37 = session.scalar(select(Committee).where(Committee.reference == "ISO/TC 37"))
    assert [b.code for b in tc37.bodies] == ["ISO"]


def test_csv_rows_relations_languages_and_rejections(session):
    report = run("iso-open-data", FIXTURES / "iso-deliverables.csv")
    assert (report.exit_code, report.created) == (1, 4)
    assert problems(report) == {
        "iso-deliverables.csv:7": "reference: Missing data for required field.",
        "iso-deliverables.csv:8": "currentStage: '60x' is not a harmonized stage code like 6060",
        "iso-deliverables.csv:9": "duplicate standard 'ISO/IEC 22989:2022' in this file "
        "(first at iso-deliverables.csv:2)",
        "iso-deliverables.csv:10": "published: Not a valid date.",
        "iso-deliverables.csv:11": "18 cells but the header has 16 columns",
    }
    old, new = standard(session, "ISO 9001:2008"), standard(session, "ISO 9001:2015")
    assert (old.stage_code, old.status) == ("95.99", "superseded")
    assert [(r.type, r.target_reference, r.target_id) for r in old.relations] == [
        ("replaced_by", "ISO 9001:2015", new.id)
    ]
    # 54538 and 88464 are not rows of the file: only the resolvable relation is kept.
    assert [(r.type, r.target_id) for r in new.relations] == [("replaces", old.id)]
    mgmt = standard(session, "ISO/IEC 42001:2023")
    assert mgmt.title == "Information technology — Artificial intelligence — Management system"
    assert mgmt.extra["titles"]["fr"].startswith("Technologies de l'information")
    assert (
        mgmt.scope == "Placeholder scope written for this test & not ISO's text. Second paragraph."
    )
    assert mgmt.ics == ["03.100.70", "35.020"] and mgmt.languages == ["en", "fr"]
    batch = session.get(ImportBatch, report.batch_id)
    assert (batch.status, batch.rejected) == ("committed", 5)
    assert {e["location"] for e in batch.errors} == set(problems(report))


def test_json_lines_bad_lines_are_reported_and_good_ones_kept(session):
    report = run("iso-open-data", FIXTURES / "iso-mixed.jsonl")
    assert (report.exit_code, report.created) == (1, 2)
    found = problems(report)
    assert found["iso-mixed.jsonl:2"].startswith("not JSON: Expecting value")
    assert found["iso-mixed.jsonl:3"] == "each line must be a JSON object"
    assert found["iso-mixed.jsonl:4"] == "reference: Missing data for required field."
    assert found["iso-mixed.jsonl:5"] == "published: Not a valid date."
    assert "duplicate standard 'ISO/IEC 23894:2023'" in found["iso-mixed.jsonl:6"]
    assert standard(session, "ISO/IEC 38507:2022").committee.reference == "ISO/IEC JTC 1/SC 40"


def test_reimport_changes_nothing_and_a_changed_row_updates(session, tmp_path):
    path = tmp_path / "deliverables.jsonl"
    rows = [
        json.loads(line)
        for line in (FIXTURES / "iso-mixed.jsonl").read_text().splitlines()
        if line.startswith('{"id":77304,"deliverableType":"IS","supplementType"')
    ]
    path.write_text(json.dumps(rows[0]) + "\n")
    assert run("iso-open-data", path).created == 1
    revisions = count(session, Revision)
    again = run("iso-open-data", path)
    assert (again.created, again.updated, again.unchanged, again.exit_code) == (0, 0, 1, 0)
    assert count(session, Revision) == revisions
    rows[0]["currentStage"] = 9093
    path.write_text(json.dumps(rows[0]) + "\n")
    changed = run("iso-open-data", path)
    assert (changed.updated, changed.unchanged) == (1, 0)
    session.expire_all()
    assert standard(session, "ISO/IEC 23894:2023").stage_code == "90.93"
    update = session.scalars(select(Revision).where(Revision.action == "update")).one()
    assert (update.before["stage"], update.after["stage"]) == ("60.60", "90.93")
    assert update.batch_id == changed.batch_id


def test_dry_run_writes_nothing(session):
    report = run("iso-open-data", FIXTURES / "iso-deliverables.csv", dry_run=True)
    assert (report.dry_run, report.created, report.batch_id) == (True, 4, None)
    assert len(report.rejected) == 5
    assert {c["key"] for c in report.changes} >= {"ISO 9001:2015", "ISO 9001:2008"}
    assert count(session, Standard) == count(session, ImportBatch) == 0
    assert count(session, StandardRelation) == 0


def test_wrong_encoding_is_refused_whole(session):
    report = run("iso-open-data", FIXTURES / "iso-latin1.csv")
    assert report.exit_code == 2
    assert report.refused.startswith("iso-latin1.csv:2: not UTF-8 text")
    assert count(session, Standard) == count(session, ImportBatch) == 0


@pytest.mark.parametrize(
    "stage, replaced, status",
    [
        ("00.00", False, "proposed"),
        ("10.99", False, "proposed"),
        ("20.00", False, "under_development"),
        ("40.60", False, "under_development"),
        ("60.00", False, "under_development"),
        ("60.60", False, "published"),
        ("90.92", True, "published"),
        ("90.93", False, "published"),
        ("95.20", False, "published"),
        ("95.99", False, "withdrawn"),
        ("95.99", True, "superseded"),
        ("30.98", False, "withdrawn"),
    ],
)
def test_stage_code_to_status(stage, replaced, status):
    assert status_for(stage, replaced) == status


def test_a_bad_first_line_does_not_hide_the_json_lines(session, tmp_path):
    path = tmp_path / "first-bad.jsonl"
    good = (FIXTURES / "iso-mixed.jsonl").read_text().splitlines()[-1]
    path.write_text('{"id": 1, "reference":\n' + good + "\n")
    report = run("iso-open-data", path)
    assert (report.exit_code, report.created) == (1, 1)
    assert list(problems(report)) == ["first-bad.jsonl:1"]


def test_a_pretty_printed_record_is_one_json_document(session, tmp_path):
    record = json.loads(real("iso_open_data", "88821.json").read_text())
    path = tmp_path / "pretty.json"
    path.write_text(json.dumps(record, indent=2))
    report = run("iso-open-data", path)
    assert (report.exit_code, report.created) == (0, 1)
    assert standard(session, "ISO/TR 7035-2:2024").source_id == "88821"


def test_an_unchanged_row_is_not_mapped_again(session, tmp_path, monkeypatch):
    from importers import iso_open_data
    from registry.services.areas import set_standard_areas

    rows = [{"id": 90001 + i, "reference": f"ISO {90001 + i}:2024", "deliverableType": "IS",
             "currentStage": 6060, "publicationDate": "2024-03-01",
             "title": {"en": f"Row {i}"}} for i in range(3)]
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    assert run("iso-open-data", path).created == 3
    mapped = []
    original = iso_open_data._deliverable
    monkeypatch.setattr(iso_open_data, "_deliverable",
                        lambda row, *a: mapped.append(row["reference"]) or original(row, *a))
    again = run("iso-open-data", path)
    assert (again.unchanged, mapped) == (3, [])  # recognised by the digest of the raw row

    f.load(session, f.area("fairness"))
    standard = session.scalar(select(Standard).where(Standard.reference == "ISO 90001:2024"))
    set_standard_areas(session, OPERATOR, standard, ["fairness"])  # another writer...
    session.commit()
    rows[1]["title"]["en"] = "Row 1, renamed"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    report = run("iso-open-data", path)
    # ...so its row is mapped again (and merged: the tag stays); the changed row is updated.
    assert sorted(mapped) == ["ISO 90001:2024", "ISO 90002:2024"]
    assert (report.updated, report.unchanged) == (1, 2)
    session.expire_all()
    assert [a.slug for a in session.get(Standard, standard.id).areas] == ["fairness"]
