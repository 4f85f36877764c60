"""Glossaries shaped like NIST AI 100-3's spreadsheet (CSV or XLSX).

NIST's "The Language of Trustworthy AI: An In-Depth Glossary of Terms" is a sheet with one
row per term: ``Term`` (or ``Terms``), ``Definition 1`` .. ``Definition n`` each with its
``Citation 1`` .. ``Citation n``, ``Related terms`` and ``Legal definition`` (with an optional
``Legal citation``). Optional columns: ``Language`` (default ``en``), ``Concept`` (a slug),
``URL`` and ``Date`` (the row's link and date, for definitions whose citation gives none).
Columns are matched without regard to case, spaces or underscores.

Each cited definition belongs to the body and document it cites, not to the sheet's
publisher: a definition NIST quotes from ISO/IEC TS 5723 is ISO/IEC's, under ISO/IEC's
licence (an excerpt). A citation is resolved, in this order:

1. in the citation table (``--citations``, a CSV: ``citation, body, source, clause, date, url,
   licence, note``), which names what a sheet's short citation keys stand for;
2. ``X, citing Y``: Y is resolved and the note says it was quoted in X;
3. by its shape: ``ISO/IEC TS 5723:2022``, ``ISO/IEC 22989:2022 3.1.4``, ``IEEE 7000-2021``,
   ``ITU-T Y.3172``, ``NIST AI 100-1 3.2``, ``Regulation (EU) 2024/1689, Article 3(1)``:
   body, document and clause (``CNSSI 4009-2015; NIST SP 800-53 Rev. 5``: the first, with a
   note naming the others), completed by the table's entry for that document, if any;
4. otherwise the definition is rejected with its cell, and the rest of the row is kept.

The concept a row's definitions go to is the reviewed mapping's (``--concept-map``, a CSV:
``sheet, term, concept, basis``; ``sheet`` is the file's name without extension), else the
``Concept`` cell, else the slug of the term. Merging a term into another source's concept
is an editorial decision the mapping records with its basis, never a string match alone.
Related terms become ``related`` concept relations; the licence of each definition decides
whether its full text is kept (``importers.licences``).
"""

import csv
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from importers.pipeline import ImportOptions, Record, RefusedFile, Rejected, Source
from importers.textfiles import csv_rows, split_list
from registry.licences import apply_licence
from registry.text import clean, slugify, term_key

ISO_LICENCE = "© ISO/IEC; short excerpt quoted for identification; full text at ISO OBP"
IEC_LICENCE = "© IEC; short excerpt quoted for identification; full text from IEC"
IEEE_LICENCE = "© IEEE; short excerpt quoted for identification; full text from IEEE"
ITU_LICENCE = "© ITU; short excerpt quoted for identification; full text from ITU"
NIST_LICENCE = "Public domain: work of the US Government (17 U.S.C. 105)"
EU_LICENCE = ("© European Union, reuse authorised (Commission Decision 2011/833/EU); "
              "source EUR-Lex")

MAX_XLSX_PART = 64 << 20  # one uncompressed part of a workbook (a zip bomb stops here)
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _column_key(name: str) -> str:
    return re.sub(r"[\s_]+", "", clean(name).lower())


@dataclass(frozen=True)
class Cited:
    """What a citation resolves to."""

    body: str
    source: str
    clause: str | None = None
    date: str | None = None
    url: str | None = None
    licence: str | None = None
    note: str | None = None


# --- citations -------------------------------------------------------------------------------

