"""ITU-T (and ITU-R) Recommendation metadata: ITU's search JSON, and a plain CSV.

**Search JSON** (the response of ``/net4/ITU-T/search/GlobalSearch/RunSearch``): every entry of
``results`` whose collection is a sector's Recommendations. ``Title`` holds the reference and
the title, ``ITU-T Y.3172 (06/2019): Architectural framework for machine learning ...``; the
reference keeps ITU's approval date ``(MM/YYYY)``, which gives ``published`` to the month
(the first day of it, with ``published_precision`` "month": a more precise date the registry
holds is kept). The status letter of the Recommendation's identifier in its links
(``T-REC-Y.3172-201906-I``: I in force, P pre-published, S superseded, W withdrawn) gives the
status, and the identifier the URL ``https://www.itu.int/rec/T-REC-Y.3172-201906-I``. A twin
text (``ITU-T Y.3500 (08/2014) | ISO/IEC 17788: ...``) is an ``identical_to`` relation. ``Amd.``
and ``Suppl.`` entries are typed Amd and Supplement; an amendment without a title is titled by
its reference.

**CSV**, one Recommendation a row, header ``number,title,date,status,study_group`` (optional
``sector``, ``url``, ``scope``): ``Y.3172``, its title, the approval date (``2019-06``,
``2019-06-22`` or ``06/2019``), status (in force / published, superseded, withdrawn, draft /
under development), study group (``13`` or ``SG13``; the committee becomes ``ITU-T SG13``).
"""

import re
from collections.abc import Iterator
from datetime import date

from importers.pipeline import ImportOptions, Record, RefusedFile, Rejected, Source
from importers.textfiles import csv_rows, first_text, json_document, split_list
from registry.text import clean

REC_URL = "https://www.itu.int/rec/{}"
_TITLE = re.compile(
    r"^(?P<ref>ITU-(?P<sector>[TR])\s.+?\((?P<month>\d{2})/(?P<year>\d{4})\))"
    r"(?:\s*\|\s*(?P<twin>[^:]+))?(?::\s*(?P<title>.+))?$"
)
REC_ID = re.compile(r"\b(?P<id>[TR]-REC-[A-Z][A-Za-z0-9.]*-\d{6}-(?P<status>[A-Z]))\b")
# I in force, P pre-published (approved, final edition to come), S superseded, W withdrawn.
LETTER_STATUS = {"I": "published", "P": "published", "S": "superseded", "W": "withdrawn"}
CSV_STATUS = {
    "in force": "published",
    "published": "published",
    "superseded": "superseded",
    "withdrawn": "withdrawn",
    "draft": "under_development",
    "under development": "under_development",
    "proposed": "proposed",
}


class _Bad(Exception):
    pass


def read(source: Source, options: ImportOptions) -> Iterator[Record | Rejected]:
    start = first_text(source)
    if start.startswith(("{", "[")):
        yield from _search_results(source)
        return
    for item in csv_rows(
        source,
        ("number", "title", "date", "status"),
        "an ITU Recommendation CSV (number,title,date,status,study_group)",
    ):
        if isinstance(item, Rejected):
            yield item
            continue
        location, row = item
        try:
            yield Record("standard", _from_row(row), location)
        except _Bad as exc:
            yield Rejected(location, str(exc))


# -- the search JSON ------------------------------------------------------------------------


def _search_results(source: Source) -> Iterator[Record | Rejected]:
    data = json_document(source)
    results = data.get("results") if isinstance(data, dict) else data
    if not isinstance(results, list):
        raise RefusedFile(f"{source.name}: not an ITU search response: no 'results' list")
    for i, result in enumerate(results):
        location = f"{source.name}:results[{i}]"
        if not isinstance(result, dict):
            yield Rejected(location, "each result must be a JSON object")
            continue
        try:
            yield Record("standard", _from_result(result), location)
        except _Bad as exc:
            yield Rejected(location, str(exc))


def doc_type(reference: str) -> str:
    if re.search(r"\bAmd\.", reference):
        return "Amd"
    if re.search(r"\bCorr?\.", reference):
        return "Cor"
    if re.search(r"\bSuppl\.", reference):
        return "Supplement"
    return "Recommendation"


