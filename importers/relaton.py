"""Relaton bibliographic records (Metanorma's bibliographic model), in YAML or XML.

Relaton is the public bibliographic format of the ``relaton/relaton-data-*`` collections, which
mirror the catalogues of ISO, IEC, ITU, IEEE, ETSI, 3GPP, JIS, NIST and the IETF, one record a
document. Both generations of the YAML are read: schema 1.2 (``docid``/``id``, ``date``/``value``,
``link``, ``docstatus``, ``ext.editorialgroup``) and schema 1.5 (``docidentifier``/``content``,
``date``/``at``, ``source``, ``status``, committees as contributor subdivisions), and the XML
(``<bibdata>`` or ``<bibitem>``). A YAML file holds one record, a list of records, a relaton
collection (``root: {items: [...]}``) or a stream of documents separated by ``---``; an XML file
one record or many under any wrapper (``<relaton-collection>``). Records nested inside a
record (the targets of its ``relation``) are not records of their own.

Mapping:

===========================  =================================================================
primary docidentifier         reference, as the body writes it (``ISO/IEC 22989:2022``,
                              ``ITU-T Y.3172 (06/2019)``, ``IEEE Std 2841-2022``); bodies from
                              its prefix (``ISO/IEC/IEEE``) or its type (IEEE, ETSI, 3GPP, JIS,
                              NIST, Internet-Draft); otherwise the ``--body`` option
title (type main)             title, English first; every language's main title in ``titles``
doctype                       type (see DOC_TYPES; IEEE by title: Standard, Recommended
                              Practice, Guide; ITU by reference: Amd., Suppl.)
docstatus / status            status: ISO stage codes as ISO Open Data; IEC PUBLISHED, REPLACED,
                              WITHDRAWN; ITU's status letter in the link (I, S, W); IEEE drafts
                              and ``standard_status``; JIS valid; 3GPP versions below 3.0.0 are
                              drafts; an Internet-Draft is under development when a working or
                              research group adopted it (``draft-ietf-``, ``draft-irtf-``),
                              otherwise proposed; otherwise a dated record is published
date published (else issued)  published, with its precision: a day, or a month or a year
                              (then the first day of it, ``published_precision`` month or
                              year); IEEE: issued (the approval date, which the designation's
                              year follows); none for a draft
edition, language, keyword,   edition, languages, keywords, ICS codes
ext.ics
editorialgroup                committee (ISO/IEC technical committee, IEEE committee, ETSI and
                              3GPP working group, ITU study group)
link / source (type src)      URL (else the DOI; an Internet-Draft's datatracker page); project
                              number (ISO, IEC) or the record id: source id
relation                      obsoletes -> replaces, obsoletedBy -> replaced_by, adoptedFrom ->
                              adopts, adoptedAs -> adopted_as, amends; other types are not
                              carried (``updates``, ``complementOf`` and ``hasEdition`` do not
                              say which document replaces which)
===========================  =================================================================

Abstracts are the bodies' text and are not imported. YAML is read with PyYAML's safe loader;
a document that uses anchors and aliases (never needed by relaton, and the shape of the "YAML
bomb") is rejected, and XML goes through ``importers.safe_xml``.
"""

import html
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import yaml
from lxml import etree

from importers import itu, safe_xml
from importers.iso_open_data import status_for
from importers.pipeline import ImportOptions, Record, RefusedFile, Rejected, Source
from importers.textfiles import MAX_JSON_BYTES, first_text, whole_text
from registry.models.vocab import DEVELOPMENT_STATUSES
from registry.text import clean

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DOCUMENT_START = re.compile(r"^---(?:[ \t]+#.*)?[ \t]*$")  # a marker, perhaps with a comment
# A date as relaton gives it: a day, a month or a year.
_DATE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")
# ISO/IEC amendments at any stage: /Amd 1, /AMD1, /CD Amd 1, /DAM 3, /FDAM 1, /DAmd 1.
_AMENDMENT = re.compile(r"/(?:(?:AWI|CD|DIS|FDIS|PRF|WD|NP) )?(?:P|F)?D?(?:Amd|AMD|AM)\s?\d")
_3GPP_VERSION = re.compile(r":REL-(?P<release>\d+)/(?P<major>\d+)\.\d+\.\d+$")
RECORD_TAGS = ("bibdata", "bibitem")