_CITING = re.compile(r"^(?P<by>.+?),?\s+citi\w*\s+(?P<cited>.+)$", re.IGNORECASE)
_SHAPES = (
    # body, pattern of the document reference; what follows it is the clause
    ("ISO", re.compile(r"^(?P<doc>ISO/IEC/IEEE\s+\d[\w.-]*(?::\d{4})?)")),
    ("ISO", re.compile(r"^(?P<doc>ISO/IEC\s+(?:TS\s+|TR\s+|PAS\s+|Guide\s+)?\d[\w.-]*"
                       r"(?::\d{4})?)")),
    ("ISO", re.compile(r"^(?P<doc>ISO\s+(?:TS\s+|TR\s+|PAS\s+)?\d[\w.-]*(?::\d{4})?)")),
    ("IEC", re.compile(r"^(?P<doc>IEC\s+(?:TS\s+|TR\s+)?\d[\w.-]*(?::\d{4})?)")),
    ("IEEE", re.compile(r"^(?P<doc>IEEE\s+(?:Std\s+)?P?\d[\w.]*(?:-\d{4})?)")),
    ("ITU-T", re.compile(r"^(?P<doc>ITU-T\s+[A-Z]\.\d[\w.]*(?:\s+\(\d\d/\d{4}\))?)")),
    ("NIST", re.compile(r"^(?P<doc>(?:NIST\s+(?:AI|SP|IR|CSWP)|NISTIR|FIPS)\s+\d[\w.-]*"
                        r"(?:\s+(?:Vol\.|Part|Rev\.|Version)\s*[\w.]+)*)")),
    ("CNSS", re.compile(r"^(?P<doc>CNSSI\s+(?:No\.\s*)?\d[\w.-]*)")),
    ("EU", re.compile(r"^(?P<doc>(?:Regulation|Directive)\s+\(EU\)\s+(?:No\s+)?\d{2,4}/\d+)")),
)
_DEFAULT_LICENCE = {"ISO": ISO_LICENCE, "IEC": IEC_LICENCE, "IEEE": IEEE_LICENCE,
                    "ITU-T": ITU_LICENCE, "NIST": NIST_LICENCE, "CNSS": NIST_LICENCE,
                    "EU": EU_LICENCE}


def parse_citation(text: str) -> Cited | None:
    """Body, document and clause of a citation shaped like a reference, or None.

    NIST's keys write spaces as underscores and add the language (``ISO/IEC_TS_5723:2022(en)``);
    both are undone first.
    """
    first, *others = [clean(part) for part in text.split(";") if clean(part)] or [""]
    value = clean(first.replace("_", " "))
    value = re.sub(r"\((?:en|fr|es)\)", "", value).strip()
    also = f"The citation also names: {'; '.join(others)}." if others else None
    for body, pattern in _SHAPES:
        match = pattern.match(value)
        if match:
            doc = clean(match.group("doc"))
            rest = value[match.end():].strip(" ,;:")
            rest = re.sub(r"^(?:clause|cl\.|section|§)\s*", "", rest, flags=re.IGNORECASE)
            clause = rest if rest and len(rest) <= 64 else None
            return Cited(body, doc, clause, licence=_DEFAULT_LICENCE.get(body), note=also)
    return None


def load_citations(path: Path | None) -> dict[str, Cited]:
    if path is None:
        return {}
    table: dict[str, Cited] = {}
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            key = clean(row.get("citation"))
            if not key or not clean(row.get("body")) or not clean(row.get("source")):
                continue
            table[key] = Cited(*(clean(row.get(c)) or None for c in (
                "body", "source", "clause", "date", "url", "licence", "note")))
    return table


def load_concept_map(path: Path | None) -> dict[tuple[str, str], str]:
    if path is None:
        return {}
    mapping: dict[tuple[str, str], str] = {}
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            sheet, term, concept = (clean(row.get(c)) for c in ("sheet", "term", "concept"))
            if sheet and term and concept:
                mapping[(sheet, term_key(term))] = concept
    return mapping


