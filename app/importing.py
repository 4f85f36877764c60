"""The one way the app runs an import, from the CLI, a page, the API or the demo loader."""

import secrets
import shutil
from pathlib import Path

from flask import current_app, has_request_context
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from app.extensions import sessions
from importers import FORMATS
from importers.pipeline import (
    ImportOptions,
    ImportReport,
    Source,
    run_import,
    screened,
)
from registry import policy
from registry.text import clean


class UnknownFormat(ValueError):
    pass


def run(fmt: str, path: str | Path, *, name: str = "", **options) -> ImportReport:
    """Import one file in ``fmt`` (a key of ``importers.FORMATS``)."""
    reader = FORMATS.get(fmt)
    if reader is None:
        raise UnknownFormat(f"unknown format {fmt!r}; known: {', '.join(sorted(FORMATS))}")
    # Who imports: the signed-in user in a request, the operator at the command line.
    options.setdefault("actor", current_user._get_current_object() if has_request_context()
                       else policy.OPERATOR)
    progress = options.pop("progress", None)
    screen = options.pop("screen", None)
    if screen is not None:
        reader = screened(reader, screen)
    source = Source(Path(path), name=name, progress=progress)
    return run_import(sessions(), fmt, reader, source, ImportOptions(**options))


class TooLarge(ValueError):
    """The uploaded file is over the import size limit (HTTP 413)."""


def upload_name(upload: FileStorage) -> str:
    """The uploader's file name as reports show it: no folder part, at most 200 characters
    (a 5,000-character name overflowed the column and the file system)."""
    return clean(Path((upload.filename or "").replace("\\", "/")).name)[:200] or "upload"


def queue_upload(actor, fmt: str, upload: FileStorage, *, origin: str, max_bytes: int,
                 **options):
    """Keep an uploaded file (web form or API) where a worker finds it (JOBS_DIR) and queue
    its import as a job, answering at once: reading the file is the job's work. The name shown
    in reports is the uploader's file name without any folder part."""
    from app import jobs

    if fmt not in FORMATS:
        raise UnknownFormat(f"unknown format {fmt!r}; known: {', '.join(sorted(FORMATS))}")
    policy.require(actor, "import.run", options.get("body"))
    folder = Path(current_app.config["JOBS_DIR"]) / f"upload-{secrets.token_hex(8)}"
    folder.mkdir(parents=True, mode=0o700)
    try:
        upload.save(folder / "upload", buffer_size=1 << 20)
        size = (folder / "upload").stat().st_size
        if size > max_bytes:
            raise TooLarge(f"The file is {size:,} bytes; imports are limited to {max_bytes:,}.")
        name = upload_name(upload)
        params = {"format": fmt, "name": name, "folder": str(folder), "origin": origin,
                  "max_bytes": max_bytes, **options}
        verb = "Dry run of" if options.get("dry_run") else "Import of"
        return jobs.start(actor, "import", params, f"{verb} {name} ({fmt})",
                          action="import.run", target=options.get("body"))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
