"""Whether a definition's licence lets the registry keep its full text.

Full text only where the licence allows it (EU legal acts, US Government works, OECD with
attribution, Creative Commons, W3C, ODC-By, permissive software licences, public domain); any
other licence, and any licence we cannot read, keeps a short excerpt with the citation and the
link to the body's platform.
Excerpting is the safe default: an unknown licence is never read as permission.
"""

import re

from registry.text import excerpt

EXCERPT_WORDS = 30
EXCERPT_MAX_WORDS = 60  # the longest text accepted as an excerpt already made

_OPEN = re.compile(
    r"public domain|\bCC0\b|\bCC[ -]BY\b|creative\s*commons|European Union|\bEUR-Lex\b|"
    r"\bOECD\b|\bW3C\b|\bODC[ -]By\b|open data commons|US Government|U\.S\. Government|"
    r"17 U\.S\.C\. 105|reuse (is )?authori[sz]ed|freely (copied|reused)|"
    r"creativecommons\.org/(licenses|publicdomain)|w3\.org/(copyright|Consortium/Legal)|"
    r"\bMIT\b|\bBSD\b|\bApache\b",
    re.IGNORECASE,
)
# Words that take permission away again, whatever else the licence says.
_CLOSED = re.compile(
    r"all rights reserved|excerpt|proprietary|no reproduction|"
    r"not for (re)?distribution",
    re.IGNORECASE,
)


def full_text_allowed(licence: str | None) -> bool:
    return bool(licence) and bool(_OPEN.search(licence)) and not _CLOSED.search(licence)


def apply_licence(record: dict) -> dict:
    """A definition record as the registry may store it under its ``licence``.

    When the licence does not allow the full text, the text becomes an excerpt (flagged, so
    pages say so and link to ``url``) and notes and examples, which are the body's text too,
    are left out.
    """
    if full_text_allowed(record.get("licence")):
        return record
    text = record.get("text") or ""
    # A text the file already gives as an excerpt (the registry's own export) stays as it is,
    # unless it is too long to be one.
    if not (record.get("excerpt") and len(text.split()) <= EXCERPT_MAX_WORDS):
        text = excerpt(text, EXCERPT_WORDS)
    return {**record, "text": text, "excerpt": True, "notes": [], "examples": []}
