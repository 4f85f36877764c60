"""Merge rules: a re-import never blanks what the registry curated, never makes a date less
precise, and reports what it clears or refuses."""

import json

from sqlalchemy import select

from registry.models import Standard
from registry.policy import OPERATOR
from registry.services.areas import set_standard_areas
from tests import factories as f
from tests.importers.catalogue_helpers import real, run

# What the demo catalogue says of two ITU-T Recommendations the real ITU search JSON also
# lists: the registry's areas, committee and day-precise dates (ITU's JSON gives the month).
CURATED = [
    f.standard("ITU-T Y.3550 (12/2023)", bodies=["ITU-T"], type="Recommendation",
               title="Cloud computing - Requirements for artificial intelligence based cloud "
                     "service development and operation management",
               published="2023-12-14", committee="ITU-T Study Group 13",
               url="https://www.itu.int/rec/T-REC-Y.3550-202312-I",
               areas=["lifecycle-development", "lifecycle-monitoring"]),
    f.standard("ITU-T Y.4509 (03/2025)", bodies=["ITU-T"], type="Recommendation",
               title="Functional architecture of artificial intelligence-enabled collaborative "
                     "services across device, edge and cloud environments for the Internet of "
                     "things and smart cities",
               published="2025-03-01", committee="ITU-T Study Group 20",
               url="https://www.itu.int/rec/T-REC-Y.4509-202503-I",
               areas=["sector-public-services"]),
]
AREAS = [f.area("lifecycle-development", kind="lifecycle"),
         f.area("lifecycle-monitoring", kind="lifecycle"), f.area("sector-public-services",
                                                                  kind="sector")]


def _standard(session, reference):
    session.expire_all()
    return session.scalar(select(Standard).where(Standard.reference == reference))


def test_the_real_itu_file_keeps_what_the_registry_curated(session):
    path = real("itu", "itu-t_globalsearch_Y.3500.json")
    f.load(session, *AREAS, *CURATED)
    report = run("itu", path)
    assert report.exit_code == 0, report.rejected
    y3550 = _standard(session, "ITU-T Y.3550 (12/2023)")
    assert [a.slug for a in y3550.areas] == ["lifecycle-development", "lifecycle-monitoring"]
    assert y3550.committee.reference == "ITU-T Study Group 13"
    assert y3550.published.isoformat() == "2023-12-14" and y3550.published_precision is None
    assert y3550.languages == ["en"]  # what the source adds is taken
    y4509 = _standard(session, "ITU-T Y.4509 (03/2025)")
    assert [a.slug for a in y4509.areas] == ["sector-public-services"]
    assert y4509.committee.reference == "ITU-T Study Group 20"
    assert y4509.published.isoformat() == "2025-03-01" and y4509.published_precision is None
    assert report.warnings == []  # nothing cleared; ITU's months agree with the curated days
    new = _standard(session, "ITU-T Y.3552 (09/2024)")
    assert (new.published.isoformat(), new.published_precision) == ("2024-09-01", "month")

    again = run("itu", path)
    assert (again.created, again.updated, again.warnings) == (0, 0, [])


def test_a_panel_edit_survives_the_next_import(session, tmp_path):
    path = real("itu", "itu-t_globalsearch_Y.3500.json")
    f.load(session, *AREAS)
    run("itu", path)
    standard = _standard(session, "ITU-T Y.3550 (12/2023)")
    assert standard.areas == []
    set_standard_areas(session, OPERATOR, standard, ["lifecycle-monitoring"])
    session.commit()
    report = run("itu", path)
    assert report.exit_code == 0
    assert [a.slug for a in _standard(session, "ITU-T Y.3550 (12/2023)").areas] == [
        "lifecycle-monitoring"]


def test_a_less_precise_date_that_disagrees_is_refused_and_reported(session):
    path = real("itu", "itu-t_globalsearch_Y.3500.json")
    f.load(session, *AREAS, {**CURATED[0], "published": "2023-11-20"})
    report = run("itu", path)
    assert _standard(session, "ITU-T Y.3550 (12/2023)").published.isoformat() == "2023-11-20"
    [warning] = report.warnings
    assert warning["key"] == "ITU-T Y.3550 (12/2023)" and warning["field"] == "published"
    assert "keeps 2023-11-20" in warning["message"] and "2023-12" in warning["message"]
    assert warning["location"].startswith("itu-t_globalsearch_Y.3500.json:results[")


def _write(path, *records):
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return path


def test_what_a_source_clears_is_done_and_reported_in_the_summary_and_json(app, session,
                                                                            tmp_path):
    first = f.standard("ISO 9001:2015", bodies=["ISO"], committee=None, scope="A scope",
                       areas=["fairness"], measurement_evaluation=True)
    f.load(session, f.area("fairness"), first)
    later = {k: v for k, v in first.items() if k not in ("scope", "areas",
                                                         "measurement_evaluation")}
    path = _write(tmp_path / "again.jsonl", later)
    report_file = tmp_path / "report.json"
    result = app.test_cli_runner().invoke(
        args=["import", "registry", str(path), "--report", str(report_file)])
    assert result.exit_code == 0, result.output
    assert "warnings 1" in result.output and "scope: clears A scope" in result.output
    standard = _standard(session, "ISO 9001:2015")
    assert standard.scope is None  # the source owns its scope
    assert [a.slug for a in standard.areas] == ["fairness"]  # the registry owns its tags
    assert standard.measurement_evaluation is True
    [warning] = json.loads(report_file.read_text())["warnings"]
    assert (warning["field"], warning["key"]) == ("scope", "ISO 9001:2015")


def test_naming_other_registry_fields_replaces_them_with_a_warning(session, tmp_path):
    f.load(session, f.area("fairness"), f.area("safety"),
           f.standard("ISO 1:2020", bodies=["ISO"], committee=None, areas=["fairness"]))
    report = run("registry", _write(tmp_path / "a.jsonl", f.standard(
        "ISO 1:2020", bodies=["ISO"], committee=None, areas=["safety"])))
    assert [a.slug for a in _standard(session, "ISO 1:2020").areas] == ["safety"]
    assert [w["message"] for w in report.warnings] == ["areas: removes fairness"]


def test_a_dry_run_reports_the_same_warnings_and_writes_nothing(session, tmp_path):
    f.load(session, f.standard("ISO 2:2020", bodies=["ISO"], committee=None, scope="Kept"))
    path = _write(tmp_path / "b.jsonl", f.standard("ISO 2:2020", bodies=["ISO"],
                                                   committee=None))
    report = run("registry", path, dry_run=True)
    assert [w["field"] for w in report.warnings] == ["scope"]
    assert _standard(session, "ISO 2:2020").scope == "Kept"
