"""The one way the app runs an import, from the CLI, a page, the API or the demo loader."""

import tempfile
from collections.abc import Callable
from pathlib import Path

from werkzeug.datastructures import FileStorage

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
from registry.text import clean

# A check on each raw record before validation: the reason to reject it, or None.
Screen = Callable[[str, dict], str | None]


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
    source = Source(Path(path), name=name, progress=progress)
    return run_import(sessions(), fmt, reader, source, ImportOptions(**options))


class TooLarge(ValueError):
    """The uploaded file is over the import size limit (HTTP 413)."""


def run_upload(fmt: str, upload: FileStorage, *, max_bytes: int, **options) -> ImportReport:
    """Import an uploaded file (web form or API) from a private temporary copy.

    The name shown in reports is the uploader's file name without any folder part.
    """
    if fmt not in FORMATS:
        raise UnknownFormat(f"unknown format {fmt!r}; known: {', '.join(sorted(FORMATS))}")
    name = clean(Path((upload.filename or "").replace("\\", "/")).name)[:200] or "upload"
    with tempfile.TemporaryDirectory(prefix="import-") as folder:
        path = Path(folder) / "upload"
        upload.save(path)
        size = path.stat().st_size
        if size > max_bytes:
            raise TooLarge(f"The file is {size:,} bytes; imports are limited to {max_bytes:,}.")
        return run(fmt, path, name=name, max_bytes=max_bytes, **options)
def _screened(reader: Reader, screen: Screen) -> Reader:
    """The reader, with records the screen refuses turned into rejections (submitted files)."""
    def read(source: Source, options: ImportOptions):
        for item in reader(source, options):
            if isinstance(item, Record) and (reason := screen(item.kind, item.data)):
                yield Rejected(item.location, reason)
            else:
                yield item

    return read
