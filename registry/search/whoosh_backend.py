"""The embedded backend: a whoosh (Whoosh-Reloaded) index in ``SEARCH_INDEX_DIR``.

Layout of the folder::

    drain.lock          flock held by the one process that writes (drain or rebuild)
    current -> index-N  symlink to the live index, swapped atomically by a rebuild
    index-N/            whoosh files, plus VERSION (the schema version they were built with)

Only ``drain`` and ``reindex`` open a writer, always under ``drain.lock``; the service runs them
on a background thread (or a CLI process), never on a request thread. The outbox rows are deleted
only after the index committed, so a process killed mid-drain loses nothing: the rows are applied
again by the next drain (applying a row is idempotent: it re-reads the entry). Readers keep one
searcher per thread, refreshed per search, and follow the ``current`` symlink, so a rebuild never
leaves them without an index: they read the old directory until the swap.
"""

import fcntl
import itertools
import json
import logging
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker
from whoosh import index, query
from whoosh.analysis import LanguageAnalyzer, LowercaseFilter, Token, Tokenizer
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.collectors import FilterCollector, TimeLimit, WrappingCollector
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage

from registry.models import SearchOutbox
from registry.search.analysis import (
    Clause,
    ParsedQuery,
    fold,
    fold_tokens,
    fold_words,
    highlight,
)
from registry.search.base import (
    DEADLINE,
    FACETS,
    MAX_EXPANSION,
    Hit,
    IndexUnavailable,
    Results,
    SearchBackend,
    SearchRequest,
    TooBroad,
)
from registry.search.documents import SearchDoc, iter_docs, load_docs, parse_key

log = logging.getLogger(__name__)

SCHEMA_VERSION = "2"


def _cached_reader(self, fieldname, column):
    """Whoosh's own, except that a column the segment does not have is remembered as absent.
    Whoosh asked the disk again for every posting of a field without lengths (key, body,
    spell...): a stat() per posting, a fifth of an index build. Segments never change once
    written, so the answer stays true for the reader's life."""
    if fieldname not in self._readers:
        self._readers[fieldname] = (self.column_reader(fieldname, column)
                                    if self.has_column(fieldname) else None)
    return self._readers[fieldname]


W3PerDocReader._cached_reader = _cached_reader
BATCH = 500
COMMIT_ROWS = 5_000  # outbox rows applied per index commit (their documents held meanwhile)
# Memory whoosh's writer may hold before it writes a run to disk: bounds the peak of a rebuild
# or a catch-up. Measured: 16 MB is also faster than 64 (smaller runs to sort).
WRITER_MB = 16
# A rebuild commits a segment every so many documents, unmerged: a segment's term dictionary is
# held in memory until it is written, so this bounds a rebuild's peak however big the catalogue.
SEGMENT_DOCS = 50_000
# A pathological query (every word common) stops collecting after this long; the hits found by
# then are ranked and returned, marked as partial.


