"""ISO STS and NISO STS standards XML: the standard's metadata and its terms section.

The metadata block (``iso-meta``, ``reg-meta``, ``nat-meta`` or ``std-meta``; the first in the
document, which for an adoption is the adopting body's) becomes a ``standard`` record. Every
``term-sec`` with a ``tbx:termEntry`` becomes a definition of that standard at the term-sec's
clause label (see ``importers.termentry``), with its designations, notes and examples per
language; ``entailedTerm`` and ``xref`` pointing at another term-sec gain that clause.

The whole document is parsed at once (an STS document is one standard, a few MB at most).
Values such as "N/A" are read as absent. The body is the originator the file names, else
``--body``; the licence is the ``permissions`` statement, else ``--licence``.
"""

import re
from collections.abc import Iterator

from importers import safe_xml
from importers.pipeline import ImportOptions, Record, RefusedFile, Rejected, Source
from importers.termentry import (
    Context,
    MissingSetting,
    entry_records,
    language_of,
    local,
    read_entry,
    text_of,
)
from registry.models import vocab

META = ("std-meta", "nat-meta", "reg-meta", "iso-meta")
_ABSENT = re.compile(r"^(n/?a|\?+|none|-)?$", re.IGNORECASE)
# A date as precise as the file gives it: 2009-05-30, 2006-11 (DIN's year-month), 2006.
_DATE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")
_CLAUSE = re.compile(r"(?:^|[-_])(\d+(?:\.\d+)*)$")  # ids such as "sub-3.1.1", "term_3.1.1"
_DOC_TYPES = {t.lower(): t for t in vocab.DOC_TYPES} | {
    "is": "IS",
    "ts": "TS",
    "tr": "TR",
    "pas": "PAS",
    "guide": "Guide",
    "amd": "Amd",
    "cor": "Cor",
    "en": "EN",
    "cwa": "CWA",
    "std": "Std",
    "rec": "Recommendation",
    "st": "Std",  # a standard that is not an International Standard (DIN's "Norm")
    "standard": "Std",
}
_DRAFT_STAGES = {"WD", "CD", "DIS", "FDIS", "PRF", "NP", "AWI", "DTS", "DTR", "DPAS", "PWI"}
_RELATIONS = {
    "replaces": "replaces",
    "supersedes": "replaces",
    "replaced-by": "replaced_by",
    "replacedby": "replaced_by",
    "superseded-by": "replaced_by",
    "amends": "amends",
    "amended-by": "amended_by",
    "adopts": "adopts",
    "adoption-of": "adopts",
    "identical": "adopts",
    "adopted-as": "adopted_as",
}


def read(source: Source, options: ImportOptions) -> Iterator[Record | Rejected]:
    root = safe_xml.parse(source).getroot()
    if local(root) not in ("standard", "adoption"):
        raise RefusedFile(
            f"{source.name}: not an STS document (the root element is "
            f"<{local(root)}>, not <standard> or <adoption>)"
        )
    meta = next((e for e in root.iter() if local(e) in META), None)
    if meta is None:
        raise RefusedFile(f"{source.name}: no iso-meta, reg-meta, nat-meta or std-meta block")
    standard = _standard(meta, options)
    if not standard.get("reference"):
        raise RefusedFile(f"{source.name}: the metadata name no standard (std-ref or doc-ref)")
    yield Record("standard", standard, f"{source.name}:{meta.sourceline}")
    for xref, kind in _xrefs(meta):
        if kind is None:
            yield Rejected(f"{source.name}:{xref.sourceline}",
                           f"std-xref type {xref.get('type')!r} (to {_first(xref, 'std-ref')}) "
                           "is not a relation the registry records: "
                           f"{', '.join(sorted(set(_RELATIONS)))}")

    permissions = _permissions(meta)
    ctx = Context(
        file=source.name,
        body=next(iter(standard["bodies"]), None) or options.body,
        licence=permissions or options.licence,
        source=standard["reference"],
        default_language=_first(meta, "content-language") or "en",
    )
    clauses = _clause_map(root)
    resolve = _resolver(clauses)
    for element in root.iter():
        if local(element) != "termEntry":
            continue
        term_sec = next((a for a in element.iterancestors() if local(a) == "term-sec"), None)
        if term_sec is None:
            yield Rejected(f"{source.name}:{element.sourceline}", "termEntry outside a term-sec")
            continue
        entry = read_entry(element, ctx.default_language, resolve)
        try:
            yield from entry_records(
                entry, ctx, clause=_clause(term_sec, element), of_standard=standard["reference"]
            )
        except MissingSetting as exc:
            raise RefusedFile(f"{source.name}: {exc}") from None


def _value(element) -> str | None:
    if element is None:
        return None
    value = text_of(element)
    return None if _ABSENT.match(value) else value


def _first(meta, name: str) -> str | None:
    return _value(next((e for e in meta.iter() if local(e) == name), None))


def _all(meta, name: str) -> list[str]:
    return [v for e in meta.iter() if local(e) == name if (v := _value(e))]


def _wrap_title(wrap) -> str | None:
    """One title-wrap's title: its ``full`` form, else intro \u2014 main \u2014 compl."""
    parts = {local(p): _value(p) for p in wrap}
    return parts.get("full") or " \u2014 ".join(
        p for p in (parts.get("intro"), parts.get("main"), parts.get("compl")) if p) or None


