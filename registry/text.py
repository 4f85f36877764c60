"""Small text utilities shared by importers, services and search: one way of doing each."""

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

_SPACE = re.compile(r"\s+")
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
                         "\u2014": "-", "\u2212": "-", "\u00a0": " "})
_SLUG_STRIP = re.compile(r"[^a-z0-9]+")

# Removed from every stored string: C0 and C1 controls (tab, newline and carriage return are
# whitespace, which the callers collapse or keep), lone surrogates, and the invisible format
# characters that make two strings look alike or reorder what is shown (zero-width space, soft
# hyphen, BOM, bidi embeddings, overrides and isolates, word joiners, tags). Kept: ZWNJ, ZWJ and
# the LRM, RLM and ALM marks, which Arabic, Persian and Indic text need to read right, and the
# visible prepended marks (U+0600-0605, U+06DD). Unicode 14 (Python 3.11); tests/registry/
# test_text.py checks the class against unicodedata.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\xad\u180e\u200b\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)
# What XML 1.0 cannot carry at all, not even as a character reference.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Message:
    """A sentence the core composes from numbers and names, translatable where it is shown:
    ``str()`` is the English text (the API's, the CLI's); the interface translates ``msgid``
    (with ``plural`` chosen by ``count``, given as ``%(num)s``) with the same parameters
    (``app.templating``'s ``message`` filter). Made with ``sentence()`` or ``sentence_n()``,
    which ``make translations`` extracts."""

    msgid: str
    params: tuple[tuple[str, Any], ...] = ()
    plural: str | None = None
    count: int | None = None

    def __str__(self) -> str:
        text = self.plural if self.plural is not None and self.count != 1 else self.msgid
        return text % {"num": self.count, **dict(self.params)}


def sentence(msgid: str, **params: Any) -> Message:
    return Message(msgid, tuple(params.items()))


def sentence_n(msgid: str, plural_id: str, count: int, **params: Any) -> Message:
    return Message(msgid, tuple(params.items()), plural_id, count)


def N_(text: str) -> str:
    """Marks interface text the core states (the rubric's criteria, say) for translation: it
    returns the text unchanged; ``make translations`` extracts it and the app translates it
    where it shows it (``{{ _(criterion.title) }}``)."""
    return text


def strip_invisible(value: str) -> str:
    """``value`` without the controls and invisible format characters above."""
    return value if value.isprintable() else _INVISIBLE.sub("", value)


def prose(value: str | None) -> str:
    """Multi-line text (posts, notes, rationales): NFC, invisible characters removed, line
    breaks kept (as newlines), no leading or trailing space; None becomes ''."""
    if not value:
        return ""
    value = strip_invisible(value.replace("\r\n", "\n").replace("\r", "\n"))
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return value.strip()


def xml_safe(value: str) -> str:
    """Text an XML writer can always write: what XML 1.0 cannot carry becomes U+FFFD, so an
    export shows where a stored string was damaged instead of failing for everyone."""
    return _NOT_XML.sub("\ufffd", value)


def iri(value: str) -> str:
    """A URL as an export may write it: what RFC 3986/3987 does not allow is percent-encoded
    (imports refuse such URLs; one stored before that must not fail the export)."""
    return quote(value, safe="".join(chr(c) for c in range(0x21, 0x7f)
                                      if chr(c) not in '"<>\\^`{|}%') + "%")


def clean(value: str | None) -> str:
    """NFC, one space between words, no leading or trailing space, no invisible characters
    (``strip_invisible``); None becomes ''.

    ``str.split()`` splits on exactly the characters ``\\s`` matches (``str.isspace``); ASCII
    is already NFC. Both shortcuts matter: every string of every imported record comes here.
    """
    if not value:
        return ""
    if not value.isprintable():
        value = _INVISIBLE.sub("", value)
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return " ".join(value.split())


_NUMBER = re.compile(r"(\d+)")


def natural_key(value: str) -> tuple:
    """Sorts numbers inside text by value: "3.1.2" < "3.1.10", "A.2" < "A.10"."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in _NUMBER.split(value) if part)


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
