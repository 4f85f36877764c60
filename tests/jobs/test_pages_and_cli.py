"""Harvest sources and jobs in the pages, the API and the command line."""

from sqlalchemy import func, select

from registry.models import HarvestSource, Job
from tests.auth import make_user, sign_in
from tests.importers.catalogue_helpers import real

ISO_FEED = ("iso_open_data", "88821-88915.jsonl")


def test_admin_adds_a_source_runs_it_and_follows_the_job(client, session, feeds):
    url = feeds.set("/iso.jsonl", real(*ISO_FEED).read_bytes())
    sign_in(client, make_user(session, "admin"))
    bad = client.post("/admin/harvest", data={"name": "ISO", "url": "ftp://x/y",
                                              "format": "iso-open-data"})
    assert bad.status_code == 400 and "only http, https and local files" in bad.text
    added = client.post("/admin/harvest", data={
        "name": "ISO deliverables", "url": url, "format": "iso-open-data",
        "interval_hours": "168", "complete": "1", "enabled": "1"})
    assert added.status_code == 303
    page = client.get(added.location)
    assert "ISO deliverables" in page.text and "every week" in page.text
    assert "Not harvested yet" in page.text
    source = session.scalars(select(HarvestSource)).one()
    started = client.post(f"/admin/harvest/{source.id}/run")
    assert started.status_code == 303 and "/jobs/" in started.location
    job_page = client.get(started.location)
    assert "Imported: 2 new, 0 updated, 0 unchanged, 0 withdrawn, 0 rejected" in job_page.text
    listing = client.get("/admin/harvest")
    assert "ISO deliverables" in listing.text and "imported" in listing.text
    assert "Harvest of ISO deliverables" in client.get("/jobs").text


def test_harvest_pages_and_api_are_for_administrators(client, session, feeds):
    sign_in(client, make_user(session, "panel"))
    assert client.get("/admin/harvest").status_code == 403
    assert client.post("/admin/harvest", data={"name": "x"}).status_code == 403
    assert client.get("/api/v1/harvest/sources").status_code == 403
    assert client.post("/api/v1/harvest/sources", json={"name": "x"}).status_code == 403
    client.post("/sign-out")
    assert client.get("/api/v1/harvest/sources").status_code == 401
    assert session.scalar(select(func.count()).select_from(HarvestSource)) == 0


def test_api_registers_and_runs_a_source(client, session, feeds):
    url = feeds.set("/iso.jsonl", real(*ISO_FEED).read_bytes())
    sign_in(client, make_user(session, "admin"))
    invalid = client.post("/api/v1/harvest/sources", json={"name": "x", "url": url,
                                                           "format": "word"})
    assert invalid.status_code == 400 and "format" in invalid.json["message"]
    created = client.post("/api/v1/harvest/sources", json={
        "name": "ISO", "url": url, "format": "iso-open-data", "complete": True,
        "interval_hours": 0})
    assert created.status_code == 201, created.json
    assert created.json["next_run_at"] is None
    detail_url = created.headers["Location"]
    queued = client.post(detail_url + "/runs")
    assert queued.status_code == 202
    job = client.get(queued.headers["Location"]).json
    assert (job["status"], job["report"]["created"]) == ("done", 2)
    runs = client.get(detail_url).json["runs"]
    assert [(r["status"], r["created"], r["job"]) for r in runs] == [("imported", 2, job["id"])]
    assert client.get("/api/v1/harvest/sources/999").status_code == 404


def test_cli_add_list_run_and_show(runner, session, feeds):
    url = feeds.set("/iso.jsonl", real(*ISO_FEED).read_bytes())
    added = runner.invoke(args=["harvest", "add", "ISO", url, "--format", "iso-open-data",
                                "--complete", "--every", "week"])
    assert added.exit_code == 0, added.output
    assert "every week" in added.output
    refused = runner.invoke(args=["harvest", "add", "Other", "ftp://x/y", "--format", "itu"])
    assert refused.exit_code == 2 and "only http, https" in refused.output
    done = runner.invoke(args=["harvest", "run", "ISO", "--wait"])
    assert done.exit_code == 0, done.output
    assert "status: imported" in done.output and "created: 2" in done.output
    assert "last imported" in runner.invoke(args=["harvest", "list"]).output
    job = session.scalars(select(Job)).one()
    shown = runner.invoke(args=["jobs", "show", str(job.id)])
    assert shown.exit_code == 0 and "Harvest of ISO: done" in shown.output
    assert "Harvest of ISO" in runner.invoke(args=["jobs", "list"]).output
    assert runner.invoke(args=["jobs", "show", "999"]).exit_code == 2
    assert runner.invoke(args=["harvest", "run", "nope"]).exit_code == 2


def test_an_admin_rebuilds_the_search_index_as_a_job(client, session):
    sign_in(client, make_user(session, "panel", email="panel-reindex@example.org"))
    assert client.post("/admin/search/reindex").status_code == 403
    sign_in(client, make_user(session, "admin"))
    assert "Rebuild the search index" in client.get("/jobs").text
    response = client.post("/admin/search/reindex")
    assert response.status_code == 303
    page = client.get(response.location).text
    assert "Rebuild of the search index" in page and "Indexed" in page and "Done" in page
