"""The one way the app runs an import, from the CLI, a page, the API or the demo loader."""

from pathlib import Path

from app.extensions import sessions
from importers import FORMATS
from importers.pipeline import ImportOptions, ImportReport, Source, run_import


class UnknownFormat(ValueError):
    pass


def run(fmt: str, path: str | Path, *, name: str = "", **options) -> ImportReport:
    """Import one file in ``fmt`` (a key of ``importers.FORMATS``)."""
    reader = FORMATS.get(fmt)
    if reader is None:
        raise UnknownFormat(f"unknown format {fmt!r}; known: {', '.join(sorted(FORMATS))}")
    progress = options.pop("progress", None)
    source = Source(Path(path), name=name, progress=progress)
    return run_import(sessions(), fmt, reader, source, ImportOptions(**options))
