"""Atom 1.0 (RFC 4287) documents, built with lxml so every text is escaped by the serializer."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from lxml import etree

from registry.text import xml_safe

ATOM = "http://www.w3.org/2005/Atom"
_E = f"{{{ATOM}}}"


@dataclass
class Entry:
    id: str
    title: str
    updated: datetime
    link: str
    html: str = ""  # sanitized HTML, sent as escaped text (type="html")
    author: str | None = None


def rfc3339(value: datetime) -> str:
    """Naive UTC (registry.clock) as an RFC 3339 date-time."""
    return value.replace(microsecond=0).isoformat() + "Z"


def tag_uri(base_url: str, specific: str, year: int = 2026) -> str:
    """A permanent ``tag:`` URI (RFC 4151) for ids that must never change with the host's URLs."""
    host = urlsplit(base_url).hostname or "localhost"
    return f"tag:{host},{year}:{specific}"


def feed(
    *,
    id: str,
    title: str,
    self_url: str,
    alternate_url: str,
    entries: list[Entry],
    author: str,
    updated: datetime,
) -> bytes:
    root = etree.Element(_E + "feed", nsmap={None: ATOM})
    etree.SubElement(root, _E + "id").text = id
    etree.SubElement(root, _E + "title").text = xml_safe(title)
    etree.SubElement(root, _E + "updated").text = rfc3339(
        max([updated, *(e.updated for e in entries)])
    )
    etree.SubElement(root, _E + "link", rel="self", type="application/atom+xml", href=self_url)
    etree.SubElement(root, _E + "link", rel="alternate", type="text/html", href=alternate_url)
    # A feed-level author makes every entry valid even when an entry has none of its own.
    etree.SubElement(etree.SubElement(root, _E + "author"), _E + "name").text = author
    for item in entries:
        entry = etree.SubElement(root, _E + "entry")
        etree.SubElement(entry, _E + "id").text = item.id
        etree.SubElement(entry, _E + "title").text = xml_safe(item.title)
        etree.SubElement(entry, _E + "updated").text = rfc3339(item.updated)
        etree.SubElement(entry, _E + "link", rel="alternate", type="text/html", href=item.link)
        if item.author:
            author_el = etree.SubElement(entry, _E + "author")
            etree.SubElement(author_el, _E + "name").text = xml_safe(item.author)
        if item.html:
            etree.SubElement(entry, _E + "content", type="html").text = xml_safe(item.html)
        else:
            etree.SubElement(entry, _E + "summary").text = xml_safe(item.title)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
