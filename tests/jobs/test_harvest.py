"""Harvesting from a local HTTP server serving the real fixtures: conditional fetching, changed
and shortened feeds, broken transfers, the limits, one run per source, the schedule."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import jobs
from registry import policy
from registry.clock import utcnow
from registry.models import Body, HarvestItem, HarvestRun, HarvestSource, Job, Revision, Standard
from registry.services import harvest as core
from tests import factories
from tests.auth import make_user, sign_in
from tests.importers.catalogue_helpers import real

ISO_FEED = ("iso_open_data", "88821-88915.jsonl")
AMENDMENT = "ISO/IEC 19566-7:2022/Amd 1:2025"
REPORT = "ISO/TR 7035-2:2024"


def add(session, url, *, fmt="iso-open-data", name="ISO feed", **options):
    from importers.harvest import add_source

    return add_source(session, policy.OPERATOR, jobs.limits(), name=name, fmt=fmt, url=url,
                      **options)


def run(session, source) -> dict:
    """Harvest now, as a job (run where it is queued, in tests); the job's report."""
    job = jobs.start_harvest(policy.OPERATOR, source.id, source.name)
    session.expire_all()
    job = session.get(Job, job.id)
    assert job.status in ("done", "failed"), job.status
    return job.report | {"job_status": job.status, "job_message": job.message}


def status_of(session, reference):
    session.expire_all()
    return session.scalar(select(Standard.status).where(Standard.reference == reference))


def test_first_run_imports_the_second_is_not_modified_a_change_updates(session, feeds):
    lines = real(*ISO_FEED).read_bytes()
    source = add(session, feeds.set("/iso.jsonl", lines), complete=True)
    first = run(session, source)
    assert (first["status"], first["created"], first["rejected"]) == ("imported", 2, 0)
    assert first["job_status"] == "done"
    assert session.scalar(select(func.count()).select_from(HarvestItem)) == 2

    second = run(session, source)
    assert second["status"] == "not_modified" and second["http_status"] == 304
    assert feeds.requests[-1] == ("/iso.jsonl", True)  # asked with If-None-Match

    # The server forgets its validators: the same bytes are recognised by their checksum.
    feeds.set("/iso.jsonl", lines, validators=False)
    third = run(session, source)
    assert third["status"] == "unchanged" and third["created"] == third["updated"] == 0

    # A changed feed: one record's edition differs; only that one is updated.
    first_line, second_line = lines.decode().splitlines()
    record = json.loads(first_line)
    record["edition"] = 2
    feeds.set("/iso.jsonl", (json.dumps(record) + "\n" + second_line + "\n").encode())
    fourth = run(session, source)
    assert (fourth["status"], fourth["updated"], fourth["unchanged"], fourth["withdrawn"]) == (
        "imported", 1, 1, 0)
    runs = session.scalars(select(HarvestRun.status).order_by(HarvestRun.id)).all()
    assert runs == ["imported", "not_modified", "unchanged", "imported"]


def test_a_shortened_complete_feed_withdraws_and_never_deletes(session, feeds):
    lines = real(*ISO_FEED).read_bytes().decode().splitlines()
    source = add(session, feeds.set("/iso.jsonl", "\n".join(lines).encode()), complete=True)
    assert run(session, source)["created"] == 2
    kept = [line for line in lines if AMENDMENT not in line]
    assert len(kept) == 1
    feeds.set("/iso.jsonl", (kept[0] + "\n").encode())
    shortened = run(session, source)
    assert (shortened["status"], shortened["withdrawn"], shortened["unchanged"]) == (
        "imported", 1, 1)
    assert status_of(session, AMENDMENT) == "withdrawn"  # still there, marked
    assert status_of(session, REPORT) == "published"
    withdrawn = session.scalar(select(Standard).where(Standard.reference == AMENDMENT))
    change = session.scalars(select(Revision).where(
        Revision.entity == "standards", Revision.entity_id == withdrawn.id)
        .order_by(Revision.id.desc())).first()
    assert change.path == "harvest" and "ISO feed" in (change.summary or "")
    # Run again unchanged: nothing more is withdrawn, nothing comes back.
    feeds.set("/iso.jsonl", (kept[0] + "\n").encode(), validators=False)
    assert run(session, source)["status"] == "unchanged"
    assert status_of(session, AMENDMENT) == "withdrawn"


