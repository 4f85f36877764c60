"""The search use cases, whatever the backend: query, typo help, drain, rebuild, check.

``SearchService`` is what the app (pages, API, CLI) talks to. It owns the rules both backends
share: an empty or absurd query is answered with a message, not an error; no result for a word
with a typo is retried with the words one edit away that the index holds (fuzzy matching) and
offered as "did you mean"; an index that cannot answer is rebuilt while readers get a plain
database answer (``degraded``) instead of an error.

Draining: ``after_commit`` is called when a transaction that queued outbox rows commits. In
``inline`` mode (tests) it drains at once in the calling thread; in ``thread`` mode (the
default) it wakes one background thread per process, which drains under the backend's lock, so
neither a request nor an import waits for the index. That thread starts with the process's
first request, drains what other processes (an import command) queued, and then drains
whenever woken and every ``interval`` seconds.
"""

import logging
import os
import re
import threading
from collections.abc import Callable

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import Body, Concept, ConceptLabel, Definition, SearchOutbox, Standard
from registry.references import reference_key
from registry.search.analysis import (
    ParsedQuery,
    fold_words,
    highlight,
    one_edit_variants,
    parse_query,
    typo_candidates,
)
from registry.search.base import (
    CheckReport,
    Corrections,
    Hit,
    IndexUnavailable,
    Results,
    SearchBackend,
    SearchRequest,
    TooBroad,
)
from registry.search.documents import PUBLIC_DEFINITION_STATUSES, iter_docs

log = logging.getLogger(__name__)

EMPTY_MESSAGE = (
    "Type a word, a phrase in quotes or a reference: for example fairness, "
    '"AI system", ISO/IEC 22989 or 可信.'
)
NOTHING_MESSAGE = (
    "There is nothing to search for in this query: use letters or digits, "
    "and at least one word that is not excluded with a minus sign."
)
DEGRADED_MESSAGE = (
    "The search index is being rebuilt; until it is ready, results come from "
    "a simpler search of titles and terms."
)


# A query that starts the way a standard's reference does: a body's prefix, then a number.
_REFERENCE_QUERY = re.compile(
    r"^\s*(?:ISO(?:/IEC)?|IEC|ITU-[TR]|IEEE(?:\s+Std)?|EN|CEN(?:ELEC)?|ETSI|NIST|DIN|BS|NF|"
    r"AFNOR|GB(?:/T)?|JIS|ANSI|CSA|SAC|IETF|RFC)\b[\w ./:()-]*\d[\w ./:()-]*$",
    re.IGNORECASE)

