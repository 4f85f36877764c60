"""ISO Open Data: the deliverables file and the technical committees file.

ISO publishes both (https://www.iso.org/open-data.html, ODC-By 1.0) as JSON Lines and CSV; a
single record or a list of records as JSON is read too. Which of the two files this is comes
from its first record: deliverables carry ``deliverableType``/``currentStage``, committees do not.

Deliverable fields and their mapping:

=================  ===========================================================================
``reference``      reference, as ISO writes it (``ISO/IEC 19566-7:2022/Amd 1:2025``)
``deliverableType``  type (IS, TS, TR, PAS, Guide; others Other); ``supplementType`` Amd/Cor
                   wins (an amendment is typed Amd)
``currentStage``   harmonized stage code (``9092`` -> ``90.92``), and the status (see STATUS)
``publicationDate``  published; ``edition`` edition; ``icsCode`` ICS codes; ``languages``
``ownerCommittee`` committee (``ISO/TC 5/SC 2``)
``title``/``scope``  by language (``{"en": ..., "fr": ...}`` or CSV columns ``title.en``);
                   English (else the first) becomes the title and scope, all are kept
``replaces``/``replacedBy``  ISO project ids; resolved to references against the rows of the
                   same file (ISO's file is the whole catalogue); an id not in it is left out
``id``             source id, and the URL ``https://www.iso.org/standard/<id>.html``
=================  ===========================================================================

A row without a title (ISO leaves some out) takes its reference as title, so it is kept.
Bodies: ISO, plus IEC/IEEE/ITU-T named in the reference prefix (``ISO/IEC/IEEE 29119-1``).
"""

import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from importers.pipeline import Deferred, ImportOptions, Record, RefusedFile, Rejected, Source
from importers.textfiles import (
    csv_rows,
    first_text,
    html_text,
    json_document,
    json_lines,
    split_list,
)
from registry.services.bodies import KNOWN_BODIES
from registry.text import clean

SCOPE_LICENCE = "ODC-By 1.0: contains ISO Open Data, https://www.iso.org/open-data.html"
ISO_URL = "https://www.iso.org/standard/{}.html"
SNIFF_BYTES = 10 << 20  # a "{" file up to this size may be one JSON document, not JSON Lines
COMMITTEE_URL = "https://www.iso.org/committee/{}.html"

DOC_TYPES = {"IS": "IS", "TS": "TS", "TR": "TR", "PAS": "PAS", "GUIDE": "Guide"}
SUPPLEMENT_TYPES = {"AMD": "Amd", "COR": "Cor", "SUPPL": "Supplement"}


def status_for(stage: str, replaced: bool) -> str:
    """The registry status for a harmonized stage code ``SS.ss`` (ISO/IEC Directives, Part 1).

    00-10 preliminary and proposal: proposed; 20-50 and 60.00: under development; 60.60 and
    90 (review: confirmed, to be revised, to be amended): published; 95.99 withdrawn, or
    superseded when a newer deliverable replaces it; 95.20-95.92 (withdrawal under way) still
    published; any ``.98`` (project deleted) withdrawn.
    """
    main, sub = int(stage[:2]), int(stage[3:])
    if sub == 98:
        return "withdrawn"
    if main < 20:
        return "proposed"
    if main < 60 or (main == 60 and sub < 60):
        return "under_development"
    if main == 95 and sub == 99:
        return "superseded" if replaced else "withdrawn"
    return "published"