class FoldTokenizer(Tokenizer):
    """registry.search.analysis.fold_tokens as a whoosh tokenizer (positions and offsets)."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pieces = fold_tokens(value) if tokenize else [(fold(value), 0, len(value))]
        for i, (text, start, end) in enumerate(pieces):
            t.text, t.boost, t.stopped = text, 1.0, False
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = start_pos + i
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t


FOLD = FoldTokenizer() | LowercaseFilter()
ENGLISH = LanguageAnalyzer("en")  # Snowball/Porter2: "bias" and "biases" meet
TEXT_FIELDS = ("reference", "names", "text_en", "text_other")


def make_schema() -> Schema:
    return Schema(
        key=ID(unique=True, stored=True),
        kind=ID,
        reference=TEXT(analyzer=FOLD, field_boost=4.0),
        names=TEXT(analyzer=FOLD, field_boost=2.0),
        text_en=TEXT(analyzer=ENGLISH),
        text_other=TEXT(analyzer=FOLD),
        body=KEYWORD(commas=True),
        lang=KEYWORD(commas=True),
        status=ID,
        area=KEYWORD(commas=True),
        spell=KEYWORD(scorable=False),  # unstemmed words: the lexicon typo correction reads
        facets=COLUMN(VarBytesColumn()),  # "kind\tbody,body\tlang,lang": counted per search
        doc=STORED,  # what a hit shows, and the digest ``check`` compares
    )


def _fields(doc: SearchDoc) -> dict:
    shown = {
        "title": doc.title,
        "reference": doc.reference,
        "display": doc.display,
        "lang": doc.lang,
        "bodies": doc.bodies,
        "status": doc.status,
        "year": doc.year,
        "slug": doc.slug,
        "concept_id": doc.concept_id,
        "digest": doc.digest,
    }
    return {
        "key": doc.key,
        "kind": doc.kind,
        "reference": doc.reference,
        "names": doc.names,
        "text_en": doc.text_en,
        "text_other": doc.text_other,
        "body": ",".join(doc.bodies),
        "lang": ",".join(doc.langs),
        "status": doc.status,
        "area": ",".join(doc.areas),
        "spell": " ".join(sorted(doc.lexicon())),
        "facets": "\t".join((doc.kind, ",".join(doc.bodies), ",".join(doc.langs))).encode(),
        "doc": json.dumps(shown, ensure_ascii=False),
    }


# -- queries -----------------------------------------------------------------------------------


def _terms(fieldname: str, text: str) -> list[str]:
    if fieldname == "text_en":
        return [t.text for t in ENGLISH(text)]
    return fold_words(text)


def _field_query(fieldname: str, text: str) -> query.Query | None:
    terms = _terms(fieldname, text)
    if not terms:
        return None
    if len(terms) == 1:
        return query.Term(fieldname, terms[0])
    return query.Phrase(fieldname, terms)


class _Deadline(WrappingCollector):
    """Raise TimeLimit once ``deadline`` (time.monotonic) has passed, checked between matched
    documents every 64 of them: no timer thread per search (whoosh's TimeLimitCollector starts
    one), and no signal (gunicorn's threads cannot take SIGALRM)."""

    def __init__(self, child, deadline: float) -> None:
        self.child = child
        self.deadline = deadline

    def collect_matches(self):
        child, deadline, clock = self.child, self.deadline, time.monotonic
        for n, sub_docnum in enumerate(child.matches()):
            if not n & 63 and clock() > deadline:
                raise TimeLimit
            child.collect(sub_docnum)


class _CappedPrefix(query.Prefix):
    """A prefix that expands to at most MAX_EXPANSION words, else TooBroad ("l0*" over 200,000
    references expanded for over a minute)."""

    def _btexts(self, ixreader):
        words = list(itertools.islice(super()._btexts(ixreader), MAX_EXPANSION + 1))
        if len(words) > MAX_EXPANSION:
            raise TooBroad(f"“{self.text}*” matches more than {MAX_EXPANSION:,} words: "
                           "type more of the word.")
        return words


def _option_query(clause: Clause) -> query.Query | None:
    words = fold_words(clause.text)
    if clause.prefix:
        # Prefixes match the beginning of titles, terms and references: expanding them over
        # all prose would cost a great deal for little.
        return query.Or([_CappedPrefix(f, words[0]) for f in ("reference", "names")])
    parts = [q for f in TEXT_FIELDS if (q := _field_query(f, clause.text))]
    if any(ch.isdigit() for ch in words[-1]):
        # References are typed from the left: "ISO/IEC 229" finds ISO/IEC 22989.
        parts.append(_CappedPrefix("reference", words[-1]))
    return query.Or(parts) if parts else None


def build_query(parsed: ParsedQuery) -> query.Query:
    def clause_query(clause: Clause) -> query.Query | None:
        built = [q for o in clause.options() if (q := _option_query(o))]
        return query.Or(built) if len(built) > 1 else (built[0] if built else None)

    positive = [q for c in parsed.positive if (q := clause_query(c))]
    if not positive:
        return query.NullQuery
    main: query.Query = query.And(positive) if len(positive) > 1 else positive[0]
    negative = [q for c in parsed.negative if (q := clause_query(c))]
    if negative:
        main = query.AndNot(main, query.Or(negative))
    return main


def _filter(request: SearchRequest) -> query.Query | None:
    parts = []
    for fieldname, values in (
        ("kind", request.kinds),
        ("body", request.bodies),
        ("lang", request.langs),
        ("status", request.statuses),
        ("area", request.areas),
    ):
        if values:
            parts.append(query.Or([query.Term(fieldname, v) for v in values]))
    return query.And(parts) if parts else None


# -- the backend -------------------------------------------------------------------------------


class WhooshBackend(SearchBackend):
    name = "whoosh"
    drains_in_background = True

    def __init__(self, index_dir: str | os.PathLike) -> None:
        self.root = Path(index_dir)
        self._local = threading.local()
        self._generation_lock = threading.Lock()
        self._generation_key: tuple | None = None
        self._generation_values: dict[str, Any] = {}

    # -- files and locks -----------------------------------------------------------------------

    @property
    def current(self) -> Path:
        return self.root / "current"

    @contextmanager
    def _write_lock(self):
        """The single-writer lock: one drain or rebuild at a time across all processes."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "drain.lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _live_dir(self) -> Path:
        try:
            target = self.root / os.readlink(self.current)
        except OSError as exc:
            raise IndexUnavailable(f"no index in {self.root}") from exc
        try:
            version = (target / "VERSION").read_text().strip()
        except OSError as exc:
            raise IndexUnavailable(f"index {target} is incomplete") from exc
        if version != SCHEMA_VERSION:
            raise IndexUnavailable(f"index {target} has schema {version}, not {SCHEMA_VERSION}")
        return target

    def _open(self) -> index.Index:
        target = self._live_dir()
        try:
            return _open_index(target)
        except Exception as exc:  # whoosh raises many kinds on damaged files
            raise IndexUnavailable(f"index {target} cannot be opened: {exc}") from exc

    def healthy(self) -> bool:
        try:
            with self._open().searcher() as searcher:
                searcher.doc_count()
            return True
        except IndexUnavailable:
            return False

    # -- reading -------------------------------------------------------------------------------

    def _searcher(self):
        """This thread's searcher on the live index, refreshed when the index changed."""
        target = self._live_dir()
        local = self._local
        searcher = getattr(local, "searcher", None)
        try:
            if searcher is None or local.target != target:
                if searcher is not None:
                    searcher.close()
                local.searcher, local.target = None, None
                searcher = _open_index(target).searcher()
                local.target = target
            else:
                # refresh() hands the still-valid segment readers to the new searcher and
                # closes the rest itself: closing the old searcher too would close those.
                fresh = searcher.refresh()
                searcher = fresh
        except Exception as exc:
            local.searcher = None
            raise IndexUnavailable(f"index {target} cannot be read: {exc}") from exc
        local.searcher = searcher
        return searcher

    def _per_generation(self, searcher, name: str, build: Callable[[], Any]) -> Any:
        """What is read whole from one index generation (the facet table, the spelling
        lexicon): built once per generation and process, shared by every thread."""
        key = (self._local.target, searcher.reader().generation())
        with self._generation_lock:
            if key != self._generation_key:
                self._generation_key, self._generation_values = key, {}
            if name not in self._generation_values:
                self._generation_values[name] = build()
            return self._generation_values[name]

    def _facet_table(self, searcher) -> list[bytes]:
        """docnum -> its facet values ("kind\tbody,body\tlang")."""
        def build() -> list[bytes]:
            reader = searcher.reader()
            column = reader.column_reader("facets")
            return [column[i] for i in range(reader.doc_count_all())]
        return self._per_generation(searcher, "facets", build)

    def search(self, session, parsed, request) -> Results:
        with self._reading():
            return self._search(parsed, request)

    @contextmanager
    def _reading(self):
        """Any failure while reading the index is IndexUnavailable, which the service answers
        (rebuild, degraded results) instead of a 500."""
        try:
            yield
        except (IndexUnavailable, TooBroad):
            raise
        except Exception as exc:  # a damaged segment shows up while reading postings
            log.exception("whoosh search failed")
            self._local.searcher = None
            raise IndexUnavailable(str(exc)) from exc

    def _search(self, parsed, request) -> Results:
        searcher = self._searcher()
        q = build_query(parsed)
        filt = _filter(request)
        limit = request.page * request.per_page
        # One deadline for the request: scoring gets 60% of it; the exact count (a second,
        # unscored pass over every match) runs only if scoring took under a third of it.
        started = time.monotonic()
        timed = _Deadline(searcher.collector(limit=limit), started + DEADLINE * 0.6)
        # The filter wraps the deadline: _Deadline feeds its child directly, so a filter inside
        # it would be bypassed.
        collector = FilterCollector(timed, filt) if filt is not None else timed
        partial = False
        try:
            searcher.search_with_collector(q, collector)
        except TimeLimit:
            partial = True
        results = collector.results()
        table = self._facet_table(searcher)
        exact = not partial and time.monotonic() - started < DEADLINE / 3
        if not exact:
            # Out of time: count only what was found, rather than a second full pass.
            matched = [hit.docnum for hit in results]
        else:
            wanted = query.And([q, filt]) if filt is not None else q
            matched = searcher.docs_for_query(wanted)
        # Count the few distinct combinations first (C speed), then split them.
        combos = Counter(map(table.__getitem__, matched))
        facets: dict[str, Counter] = {f: Counter() for f in FACETS}
        for combo, n in combos.items():
            kind, bodies, langs = combo.decode().split("\t")
            facets["kind"][kind] += n
            for name, values in (("body", bodies), ("lang", langs)):
                for value in filter(None, values.split(",")):
                    facets[name][value] += n
        total = sum(combos.values())
        start = (request.page - 1) * request.per_page
        hits = [self._hit(h, parsed) for h in list(results)[start:limit]]
        out = Results(
            query=parsed.raw,
            items=hits,
            total=total,
            facets={f: dict(c.most_common()) for f, c in facets.items()},
            page=request.page,
            per_page=request.per_page,
        )
        if partial:
            out.message = (
                "This query matches a great many entries; the best found in time "
                "are shown, and the counts are of those only. Add a word to narrow it."
            )
        elif not exact:
            out.message = (
                "This query matches a great many entries; the best are shown, and the counts "
                "are of those only. Add a word to narrow it."
            )
        return out

    @staticmethod
    def _hit(hit, parsed: ParsedQuery) -> Hit:
        shown = json.loads(hit["doc"])
        kind, ident = parse_key(hit["key"])
        return Hit(
            kind=kind,
            id=ident,
            title=shown["title"],
            snippet=highlight(shown["display"], parsed),
            score=round(hit.score, 4),
            reference=shown["reference"],
            bodies=shown["bodies"],
            lang=shown["lang"],
            status=shown["status"],
            year=shown["year"],
            slug=shown["slug"],
            concept_id=shown["concept_id"],
        )

    def match_ids(self, session, parsed, kinds, limit):
        with self._reading():
            searcher = self._searcher()
            filt = query.Or([query.Term("kind", k) for k in kinds]) if kinds else None
            results = searcher.search(build_query(parsed), filter=filt, limit=limit)
            out = []
            for hit in results:
                kind, ident = parse_key(hit["key"])
                out.append((kind, ident, json.loads(hit["doc"])["concept_id"]))
            return out

    def frequencies(self, session, words):
        searcher = self._searcher()
        lexicon = self._per_generation(
            searcher, "lexicon", lambda: {t.decode() for t in searcher.lexicon("spell")})
        reader = searcher.reader()
        return {w: reader.doc_frequency("spell", w) for w in words if w in lexicon}

    def indexed_digests(self, session) -> dict[str, str]:
        with self._open().searcher() as searcher:
            return {f["key"]: json.loads(f["doc"])["digest"] for f in searcher.all_stored_fields()}

    # -- writing: only under the write lock ----------------------------------------------------

    def drain(self, sessions: sessionmaker[Session],
              progress: Callable[[int], None] | None = None) -> int:
        with self._write_lock():
            try:
                ix = self._open()
            except IndexUnavailable as exc:
                first = not os.path.lexists(self.current)
                (log.info if first else log.warning)("building the search index: %s", exc)
                self._rebuild(sessions)
                ix = self._open()
            return self._drain(ix, sessions, progress)

    def _drain(self, ix: index.Index, sessions: sessionmaker[Session],
               progress: Callable[[int], None] | None = None) -> int:
        """Apply the outbox in index commits of up to COMMIT_ROWS rows (a commit merges
        segments: one per 500 rows made a large catch-up slow), read BATCH rows at a time.
        An entry queued twice is written once (whoosh would keep both copies if one writer
        added it twice)."""
        applied = 0
        while True:
            docs: dict[str, SearchDoc | None] = {}
            done, last = [], 0
            while len(done) < COMMIT_ROWS:
                with sessions() as session:
                    rows = session.execute(
                        select(SearchOutbox.id, SearchOutbox.entity, SearchOutbox.entity_id)
                        .where(SearchOutbox.id > last).order_by(SearchOutbox.id).limit(BATCH)
                    ).all()
                    if not rows:
                        break
                    docs.update(load_docs(session, {(r.entity, r.entity_id) for r in rows}))
                done += [r.id for r in rows]
                last = rows[-1].id
            if not done:
                return applied
            writer = ix.writer(timeout=30.0, limitmb=WRITER_MB)
            try:
                for key, doc in docs.items():
                    if doc is None:
                        writer.delete_by_term("key", key)
                    else:
                        writer.update_document(**_fields(doc))
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            # Only now, with the index committed, may the rows go.
            with sessions.begin() as session:
                for start in range(0, len(done), BATCH):
                    session.execute(delete(SearchOutbox).where(
                        SearchOutbox.id.in_(done[start:start + BATCH])))
            applied += len(done)
            if progress:
                progress(applied)

    def reindex(self, sessions: sessionmaker[Session]) -> int:
        with self._write_lock():
            count = self._rebuild(sessions)
            self._drain(self._open(), sessions)
            return count

    def _rebuild(self, sessions: sessionmaker[Session]) -> int:
        """Build a fresh index beside the live one, then swap the symlink (lock held)."""
        self.root.mkdir(parents=True, exist_ok=True)
        new = self.root / f"index-{time.time_ns()}"
        new.mkdir()
        try:
            ix = index.create_in(str(new), make_schema())
            writer = ix.writer(limitmb=WRITER_MB)
            count = 0
            with sessions() as session:
                # Outbox rows up to here are reflected in what is read next; later ones stay
                # queued.
                seen = session.scalar(select(func.max(SearchOutbox.id))) or 0
                for doc in iter_docs(session):
                    writer.add_document(**_fields(doc))
                    count += 1
                    if count % SEGMENT_DOCS == 0:
                        writer.commit(merge=False)
                        writer = ix.writer(limitmb=WRITER_MB)
            writer.commit(merge=False)
            (new / "VERSION").write_text(SCHEMA_VERSION)
        except BaseException:
            # A failed build (a full disk) leaves no half-written folder taking space; the live
            # index and the outbox are untouched.
            shutil.rmtree(new, ignore_errors=True)
            raise
        link = self.root / f".current-{os.getpid()}"
        link.unlink(missing_ok=True)
        os.symlink(new.name, link)
        os.replace(link, self.current)  # atomic: readers see the old index or the new one
        with sessions.begin() as session:
            session.execute(delete(SearchOutbox).where(SearchOutbox.id <= seen))
        self._remove_old(keep=new)
        return count

    def _remove_old(self, keep: Path) -> None:
        """Keep the new index and the one before it (readers may still hold it open)."""
        old = sorted(
            (p for p in self.root.glob("index-*") if p != keep), key=lambda p: p.stat().st_mtime
        )
        for path in old[:-1]:
            shutil.rmtree(path, ignore_errors=True)


def _open_index(folder: Path) -> index.Index:
    """The index in ``folder``, its files read rather than memory-mapped: a damaged or truncated
    file then raises an error the service answers (rebuild, degraded results), where a mapping
    would kill the worker with SIGBUS in the middle of a request."""
    return FileStorage(str(folder), supports_mmap=False).open_index()
