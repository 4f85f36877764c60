"""How far apart the definitions of a concept are: a documented, deterministic measure.

The measure (what the README's "The glossary" section states):

1. Normalize: NFKC, case-folded. Tokens are runs of letters and digits; Chinese, Japanese and
   Korean script is cut into overlapping character bigrams (those scripts do not separate words).
2. Stem each word with the Snowball stemmer of the definition's language (Porter2 for English;
   French, Spanish, Russian, Arabic and the other Snowball languages likewise); languages without
   a stemmer keep the normalized word. English, French and Spanish function words are dropped.
3. Weigh with TF-IDF: term frequency ``1 + ln(count)``, inverse document frequency
   ``1 + ln((1 + N) / (1 + df))`` over the concept's current definitions in that language (N of
   them). The IDF is local to the concept, so a concept's scores depend on its own definitions
   only and recomputing just the concepts an import touched is exact.
4. Similarity of two definitions = cosine of their vectors (0..1). Only definitions in the same
   language and from different bodies are compared (a body is not contested with itself).
5. Divergence of a concept = 1 - the mean similarity of those pairs, rounded to 4 places; none
   when the concept has no such pair. Identical wording scores 0, no shared word scores 1.

Scores are computed on write (the import pipeline's after-write hooks and ``flask glossary
divergence``), stored in ``definition_similarities`` and ``concepts.divergence``, and read by
pages.
"""

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import combinations

import snowballstemmer
from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import Session

from registry import policy
from registry.clock import utcnow
from registry.db import unit_of_work
from registry.ingest import version
from registry.models import Concept, Definition, DefinitionLink, DefinitionSimilarity
from registry.policy import Actor

# Pairs at least this similar, across bodies, with no link yet, are suggested to the panel.
SUGGEST_THRESHOLD = 0.5

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
# A CJK character, or a run of other letters/digits, or anything else (space, punctuation).
_DISPLAY_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|[^\w]+|_+")
_WORD = re.compile(rf"[^\W_{_CJK}]+")
_CJK_RUN = re.compile(rf"[{_CJK}]+")

_SNOWBALL = {
    "en": "english",
    "fr": "french",
    "es": "spanish",
    "ru": "russian",
    "ar": "arabic",
    "de": "german",
    "it": "italian",
    "pt": "portuguese",
    "nl": "dutch",
    "sv": "swedish",
    "da": "danish",
    "no": "norwegian",
    "nb": "norwegian",
    "fi": "finnish",
    "hu": "hungarian",
    "ro": "romanian",
    "tr": "turkish",
    "el": "greek",
    "id": "indonesian",
    "ga": "irish",
    "lt": "lithuanian",
    "ne": "nepali",
    "sr": "serbian",
    "ta": "tamil",
    "ca": "catalan",
    "eu": "basque",
    "hy": "armenian",
    "yi": "yiddish",
    "hi": "hindi",
}


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_STOPWORDS = {
    "en": _wordset(
        "a an the of to in on for by with from at as or and nor but is are was were be been "
        "being it its this that these those which who whom whose what such than then there "
        "their they them can could may might shall should will would do does did has have "
        "had not no so if into onto about any all each other also"
    ),
    "fr": _wordset(
        "le la les l un une des de du d à au aux et ou en dans par pour sur avec sans ce cet "
        "cette ces qui que qu dont est sont être a ont se sa son ses leur leurs ne pas"
    ),
    "es": _wordset(
        "el la los las un una unos unas de del al a y o en por para con sin que se su sus es "
        "son ser lo como no"
    ),
}


def _primary(language: str) -> str:
    return language.split("-")[0].lower()


@lru_cache(maxsize=64)
def _stemmer(language: str):
    name = _SNOWBALL.get(_primary(language))
    return snowballstemmer.stemmer(name) if name else None


def _normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def word_key(word: str, language: str) -> str:
    """The form two words are compared on: normalized and stemmed."""
    stemmer = _stemmer(language)
    word = _normalize(word)
    return stemmer.stemWord(word) if stemmer else word