def test_a_partial_feed_withdraws_nothing(session, feeds):
    lines = real(*ISO_FEED).read_bytes().decode().splitlines()
    source = add(session, feeds.set("/iso.jsonl", "\n".join(lines).encode()))
    run(session, source)
    feeds.set("/iso.jsonl", (lines[0] + "\n").encode())
    assert run(session, source)["withdrawn"] == 0
    assert status_of(session, AMENDMENT) != "withdrawn"


def test_a_feed_with_rejected_records_withdraws_nothing(session, feeds):
    lines = real(*ISO_FEED).read_bytes().decode().splitlines()
    source = add(session, feeds.set("/iso.jsonl", "\n".join(lines).encode()), complete=True)
    run(session, source)
    # Cut mid-record, as a truncated file would be: the good record is kept, none withdrawn.
    feeds.set("/iso.jsonl", (lines[0] + "\n" + lines[1][:40]).encode())
    cut = run(session, source)
    assert (cut["status"], cut["rejected"], cut["withdrawn"]) == ("imported", 1, 0)
    assert "nothing was withdrawn" in cut["message"]
    assert status_of(session, AMENDMENT) != "withdrawn"


def test_a_transfer_that_breaks_leaves_the_previous_state(session, feeds):
    lines = real(*ISO_FEED).read_bytes()
    source = add(session, feeds.set("/iso.jsonl", lines), complete=True)
    run(session, source)
    before = session.scalars(select(Standard.checksum).order_by(Standard.id)).all()
    feeds.set("/iso.jsonl", lines.replace(b'"edition":1', b'"edition":3'), broken=True)
    broken = run(session, source)
    assert broken["status"] == "failed" and broken["job_status"] == "failed"
    assert "broke off" in broken["message"]
    session.expire_all()
    assert session.scalars(select(Standard.checksum).order_by(Standard.id)).all() == before
    # The next good fetch imports the change in full (validators were not remembered).
    feeds.set("/iso.jsonl", lines.replace(b'"edition":1', b'"edition":3'))
    assert run(session, source)["status"] == "imported"


@pytest.mark.parametrize("fmt, folder, name, options, kind_counts", [
    ("iso-open-data", "iso_open_data", "88821-88915.jsonl", {}, {"standards": 2}),
    ("itu", "itu", "itu-t_globalsearch_Y.3500.json", {}, {"standards": 20}),
    ("ieee", "ieee", "idams_05491847.xml", {}, {"standards": 1}),
    ("sts", "sts", "Samp1.xml", {}, {"standards": 1}),
    ("tbx", "tbx", "Example_Astronomy_DCA_VALID.tbx", {"body": "SAMPLE", "licence": "MIT"},
     {"definitions": 74}),
])
def test_each_real_format_harvests_then_is_not_modified(session, feeds, fmt, folder, name,
                                                        options, kind_counts):
    if options.get("body"):
        factories.load(session, factories.body(options["body"], kind="other"))
    source = add(session, feeds.set(f"/{name}", real(folder, name).read_bytes()), fmt=fmt,
                 **options)
    first = run(session, source)
    assert first["status"] == "imported" and first["rejected"] == 0, first
    assert first["created"] >= sum(kind_counts.values())
    assert run(session, source)["status"] == "not_modified"


def test_local_files_only_under_the_allowed_folders(app, session, tmp_path):
    feed = tmp_path / "feeds" / "iso.jsonl"
    feed.parent.mkdir()
    feed.write_bytes(real(*ISO_FEED).read_bytes())
    with pytest.raises(core.HarvestError, match="outside the folders"):
        add(session, str(feed))
    app.config["HARVEST_FILE_ROOTS"] = (str(feed.parent),)
    with pytest.raises(core.HarvestError, match="outside the folders"):
        add(session, str(feed.parent / ".." / ".." / "elsewhere.jsonl"), name="escape")
    source = add(session, f"file://{feed}")
    assert run(session, source)["created"] == 2
    assert run(session, source)["status"] == "unchanged"