def read(source: Source, options: ImportOptions) -> Iterator[Record | Rejected]:
    rows = _row_reader(source)
    # First, light passes without progress reporting: what the file holds, and ISO id ->
    # reference for the relations.
    quiet = Source(source.path, source.name)
    first = next((item[1] for item in rows(quiet) if isinstance(item, tuple)), None)
    if first is None:  # only bad rows: report them; the pipeline refuses the file
        yield from rows(source)
        return
    kind = _kind_of(source, first)
    ids = {
        str(row["id"]).strip(): clean(row["reference"])
        for _, row in (item for item in rows(quiet) if isinstance(item, tuple))
        if row.get("id") not in (None, "") and isinstance(row.get("reference"), str)
    }
    items: Iterator = rows(source)
    if kind == "committees":
        # A few hundred rows: parents first (fewer "/"), so none is created empty and updated.
        items = iter(sorted(items, key=lambda i: _depth(i[1]) if isinstance(i, tuple) else 0))
    for item in items:
        if isinstance(item, Rejected):
            yield item
            continue
        location, row = item
        if kind == "committees":
            yield _mapped(_committee, row, location, ids)
        else:
            # A deliverable is mapped only if the registry did not last write it from the same
            # row (and the same references for its relations): an unchanged file re-imports
            # without mapping or validating anything.
            yield Deferred("standard", location, _digest(row, ids),
                           functools.partial(_mapped, _deliverable, row, location, ids))


MAPPING_VERSION = "1"  # change it when the mapping changes: every row is mapped again


def _digest(row: dict, ids: dict[str, str]) -> str:
    relations = [ids.get(str(t).strip()) for key in ("replaces", "replacedBy")
                 for t in split_list(row.get(key))] if row.get("replaces") or \
        row.get("replacedBy") else []
    canonical = json.dumps([MAPPING_VERSION, row, relations], sort_keys=True, default=str,
                           ensure_ascii=False)
    return hashlib.sha1(canonical.encode()).hexdigest()


def _mapped(mapper, row: dict, location: str, ids: dict[str, str]) -> Record | Rejected:
    try:
        return mapper(row, location, ids)
    except _Bad as exc:
        return Rejected(location, str(exc))


class _Bad(Exception):
    pass


def _depth(row: dict) -> int:
    reference = row.get("reference")
    return reference.count("/") if isinstance(reference, str) else 0


# -- reading --------------------------------------------------------------------------------

Rows = Iterator[tuple[str, dict] | Rejected]


def _row_reader(source: Source) -> Callable[[Source], Rows]:
    """How to read this file's rows (called once per pass): JSON, JSON Lines or CSV."""
    start = first_text(source)
    quiet = Source(source.path, source.name)
    if start.startswith("{"):
        # JSON Lines, unless the first line is not a record and the (small) file as a whole
        # is one JSON document, such as a single pretty-printed record.
        if isinstance(next(json_lines(quiet), None), tuple) or source.size > SNIFF_BYTES:
            return json_lines
        try:
            rows = _document_rows(quiet)
        except RefusedFile:
            return json_lines  # bad lines are then reported one by one
        return lambda _source: iter(rows)
    if start.startswith("["):
        rows = _document_rows(quiet)
        return lambda _source: iter(rows)
    return lambda src: csv_rows(src, ("reference",), "an ISO open data file")


def _document_rows(source: Source) -> list[tuple[str, dict] | Rejected]:
    data = json_document(source)
    items = data if isinstance(data, list) else [data]
    return [
        (f"{source.name}[{i}]", item)
        if isinstance(item, dict)
        else Rejected(f"{source.name}[{i}]", "each record must be a JSON object")
        for i, item in enumerate(items)
    ]


def _kind_of(source: Source, row: dict) -> str:
    keys = set(row)
    if "reference" not in keys:
        raise RefusedFile(f"{source.name}: not ISO open data: records have no 'reference'")
    if keys & {"deliverableType", "currentStage", "publicationDate"}:
        return "deliverables"
    if keys & {"secretariat", "parentId", "creationDate", "secretariat.acronym"}:
        return "committees"
    raise RefusedFile(
        f"{source.name}: not ISO open data: neither deliverables "
        "(deliverableType, currentStage) nor committees (secretariat, parentId)"
    )


# -- mapping --------------------------------------------------------------------------------


def _text(row: dict, key: str) -> str | None:
    """The cell as text, or None when blank; validation normalises it (once, for every
    importer), so it is not cleaned here as well."""
    value = row.get(key)
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value).strip() or None


