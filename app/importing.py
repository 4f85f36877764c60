"""The one way the app runs an import, from the CLI, a page, the API or the demo loader."""

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from app.extensions import sessions
from importers import FORMATS
from importers.pipeline import ImportOptions, ImportReport, Source, run_import

AfterWrite = Callable[[Session, set[int]], None]

# Work that must follow every write of definitions, whatever the path (import, review, demo):
# each hook gets the session and the ids of the concepts whose definitions changed, before commit.
AFTER_WRITE: list[AfterWrite] = []


def after_write_hooks() -> list[AfterWrite]:
    return list(AFTER_WRITE)


class UnknownFormat(ValueError):
    pass


def run(fmt: str, path: str | Path, *, name: str = "", **options) -> ImportReport:
    """Import one file in ``fmt`` (a key of ``importers.FORMATS``)."""
    reader = FORMATS.get(fmt)
    if reader is None:
        raise UnknownFormat(f"unknown format {fmt!r}; known: {', '.join(sorted(FORMATS))}")
    progress = options.pop("progress", None)
    options.setdefault("after_write", after_write_hooks())
    source = Source(Path(path), name=name, progress=progress)
    return run_import(sessions(), fmt, reader, source, ImportOptions(**options))