def _title(meta) -> str | None:
    """The title in the content language, else English, else the first given."""
    wraps = [e for e in meta if local(e) == "title-wrap"]
    language = _first(meta, "content-language") or "en"
    wraps.sort(key=lambda w: (language_of(w, None) != language, language_of(w, None) != "en"))
    return next((t for w in wraps if (t := _wrap_title(w))), None)


def _titles(meta) -> dict[str, str]:
    """Every language's title, when the file gives more than one."""
    titles: dict[str, str] = {}
    for wrap in (e for e in meta if local(e) == "title-wrap"):
        language, title = language_of(wrap, None), _wrap_title(wrap)
        if language and title:
            titles.setdefault(language, title)
    return titles if len(titles) > 1 else {}


def _date(meta) -> tuple[str | None, str | None]:
    """The publication date (``pub-date``, else ``release-date``) and its precision: a
    year-month or a year is kept as such, as the first day of its month or year."""
    for name in ("pub-date", "release-date"):
        match = _DATE.match(_first(meta, name) or "")
        if match:
            year, month, day = match["year"], match["month"], match["day"]
            precision = "day" if day else "month" if month else "year"
            return f"{year}-{month or '01'}-{day or '01'}", precision
    return None, None


def _standard(meta, options: ImportOptions) -> dict:
    ident = next((e for e in meta if local(e) == "std-ident"), meta)
    dated = next((e for e in meta if local(e) == "std-ref" and e.get("type") == "dated"), None)
    reference = _value(dated) or _first(meta, "std-ref") or _first(meta, "doc-ref")
    originator = meta.get("originator") or _first(ident, "originator") or options.body
    bodies = [b.strip() for b in re.split(r"[/+]", originator or "") if b.strip()]
    doc_type = _first(ident, "doc-type")
    release = (_first(meta, "release-version") or "").upper()
    published, precision = _date(meta)
    languages = {lang for name in ("content-language", "language") for lang in _all(meta, name)}
    return {
        "reference": reference,
        "title": _title(meta) or reference,
        "titles": _titles(meta),
        "bodies": bodies,
        "type": _DOC_TYPES.get((doc_type or "").lower(), "Other" if doc_type else "IS"),
        "status": "under_development" if release in _DRAFT_STAGES else "published",
        "published": published,
        "published_precision": precision,
        "edition": _first(ident, "edition"),
        "committee": _first(meta, "comm-ref"),
        "ics": [c for c in _all(meta, "ics") if re.match(r"^\d{2}(\.\d{3}(\.\d{2})?)?$", c)],
        "languages": sorted(lang for lang in languages if re.match(r"^[a-z]{2,3}$", lang)),
        "relations": _relations(meta),
        "text_licence": _permissions(meta),
    }


def _xrefs(meta) -> Iterator[tuple[object, str | None]]:
    """Each ``std-xref`` naming a standard, with its relation type (None: not one the registry
    records)."""
    for xref in (e for e in meta.iter() if local(e) == "std-xref"):
        if _first(xref, "std-ref"):
            yield xref, _RELATIONS.get((xref.get("type") or "").lower())


def _relations(meta) -> list[dict]:
    return [{"type": kind, "reference": _first(xref, "std-ref")}
            for xref, kind in _xrefs(meta) if kind]


def _permissions(meta) -> str | None:
    """The licence the file states: a licence text, else the copyright statement and holder."""
    block = next((e for e in meta if local(e) == "permissions"), None)
    if block is None:
        return None
    licence = _first(block, "license")
    if licence:
        return licence[:300]
    parts = [
        _first(block, "copyright-statement"),
        _first(block, "copyright-holder"),
        _first(block, "copyright-year"),
    ]
    statement = ", ".join(p for p in parts if p)
    if not statement:
        return None
    # "(c) 2006 ISO" already says it: no second sign in front ("(c) (c) 2006 ISO").
    said = re.match(r"\s*(\u00a9|\(c\)|copyright\b)", statement, re.IGNORECASE)
    return (statement if said else f"\u00a9 {statement}")[:300]


def _clause(term_sec, entry) -> str | None:
    """The term-sec's label ("3.1.2"), else the clause in its id or the entry's id."""
    label = next((c for c in term_sec if local(c) == "label"), None)
    if label is not None and _value(label):
        return _value(label)[:64]
    for ident in (term_sec.get("id"), entry.get("id")):
        match = _CLAUSE.search(ident or "")
        if match:
            return match[1]
    return None


def _clause_map(root) -> dict[str, str]:
    """Ids of term-secs, their entries and terms -> the term-sec's clause."""
    clauses: dict[str, str] = {}
    for term_sec in (e for e in root.iter() if local(e) == "term-sec"):
        entry = next((e for e in term_sec.iter() if local(e) == "termEntry"), None)
        clause = _clause(term_sec, entry if entry is not None else term_sec)
        if not clause:
            continue
        for element in term_sec.iter():
            if isinstance(element.tag, str) and element.get("id"):
                clauses[element.get("id")] = clause
    return clauses


def _resolver(clauses: dict[str, str]):
    """Text of a definition with cross-references to other term-secs given their clause."""

    def resolve(element) -> str:
        text = text_of(element)
        for ref in element.iter():
            if local(ref) not in ("entailedTerm", "xref"):
                continue
            target = (ref.get("target") or ref.get("rid") or "").lstrip("#")
            clause = clauses.get(target)
            shown = text_of(ref)
            if clause and f"({clause})" not in shown:
                text = text.replace(shown, f"{shown} ({clause})", 1) if shown else text
        return text

    return resolve