# Bodies named by the docidentifier's type, when its prefix does not name one.
DOCID_BODIES = {"IEEE": "IEEE", "ETSI": "ETSI", "3GPP": "3GPP", "JIS": "JISC", "NIST": "NIST",
                "Internet-Draft": "IETF", "IETF": "IETF", "RFC": "IETF"}
# Bodies a reference prefix can name (``ISO/IEC/IEEE 29119-11``, ``ITU-T Y.3172``).
PREFIX_BODIES = {"ISO", "IEC", "IEEE", "ITU-T", "ITU-R"}
DOC_TYPES = {
    "international-standard": "IS",
    "technical-specification": "TS",
    "technical-report": "TR",
    "publicly-available-specification": "PAS",
    "guide": "Guide",
    "amendment": "Amd",
    "technical-corrigendum": "Cor",
    "recommendation": "Recommendation",
    "supplement": "Supplement",
    "japanese-industrial-standard": "Std",
    # ETSI and 3GPP abbreviations: a group specification (GS) is a specification, a group
    # report (GR) a report, an ETSI Guide (EG) a guide.
    "EN": "EN", "TS": "TS", "TR": "TR", "GS": "TS", "GR": "TR", "EG": "Guide",
}
STATUS_WORDS = {
    "published": "published", "valid": "published", "active": "published",
    "replaced": "superseded", "superseded": "superseded",
    "withdrawn": "withdrawn", "withdrawal": "withdrawn", "inactive": "withdrawn",
}
DATATRACKER_URL = "https://datatracker.ietf.org/doc/{}/"
RELATIONS = {"obsoletes": "replaces", "obsoletedBy": "replaced_by", "adoptedFrom": "adopts",
             "adoptedAs": "adopted_as", "amends": "amends"}


class _Bad(Exception):
    pass


def read(source: Source, options: ImportOptions) -> Iterator[Record | Rejected]:
    start = first_text(source)
    items = _xml_records(source) if start.startswith("<") else _yaml_records(source)
    count = 0
    for item in items:
        if isinstance(item, Rejected):
            yield item
            continue
        count += 1
        location, bib = item
        try:
            yield Record("standard", _standard(bib, options), location)
        except _Bad as exc:
            yield Rejected(location, str(exc))
    if count == 0:
        raise RefusedFile(f"{source.name}: no relaton record (a bibliographic item with a "
                          "docidentifier and a title); is this a relaton file?")


# -- reading YAML ----------------------------------------------------------------------------

Items = Iterator[tuple[str, dict] | Rejected]


def _yaml_records(source: Source) -> Items:
    if source.size > MAX_JSON_BYTES:
        raise RefusedFile(f"{source.name}: {source.size:,} bytes is too big to read "
                          f"(limit {MAX_JSON_BYTES:,})")
    for line, text in _documents(whole_text(source)):
        location = f"{source.name}:{line}"
        try:
            data = yaml.load(text, Loader=_LOADER)  # a safe loader (CSafeLoader or SafeLoader)
            _refuse_aliases(data)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            last = line + max(text.count("\n") - 1, 0)  # a mark at the end: the last line
            where = f"{source.name}:{min(line + mark.line, last)}" if mark else location
            yield Rejected(where, f"not YAML: {getattr(exc, 'problem', None) or exc}")
            continue
        except (_Bad, RecursionError) as exc:
            yield Rejected(location, str(exc) if isinstance(exc, _Bad) else "nested too deeply")
            continue
        if data is None:
            continue
        if isinstance(data, dict) and isinstance(data.get("root"), dict):
            data = data["root"].get("items") or []  # a relaton collection
        if isinstance(data, list):
            for i, item in enumerate(data):
                where = f"{location} item {i + 1}"
                yield (where, item) if isinstance(item, dict) else Rejected(
                    where, "each record must be a mapping")
        elif isinstance(data, dict):
            yield location, data
        else:
            yield Rejected(location, "a record must be a mapping of relaton fields")


