"""Jobs people follow (an upload's import, a harvest) and the harvest sources' pages."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from marshmallow import ValidationError

from app import jobs
from app.auth.guard import authorize, guarded
from app.extensions import db
from app.web import bp
from app.web.args import load_args
from importers import FORMATS
from importers.harvest import HarvestError, add_source
from registry.schemas.jobs import HarvestSourceIn, JobQuery
from registry.schemas.records import error_text
from registry.services import harvest
from registry.services import jobs as job_service
from registry.services.harvest import INTERVALS

REFRESH_SECONDS = 2  # how often a page of an unfinished job reloads itself


def _me():
    return current_user._get_current_object()


@bp.get("/jobs")
def jobs_list():
    authorize("job.read")
    args = load_args(JobQuery)
    page = job_service.listing(db.session, _me(), page=args["page"], per_page=args["per_page"],
                               status=args.get("status"))
    return render_template("jobs/list.html", page=page, args=args)


@bp.get("/jobs/<int:job_id>")
def job(job_id: int):
    authorize("job.read")
    row = job_service.get(db.session, _me(), job_id) or abort(
        404, description=gettext("There is no job %(id)s of yours.", id=job_id))
    view = jobs.job_out(row)
    source = None
    if row.kind == "harvest":
        source = harvest.find_source(db.session, row.params.get("source", 0))
    return render_template("jobs/detail.html", job=row, view=view, source=source,
                           refresh=None if row.finished else REFRESH_SECONDS)


@bp.post("/admin/search/reindex")
@guarded("search.rebuild")
def reindex():
    """Rebuild the search index from the database, as a job (whoosh builds a new folder and
    swaps it in: searches keep answering from the old one meanwhile)."""
    started = jobs.start(_me(), "reindex", {}, "Rebuild of the search index",
                         action="search.rebuild")
    return redirect(url_for("web.job", job_id=started.id), 303)


# -- harvest sources ---------------------------------------------------------------------------

def _sources_page(errors=None, values=None, status=200):
    items = harvest.sources(db.session)
    return render_template(
        "jobs/sources.html", sources=items,
        latest=harvest.latest_runs(db.session, [s.id for s in items]),
        formats=sorted(FORMATS), intervals=INTERVALS, errors=errors or [],
        values=values or {}), status


@bp.get("/admin/harvest")
def harvest_sources():
    authorize("harvest.manage")
    return _sources_page()


@bp.post("/admin/harvest")
@guarded("harvest.manage")
def harvest_add():
    values = request.form.to_dict()
    try:
        data = HarvestSourceIn().load({**values, "complete": "complete" in request.form,
                                       "enabled": "enabled" in request.form})
        source = add_source(db.session, _me(), jobs.limits(), name=data["name"],
                            fmt=data["format"], url=data["url"], body=data.get("body"),
                            licence=data.get("licence"), complete=data["complete"],
                            interval_hours=data["interval_hours"], enabled=data["enabled"])
    except ValidationError as exc:
        return _sources_page([error_text(exc.messages)], values, 400)
    except HarvestError as exc:
        return _sources_page([str(exc)], values, 400)
    flash(gettext("Added the harvest source %(name)s.", name=source.name), "success")
    return redirect(url_for("web.harvest_source", source_id=source.id), 303)


@bp.get("/admin/harvest/<int:source_id>")
def harvest_source(source_id: int):
    authorize("harvest.manage")
    source = harvest.find_source(db.session, source_id) or abort(
        404, description=gettext("There is no harvest source %(id)s.", id=source_id))
    return render_template("jobs/source.html", source=source, runs=source.runs.limit(50).all())


@bp.post("/admin/harvest/<int:source_id>/run")
@guarded("harvest.manage")
def harvest_run(source_id: int):
    source = harvest.find_source(db.session, source_id) or abort(
        404, description=gettext("There is no harvest source %(id)s.", id=source_id))
    started = jobs.start_harvest(_me(), source.id, source.name)
    return redirect(url_for("web.job", job_id=started.id), 303)
