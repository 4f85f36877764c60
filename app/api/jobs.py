"""Jobs and harvest sources over the API: follow a job; register, list and run sources."""

from flask import abort, current_app, url_for
from flask_login import current_user

from app import jobs
from app.api import ApiBlueprint
from app.api.submissions import BEARER, write_limit
from app.auth.guard import authorize, guarded
from app.extensions import db
from importers.harvest import HarvestError, add_source
from registry.schemas.api import page_schema
from registry.schemas.jobs import (
    HarvestSourceDetailOut,
    HarvestSourceIn,
    HarvestSourceOut,
    JobOut,
    JobQuery,
)
from registry.services import harvest
from registry.services import jobs as job_service

blp = ApiBlueprint("jobs_api", __name__, url_prefix="/api/v1",
                   description="Background jobs, and the sources harvested on a schedule")

JobPage = page_schema(JobOut, "JobPage")


def _me():
    return current_user._get_current_object()


@blp.get("/jobs")
@blp.arguments(JobQuery, location="query", as_kwargs=True)
@blp.response(200, JobPage)
@blp.alt_response(401, description="Not signed in")
def list_jobs(**args):
    """Jobs, newest first: one's own, or every job for administrators."""
    authorize("job.read")
    page = job_service.listing(db.session, _me(), page=args["page"],
                               per_page=args["per_page"], status=args.get("status"))
    return {"items": [jobs.job_out(j) for j in page.items], "total": page.total,
            "page": page.page, "per_page": page.per_page}


@blp.get("/jobs/<int:job_id>")
@blp.response(200, JobOut)
@blp.alt_response(401, description="Not signed in")
@blp.alt_response(404, description="No such job (or not yours)")
def get_job(job_id: int):
    """One job: queued, running (with its progress), done (with its report) or failed (with
    the reason)."""
    authorize("job.read")
    job = job_service.get(db.session, _me(), job_id) or abort(
        404, description=f"There is no job {job_id} of yours.")
    return jobs.job_out(job)


@blp.get("/harvest/sources")
@blp.response(200, HarvestSourceOut(many=True))
@blp.alt_response(403, description="Not an administrator")
def list_sources():
    """Every harvest source."""
    authorize("harvest.manage")
    return harvest.sources(db.session)


@blp.post("/harvest/sources")
@write_limit
@guarded("harvest.manage")
@blp.arguments(HarvestSourceIn)
@blp.response(201, HarvestSourceOut)
@blp.alt_response(400, description="Invalid source: the message names the field")
@blp.alt_response(403, description="Not an administrator")
@blp.doc(security=BEARER)
def create_source(data):
    """Register a source: a feed of a body's standards fetched on a schedule."""
    try:
        source = add_source(db.session, _me(), jobs.limits(), name=data["name"],
                            fmt=data["format"], url=data["url"], body=data.get("body"),
                            licence=data.get("licence"), complete=data["complete"],
                            interval_hours=data["interval_hours"], enabled=data["enabled"])
    except HarvestError as exc:
        abort(400, description=str(exc))
    return source, 201, {"Location": url_for("jobs_api.get_source", source_id=source.id)}


@blp.get("/harvest/sources/<int:source_id>")
@blp.response(200, HarvestSourceDetailOut)
@blp.alt_response(404, description="No such source")
def get_source(source_id: int):
    """One source with its latest runs (new, updated, unchanged, withdrawn, rejected)."""
    authorize("harvest.manage")
    return harvest.find_source(db.session, source_id) or abort(
        404, description=f"There is no harvest source {source_id}.")


@blp.post("/harvest/sources/<int:source_id>/runs")
@write_limit
@guarded("harvest.manage")
@blp.response(202, JobOut, description="Queued: follow the job at the Location given")
@blp.alt_response(404, description="No such source")
@blp.doc(security=BEARER)
def run_source(source_id: int):
    """Harvest the source now, as a job."""
    source = harvest.find_source(db.session, source_id) or abort(
        404, description=f"There is no harvest source {source_id}.")
    job = jobs.start_harvest(_me(), source.id, source.name)
    current_app.logger.info("harvest of %s queued as job %s", source.name, job.id)
    return jobs.job_out(job), 202, {"Location": url_for("jobs_api.get_job", job_id=job.id)}