class SearchService:
    def __init__(
        self,
        backend: SearchBackend,
        sessions: sessionmaker[Session],
        mode: str = "inline",
        interval: float = 30.0,
    ) -> None:
        if mode not in ("inline", "thread"):
            raise ValueError(f"unknown drain mode {mode!r} (inline or thread)")
        self.backend = backend
        self.sessions = sessions
        self.mode = mode
        self.interval = interval
        self._wake = threading.Event()
        self._rebuild_wanted = threading.Event()
        self._thread: threading.Thread | None = None
        self._thread_pid: int | None = None
        self._guard = threading.Lock()

    # -- reading -------------------------------------------------------------------------------

    def search(self, session: Session, request: SearchRequest) -> Results:
        parsed = parse_query(request.q)
        if not parsed.raw:
            return Results(
                query="", page=request.page, per_page=request.per_page, message=EMPTY_MESSAGE
            )
        if not parsed.searchable:
            return Results(
                query=parsed.raw,
                page=request.page,
                per_page=request.per_page,
                message=NOTHING_MESSAGE,
            )
        try:
            results = self._search(session, parsed, request)
        except TooBroad as exc:
            return Results(query=parsed.raw, page=request.page, per_page=request.per_page,
                           message=str(exc))
        except IndexUnavailable as exc:
            log.warning("search index unavailable: %s", exc)
            if not self._recover():
                return self._degraded(session, parsed, request)
            results = self._search(session, parsed, request)
        if parsed.truncated:
            results.message = results.message or "The query was long; only its beginning was used."
        if not results.degraded:
            self._exact_first(session, parsed.raw, request, results)
        return results

    def _exact_first(self, session: Session, query: str, request: SearchRequest,
                     results: Results) -> None:
        """A query that is a standard's reference ("ISO 13849-1", "ITU-T Y.3172"): the standard
        itself first (its newest edition when the query names none), or a line saying the
        registry holds no standard of that reference, above the nearest matches."""
        if not _REFERENCE_QUERY.match(query) or request.page != 1 or (
                request.kinds and "standard" not in request.kinds):
            return
        key = reference_key(query)
        found = session.scalars(
            select(Standard).where(or_(
                Standard.reference_key == key,
                *[Standard.reference_key.startswith(key + edition, autoescape=True)
                  for edition in (":", " (", "-")]))
            .order_by(Standard.reference_key == key, Standard.published.asc().nulls_first(),
                      Standard.reference_key)
        ).all()
        if not found:
            results.message = results.message or (
                f"No standard in the registry has the reference {query}; "
                + ("these are the nearest matches." if results.total else "nothing matches it."))
            return
        exact = found[-1]  # the reference itself, else the newest edition
        others = [h for h in results.items if not (h.kind == "standard" and h.id == exact.id)]
        if len(others) == len(results.items):
            results.total += 1
        hit = Hit("standard", exact.id, exact.title, highlight(exact.scope or exact.title,
                                                               parse_query(query)), 0.0,
                  reference=exact.reference, status=exact.status, year=exact.year)
        results.items = [hit, *others][:request.per_page]

    def _search(self, session: Session, parsed: ParsedQuery, request: SearchRequest) -> Results:
        results = self.backend.search(session, parsed, request)
        if results.total:
            return results
        corrections = self.corrections(session, parsed)
        if not corrections:
            return results
        fuzzy = self.backend.search(session, parsed.with_alternatives(corrections), request)
        fuzzy.fuzzy = True
        fuzzy.did_you_mean = _corrected(parsed, corrections)
        return fuzzy

    def corrections(self, session: Session, parsed: ParsedQuery) -> Corrections:
        """Unknown words of the query -> words one edit away that the index holds, best first."""
        words = {
            w
            for c in parsed.positive
            if not c.phrase and not c.prefix
            for o in c.options()
            for w in fold_words(o.text)
            if typo_candidates(w)
        }
        if not words:
            return {}
        known = self.backend.frequencies(session, words)
        out: Corrections = {}
        for word in sorted(words - set(known)):
            variants = {v for v in one_edit_variants(word) if len(v) >= 3}
            found = self.backend.frequencies(session, variants)
            if found:
                out[word] = sorted(found, key=lambda v: (-found[v], v))[:3]
        return out

    def ids(
        self, session: Session, q: str, kinds: tuple[str, ...], limit: int = 1000
    ) -> list[tuple[str, int, int | None]]:
        """The best matches' (kind, id, concept id), for lists filtered by a text query."""
        parsed = parse_query(q)
        if not parsed.searchable:
            return []
        try:
            found = self.backend.match_ids(session, parsed, kinds, limit)
            if not found and (corrections := self.corrections(session, parsed)):
                found = self.backend.match_ids(
                    session, parsed.with_alternatives(corrections), kinds, limit
                )
            return found
        except TooBroad:
            return []
        except IndexUnavailable as exc:
            log.warning("search index unavailable: %s", exc)
            if self._recover():
                return self.backend.match_ids(session, parsed, kinds, limit)
            degraded = self._degraded(
                session, parsed, SearchRequest(q, kinds=kinds, per_page=limit)
            )
            return [(h.kind, h.id, h.concept_id) for h in degraded.items]

    def _recover(self) -> bool:
        """Rebuild now (inline) and say so, or ask the background thread (and say not yet)."""
        if self.mode == "inline":
            self.backend.reindex(self.sessions)
            return True
        self._rebuild_wanted.set()
        self.wake()
        return False

    def _degraded(self, session: Session, parsed: ParsedQuery, request: SearchRequest) -> Results:
        """A plain database answer while the index is rebuilt: titles, terms and labels."""
        words = [w for c in parsed.positive for w in c.text.split()][:4]
        hits: list[Hit] = []
        limit = request.page * request.per_page

        def like(column):
            # autoescape: a % or _ the reader typed is a character, not a wildcard
            return [column.icontains(w, autoescape=True) for w in words]

        if not request.kinds or "standard" in request.kinds:
            for s in session.scalars(
                select(Standard)
                .where(
                    *[
                        or_(a, b)
                        for a, b in zip(like(Standard.reference), like(Standard.title), strict=True)
                    ]
                )
                .order_by(Standard.reference_key)
                .limit(limit)
            ):
                hits.append(
                    Hit(
                        "standard",
                        s.id,
                        s.title,
                        highlight(s.scope or s.title, parsed),
                        0.0,
                        reference=s.reference,
                        status=s.status,
                        year=s.year,
                    )
                )
        if not request.kinds or "concept" in request.kinds:
            for c in session.scalars(
                select(Concept)
                .where(Concept.labels.any(and_(*like(ConceptLabel.label))))
                .order_by(Concept.slug)
                .limit(limit)
            ):
                hits.append(
                    Hit(
                        "concept",
                        c.id,
                        c.label("en"),
                        highlight(c.note or "", parsed),
                        0.0,
                        slug=c.slug,
                        concept_id=c.id,
                    )
                )
        if not request.kinds or "definition" in request.kinds:
            rows = session.execute(
                select(Definition, Body.code, Concept.slug)
                .join(Body, Body.id == Definition.body_id)
                .join(Concept, Concept.id == Definition.concept_id)
                .where(Definition.status.in_(PUBLIC_DEFINITION_STATUSES), *like(Definition.term))
                .order_by(Definition.term)
                .limit(limit)
            )
            for d, body, slug in rows:
                hits.append(
                    Hit(
                        "definition",
                        d.id,
                        d.term,
                        highlight(d.text, parsed),
                        0.0,
                        bodies=[body],
                        lang=d.language,
                        status=d.status,
                        slug=slug,
                        concept_id=d.concept_id,
                    )
                )
        start = (request.page - 1) * request.per_page
        return Results(
            query=parsed.raw,
            items=hits[start:limit],
            total=len(hits),
            page=request.page,
            per_page=request.per_page,
            degraded=True,
            message=DEGRADED_MESSAGE,
        )

    # -- keeping the index in step -------------------------------------------------------------

    def after_commit(self) -> None:
        """A transaction that queued outbox rows committed: drain now (inline mode) or wake
        the background drainer."""
        if self.mode == "inline":
            try:
                self.backend.drain(self.sessions)
            except Exception:  # the rows stay queued; the next drain applies them
                log.exception("search drain failed; the outbox keeps the changes")
            return
        self.wake()

    def wake(self) -> None:
        """Make sure this process's drainer runs, and have it drain now."""
        self.start()
        self._wake.set()

    def drain(self) -> int:
        return self.backend.drain(self.sessions)

    def reindex(self) -> int:
        return self.backend.reindex(self.sessions)

    def check(self) -> CheckReport:
        """Compare every public entry's document with what the index holds."""
        with self.sessions() as session:
            indexed = self.backend.indexed_digests(session)
            expected = {doc.key: doc.digest for doc in iter_docs(session)}
            pending = session.scalar(select(func.count(SearchOutbox.id))) or 0
        return CheckReport(
            indexed=len(indexed),
            expected=len(expected),
            missing=sorted(set(expected) - set(indexed)),
            extra=sorted(set(indexed) - set(expected)),
            stale=sorted(k for k in set(expected) & set(indexed) if expected[k] != indexed[k]),
            pending=pending,
        )

    def start(self) -> None:
        """One drainer per process; started lazily, so a fork (gunicorn) gets its own. It
        drains at once, then whenever woken and every ``interval`` seconds."""
        with self._guard:
            if (
                self._thread is not None
                and self._thread.is_alive()
                and self._thread_pid == os.getpid()
            ):
                return
            self._thread_pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="search-drain", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        if self._queued():
            self._wake.set()  # what other processes (an import command) queued before
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                if self._rebuild_wanted.is_set():
                    self._rebuild_wanted.clear()
                    if not self.backend.healthy():
                        self.backend.reindex(self.sessions)
                self.backend.drain(self.sessions)
            except Exception:
                log.exception("background search drain failed; retrying later")

    def _queued(self) -> bool:
        try:
            with self.sessions() as session:
                return session.scalar(select(SearchOutbox.id).limit(1)) is not None
        except Exception:  # the database is down: the interval's drain will retry
            log.exception("could not read the search outbox")
            return False

    def wait_idle(self, timeout: float = 10.0, poll: Callable[[], bool] | None = None) -> bool:
        """For tests and tools: wait until the outbox is empty."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.sessions() as session:
                if not session.scalar(select(func.count(SearchOutbox.id))) and (
                    poll is None or poll()
                ):
                    return True
            time.sleep(0.05)
        return False


def _corrected(parsed: ParsedQuery, corrections: Corrections) -> str:
    out = []
    for clause in parsed.clauses:
        words = fold_words(clause.text)
        text = (
            corrections[words[0]][0] if len(words) == 1 and words[0] in corrections else clause.text
        )
        if clause.phrase:
            text = f'"{text}"'
        out.append(("-" if clause.negated else "") + text + ("*" if clause.prefix else ""))
    return " ".join(out)
