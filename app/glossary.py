"""The glossary's place in the app: divergence follows every write, and a command recomputes it.

``registry.services.divergence.recompute`` joins ``app.importing.AFTER_WRITE`` here, so every
import (CLI, page, API, demo) and every approved submission recomputes the scores of the
concepts it touched, in the same transaction.
"""

import click
from flask import Flask
from flask.cli import AppGroup

from app import importing
from app.extensions import db
from registry.services import divergence

glossary_cli = AppGroup("glossary", help="The glossary: divergence scores.")


@glossary_cli.command("divergence")
def divergence_command() -> None:
    """Recompute the divergence of every concept (scores are otherwise kept up on write)."""
    with db.session.begin():
        n = divergence.recompute_all(db.session)
    click.echo(f"Recomputed the divergence of {n} concepts.")


def register(app: Flask) -> None:
    if divergence.recompute not in importing.AFTER_WRITE:
        importing.AFTER_WRITE.append(divergence.recompute)
    app.cli.add_command(glossary_cli)
