"""Commands under ``flask --app wsgi``: demo, import, users (db comes from Flask-Migrate)."""

import json
import sys
import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select

from app import demo_build, importing, search
from app.extensions import db
from importers import FORMATS
from importers.pipeline import fail_abandoned_batches
from registry import policy
from registry.models import Body, Concept, Definition, DefinitionLink, Standard
from registry.models.tokens import TOKEN_SCOPES
from registry.models.vocab import BODY_KINDS, ROLES
from registry.services import tokens
from registry.services.bodies import BodyError, add_body
from registry.services.users import UserError, create_user, find_by_email

DEMO_DIR = demo_build.DEMO_DIR
# Loaded in this order: what a file refers to is loaded before it. standards.jsonl is built
# from app/demo/sources by `flask demo build` (app/demo_build.py).
DEMO_FILES = ("bodies.jsonl", "areas.jsonl", "committees.jsonl", "standards.jsonl",
              "glossary.jsonl")
# Then the published glossaries, as their publishers shape them (importers.glossary_sheet):
# each sheet with its citation table (<name>.citations.csv) and the one reviewed concept map.
GLOSSARY_DIR = DEMO_DIR / "sources" / "glossary"
CONCEPT_MAP = GLOSSARY_DIR / "concept-map.csv"
DEMO_SHEETS = ("nist-ai-100-3.csv", "eu-ai-act-article-3.csv", "nist-csrc-glossary.csv",
               "w3c-dpv-ai.csv", "w3c-dpv.csv")
# Then the links between their definitions (the registry's own format): read and typed one by
# one, and computed from the texts (SOURCES.md, section 10.6).
DEMO_LINKS = ("links-reviewed.jsonl", "links-computed.jsonl")

demo_cli = AppGroup("demo", help="The demo catalogue shipped with the registry.")
users_cli = AppGroup("users", help="Manage users.")
submissions_cli = AppGroup("submissions", help="Submissions waiting for review.")
bodies_cli = AppGroup("bodies", help="Standards bodies and other sources of definitions.")


def _progress_bar(path: Path, label: str):
    """A progress bar on a terminal, nothing otherwise."""
    if not sys.stderr.isatty():
        return None, None
    bar = click.progressbar(length=path.stat().st_size, label=label, file=sys.stderr)
    return bar, bar.update


def _counts() -> dict[str, int]:
    return {
        "bodies": db.session.scalar(select(func.count(Body.id))),
        "standards": db.session.scalar(select(func.count(Standard.id))),
        "concepts": db.session.scalar(select(func.count(Concept.id))),
        "definitions": db.session.scalar(select(func.count(Definition.id))),
        "links": db.session.scalar(select(func.count(DefinitionLink.id))),
    }


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the registry has standards.")
def demo_load(if_empty: bool) -> None:
    """Load the demo catalogue (idempotent: a second run changes nothing)."""
    if if_empty and db.session.scalar(select(func.count(Standard.id))):
        click.echo("The registry already has standards; demo not loaded.")
        return
    failed = False
    runs = [("registry", DEMO_DIR / name, {}) for name in DEMO_FILES]
    for name in DEMO_SHEETS:
        citations = GLOSSARY_DIR / f"{Path(name).stem}.citations.csv"
        runs.append(("glossary-sheet", GLOSSARY_DIR / name, {
            "citations": citations if citations.exists() else None,
            "concept_map": CONCEPT_MAP}))
    runs += [("registry", GLOSSARY_DIR / name, {}) for name in DEMO_LINKS]
    for fmt, path, options in runs:
        report = importing.run(fmt, path, origin="demo", **options)
        click.echo(report.summary())
        for problem in report.rejected:
            click.echo(f"  {problem['location']}: {problem['reason']}", err=True)
        failed = failed or report.exit_code != 0
    click.echo(", ".join(f"{k} {v}" for k, v in _counts().items()))
    _wait_for_index()  # a few hundred documents: the demo is searchable when this returns
    if failed:
        raise SystemExit(1)


@demo_cli.command("build")
@click.option("--check", is_flag=True, help="Only check that standards.jsonl is up to date.")
def demo_build_command(check: bool) -> None:
    """Build app/demo/standards.jsonl from app/demo/sources and tagging.csv."""
    try:
        if check:
            if not demo_build.up_to_date():
                raise click.ClickException("standards.jsonl is out of date: run flask demo build")
            click.echo("standards.jsonl is up to date.")
            return
        click.echo(f"standards.jsonl: {demo_build.write()} standards")
    except demo_build.BuildError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(sorted(FORMATS)))
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--body", help="Code of the source body, when the file does not say it.")
@click.option("--licence", help="Licence of definition texts, when the file does not say it.")
@click.option("--citations", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="glossary-sheet: CSV naming the body and document of each citation key.")
@click.option("--concept-map", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="glossary-sheet: reviewed CSV mapping the sheet's terms to concepts.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, writable=True),
              help="Write a JSON report of the run to this file.")
@click.option("--wait-index", is_flag=True,
              help="Apply the queued search index changes before returning (with progress).")
