"""The glossary's command: recompute every divergence score (the write path keeps them up to
date on its own: ``registry.ingest`` recomputes the concepts each write touched)."""

import click
from flask import Flask
from flask.cli import AppGroup

from app.extensions import db
from registry import policy
from registry.services import divergence

glossary_cli = AppGroup("glossary", help="The glossary: divergence scores.")


@glossary_cli.command("divergence")
def divergence_command() -> None:
    """Recompute the divergence of every concept (scores are otherwise kept up on write)."""
    n = divergence.recompute_all(db.session, policy.OPERATOR)
    click.echo(f"Recomputed the divergence of {n} concepts.")


def register(app: Flask) -> None:
    app.cli.add_command(glossary_cli)
