"""The glossary's command: recompute every divergence score (the write path keeps them up to
date on its own: ``registry.ingest`` recomputes the concepts each write touched)."""

import click
from flask import Flask
from flask.cli import AppGroup

from app.extensions import db
from registry import policy
from registry.services import divergence, excerpts

glossary_cli = AppGroup("glossary", help="The glossary: divergence scores, licences.")


@glossary_cli.command("divergence")
def divergence_command() -> None:
    """Recompute the divergence of every concept (scores are otherwise kept up on write)."""
    n = divergence.recompute_all(db.session, policy.OPERATOR)
    click.echo(f"Recomputed the divergence of {n} concepts.")


@glossary_cli.command("licences")
@click.option("--apply", is_flag=True, help="Cut the texts (otherwise only list them).")
def licences_command(apply: bool) -> None:
    """List the definitions stored in full that the licence rule does not allow; with --apply,
    cut them to excerpts (every revision, audited)."""
    found = (excerpts.cut_to_excerpts(db.session, policy.OPERATOR) if apply
             else excerpts.full_texts_not_allowed(db.session))
    for d in found:
        click.echo(f"definition {d.id} ({d.body.code}, {d.citation or d.term}): {d.licence}")
    verb = "Cut" if apply else "Would cut (run with --apply)"
    click.echo(f"{verb}: {len(found)} full texts to excerpts.")


def register(app: Flask) -> None:
    app.cli.add_command(glossary_cli)