@pytest.mark.parametrize("url, message", [
    ("ftp://example.org/feed.xml", "only http, https and local files"),
    ("gopher://example.org/", "only http, https and local files"),
    ("http:///nohost", "names no host"),
])
def test_other_schemes_are_refused_when_added(session, url, message):
    with pytest.raises(core.HarvestError, match=message):
        add(session, url)
    assert session.scalar(select(func.count()).select_from(HarvestSource)) == 0


def test_limits_on_size_and_redirects(app, session, feeds):
    lines = real(*ISO_FEED).read_bytes()
    app.config["HARVEST_MAX_BYTES"] = 100
    big = add(session, feeds.set("/big.jsonl", lines), name="big")
    assert "limit" in run(session, big)["message"]
    app.config["HARVEST_MAX_BYTES"] = 1 << 20
    feeds.set("/loop", b"", redirect_to=feeds.url + "/loop")
    loop = add(session, feeds.url + "/loop", name="loop")
    result = run(session, loop)
    assert result["status"] == "failed" and "redirect not followed" in result["message"]
    feeds.set("/to-file", b"", redirect_to="file:///etc/passwd")
    sneaky = add(session, feeds.url + "/to-file", name="sneaky")
    assert "redirect not followed" in run(session, sneaky)["message"]
    assert session.scalar(select(func.count()).select_from(Standard)) == 0


def test_one_run_per_source_at_a_time(session, feeds):
    source = add(session, feeds.set("/iso.jsonl", real(*ISO_FEED).read_bytes()))
    holder = Job(kind="harvest", status="running", label="another run", params={})
    session.add(holder)
    session.commit()
    assert core.lock(session, source.id, holder.id)
    blocked = jobs.start_harvest(policy.OPERATOR, source.id, source.name)
    session.expire_all()
    blocked = session.get(Job, blocked.id)
    assert blocked.status == "failed" and "being harvested by another job" in blocked.message
    # Once the holder is finished (or reaped), the lock is free again.
    holder.status = "done"
    session.commit()
    assert run(session, source)["status"] == "imported"


def test_due_sources_start_exactly_once(session, feeds):
    source = add(session, feeds.set("/iso.jsonl", real(*ISO_FEED).read_bytes()),
                 interval_hours=24)
    manual = add(session, feeds.url + "/iso.jsonl", name="manual", interval_hours=0)
    assert manual.next_run_at is None
    started = jobs.tick()["harvests"]
    assert len(started) == 1
    assert jobs.tick()["harvests"] == []  # not due again for a day
    session.expire_all()
    source = session.get(HarvestSource, source.id)
    assert source.next_run_at > utcnow() + timedelta(hours=23)
    assert session.get(Job, started[0]).report["created"] == 2
    # Two schedulers that read the same due source: one of them takes the turn.
    source.next_run_at = utcnow() - timedelta(minutes=1)
    session.commit()
    (source_id, _name, due_at, hours), = core.due(session)
    assert core.take_turn(session, source_id, due_at, hours) is True
    assert core.take_turn(session, source_id, due_at, hours) is False


def test_followers_of_the_body_see_what_a_harvest_withdrew(client, session, feeds):
    lines = real(*ISO_FEED).read_bytes().decode().splitlines()
    source = add(session, feeds.set("/iso.jsonl", "\n".join(lines).encode()), complete=True)
    run(session, source)
    reader = make_user(session, "panel", email="follower@example.org")
    sign_in(client, reader)
    iec = session.scalar(select(Body).where(Body.code == "IEC"))
    body_page = client.get("/bodies/IEC")
    assert "Follow" in body_page.text and "/feeds/bodies/IEC.atom" in body_page.text
    assert client.post(f"/follow/body/{iec.id}").status_code in (302, 303)
    feeds.set("/iso.jsonl", (lines[0] + "\n").encode())  # the IEC amendment is gone
    assert run(session, source)["withdrawn"] == 1
    followed = client.get("/followed").text
    assert f"Standard {AMENDMENT} updated (status)" in followed
    atom = client.get("/feeds/bodies/IEC.atom")
    assert atom.status_code == 200 and AMENDMENT in atom.text
