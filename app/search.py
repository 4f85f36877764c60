"""Search in the app: one SearchService per app, drained after commits, and its commands.

Commands: ``flask --app wsgi search drain | reindex | check``.
"""

import time

import click
from flask import Flask, current_app, has_app_context, has_request_context, url_for
from flask.cli import AppGroup
from sqlalchemy import event, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.extensions import db, sessions
from registry.models import SearchOutbox
from registry.search import BACKENDS, make_backend
from registry.search.base import Hit, Results, SearchRequest
from registry.search.outbox import DIRTY
from registry.search.service import SearchService


def search_limit() -> str:
    """Searches a client (one address) may run, on the page and the API alike
    (SEARCH_RATE_LIMIT, 120 a minute): with the deadline, what one client can take of the
    workers is bounded."""
    return current_app.config["SEARCH_RATE_LIMIT"]


search_cli = AppGroup("search", help="The search index: drain the outbox, rebuild, check.")


def service() -> SearchService:
    """The app's search service, created on first use (the engine exists by then)."""
    app = current_app._get_current_object()
    svc = app.extensions.get("search")
    if svc is None:
        backend = make_backend(
            app.config["SEARCH_BACKEND"],
            index_dir=app.config["SEARCH_INDEX_DIR"],
            dialect=db.engine.dialect.name,
        )
        # Off the writers' path: a background thread per process applies the outbox (request
        # threads never hold a whoosh writer, imports return once they commit). Tests drain
        # in the committing thread, so what they wrote is searchable at once.
        mode = app.config.get("SEARCH_DRAIN") or ("inline" if app.testing else "thread")
        svc = SearchService(backend, sessions(), mode=mode)
        app.extensions["search"] = svc
    return svc


def run(args: dict) -> Results:
    """Search with validated arguments (registry.schemas.search.SearchArgs)."""
    request = SearchRequest(
        q=args.get("q") or "",
        kinds=tuple(filter(None, [args.get("kind")])),
        bodies=tuple(filter(None, [args.get("body")])),
        langs=tuple(filter(None, [args.get("lang")])),
        statuses=tuple(filter(None, [args.get("status")])),
        areas=tuple(filter(None, [args.get("area")])),
        page=args.get("page", 1),
        per_page=args.get("per_page", 20),
    )
    return service().search(db.session, request)


def hit_url(hit: Hit) -> str:
    if hit.kind == "standard":
        return url_for("web.standard", standard_id=hit.id)
    if hit.kind == "concept":
        return url_for("web.concept", slug=hit.slug)
    return url_for("web.concept", slug=hit.slug, _anchor=f"def-{hit.id}")


def matching_ids(q: str | None, kind: str) -> list[int] | None:
    """Ids of standards or concepts matching ``q`` (best first) for the lists' text filter;
    None when there is no text to match, so the list is not restricted."""
    if not (q or "").strip():
        return None
    if kind == "standard":
        return [i for _, i, _ in service().ids(db.session, q, ("standard",))]
    hits = service().ids(db.session, q, ("concept", "definition"))
    return list(dict.fromkeys(c for _, _, c in hits if c is not None))


@event.listens_for(Session, "after_commit")
def _drain_after_commit(session: Session) -> None:
    if not (session.info.pop(DIRTY, False) and has_app_context()):
        return
    svc = service()
    if has_request_context() or svc.mode == "inline":
        svc.after_commit()
    # A command or a script in thread mode returns once it has committed: the rows wait for
    # the server's drainer, `search drain`, or `import --wait-index`.


def catch_up(progress=None) -> int:
    """Apply every queued change now (``progress`` is told the running count)."""
    return service().backend.drain(service().sessions, progress)


def queued() -> int:
    with service().sessions() as session:
        return session.scalar(select(func.count(SearchOutbox.id))) or 0


@search_cli.command("drain")
def drain() -> None:
    """Apply the queued changes (the outbox) to the index."""
    click.echo(f"Applied {service().drain()} queued changes.")


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild the whole index from the database (whoosh: into a new folder, then swap)."""
    started = time.perf_counter()
    try:
        count = service().reindex()
    except OSError as exc:  # a full or read-only disk: say so, without a traceback
        raise click.ClickException(
            f"The search index could not be written in {current_app.config['SEARCH_INDEX_DIR']}"
            f": {exc.strerror or exc}. The database is unchanged and the previous index (if "
            "any) is still served; free space and run `search reindex` again.") from exc
    elapsed = time.perf_counter() - started
    click.echo(
        f"Indexed {count} documents in {elapsed:.1f} s "
        f"({count / elapsed if elapsed else 0:.0f} documents/s)."
    )


@search_cli.command("check")
@click.option("--limit", default=50, show_default=True, help="How many keys to list per kind.")
def check(limit: int) -> None:
    """Compare the index with the database; exit 1 listing the differences."""
    try:
        report = service().check()
    except DBAPIError:
        raise
    except Exception as exc:  # a missing or damaged index is the finding itself
        click.echo(f"The search index cannot be read: {type(exc).__name__}: {exc}", err=True)
        click.echo("Run `flask --app wsgi search reindex` to rebuild it.", err=True)
        raise SystemExit(1) from exc
    click.echo(
        f"{report.expected} public entries, {report.indexed} indexed, "
        f"{report.pending} queued changes."
    )
    for label, keys in (
        ("missing from the index", report.missing),
        ("in the index but not public", report.extra),
        ("indexed with outdated content", report.stale),
    ):
        if keys:
            click.echo(
                f"{len(keys)} {label}: {', '.join(keys[:limit])}"
                + (" ..." if len(keys) > limit else "")
            )
    if not report.ok:
        click.echo(
            "The index disagrees with the database: run `flask --app wsgi search reindex`.",
            err=True,
        )
        raise SystemExit(1)
    click.echo("The index matches the database.")


def _start_drainer() -> None:
    """The first request of a process starts its drainer (later requests find it running)."""
    svc = service()
    if svc.mode == "thread":
        svc.start()


def register(app: Flask) -> None:
    app.before_request(_start_drainer)
    # A wrong setting fails at start, with the reason, not on the first search.
    name, url = app.config["SEARCH_BACKEND"], app.config["SQLALCHEMY_DATABASE_URI"]
    if name not in BACKENDS:
        raise RuntimeError(f"SEARCH_BACKEND={name!r}: choose one of {', '.join(BACKENDS)}")
    if name == "postgres" and not url.startswith("postgresql"):
        raise RuntimeError("SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL")
    app.cli.add_command(search_cli)