def _from_result(result: dict) -> dict:
    collection = result.get("Collection") if isinstance(result.get("Collection"), dict) else {}
    group = clean(str(collection.get("Group") or collection.get("Name") or ""))
    if "Recommendation" not in group:
        raise _Bad(f"not a Recommendation (collection {group or 'unknown'!r})")
    title_text = clean(str(result.get("Title") or ""))
    match = _TITLE.match(title_text)
    if not match:
        raise _Bad(f"Title: no ITU reference like 'ITU-T Y.3172 (06/2019)' in {title_text!r}")
    reference = clean(match["ref"])
    status, rec_id = "published", None
    for location in result.get("Locations") or []:
        href = location.get("RawHref") if isinstance(location, dict) else None
        found = REC_ID.search(str(href or ""))
        if found:
            rec_id, status = found["id"], LETTER_STATUS.get(found["status"], "published")
            break
    title = clean(match["title"] or "")
    if not title and doc_type(reference) != "Recommendation":
        title = reference
    if not title:
        raise _Bad("Title: no title after the reference")
    identifier = clean(str(result.get("Identifier") or ""))
    # A twin text: "ITU-T Y.3500 (08/2014) | ISO/IEC 17788" is one text of both bodies.
    twin = {"relations": [{"type": "identical_to", "reference": clean(match["twin"])}]} \
        if match["twin"] else {}
    return {
        "reference": reference,
        "title": title,
        "bodies": [f"ITU-{match['sector']}"],
        "type": doc_type(reference),
        "status": status,
        "published": date(int(match["year"]), int(match["month"]), 1).isoformat()
        if 1 <= int(match["month"]) <= 12
        else None,
        "published_precision": "month",
        "languages": [result["Language"]] if isinstance(result.get("Language"), str) else [],
        "url": REC_URL.format(rec_id) if rec_id else None,
        "source_id": identifier[:64] or None,
        **twin,
    }


# -- the plain CSV --------------------------------------------------------------------------


def _approval(value: str) -> tuple[int, int, int | None]:
    value = clean(value)
    for pattern in (r"(\d{4})-(\d{2})(?:-(\d{2}))?", r"(\d{2})/(\d{4})"):
        found = re.fullmatch(pattern, value)
        if found:
            if pattern.startswith(r"(\d{2})/"):
                return int(found[2]), int(found[1]), None
            return int(found[1]), int(found[2]), int(found[3]) if found[3] else None
    raise _Bad(f"date: {value!r} is not a date like 2019-06, 2019-06-22 or 06/2019")


def _from_row(row: dict[str, str]) -> dict:
    sector = clean(row.get("sector") or "T").upper().removeprefix("ITU-") or "T"
    if sector not in ("T", "R"):
        raise _Bad(f"sector: {sector!r} is not T or R")
    number = clean(row.get("number"))
    number = re.sub(rf"^ITU-{sector}\s+", "", number)
    if not number:
        raise _Bad("number: Missing data for required field.")
    year, month, day = _approval(row.get("date") or "")
    try:
        published = date(year, month, day or 1)
    except ValueError:
        raise _Bad(f"date: {row.get('date')!r} is not a valid date") from None
    status_text = clean(row.get("status")).lower()
    if status_text not in CSV_STATUS:
        raise _Bad(f"status: {row.get('status')!r} is not one of {', '.join(sorted(CSV_STATUS))}")
    group = clean(row.get("study_group")).upper().removeprefix("SG").strip()
    reference = f"ITU-{sector} {number} ({month:02d}/{year})"
    return {
        "reference": reference,
        "title": clean(row.get("title")),
        "bodies": [f"ITU-{sector}"],
        "type": doc_type(reference),
        "status": CSV_STATUS[status_text],
        "published": published.isoformat(),
        "published_precision": "day" if day else "month",
        "committee": f"ITU-{sector} SG{group}" if group else None,
        "scope": clean(row.get("scope")) or None,
        "url": clean(row.get("url")) or None,
        "keywords": split_list(row.get("keywords")),
    }
