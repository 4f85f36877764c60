"""Whether a definition's licence lets the registry keep its full text.

A licence is recognised by identity, never guessed from prose: full text only when the
statement *begins* with a licence or reuse policy the registry knows by name (an SPDX id, a
Creative Commons or other open licence, the reuse policies of EU law, US Government works, the
OECD, the W3C), or names a known licence URL. Anything else is restricted, however permissive it
may sound: a copyright notice in any language ("Jede Art der Vervielfältigung ... nur mit
Genehmigung des DIN" once matched ``MIT``), an unknown name, no licence at all. Restricted text
is kept as a short excerpt with the citation and the link to the body's platform.
"""

import re

from registry.text import excerpt

EXCERPT_WORDS = 30
EXCERPT_MAX_WORDS = 60  # the longest text accepted as an excerpt already made

# The names a statement may begin with (case-insensitive), each followed by the end, by an
# SPDX version, or by a character that cannot continue a word: "MIT" opens "MIT License", not
# "Mitglied"; "CC-BY" opens "CC-BY-4.0", not "CC-BY-NC-4.0".
KNOWN_NAMES = (
    # SPDX identifiers and the usual spellings of the same licences
    "CC0", "CC BY", "CC-BY", "CC BY-SA", "CC-BY-SA", "Creative Commons Attribution",
    "Creative Commons Zero", "ODC-By", "ODC-BY", "Open Data Commons Attribution", "PDDL",
    "MIT", "BSD-2-Clause", "BSD-3-Clause", "Apache-2.0", "Apache License",
    "W3C Software and Document License", "W3C Document License",
    # reuse policies of public bodies, as the registry records them
    "Public domain", "US Government work", "U.S. Government work",
    "\u00a9 European Union, reuse authorised", "European Union, reuse authorised",
    "EU law: reuse authorised", "OECD, reuse with attribution", "OECD terms",
)
_NAME = re.compile(
    "(?:" + "|".join(re.escape(n) for n in sorted(KNOWN_NAMES, key=len, reverse=True)) + ")"
    # an SPDX version ("CC-BY-4.0", "CC0-1.0") or the end of the name
    r"(?:-\d+(?:\.\d+)*)?(?![\w-])",
    re.IGNORECASE,
)
_URL = re.compile(
    r"https?://(?:www\.)?(?:creativecommons\.org/(?:licenses|publicdomain)/"
    r"|opendatacommons\.org/licenses/(?:by|pddl)/"
    r"|w3\.org/(?:copyright/(?:software|document)-license|Consortium/Legal/)"
    r"|spdx\.org/licenses/(?:CC0|CC-BY|MIT|Apache|BSD))",
    re.IGNORECASE,
)
# Words that take permission away again, whatever else the statement says.
_CLOSED = re.compile(
    r"all rights reserved|excerpt|proprietary|no reproduction|not for (re)?distribution",
    re.IGNORECASE,
)


def full_text_allowed(licence: str | None) -> bool:
    if not licence:
        return False
    statement = licence.strip()
    known = _NAME.match(statement) is not None or _URL.search(statement) is not None
    return known and not _CLOSED.search(statement)


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
