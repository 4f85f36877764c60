"""Text analysis shared by both search backends, so a query means the same thing on each.

* ``fold_tokens``: words lower-cased with accents folded (``équité`` -> ``equite``, so French and
  Spanish match with or without accents), and runs of Chinese, Japanese or Korean characters cut
  into overlapping character bigrams (those scripts put no spaces between words).
* ``parse_query``: the one query syntax (web-search style): words must all match, ``"quoted
  phrases"``, ``a OR b``, ``-word`` excludes, ``word*`` is a prefix (3 characters or more).
* ``highlight``: an escaped snippet with ``<mark>`` around the words that matched.
* ``one_edit_variants``: every string one edit away, looked up in the index's lexicon for
  "did you mean" and one-typo fuzzy matching.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup, escape
from whoosh.lang.porter2 import stem as porter2_stem

MAX_QUERY_LENGTH = 200
MAX_CLAUSES = 12
MIN_PREFIX = 3

_WORD = re.compile(r"[^\W_]+")
# Han, Hiragana, Katakana, Hangul, CJK punctuation-free blocks.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_CJK_RUNS = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+)")


def fold(text: str) -> str:
    """Lower case without accents: ``Équité`` -> ``equite``. CJK text is left as it is."""
    if text.isascii():  # most words: nothing to decompose (ASCII casefold is lower)
        return text.lower()
    return _fold_unicode(text)


@lru_cache(maxsize=50_000)
def _fold_unicode(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).casefold()


def has_cjk(text: str) -> bool:
    return not text.isascii() and bool(_CJK.search(text))


def fold_tokens(text: str) -> list[tuple[str, int, int]]:
    """(token, start, end) for each folded word or CJK bigram, offsets into ``text``."""
    out: list[tuple[str, int, int]] = []
    for match in _WORD.finditer(text or ""):
        word, base = match.group(), match.start()
        if not has_cjk(word):
            out.append((fold(word), base, match.end()))
            continue
        pos = 0
        for part in _CJK_RUNS.split(word):
            if not part:
                continue
            start = base + pos
            pos += len(part)
            if not _CJK.match(part):
                out.append((fold(part), start, start + len(part)))
            elif len(part) == 1:
                out.append((part, start, start + 1))
            else:
                out.extend(
                    (part[i : i + 2], start + i, start + i + 2) for i in range(len(part) - 1)
                )
    return out


def fold_words(text: str) -> list[str]:
    return [t for t, _, _ in fold_tokens(text)]


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return porter2_stem(word)


# -- the query syntax --------------------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    """One word, phrase or prefix of a query; ``alternatives`` are OR-ed with it."""

    text: str
    phrase: bool = False
    prefix: bool = False
    negated: bool = False
    alternatives: tuple["Clause", ...] = ()

    def options(self) -> tuple["Clause", ...]:
        return (self, *self.alternatives)


@dataclass
class ParsedQuery:
    raw: str
    clauses: list[Clause] = field(default_factory=list)
    truncated: bool = False

    @property
    def positive(self) -> list[Clause]:
        return [c for c in self.clauses if not c.negated]

    @property
    def negative(self) -> list[Clause]:
        return [c for c in self.clauses if c.negated]

    @property
    def searchable(self) -> bool:
        return bool(self.positive)

    def words(self) -> list[str]:
        """Folded words of the positive clauses (what snippets mark)."""
        return [w for c in self.positive for o in c.options() for w in fold_words(o.text)]

    def with_alternatives(self, corrections: dict[str, list[str]]) -> "ParsedQuery":
        """The query with each corrected word OR-ed with its candidates (fuzzy matching)."""
        clauses = []
        for c in self.clauses:
            words = fold_words(c.text)
            if not c.phrase and not c.prefix and len(words) == 1 and words[0] in corrections:
                extra = tuple(Clause(w) for w in corrections[words[0]])
                c = Clause(c.text, c.phrase, c.prefix, c.negated, (*c.alternatives, *extra))
            clauses.append(c)
        return ParsedQuery(self.raw, clauses, self.truncated)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_query(raw: str | None) -> ParsedQuery:
    """Parse what a person typed; never fails (stray quotes and operators are ignored)."""
    # Control characters (NUL above all, which PostgreSQL refuses in text) become spaces.
    raw = _CONTROL.sub(" ", raw or "").strip()
    truncated = len(raw) > MAX_QUERY_LENGTH
    raw = raw[:MAX_QUERY_LENGTH]
    clauses: list[Clause] = []
    join_next = False
    for match in _TOKEN.finditer(raw):
        negated = False
        if match.group(2) is not None:
            negated, text, phrase, prefix = bool(match.group(1)), match.group(2), True, False
            if len(fold_words(text)) <= 1:
                phrase = False
        else:
            text = match.group(3)
            if text.upper() == "OR" and clauses:
                join_next = True
                continue
            if text.startswith("-") and len(text) > 1:
                negated, text = True, text[1:]
            prefix = text.endswith("*")
            text = text.rstrip("*")
            words = fold_words(text)
            prefix = (
                prefix and len(words) == 1 and len(words[0]) >= MIN_PREFIX and not has_cjk(text)
            )
            phrase = False
        if not fold_words(text):
            continue  # punctuation only
        clause = Clause(text=text, phrase=phrase, prefix=prefix, negated=negated)
        if join_next and not negated and clauses and not clauses[-1].negated:
            last = clauses.pop()
            clause = Clause(
                last.text, last.phrase, last.prefix, False, (*last.alternatives, clause)
            )
        join_next = False
        clauses.append(clause)
        if len(clauses) >= MAX_CLAUSES:
            truncated = True
            break
    return ParsedQuery(raw=raw, clauses=clauses, truncated=truncated)


# -- snippets ----------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def _matches(token: str, wanted: set[str], wanted_stems: set[str], prefixes: tuple[str, ...]):
    return (
        token in wanted
        or (token.isascii() and stem(token) in wanted_stems)
        or (bool(prefixes) and token.startswith(prefixes))
    )


def highlight(text: str, query: ParsedQuery, width: int = 220) -> Markup:
    """The part of ``text`` with most matched words, escaped, matches in ``<mark>``."""
    text = _SPACE.sub(" ", text or "").strip()
    if not text:
        return Markup("")
    wanted = set(query.words())
    wanted_stems = {stem(w) for w in wanted if w.isascii()}
    prefixes = tuple(fold_words(c.text)[0] for c in query.positive if c.prefix)
    spans = [
        (s, e) for tok, s, e in fold_tokens(text) if _matches(tok, wanted, wanted_stems, prefixes)
    ]
    # Merge overlapping CJK bigram spans into one mark.
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    start = 0
    if merged and len(text) > width:
        best, best_n = merged[0][0], 0
        for s, _ in merged:
            n = sum(1 for s2, _ in merged if s <= s2 < s + width)
            if n > best_n:
                best, best_n = s, n
        start = max(0, best - width // 4)
        while start > 0 and text[start - 1] != " " and best - start < width // 2:
            start -= 1
    end = min(len(text), start + width)
    if end < len(text):
        cut = text.rfind(" ", start + width // 2, end)
        end = cut if cut > 0 else end
    parts: list[str] = ["\u2026 " if start > 0 else ""]
    pos = start
    for s, e in merged:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        parts.append(str(escape(text[pos:s])))
        parts.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    parts.append(str(escape(text[pos:end])))
    if end < len(text):
        parts.append(" \u2026")
    return Markup("".join(parts))


def mark_sentinels(fragment: str, start: str, stop: str) -> Markup:
    """Escape a backend's highlighted fragment, turning its sentinels into ``<mark>``."""
    escaped = str(escape(fragment))
    return Markup(escaped.replace(start, "<mark>").replace(stop, "</mark>"))


# -- typos ---------------------------------------------------------------------------------------

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def one_edit_variants(word: str) -> set[str]:
    """Every string one deletion, insertion, substitution or transposition away."""
    letters = _ALPHABET + "".join(sorted(set(word) - set(_ALPHABET)))
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {a + c + b for a, b in splits for c in letters}
    out.discard(word)
    return {w for w in out if len(w) >= 2}


def typo_candidates(word: str) -> bool:
    """Only plain words of 4+ letters get typo correction (not numbers, not CJK)."""
    return len(word) >= 4 and not has_cjk(word) and not word.isdigit()