def tokens(text: str, language: str) -> list[str]:
    """The terms of ``text`` that the measure counts (see the module docstring)."""
    text = _normalize(text)
    stop = _STOPWORDS.get(_primary(language), frozenset())
    stemmer = _stemmer(language)
    words = [w for w in _WORD.findall(text) if w not in stop]
    out = stemmer.stemWords(words) if stemmer else words
    for run in _CJK_RUN.findall(text):
        out += [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
    return out


def _vectors(docs: list[list[str]]) -> list[dict[str, float]]:
    n = len(docs)
    df = Counter(term for doc in docs for term in set(doc))
    vectors = []
    for doc in docs:
        weights = {
            t: (1 + math.log(c)) * (1 + math.log((1 + n) / (1 + df[t])))
            for t, c in Counter(doc).items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors.append({t: w / norm for t, w in weights.items()})
    return vectors


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


@dataclass(frozen=True)
class Doc:
    id: int
    body_id: int
    language: str
    text: str


def similarities(docs: Iterable[Doc]) -> dict[tuple[int, int], float]:
    """Similarity of every cross-body, same-language pair, keyed ``(low id, high id)``."""
    by_language: dict[str, list[Doc]] = {}
    for doc in sorted(docs, key=lambda d: d.id):
        by_language.setdefault(doc.language, []).append(doc)
    result = {}
    for language, group in by_language.items():
        if len({d.body_id for d in group}) < 2:
            continue
        vectors = _vectors([tokens(d.text, language) for d in group])
        for (i, a), (j, b) in combinations(enumerate(group), 2):
            if a.body_id != b.body_id:
                result[(a.id, b.id)] = round(min(1.0, _cosine(vectors[i], vectors[j])), 4)
    return result


def divergence_of(pair_scores: Iterable[float]) -> float | None:
    scores = list(pair_scores)
    if not scores:
        return None
    return round(1.0 - sum(scores) / len(scores), 4)


# -- stored scores ------------------------------------------------------------------------------


def recompute(session: Session, concept_ids: Iterable[int]) -> int:
    """Recompute and store the similarities and divergence of these concepts. Never commits.

    The write path (``registry.ingest``) calls it for the concepts each write touched, in the
    writer's transaction, so scores and definitions commit or roll back together.
    """
    ids = sorted(set(concept_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(
                Definition.id,
                Definition.concept_id,
                Definition.body_id,
                Definition.language,
                Definition.text,
            ).where(Definition.concept_id.in_(chunk), Definition.status == "current")
        ).all()
        docs: dict[int, list[Doc]] = {cid: [] for cid in chunk}
        for row in rows:
            docs[row.concept_id].append(Doc(row.id, row.body_id, row.language, row.text))
        session.execute(
            delete(DefinitionSimilarity).where(DefinitionSimilarity.concept_id.in_(chunk))
        )
        now = utcnow()
        pairs, scores = [], []
        for cid in chunk:
            language_of = {d.id: d.language for d in docs[cid]}
            sims = similarities(docs[cid])
            pairs += [
                {
                    "concept_id": cid,
                    "low_id": lo,
                    "high_id": hi,
                    "language": language_of[lo],
                    "similarity": s,
                    "computed_at": now,
                }
                for (lo, hi), s in sims.items()
            ]
            scores.append({"cid": cid, "divergence": divergence_of(sims.values())})
        if pairs:
            session.execute(insert(DefinitionSimilarity), pairs)
        for score in scores:
            session.execute(
                update(Concept)
                .where(Concept.id == score["cid"])
                .values(divergence=score["divergence"])
            )
    return len(ids)


def recompute_all(session: Session, actor: Actor) -> int:
    """Recompute every concept's divergence (writes keep them up to date; this repairs);
    commits. Returns how many concepts."""
    policy.require(actor, "glossary.recompute")
    with unit_of_work(session):
        count = recompute(session, list(session.scalars(select(Concept.id))))
        version.bump(session)
    return count


def pair_scores(
    session: Session, definition_ids: Iterable[int], concept_id: int | None = None
) -> dict[tuple[int, int], float]:
    """Stored similarities among these definitions, keyed ``(low id, high id)``. With
    ``concept_id`` the rows are found through that concept's index (a concept page)."""
    ids = set(definition_ids)
    if not ids:
        return {}
    cols = select(
        DefinitionSimilarity.low_id, DefinitionSimilarity.high_id, DefinitionSimilarity.similarity
    )
    if concept_id is not None:
        rows = session.execute(cols.where(DefinitionSimilarity.concept_id == concept_id))
    else:
        rows = session.execute(
            cols.where(DefinitionSimilarity.low_id.in_(ids), DefinitionSimilarity.high_id.in_(ids))
        )
    return {(lo, hi): s for lo, hi, s in rows if lo in ids and hi in ids}


def suggested_links(
    session: Session,
    concept_id: int | None = None,
    threshold: float = SUGGEST_THRESHOLD,
    limit: int = 50,
) -> list[DefinitionSimilarity]:
    """Similar cross-body pairs that no link joins yet (either way), most similar first."""
    linked = select(DefinitionLink.id).where(
        or_(
            (DefinitionLink.source_id == DefinitionSimilarity.low_id)
            & (DefinitionLink.target_id == DefinitionSimilarity.high_id),
            (DefinitionLink.source_id == DefinitionSimilarity.high_id)
            & (DefinitionLink.target_id == DefinitionSimilarity.low_id),
        )
    )
    stmt = (
        select(DefinitionSimilarity)
        .where(DefinitionSimilarity.similarity >= threshold, ~linked.exists())
        .order_by(DefinitionSimilarity.similarity.desc(), DefinitionSimilarity.id)
        .limit(limit)
    )
    if concept_id is not None:
        stmt = stmt.where(DefinitionSimilarity.concept_id == concept_id)
    return list(session.scalars(stmt))


# -- comparing two texts word by word ----------------------------------------------------------


@dataclass
class Comparison:
    """Two texts cut into segments ``(kind, text)``: kind ``same`` (wording both share, after
    normalization and stemming) or ``diff`` (wording only this side has)."""

    left: list[tuple[str, str]] = field(default_factory=list)
    right: list[tuple[str, str]] = field(default_factory=list)
    shared_words: int = 0
    left_words: int = 0
    right_words: int = 0


def _display_tokens(text: str, language: str) -> tuple[list[str], list[str | None]]:
    parts = _DISPLAY_TOKEN.findall(text)
    keys = [
        word_key(p, language) if _WORD.fullmatch(p) or _CJK_RUN.fullmatch(p) else None
        for p in parts
    ]
    return parts, keys


def _segments(parts: list[str], keys: list[str | None], same: set[int]) -> list[tuple[str, str]]:
    kinds: list[str | None] = [
        None if k is None else ("same" if i in same else "diff") for i, k in enumerate(keys)
    ]
    # Spaces and punctuation join a mark only between two differing words, so marks stay tight.
    prev: str | None = None
    for i in range(len(parts)):
        if kinds[i] is None:
            nxt = next((k for k in kinds[i + 1 :] if k is not None), None)
            kinds[i] = "diff" if prev == "diff" and nxt == "diff" else "same"
        else:
            prev = kinds[i]
    out: list[tuple[str, str]] = []
    for kind, part in zip(kinds, parts, strict=True):
        if out and out[-1][0] == kind:
            out[-1] = (kind, out[-1][1] + part)
        else:
            out.append((kind, part))
    return out


def compare(left: str, right: str, language: str, right_language: str | None = None, *,
            in_order: bool = True) -> Comparison:
    """Two texts word by word, normalized and stemmed the same way on both sides.

    ``in_order`` (the diff between two revisions of one definition): a word is shared where
    the texts align (difflib), so a moved word is a change. Otherwise (two bodies' definitions
    side by side): a word is shared when the other text uses it anywhere."""
    lparts, lkeys = _display_tokens(left, language)
    rparts, rkeys = _display_tokens(right, right_language or language)
    lidx = [i for i, k in enumerate(lkeys) if k is not None]
    ridx = [i for i, k in enumerate(rkeys) if k is not None]
    lsame: set[int] = set()
    rsame: set[int] = set()
    if in_order:
        matcher = SequenceMatcher(
            None, [lkeys[i] for i in lidx], [rkeys[i] for i in ridx], autojunk=False
        )
        for block in matcher.get_matching_blocks():
            lsame.update(lidx[block.a + k] for k in range(block.size))
            rsame.update(ridx[block.b + k] for k in range(block.size))
    else:
        lset, rset = {lkeys[i] for i in lidx}, {rkeys[i] for i in ridx}
        lsame = {i for i in lidx if lkeys[i] in rset}
        rsame = {i for i in ridx if rkeys[i] in lset}
    return Comparison(
        _segments(lparts, lkeys, lsame),
        _segments(rparts, rkeys, rsame),
        len(lsame),
        len(lidx),
        len(ridx),
    )