def resolve(citation: str, table: dict[str, Cited]) -> Cited | None:
    citation = clean(citation)
    if citation in table:
        return table[citation]
    match = _CITING.match(citation)
    if match:
        inner = resolve(match.group("cited"), table)
        if inner is not None:
            quoted = f"Quoted in {clean(match.group('by'))}."
            note = f"{inner.note} {quoted}" if inner.note else quoted
            return Cited(inner.body, inner.source, inner.clause, inner.date, inner.url,
                         inner.licence, note)
    cited = parse_citation(citation)
    known = table.get(cited.source) if cited else None
    if cited and known:  # the table says what it knows of the document; the clause is the cell's
        note = " ".join(n for n in (known.note, cited.note) if n) or None
        return Cited(known.body, known.source, cited.clause or known.clause, known.date,
                     known.url, known.licence, note)
    return cited


# --- rows ------------------------------------------------------------------------------------

def _xlsx_rows(source: Source) -> Iterator[tuple[str, list[str]]]:
    """(location, cells) for each row of the workbook's first sheet."""
    try:
        book = zipfile.ZipFile(source.path)
    except zipfile.BadZipFile:
        raise RefusedFile(f"{source.name}: not an XLSX workbook (not a zip file)") from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)

    def part(name: str):
        try:
            info = book.getinfo(name)
        except KeyError:
            return None
        if info.file_size > MAX_XLSX_PART:
            raise RefusedFile(f"{source.name}: {name} is too big ({info.file_size:,} bytes)")
        data = book.read(name)
        if b"<!ENTITY" in data[:4096]:
            raise RefusedFile(f"{source.name}: {name} declares XML entities; refused as unsafe")
        try:
            return etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            raise RefusedFile(f"{source.name}: {name}: {exc}") from None

    with book:
        workbook = part("xl/workbook.xml")
        if workbook is None:
            raise RefusedFile(f"{source.name}: not an XLSX workbook (no xl/workbook.xml)")
        sheet = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
        target = "xl/worksheets/sheet1.xml"
        rels = part("xl/_rels/workbook.xml.rels")
        if sheet is not None and rels is not None:
            rid = sheet.get(f"{_REL}id")
            for rel in rels.iter(f"{_PKG_REL}Relationship"):
                if rel.get("Id") == rid:
                    target = "xl/" + rel.get("Target", "").lstrip("/").removeprefix("xl/")
        strings_root = part("xl/sharedStrings.xml")
        strings = [] if strings_root is None else [
            "".join(si.itertext()) for si in strings_root.iter(f"{_MAIN}si")]
        root = part(target)
        if root is None:
            raise RefusedFile(f"{source.name}: the workbook has no first sheet")
        for row in root.iter(f"{_MAIN}row"):
            cells: dict[int, str] = {}
            for cell in row.iter(f"{_MAIN}c"):
                column = _column_index(cell.get("r", ""), len(cells))
                kind = cell.get("t")
                if kind == "inlineStr":
                    value = "".join(cell.find(f"{_MAIN}is").itertext()) \
                        if cell.find(f"{_MAIN}is") is not None else ""
                else:
                    node = cell.find(f"{_MAIN}v")
                    value = node.text or "" if node is not None else ""
                    if kind == "s" and value.isdigit() and int(value) < len(strings):
                        value = strings[int(value)]
                cells[column] = value
            width = max(cells) + 1 if cells else 0
            yield f"{source.name}:row {row.get('r')}", [cells.get(i, "") for i in range(width)]


def _column_index(ref: str, fallback: int) -> int:
    letters = re.match(r"[A-Z]+", ref)
    if not letters:
        return fallback
    index = 0
    for char in letters.group(0):
        index = index * 26 + (ord(char) - 64)
    return index - 1


