"""The one way the app runs an import, from the CLI, a page, the API or the demo loader."""

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from app.extensions import sessions
from importers import FORMATS
from importers.pipeline import (
    ImportOptions,
    ImportReport,
    Reader,
    Record,
    Rejected,
    Source,
    run_import,
)

AfterWrite = Callable[[Session, set[int]], None]
# A check on each raw record before validation: the reason to reject it, or None.
Screen = Callable[[str, dict], str | None]

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
    screen = options.pop("screen", None)
    if screen is not None:
        reader = _screened(reader, screen)
    options.setdefault("after_write", after_write_hooks())
    source = Source(Path(path), name=name, progress=progress)
    return run_import(sessions(), fmt, reader, source, ImportOptions(**options))


def _screened(reader: Reader, screen: Screen) -> Reader:
    """The reader, with records the screen refuses turned into rejections (submitted files)."""
    def read(source: Source, options: ImportOptions):
        for item in reader(source, options):
            if isinstance(item, Record) and (reason := screen(item.kind, item.data)):
                yield Rejected(item.location, reason)
            else:
                yield item

    return read