def _by_language(row: dict, key: str) -> dict[str, str]:
    """``{"en": ..., "fr": ...}`` from a JSON object or from CSV columns ``key.en``."""
    value = row.get(key)
    found: dict[str, str] = {}
    if isinstance(value, dict):
        found = {lang: v for lang, v in value.items() if isinstance(v, str) and v.strip()}
    elif isinstance(value, str) and value.strip():
        found = {"en": value}
    for column, cell in row.items():
        if (
            isinstance(column, str)
            and column.startswith(key + ".")
            and isinstance(cell, str)
            and cell.strip()
        ):
            found[column[len(key) + 1 :]] = cell
    return found


def _pick(texts: dict[str, str]) -> str | None:
    return texts.get("en") or next(iter(texts.values()), None)


def _bodies(reference: str) -> list[str]:
    prefix = reference.split(None, 1)[0]
    parts = [p.upper() for p in prefix.split("/")]
    return sorted({"ISO"} | {p for p in parts if p in KNOWN_BODIES})


def _stage(value: Any) -> str | None:
    if value in (None, ""):
        return None
    digits = re.sub(r"\D", "", str(value))
    if len(digits) != 4:
        raise _Bad(f"currentStage: {value!r} is not a harmonized stage code like 6060")
    return f"{digits[:2]}.{digits[2:]}"


def _relations(row: dict, ids: dict[str, str]) -> list[dict[str, str]]:
    relations = []
    for key, kind in (("replaces", "replaces"), ("replacedBy", "replaced_by")):
        for target in split_list(row.get(key)):
            reference = ids.get(target.strip()) if target.strip().isdigit() else target
            if reference:
                relations.append({"type": kind, "reference": reference})
    return relations


def _deliverable(row: dict, location: str, ids: dict[str, str]) -> Record:
    reference = _text(row, "reference")
    if not reference:
        raise _Bad("reference: Missing data for required field.")
    stage = _stage(row.get("currentStage"))
    replaced_by = bool(split_list(row.get("replacedBy")))
    supplement = (_text(row, "supplementType") or "").upper()
    deliverable = (_text(row, "deliverableType") or "").upper()
    titles = _by_language(row, "title")
    scopes = {k: t for k, v in _by_language(row, "scope").items() if (t := html_text(v))}
    iso_id = _text(row, "id")
    edition = _text(row, "edition")
    data = {
        "reference": reference,
        "title": _pick(titles) or reference,
        "titles": titles,
        "bodies": _bodies(reference),
        "type": SUPPLEMENT_TYPES.get(supplement) or DOC_TYPES.get(deliverable, "Other"),
        "status": status_for(stage, replaced_by) if stage else "published",
        "stage": stage,
        "published": _text(row, "publicationDate"),
        "edition": edition,
        "committee": _text(row, "ownerCommittee"),
        "scope": _pick(scopes),
        "scopes": scopes,
        "ics": split_list(row.get("icsCode")),
        "languages": split_list(row.get("languages")),
        "relations": _relations(row, ids),
        "text_licence": SCOPE_LICENCE if scopes else None,
        "source_id": iso_id,
        "url": ISO_URL.format(iso_id) if iso_id and iso_id.isdigit() else None,
    }
    return Record("standard", data, location)


def _committee(row: dict, location: str, ids: dict[str, str]) -> Record:
    reference = _text(row, "reference")
    if not reference:
        raise _Bad("reference: Missing data for required field.")
    parent_id = _text(row, "parentId")
    iso_id = _text(row, "id")
    data = {
        "reference": reference,
        "title": _pick({k: clean(v) for k, v in _by_language(row, "title").items()}),
        "bodies": _bodies(reference),
        "parent": ids.get(parent_id) if parent_id else None,
        "source_id": iso_id,
        "url": COMMITTEE_URL.format(iso_id) if iso_id and iso_id.isdigit() else None,
    }
    return Record("committee", data, location)