def _rows(source: Source) -> Iterator[tuple[str, dict[str, str]] | Rejected]:
    """Each row as {normalised column: text}, from CSV or XLSX."""
    with source.path.open("rb") as fh:
        magic = fh.read(4)
    if magic == b"PK\x03\x04":
        rows = _xlsx_rows(source)
        header = None
        for location, cells in rows:
            if header is None:
                header = [_column_key(c) for c in cells]
                _check_header(source, header)
                continue
            if any(clean(c) for c in cells):
                yield location, dict(zip(header, cells, strict=False))
        if header is None:
            raise RefusedFile(f"{source.name}: the sheet is empty")
        return
    with source.path.open("rb") as fh:
        head = fh.readline(64 * 1024).decode("utf-8-sig", errors="replace")
    names = next(csv.reader([head]), [])
    _check_header(source, [_column_key(c) for c in names])
    term_column = next(c for c in names if _column_key(c) in ("term", "terms"))
    for item in csv_rows(source, (term_column,), "a glossary sheet"):
        if isinstance(item, Rejected):
            yield item
        else:
            location, row = item
            yield location, {_column_key(k): v for k, v in row.items()}


def _check_header(source: Source, header: list[str]) -> None:
    if not ({"term", "terms"} & set(header)) or "definition1" not in header:
        raise RefusedFile(
            f"{source.name}: not a glossary sheet: the header needs a 'Term' column and "
            "'Definition 1' (with 'Citation 1', ...)")


def read(source: Source, options: ImportOptions) -> Iterator[Record | Rejected]:
    table = load_citations(options.citations)
    mapping = load_concept_map(options.concept_map)
    sheet = Path(source.name).stem
    related: list[tuple[str, str, str, str, list[str]]] = []
    slugs: dict[str, str] = {}
    for item in _rows(source):
        if isinstance(item, Rejected):
            yield item
            continue
        location, row = item
        term = clean(row.get("term") or row.get("terms"))
        if not term:
            yield Rejected(location, "Term: the row has definitions but no term")
            continue
        language = clean(row.get("language")) or "en"
        concept = (mapping.get((sheet, term_key(term))) or clean(row.get("concept"))
                   or slugify(term))
        slugs[term_key(term)] = concept
        pairs = []
        number = 1
        while f"definition{number}" in row:
            pairs.append((f"Definition {number}", row.get(f"definition{number}"),
                          row.get(f"citation{number}")))
            number += 1
        pairs.append(("Legal definition", row.get("legaldefinition"), row.get("legalcitation")))
        found = False
        for column, text, citation in pairs:
            text = clean(text)
            if not text:
                continue
            found = True
            where = f"{location} ({column})"
            citation = clean(citation)
            if not citation:
                yield Rejected(where, f"'{term}': the definition has no citation, so its body "
                                      "cannot be told")
                continue
            cited = resolve(citation, table)
            if cited is None:
                yield Rejected(where, f"'{term}': citation '{citation}' is not in the citation "
                                      "table and is not shaped like a reference")
                continue
            notes = [f"Cited in {source.name} as '{citation}'."]
            if cited.note:
                notes.append(cited.note)
            record = {
                "concept": concept,
                "body": cited.body,
                "source": cited.source,
                "clause": cited.clause,
                "language": language,
                "designations": [{"term": term, "type": "preferred"}],
                "text": text,
                "excerpt": False,
                "date": cited.date or clean(row.get("date")) or None,
                "licence": cited.licence or options.licence,
                "url": cited.url or clean(row.get("url")) or None,
            }
            # The notes are the registry's provenance, not the body's text: they stay whatever
            # the licence keeps of the text.
            kept = apply_licence({k: v for k, v in record.items() if v is not None})
            yield Record("definition", {**kept, "notes": notes}, where)
        if not found:
            yield Rejected(location, f"'{term}': no definition in the row")
        others = split_list(row.get("relatedterms"))
        if others:
            related.append((location, concept, term, language, others))
    # The relations come last, when every term of the sheet has its concept; the record names
    # the row's term too, so a concept it creates has its label.
    for location, concept, term, language, others in related:
        targets = [slugs.get(term_key(t)) or slugify(t) for t in others]
        relations = [{"type": "related", "concept": t} for t in dict.fromkeys(targets)
                     if t != concept and t in slugs.values()]
        if relations:
            yield Record("concept", {"slug": concept, "merge": True, "labels": {language: term},
                                     "relations": relations}, f"{location} (Related terms)")
