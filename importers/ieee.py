"""IEEE standards metadata: the IDAMS exchange ``<publication>`` records behind IEEE Xplore.

A file holds one ``<publication>`` (as IEEE delivers them) or many under any wrapper element;
they are streamed with ``importers.safe_xml.iterparse``. Mapping:

=====================================  ===================================================
``normtitle`` (else ``title``)         reference, as IEEE writes it (``IEEE Std 1012-1998``)
``volume/article/title``               title (else ``standardsfamilytitle``)
``standard_subtype``                   type: Std, RP (Recommended Practice), Guide
``standard_status`` + modifier Draft   status: Active -> published, Superseded -> superseded,
                                       Inactive/Withdrawn -> withdrawn; a draft is
                                       under_development while Active, withdrawn when Inactive
``date[@datetype=OriginalPub]``        published (else ``PubApprovalDate``; without a day,
                                       to the month; a year alone is not stored)
``abstract`` (type Standard first)     scope; ``keywordterm`` keywords; ``code_term/@codenum`` ICS
``pubsponsoringcommittee``             committee
``standard_relationship``              relations (V revises -> replaces, S -> replaced_by,
                                       T -> amends), by the amsid of publications in the file
``article/amsid``                      URL ``https://ieeexplore.ieee.org/document/<amsid>``
=====================================  ===================================================

IDAMS escapes ``&`` inside CDATA (``Software &amp; Systems``); texts are unescaped once.
"""

import html
import re
from collections.abc import Iterator
from datetime import date

from lxml import etree

from importers import safe_xml
from importers.pipeline import ImportOptions, Record, RefusedFile, Rejected, Source
from registry.text import clean

ABSTRACT_LICENCE = "IEEE abstract, from IEEE's standards metadata"
XPLORE_URL = "https://ieeexplore.ieee.org/document/{}"
RELATIONS = {"V": "replaces", "S": "replaced_by", "T": "amends"}
MONTHS = {
    name: i
    for i, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}


class _Bad(Exception):
    pass


def read(source: Source, options: ImportOptions) -> Iterator[Record | Rejected]:
    # Relations name other publications by amsid: learn every amsid's reference first.
    references = {}
    for element in safe_xml.iterparse(Source(source.path, source.name), ("publication",)):
        amsid, reference = _text(element, "publicationinfo/amsid"), _reference(element)
        if amsid and reference:
            references[amsid] = reference
        safe_xml.release(element)
    count = 0
    for element in safe_xml.iterparse(source, ("publication",)):
        count += 1
        location = f"{source.name}:{element.sourceline} (publication {count})"
        try:
            yield Record("standard", _standard(element, references), location)
        except _Bad as exc:
            yield Rejected(location, str(exc))
        safe_xml.release(element)
    if count == 0:
        raise RefusedFile(
            f"{source.name}: no IEEE <publication> record; is this an IEEE IDAMS metadata file?"
        )


def _text(element: etree._Element, path: str) -> str | None:
    found = element.find(path)
    if found is None:
        return None
    return clean(html.unescape("".join(found.itertext()))) or None


def _reference(element: etree._Element) -> str | None:
    return _text(element, "normtitle") or _text(element, "title")


def _doc_type(subtype: str | None) -> str:
    subtype = (subtype or "").lower()
    if "recommended practice" in subtype:
        return "RP"
    if "guide" in subtype:
        return "Guide"
    return "Std"


def _status(element: etree._Element) -> str:
    status = (_text(element, "publicationinfo/standard_status") or "").lower()
    modifiers = {
        clean(m.text or "").lower()
        for m in element.iterfind("publicationinfo/standardmodifierset/standard_modifier")
    }
    if "draft" in modifiers:
        return "under_development" if status == "active" else "withdrawn"
    if status == "active":
        return "published"
    if status == "superseded":
        return "superseded"
    if status.startswith("inactive") or "withdrawn" in status:
        return "withdrawn"
    raise _Bad(
        f"standard_status: unknown status {status!r}" if status else "standard_status: missing"
    )


def _date(element: etree._Element) -> tuple[date | None, str]:
    """The publication date and how precise it is ("day" or "month")."""
    for node in element.iterfind("volume/article/articleinfo/date"):
        if node.get("datetype") == "OriginalPub":
            year, month, day = (_text(node, p) for p in ("year", "month", "day"))
            if not month:
                break  # a year alone: the registry stores full dates only
            try:
                m = (
                    int(month)
                    if month and month.isdigit()
                    else MONTHS[(month or "").lower().rstrip(".")]
                )
                return date(int(year or ""), m, int(day or 1)), "day" if day else "month"
            except (KeyError, ValueError):
                raise _Bad(f"date OriginalPub: not a date: {year}-{month}-{day}") from None
    approved = _text(element, "publicationinfo/PubApprovalDate")
    if approved:
        match = re.fullmatch(r"(\d{1,2}) (\w+) (\d{4})", approved)
        if match and match[2].lower() in MONTHS:
            return date(int(match[3]), MONTHS[match[2].lower()], int(match[1])), "day"
    return None, "day"


def _abstract(element: etree._Element) -> str | None:
    abstracts = element.findall("volume/article/articleinfo/abstract")
    abstracts.sort(key=lambda a: a.get("abstracttype") != "Standard")
    for node in abstracts:
        text = clean(html.unescape("".join(node.itertext())))
        if text:
            return text
    return None


def _standard(element: etree._Element, references: dict[str, str]) -> dict:
    reference = _reference(element)
    if not reference:
        raise _Bad("normtitle: missing (no reference for the publication)")
    title = _text(element, "volume/article/title") or _text(element, "standardsfamilytitle")
    if not title:
        raise _Bad("title: missing")
    keywords = []
    for node in element.iterfind("volume/article/articleinfo/keywordset/keyword/keywordterm"):
        term = clean(html.unescape(node.text or ""))
        if term and term not in keywords:
            keywords.append(term)
    relations = []
    for node in element.iterfind("publicationinfo/standard_relationship"):
        kind, target = RELATIONS.get(node.get("type", "")), references.get(clean(node.text))
        if kind and target and target != reference:
            relations.append({"type": kind, "reference": target})
    amsid = _text(element, "volume/article/articleinfo/amsid")
    abstract = _abstract(element)
    committee = _text(element, "publicationinfo/pubsponsoringcommitteeset/pubsponsoringcommittee")
    published, precision = _date(element)
    return {
        "reference": reference,
        "title": title,
        "bodies": ["IEEE"],
        "type": _doc_type(_text(element, "publicationinfo/standard_subtype")),
        "status": _status(element),
        "published": published.isoformat() if published else None,
        "published_precision": precision,
        "committee": committee[:120] if committee else None,
        "scope": abstract,
        "text_licence": ABSTRACT_LICENCE if abstract else None,
        "ics": sorted(
            {
                c.get("codenum")
                for c in element.iterfind("publicationinfo/icscodes/code_term")
                if c.get("codenum")
            }
        ),
        "keywords": keywords,
        "languages": ["en"],
        "relations": relations,
        "source_id": _text(element, "publicationinfo/amsid"),
        "url": XPLORE_URL.format(amsid) if amsid and amsid.isdigit() else None,
    }
