"""Importers: one module per source format, every one yielding the same exchange records.

``FORMATS`` maps the name used on the command line and in the API to the module's reader.
"""

from collections.abc import Iterator

from sqlalchemy.orm import Session

from importers import (
    csv_template,
    glossary_sheet,
    ieee,
    iso_open_data,
    itu,
    registry_jsonl,
    relaton,
    skos,
    sts,
    tbx,
)
from importers.pipeline import (
    Deferred,
    ImportOptions,
    Reader,
    Record,
    Rejected,
    Source,
    screened,
)
from registry.models import Submission
from registry.services.submissions import import_screen

FORMATS: dict[str, Reader] = {
    "registry": registry_jsonl.read,
    "iso-open-data": iso_open_data.read,
    "ieee": ieee.read,
    "itu": itu.read,
    "relaton": relaton.read,
    "csv": csv_template.read,
    "sts": sts.read,
    "tbx": tbx.read,
    "skos": skos.read,
    "glossary-sheet": glossary_sheet.read,
}


def read_submission(session: Session, submission: Submission) -> Iterator[Record | Deferred |
                                                                           Rejected]:
    """The records of a file submitted for review, screened (the submitting body's own
    standards and definitions only): what ``registry.services.submissions.approve`` imports."""
    body = submission.body.code
    options = ImportOptions(body=body, licence=(submission.payload or {}).get("licence"))
    reader = screened(FORMATS[submission.format], import_screen(session, body))
    source = Source(submission.upload_path, name=submission.upload_name or "upload")
    return reader(source, options)