def import_command(fmt: str, paths: tuple[str, ...], body: str | None, licence: str | None,
                   citations: Path | None, concept_map: Path | None, dry_run: bool,
                   report_path: str | None, wait_index: bool) -> None:
    """Import files in FORMAT. Exit 0: all accepted; 1: some rejected; 2: a file refused."""
    with db.session.begin():
        fail_abandoned_batches(db.session)
    reports, exit_code = [], 0
    for path in paths:
        bar, progress = _progress_bar(Path(path), Path(path).name) if Path(path).is_file() \
            else (None, None)
        try:
            report = importing.run(fmt, path, body=body, licence=licence, dry_run=dry_run,
                                   progress=progress, citations=citations,
                                   concept_map=concept_map)
        finally:
            if bar is not None:
                bar.render_finish()
        click.echo(report.summary())
        for problem in report.rejected[:20]:
            click.echo(f"  rejected {problem['location']}: {problem['reason']}", err=True)
        if len(report.rejected) > 20:
            click.echo(f"  ... and {len(report.rejected) - 20} more (see --report)", err=True)
        for warning in report.warnings[:20]:
            click.echo(f"  warning {warning['location']}: {warning['key']}: "
                       f"{warning['message']}", err=True)
        if len(report.warnings) > 20:
            click.echo(f"  ... and {len(report.warnings) - 20} more warnings (see --report)",
                       err=True)
        reports.append(report)
        exit_code = max(exit_code, report.exit_code)
    if report_path:
        totals = {
            "created": sum(r.created for r in reports),
            "updated": sum(r.updated for r in reports),
            "unchanged": sum(r.unchanged for r in reports),
            "rejected": [p for r in reports for p in r.rejected],
            "warnings": [w for r in reports for w in r.warnings],
            "refused": [{"file": r.filename, "reason": r.refused} for r in reports if r.refused],
            "dry_run": dry_run,
            "files": [r.to_dict() for r in reports],
        }
        Path(report_path).write_text(json.dumps(totals, indent=2, ensure_ascii=False))
    if wait_index:
        _wait_for_index()
    elif queued := search.queued():
        click.echo(f"Search index: {queued:,} changes queued; the server's drainer applies them "
                   "(or run `search drain`, or import with --wait-index).")
    raise SystemExit(exit_code)


def _wait_for_index() -> None:
    """Apply the search outbox here, with a progress line (one updated line on a terminal)."""
    total = search.queued()
    if not total:
        return
    tty = sys.stderr.isatty()

    def progress(applied: int) -> None:
        if tty:
            click.echo(f"\rSearch index: {applied:,} of {total:,} queued changes applied",
                       nl=False, err=True)

    started = time.perf_counter()
    search.catch_up(progress)  # a missing index is built whole instead: count what left the queue
    applied = max(0, total - search.queued())
    seconds = time.perf_counter() - started
    if tty:
        click.echo("", err=True)
    click.echo(f"Search index: {applied:,} changes applied in {seconds:.1f} s "
               f"({applied / seconds if seconds else 0:,.0f}/s).")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--body", "body_code", help="The body a submitter speaks for.")
@click.option("--name", default="")
@click.password_option(help="Asked for when not given; REGISTRY_PASSWORD also works.",
                       envvar="REGISTRY_PASSWORD")
def users_create(email: str, role: str, body_code: str | None, name: str, password: str) -> None:
    """Create a user with a role (admin, panel, submitter)."""
    try:
        user = create_user(db.session, email=email, role=role, password=password,
                           body_code=body_code, name=name)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {user.role} {user.email}" + (f" for {body_code}" if body_code else ""))


@users_cli.command("token")
@click.argument("email")
@click.option("--scope", type=click.Choice(TOKEN_SCOPES), required=True)
@click.option("--name", default="command line", help="What the token is for.")
def users_token(email: str, scope: str, name: str) -> None:
    """Mint an API token for EMAIL and print it (once: only its hash is stored)."""
    user = find_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"no user with the email {email}")
    try:
        _, secret = tokens.create_token(db.session, user, scope=scope, name=name, path="cli")
    except tokens.TokenError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(secret)


@submissions_cli.command("clean-uploads")
@click.option("--min-age", default=60, show_default=True, type=click.IntRange(min=0),
              help="Minutes: younger files are kept, a submission may be in its dry run.")
def submissions_clean_uploads(min_age: int) -> None:
    """Remove stored uploads that no pending submission refers to (left after a crash)."""
    from app.submitting import orphan_uploads

    removed = size = 0
    for file in orphan_uploads(min_age * 60):
        length = file.stat().st_size
        file.unlink(missing_ok=True)
        click.echo(f"Removed {file} ({length:,} bytes)")
        removed, size = removed + 1, size + length
    click.echo(f"Removed {removed} file(s), {size:,} bytes.")


@bodies_cli.command("add")
@click.argument("code")
@click.option("--name", required=True, help="The body's own name.")
@click.option("--kind", required=True, type=click.Choice(BODY_KINDS))
@click.option("--country", help="ISO 3166 code of a national body (DE, JP ...).")
@click.option("--url", help="The body's website.")
def bodies_add(code: str, name: str, kind: str, country: str | None, url: str | None) -> None:
    """Add a body, so that files naming it can be imported."""
    record = {"code": code, "name": name, "kind": kind, "country": country, "url": url}
    try:
        body = add_body(db.session, policy.OPERATOR,
                        {k: v for k, v in record.items() if v is not None})
    except BodyError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"Added {body.code}: {body.name} ({body.kind}).")


def register(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(submissions_cli)
    app.cli.add_command(bodies_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(import_command)
