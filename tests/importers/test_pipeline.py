"""The import pipeline on the registry's own JSON Lines format: exit codes, reports, safety."""

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import importing
from importers.pipeline import fail_abandoned_batches
from registry.models import Area, ImportBatch, Revision, Standard

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "registry"


def rows(session, model):
    return session.scalar(select(func.count()).select_from(model))


def run(name, **options):
    return importing.run("registry", FIXTURES / name, **options)


def test_good_file_is_accepted_and_recorded(session):
    report = run("good.jsonl")
    assert (report.exit_code, report.created, report.rejected) == (0, 3, [])
    batch = session.get(ImportBatch, report.batch_id)
    assert (batch.status, batch.created, batch.format) == ("committed", 3, "registry")
    assert len(batch.checksum) == 64
    std = session.scalar(select(Standard).where(Standard.reference == "IEEE 7003-2024"))
    assert std.batch_id == std.created_batch_id == batch.id
    assert {r.batch_id for r in session.scalars(select(Revision))} == {batch.id}


def test_reimport_changes_nothing(session):
    run("good.jsonl")
    revisions = rows(session, Revision)
    again = run("good.jsonl")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert rows(session, Revision) == revisions


def test_bad_records_are_reported_and_good_ones_kept(session):
    report = run("mixed.jsonl")
    assert report.exit_code == 1
    assert report.created == 2
    problems = {r["location"]: r["reason"] for r in report.rejected}
    assert problems["mixed.jsonl:2"] == "title: Missing data for required field."
    assert problems["mixed.jsonl:3"].startswith("not JSON")
    assert "duplicate standard 'ISO/IEC 42001:2023'" in problems["mixed.jsonl:4"]
    assert "first at mixed.jsonl:1" in problems["mixed.jsonl:4"]
    assert problems["mixed.jsonl:5"] == "published: Not a valid date."
    assert problems["mixed.jsonl:6"] == "unknown record kind 'gadget'"
    assert sorted(session.scalars(select(Standard.reference))) == [
        "ISO/IEC 42001:2023", "ISO/IEC 5338:2023"]
    assert session.get(ImportBatch, report.batch_id).rejected == 5


@pytest.mark.parametrize("name, reason", [
    ("empty.jsonl", "the file holds no records"),
    ("wrong-format.jsonl", "no registry record could be read"),
    ("latin1.jsonl", "not UTF-8"),
    ("no-such-file.jsonl", "cannot read the file"),
])
def test_refused_files_write_nothing(session, name, reason):
    report = run(name)
    assert report.exit_code == 2
    assert reason in report.refused
    assert rows(session, ImportBatch) == rows(session, Area) == rows(session, Revision) == 0


def test_dry_run_reports_and_writes_nothing(session):
    report = run("good.jsonl", dry_run=True)
    assert (report.exit_code, report.created, report.batch_id) == (0, 3, None)
    assert {c["key"] for c in report.changes} >= {"IEEE 7003-2024", "fairness"}
    assert rows(session, Standard) == rows(session, ImportBatch) == 0


def test_size_limit_refuses_whole_file(session):
    report = run("good.jsonl", max_bytes=10)
    assert report.exit_code == 2 and "limit" in report.refused


def test_abandoned_batch_is_marked_failed(session):
    dead = ImportBatch(format="registry", filename="x.jsonl", status="running",
                       host=os.uname().nodename, pid=2**22 + 12345)
    session.add(dead)
    session.commit()
    assert fail_abandoned_batches(session) == 1
    session.commit()
    assert session.get(ImportBatch, dead.id).status == "failed"


def test_cli_import_exit_status_and_report(runner, tmp_path):
    out = tmp_path / "report.json"
    result = runner.invoke(args=["import", "registry", str(FIXTURES / "mixed.jsonl"),
                                 "--report", str(out)])
    assert result.exit_code == 1
    assert "created 2, updated 0, unchanged 0, rejected 5" in result.output
    data = json.loads(out.read_text())
    assert data["created"] == 2 and len(data["rejected"]) == 5
    assert {"location", "reason"} <= set(data["rejected"][0])
    refused = runner.invoke(args=["import", "registry", str(FIXTURES / "empty.jsonl")])
    assert refused.exit_code == 2