def _documents(text: str) -> Iterator[tuple[int, str]]:
    """The documents of a YAML stream, each with the number of its first line."""
    lines = text.splitlines(keepends=True)
    start, chunk = 1, []
    for number, line in enumerate(lines, start=1):
        if _DOCUMENT_START.match(line):
            if any(s.strip() and not s.lstrip().startswith("#") for s in chunk):
                yield start, "".join(chunk)
            start, chunk = number, [line]
        else:
            chunk.append(line)
    if any(s.strip() and not s.lstrip().startswith("#") for s in chunk):
        yield start, "".join(chunk)


def _refuse_aliases(data: Any) -> None:
    """Reject a document in which one node is reached twice: YAML anchors and aliases.

    The safe loader shares an aliased node instead of copying it, so the walk (with a seen
    set) stays linear even for a "billion laughs" document.
    """
    seen: set[int] = set()
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, (dict, list)):
            if id(node) in seen:
                raise _Bad("the document uses YAML anchors and aliases; refused as unsafe")
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)


# -- reading XML: into the same shape as the YAML (schema 1.2) -------------------------------


def _xml_records(source: Source) -> Items:
    for element in safe_xml.iterparse(source, RECORD_TAGS):
        if any(_local(a) in RECORD_TAGS for a in element.iterancestors()):
            continue  # the target of a relation, inside its record
        location = f"{source.name}:{element.sourceline} ({_local(element)})"
        yield location, _from_xml(element)
        safe_xml.release(element)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if _local(c) == name]


def _xml_text(element: etree._Element | None) -> str:
    return clean("".join(element.itertext())) if element is not None else ""


def _first(element: etree._Element, name: str) -> etree._Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _from_xml(element: etree._Element) -> dict:
    ext = _first(element, "ext")
    group = _first(ext, "editorialgroup") if ext is not None else None
    status = _first(element, "status")
    bib: dict[str, Any] = {
        "id": element.get("id"),
        "docid": [{"id": _xml_text(d), "type": d.get("type"), "scope": d.get("scope"),
                   "primary": d.get("primary") == "true"}
                  for d in _children(element, "docidentifier")],
        "title": [{"content": _xml_text(t), "type": t.get("type"),
                   "language": [t.get("language")] if t.get("language") else []}
                  for t in _children(element, "title")],
        "date": [{"type": d.get("type"), "value": _xml_text(on if (on := _first(d, "on"))
                                                            is not None else d)}
                 for d in _children(element, "date")],
        "link": [{"type": u.get("type"), "content": _xml_text(u)}
                 for u in _children(element, "uri") + _children(element, "link")],
        "edition": _xml_text(_first(element, "edition")) or None,
        "language": [_xml_text(x) for x in _children(element, "language")],
        "keyword": [_xml_text(k) for k in _children(element, "keyword")],
        "relation": [{"type": r.get("type"), "bibitem": {"docid": [
            {"id": _xml_text(d)} for b in _children(r, "bibitem")
            for d in _children(b, "docidentifier")]}}
            for r in _children(element, "relation")],
        "docstatus": {"stage": {"value": _xml_text(_first(status, "stage"))},
                      "substage": {"value": _xml_text(_first(status, "substage"))}}
        if status is not None else None,
    }
    if ext is not None:
        bib["ext"] = {
            "doctype": {"type": _xml_text(_first(ext, "doctype"))},
            "ics": [{"code": _xml_text(_first(i, "code"))} for i in _children(ext, "ics")],
            "standard_status": _xml_text(_first(ext, "standard_status")) or None,
            "structuredidentifier": {"project_number": _xml_text(_first(s, "project-number"))}
            if (s := _first(ext, "structuredidentifier")) is not None else None,
            "editorialgroup": {
                "committee": [_xml_text(c) for c in _children(group, "committee")],
                "technical_committee": [{"name": _xml_text(c)} for c in
                                        _children(group, "technical-committee")],
            } if group is not None else None,
        }
    return bib


