"""The registry's CSV templates, for bodies without XML tooling: standards, or definitions.

Two templates (header rows ready to fill in: ``static/import-templates/standards.csv`` and
``definitions.csv``); which one a file follows is read from its header. UTF-8, comma-separated,
one record a row; list cells separate items with ``;`` (notes and examples, which are prose,
with ``|``). Columns not listed are ignored.

Standards (required: reference, title, bodies, type, status)::

    reference,title,bodies,type,status,stage,published,edition,committee,scope,url,ics,
    languages,keywords,areas,replaces,replaced_by,measurement_evaluation,socio_technical,
    human_rights_considered,text_licence

Definitions (required: term, language, text, source; body and licence unless ``--body`` /
``--licence`` give them for the whole file)::

    term,language,text,body,source,clause,licence,concept,admitted,deprecated,abbreviation,
    notes,examples,date,url,excerpt

Values are those of the registry's exchange records (``registry/schemas/records.py``): type
IS/TS/TR/PAS/Guide/Amd/Cor/Recommendation/Supplement/Std/RP/EN/CWA/Framework/Other, status
proposed/under_development/published/withdrawn/superseded, dates ``YYYY-MM-DD``, yes/no flags.
"""

from collections.abc import Iterator

from importers.pipeline import ImportOptions, Record, RefusedFile, Rejected, Source
from importers.textfiles import csv_rows, split_list
from registry.text import clean

STANDARD_COLUMNS = (
    "reference",
    "title",
    "bodies",
    "type",
    "status",
    "stage",
    "published",
    "edition",
    "committee",
    "scope",
    "url",
    "ics",
    "languages",
    "keywords",
    "areas",
    "replaces",
    "replaced_by",
    "measurement_evaluation",
    "socio_technical",
    "human_rights_considered",
    "text_licence",
)
DEFINITION_COLUMNS = (
    "term",
    "language",
    "text",
    "body",
    "source",
    "clause",
    "licence",
    "concept",
    "admitted",
    "deprecated",
    "abbreviation",
    "notes",
    "examples",
    "date",
    "url",
    "excerpt",
)
_LISTS = ("bodies", "ics", "languages", "keywords", "areas")
_FLAGS = ("measurement_evaluation", "socio_technical", "human_rights_considered", "excerpt")
_YES, _NO = {"yes", "y", "true", "1", "x"}, {"no", "n", "false", "0", ""}


def read(source: Source, options: ImportOptions) -> Iterator[Record | Rejected]:
    with source.path.open("rb") as fh:
        head = fh.readline(64 * 1024).decode("utf-8-sig", errors="replace")
    columns = {clean(c) for c in head.split(",")}
    if {"reference", "title"} <= columns:
        required, kind, mapper = (
            ("reference", "title", "bodies", "type", "status"),
            "standard",
            _standard,
        )
    elif {"term", "text"} <= columns:
        required, kind, mapper = ("term", "language", "text", "source"), "definition", _definition
    else:
        raise RefusedFile(
            f"{source.name}: not a registry CSV template: the header needs "
            "reference,title,... (standards) or term,language,text,... "
            "(definitions)"
        )
    for item in csv_rows(source, required, f"a {kind} CSV template"):
        if isinstance(item, Rejected):
            yield item
            continue
        location, row = item
        if kind == "definition" and not clean(row.get("term")):
            yield Rejected(location, "term: Missing data for required field.")
            continue
        yield Record(kind, mapper(row, options), location)


def _prose_list(value: str | None) -> list[str]:
    return [clean(part) for part in (value or "").split("|") if clean(part)]


def _flag(value: str | None) -> bool | str:
    text = clean(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    return text  # the schema rejects it with its own message


def _cells(row: dict[str, str], columns: tuple[str, ...]) -> dict:
    data: dict = {}
    for column in columns:
        value = row.get(column)
        if column in _FLAGS:
            data[column] = _flag(value)
        elif column in _LISTS:
            data[column] = split_list(value)
        else:
            data[column] = clean(value) or None
    return data


def _standard(row: dict[str, str], options: ImportOptions) -> dict:
    data = _cells(row, STANDARD_COLUMNS)
    if not data["bodies"] and options.body:
        data["bodies"] = [options.body]
    data["relations"] = [
        {"type": kind, "reference": reference}
        for kind in ("replaces", "replaced_by")
        for reference in split_list(data.pop(kind))
    ]
    return data


def _definition(row: dict[str, str], options: ImportOptions) -> dict:
    data = _cells(row, DEFINITION_COLUMNS)
    designations = [{"term": data.pop("term"), "type": "preferred"}] if data["term"] else []
    for kind in ("admitted", "deprecated", "abbreviation"):
        designations += [{"term": t, "type": kind} for t in split_list(data.pop(kind))]
    data["designations"] = designations
    # Notes and examples are prose and may hold ";": only "|" separates them.
    data["notes"] = _prose_list(data["notes"])
    data["examples"] = _prose_list(data["examples"])
    data["body"] = data["body"] or options.body
    data["licence"] = data["licence"] or options.licence
    return data
