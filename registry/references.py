"""Standard references as bodies write them, and the keys the registry matches them by.

``ISO/IEC 22989:2022``, ``ITU-T Y.3172 (06/2019)``, ``IEEE Std 7001-2021``: the reference is
kept exactly as the body writes it; ``reference_key`` is the identity used to recognise the same
deliverable arriving from different files, and ``work_key`` drops the edition so that revisions of
one document share a definition lineage.
"""

import re

from registry.text import clean, term_key

_IEEE_STD = re.compile(r"^IEEE\s+STD\s+", re.IGNORECASE)
_SLASH_SPACES = re.compile(r"\s*/\s*")
_ITU_DATE = re.compile(r"\s*\(\d{2}/\d{4}\)\s*$")
_ISO_YEAR = re.compile(r":\d{4}(?=$|/)")
_IEEE_YEAR = re.compile(r"^(IEEE\s+\S+?)-(\d{4})$", re.IGNORECASE)
# "ISO/IEC 22989:2022 3.6.5", "ISO/IEC 22989:2022, 3.1.4", "ISO/IEC 22989:2022 clause 3.6.5"
_WITH_CLAUSE = re.compile(
    r"^(?P<ref>.+?(?::\d{4}|\(\d{2}/\d{4}\)|-\d{4}))[\s,]+(?:clause\s+|§\s*)?"
    r"(?P<clause>\d+(?:\.\d+)*[a-z]?)\s*$",
    re.IGNORECASE,
)


def reference_key(reference: str) -> str:
    """Canonical identity: upper case, spaces and dashes normalised, IEEE's "Std" dropped."""
    key = term_key(reference).upper()
    key = _IEEE_STD.sub("IEEE ", key)
    return _SLASH_SPACES.sub("/", key)


def work_key(reference: str) -> str:
    """The reference without its edition (year or ITU date): one key per document lineage."""
    key = reference_key(reference)
    key = _ITU_DATE.sub("", key)
    key = _ISO_YEAR.sub("", key)
    return _IEEE_YEAR.sub(r"\1", key)


def split_clause(source: str) -> tuple[str, str | None]:
    """Split "ISO/IEC 22989:2022 3.6.5" into ("ISO/IEC 22989:2022", "3.6.5")."""
    source = clean(source)
    match = _WITH_CLAUSE.match(source)
    if match:
        return match["ref"].strip(), match["clause"]
    return source, None