# -- mapping ---------------------------------------------------------------------------------


def _items(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _content(node: Any) -> str:
    """The text of a relaton node: a plain string, or ``content``/``value``/``at``/``id``."""
    if isinstance(node, dict):
        node = next((node[k] for k in ("content", "value", "at", "id")
                     if k in node and not isinstance(node[k], (dict, list))), None)
    if isinstance(node, (str, int, float, date)):
        # IEEE's records carry its feed's escaping (``Software &amp; Systems``): unescape once.
        return clean(html.unescape(str(node)))
    return ""


def _ext(bib: dict) -> dict:
    ext = bib.get("ext")
    return ext if isinstance(ext, dict) else {}


def _languages(node: dict) -> list[str]:
    return [_content(x) for x in _items(node.get("language")) if _content(x)]


def _reference(bib: dict) -> tuple[str, str]:
    """The primary docidentifier (not a trademarked spelling) and its type."""
    docids = [d for d in _items(bib.get("docid") or bib.get("docidentifier"))
              if isinstance(d, dict) and _content(d)]
    primary = [d for d in docids if d.get("primary") in (True, "true")]
    for d in primary + docids:
        if d.get("scope") != "trademark":
            return _content(d), clean(str(d.get("type") or ""))
    raise _Bad("docidentifier: missing (no reference for the document)")


def _titles(bib: dict) -> dict[str, str]:
    """The main title in each language (relaton also lists the title's parts)."""
    mains: dict[str, str] = {}
    for node in _items(bib.get("title")):
        if not isinstance(node, dict) or not _content(node):
            continue
        kind = node.get("type") or "main"
        for lang in _languages(node) or ["en"]:
            if kind == "main" or lang not in mains:
                mains[lang] = _content(node)
    return mains


def _bodies(reference: str, docid_type: str, options: ImportOptions) -> list[str]:
    prefix = reference.split(" ", 1)[0].upper().split("/")
    found = {p for p in prefix if p in PREFIX_BODIES}
    if not found and docid_type in DOCID_BODIES:
        found = {DOCID_BODIES[docid_type]}
    if not found and options.body:
        found = {options.body}
    if not found:
        raise _Bad(f"docidentifier {reference!r} (type {docid_type or 'none'}) names no body "
                   "the registry knows; give the source body (--body)")
    return sorted(found)


def _doc_type(bib: dict, reference: str, bodies: list[str], title: str) -> str:
    if "IEEE" in bodies and not {"ISO", "IEC"} & set(bodies):
        lowered = title.lower()
        return "RP" if "recommended practice" in lowered else (
            "Guide" if "guide" in lowered.split() else "Std")
    itu_kind = itu.doc_type(reference) if {"ITU-T", "ITU-R"} & set(bodies) else None
    if itu_kind and itu_kind != "Recommendation":
        return itu_kind
    if _AMENDMENT.search(reference):
        return "Amd"
    if re.search(r"/(?:[A-Z]+ )?Cor\b", reference):
        return "Cor"
    doctype = _ext(bib).get("doctype") or bib.get("doctype") or {}
    names = [doctype.get(k) for k in ("abbreviation", "type", "content")] \
        if isinstance(doctype, dict) else [doctype]
    for name in names:
        if isinstance(name, str) and (name in DOC_TYPES or name.lower() in DOC_TYPES):
            return DOC_TYPES.get(name) or DOC_TYPES[name.lower()]
    return itu_kind or "Other"


def _dates(bib: dict) -> dict[str, str]:
    return {clean(str(d.get("type"))): _content({k: v for k, v in d.items() if k != "type"})
            for d in _items(bib.get("date")) if isinstance(d, dict) and d.get("type")}


def _published(dates: dict[str, str], bodies: list[str]) -> tuple[str | None, str | None]:
    """The publication date and its precision (day, month or year: then the first day of it)."""
    # IEEE's designation year is the year the Standards Board approved it (``issued``);
    # ``published`` is the date of the IEEE Xplore record, decades later for old standards.
    kinds = ("issued", "published") if bodies == ["IEEE"] else ("published", "issued")
    for kind in kinds:
        if not (found := _DATE.match(dates.get(kind, ""))):
            continue
        try:
            when = date(int(found["year"]), int(found["month"] or 1), int(found["day"] or 1))
        except ValueError:
            raise _Bad(f"date {kind}: {dates[kind]!r} is not a valid date") from None
        precision = "day" if found["day"] else "month" if found["month"] else "year"
        return when.isoformat(), precision
    return None, None


def _links(bib: dict) -> list[tuple[str, str]]:
    return [(clean(str(node.get("type") or "")), _content(node))
            for node in _items(bib.get("link") or bib.get("source"))
            if isinstance(node, dict) and _content(node)]


def _url(links: list[tuple[str, str]]) -> str | None:
    for wanted in ("src", "doi", "pdf", ""):
        for kind, url in links:
            if kind == wanted or not wanted:
                if url.startswith("10."):
                    url = f"https://doi.org/{url}"
                if url.startswith("www."):
                    url = f"https://{url}"
                if url.startswith(("http://", "https://")):
                    return url
    return None


def _stage(bib: dict) -> tuple[str, str]:
    status = bib.get("docstatus") or bib.get("status") or {}
    if not isinstance(status, dict):
        return _content(status), ""
    return _content(status.get("stage")), _content(status.get("substage"))


def _status(bib: dict, reference: str, docid_type: str, title: str,
            links: list[tuple[str, str]], dates: dict[str, str]) -> tuple[str, str | None]:
    """The registry status, and the ISO harmonized stage code when the record gives one."""
    stage, substage = _stage(bib)
    if re.fullmatch(r"\d{2}", stage) and re.fullmatch(r"\d{2}", substage or "00"):
        code = f"{stage}.{substage or '00'}"
        return status_for(code, replaced=False), code
    if docid_type == "ITU" or reference.startswith("ITU-"):
        for _, url in links:
            if found := itu.REC_ID.search(url):
                return itu.LETTER_STATUS.get(found["status"], "published"), None
    if docid_type == "Internet-Draft":
        # Adopted by an IETF working group or IRTF research group (draft-ietf-, draft-irtf-):
        # under development; an individual submission: proposed.
        adopted = reference.startswith(("draft-ietf-", "draft-irtf-"))
        return ("under_development" if adopted else "proposed"), None
    if docid_type == "3GPP" and (version := _3GPP_VERSION.search(reference)):
        # 3GPP numbers an approved specification's versions with its release (19.3.0 in
        # Release 19); lower major versions are drafts (3GPP TR 21.900).
        approved = int(version["major"]) >= 3
        return ("published" if approved else "under_development"), None
    draft = stage.lower() == "draft" or re.search(r"\bdraft\b", title, re.IGNORECASE)
    ieee_status = clean(str(_ext(bib).get("standard_status") or "")).lower()
    if draft:
        return ("under_development" if ieee_status in ("", "active") else "withdrawn"), None
    for word in (ieee_status, stage.lower()):
        if word in STATUS_WORDS:
            return STATUS_WORDS[word], None
    if stage:
        raise _Bad(f"status: unknown stage {stage!r}")
    if dates.get("published") or dates.get("issued"):
        return "published", None
    raise _Bad("status: the record gives neither a status nor a publication date")


def _committee(bib: dict) -> str | None:
    group = _ext(bib).get("editorialgroup") or bib.get("editorialgroup")
    names: list[str] = []
    for entry in _items(group):
        if not isinstance(entry, dict):
            continue
        for tc in _items(entry.get("technical_committee")):
            names.append(clean(str(tc.get("identifier") or _content(tc.get("name")) or ""))
                         if isinstance(tc, dict) else _content(tc))
        names += [_content(c) for c in _items(entry.get("committee"))]
        if entry.get("name") and not entry.get("technical_committee"):
            names.append(_content(entry.get("name")))
    for contributor in _items(bib.get("contributor")):  # schema 1.5: ITU study groups
        organization = contributor.get("organization") if isinstance(contributor, dict) else None
        for sub in _items((organization or {}).get("subdivision")):
            names += [_content(n) for n in _items(sub.get("name"))] if isinstance(sub, dict) \
                else []
    names = [n for n in names if n]
    if not names:
        return None
    name = names[0]
    if re.fullmatch(r"[A-Z]{1,2}\d{1,2}", name) and "3GPP" in str(bib.get("docid")):
        name = f"3GPP {name}"
    return name[:120]


def _relations(bib: dict, reference: str) -> list[dict[str, str]]:
    relations = []
    for node in _items(bib.get("relation")):
        if not isinstance(node, dict) or node.get("type") not in RELATIONS:
            continue
        target_bib = node.get("bibitem") if isinstance(node.get("bibitem"), dict) else {}
        try:
            target, _ = _reference(target_bib)
        except _Bad:
            continue
        if reference.startswith("ITU-") and not target.startswith("ITU-"):
            target = f"{reference.split(' ', 1)[0]} {target}"  # ITU lists "P.565 (11/2021)"
        if target != reference:
            relations.append({"type": RELATIONS[node["type"]], "reference": target})
    return relations


def _standard(bib: dict, options: ImportOptions) -> dict:
    reference, docid_type = _reference(bib)
    titles = _titles(bib)
    title = titles.get("en") or next(iter(titles.values()), "")
    if not title:
        raise _Bad("title: missing")
    bodies = _bodies(reference, docid_type, options)
    links, dates = _links(bib), _dates(bib)
    status, stage = _status(bib, reference, docid_type, title, links, dates)
    published, precision = (None, None) if status in DEVELOPMENT_STATUSES \
        else _published(dates, bodies)
    ext = _ext(bib)
    identifier = ext.get("structuredidentifier")
    project = _content((identifier or {}).get("project_number")) \
        if isinstance(identifier, dict) else ""
    keywords: list[str] = []
    for node in _items(bib.get("keyword")):
        word = _content(node)
        if word and word not in keywords and len(word) <= 200:
            keywords.append(word)
    edition = _content(bib.get("edition"))
    return {
        "reference": reference,
        "title": title,
        "titles": titles if len(titles) > 1 else {},
        "bodies": bodies,
        "type": _doc_type(bib, reference, bodies, title),
        "status": status,
        "stage": stage,
        "published": published,
        "published_precision": precision,
        "edition": edition[:32] or None,
        "committee": _committee(bib),
        "url": _url(links) or (DATATRACKER_URL.format(reference)
                               if docid_type == "Internet-Draft" else None),
        "ics": sorted({c for node in _items(ext.get("ics")) if (c := _content(node.get("code")
                       if isinstance(node, dict) else node))}),
        "languages": [lang for lang in (_content(x) for x in _items(bib.get("language")))
                      if lang],
        "keywords": keywords,
        "relations": _relations(bib, reference),
        "source_id": (project or clean(str(bib.get("id") or "")))[:64] or None,
    }

