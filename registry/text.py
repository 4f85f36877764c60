"""Small text utilities shared by importers, services and search: one way of doing each."""

import hashlib
import json
import re
import unicodedata
from typing import Any

_SPACE = re.compile(r"\s+")
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
                         "\u2014": "-", "\u2212": "-", "\u00a0": " "})
_SLUG_STRIP = re.compile(r"[^a-z0-9]+")


def clean(value: str | None) -> str:
    """NFC, one space between words, no leading or trailing space; None becomes ''.

    ``str.split()`` splits on exactly the characters ``\\s`` matches (``str.isspace``); ASCII
    is already NFC. Both shortcuts matter: every string of every imported record comes here.
    """
    if not value:
        return ""
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return " ".join(value.split())


def term_key(term: str) -> str:
    """The form designations are matched on: NFKC, case-folded, dashes unified, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", term).translate(_DASHES).casefold()
    return _SPACE.sub(" ", folded).strip()


def slugify(value: str, fallback_prefix: str = "concept") -> str:
    """An ASCII slug; a term with no Latin letters (Chinese, Arabic) gets a stable hashed slug."""
    ascii_form = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    slug = _SLUG_STRIP.sub("-", ascii_form.lower()).strip("-")[:100].strip("-")
    if slug:
        return slug
    return f"{fallback_prefix}-{hashlib.sha1(value.encode()).hexdigest()[:10]}"


def checksum(data: Any) -> str:
    """sha256 of the canonical JSON form: equal data, equal checksum, whatever the key order."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def excerpt(text: str, words: int = 30) -> str:
    """The first ``words`` words, with an ellipsis when cut."""
    parts = clean(text).split(" ")
    return " ".join(parts) if len(parts) <= words else " ".join(parts[:words]) + " \u2026"
