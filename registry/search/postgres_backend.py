"""The PostgreSQL backend: full-text search in the database, for deployments with several nodes.

Documents live in ``search_documents`` with a weighted ``tsvector`` (GIN index):

* A: references, titles, labels and designations, folded (``simple`` configuration);
* B: English prose (``english`` configuration: Snowball/Porter2 stems);
* C: prose in other languages, folded, CJK as bigrams (``simple``).

Folding and CJK bigrams are done in Python (registry.search.analysis), the same way as for the
whoosh index, so neither the ``unaccent`` nor any other extension is needed. A query clause is
``websearch_to_tsquery('english', word) || phraseto_tsquery('simple', folded words)``; clauses
are AND-ed, ``-word`` negated; ranking is ``ts_rank``; snippets come from ``ts_headline``
on the returned page only (it is the expensive part), escaped before marks are added.

The outbox is drained in one transaction per batch under a transaction-level advisory lock, so
any number of nodes may drain: one at a time, and a crash rolls the whole batch back. A rebuild
replaces every row in one transaction: readers see the old rows until it commits.
"""

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from psycopg.errors import QueryCanceled
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from registry.models import SearchOutbox
from registry.search.analysis import (
    Clause,
    ParsedQuery,
    fold_words,
    highlight,
    mark_sentinels,
)
from registry.search.base import (
    DEADLINE,
    FACETS,
    Hit,
    IndexUnavailable,
    Results,
    SearchBackend,
    TooBroad,
)
from registry.search.documents import SearchDoc, iter_docs, load_docs, parse_key

BATCH = 500
DRAIN_LOCK = 0x5EA2C4  # pg_advisory_xact_lock key: one drainer or rebuilder at a time
START, STOP = "\ue000", "\ue001"  # ts_headline marks, replaced after escaping
HEADLINE = (
    f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=12, MaxFragments=2, "
    'FragmentDelimiter=" … "'
)

UPSERT = text("""
INSERT INTO search_documents (key, kind, entity_id, concept_id, title, reference, display,
    lang, bodies, langs, areas, status, year, slug, digest, tsv)
VALUES (:key, :kind, :entity_id, :concept_id, :title, :reference, :display, :lang, :bodies,
    :langs, :areas, :status, :year, :slug, :digest,
    setweight(to_tsvector('simple', :a), 'A') || setweight(to_tsvector('english', :en), 'B')
    || setweight(to_tsvector('simple', :c), 'C'))
ON CONFLICT (key) DO UPDATE SET kind = EXCLUDED.kind, entity_id = EXCLUDED.entity_id,
    concept_id = EXCLUDED.concept_id, title = EXCLUDED.title, reference = EXCLUDED.reference,
    display = EXCLUDED.display, lang = EXCLUDED.lang, bodies = EXCLUDED.bodies,
    langs = EXCLUDED.langs, areas = EXCLUDED.areas, status = EXCLUDED.status,
    year = EXCLUDED.year, slug = EXCLUDED.slug, digest = EXCLUDED.digest, tsv = EXCLUDED.tsv
""")
COUNT_WORDS = text("""
INSERT INTO search_words (word, docs) VALUES (:word, :docs)
ON CONFLICT (word) DO UPDATE SET docs = search_words.docs + EXCLUDED.docs
""")


def _padded(values: list[str]) -> str:
    return " " + " ".join(values) + " "


def _row(doc: SearchDoc) -> dict:
    return {
        "key": doc.key,
        "kind": doc.kind,
        "entity_id": doc.entity_id,
        "concept_id": doc.concept_id,
        "title": doc.title,
        "reference": doc.reference,
        "display": doc.display,
        "lang": doc.lang,
        "bodies": _padded(doc.bodies),
        "langs": _padded(doc.langs),
        "areas": _padded(doc.areas),
        "status": doc.status,
        "year": doc.year,
        "slug": doc.slug,
        "digest": doc.digest,
        "a": " ".join(fold_words(doc.reference + "\n" + doc.names)),
        "en": doc.text_en,
        "c": " ".join(fold_words(doc.text_other)),
    }


class _Sql:
    """Collects bind parameters while a query is assembled as SQL text."""

    def __init__(self) -> None:
        self.params: dict = {}

    def p(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"


def _option(sql: _Sql, clause: Clause) -> str | None:
    words = fold_words(clause.text)
    if not words:
        return None
    if clause.prefix:
        # Prefixes match the beginning of titles, terms and references (weight A) only.
        return f"to_tsquery('simple', {sql.p(repr_lexeme(words[0]) + ':*A')})"
    typed = f'"{clause.text}"' if clause.phrase else clause.text
    parts = [
        f"websearch_to_tsquery('english', {sql.p(typed)})",
        f"phraseto_tsquery('simple', {sql.p(' '.join(words))})",
    ]
    if any(ch.isdigit() for ch in words[-1]):
        # References are typed from the left: "ISO/IEC 229" finds ISO/IEC 22989.
        parts.append(f"to_tsquery('simple', {sql.p(repr_lexeme(words[-1]) + ':*A')})")
    return "(" + " || ".join(parts) + ")"


def repr_lexeme(word: str) -> str:
    """A folded word as a quoted tsquery lexeme (folded words hold no quotes or operators)."""
    return "'" + word.replace("'", "") + "'"


def build_tsquery(sql: _Sql, parsed: ParsedQuery) -> str:
    def clause(c: Clause) -> str | None:
        options = [o for opt in c.options() if (o := _option(sql, opt))]
        return "(" + " || ".join(options) + ")" if options else None

    positive = [q for c in parsed.positive if (q := clause(c))]
    negative = [q for c in parsed.negative if (q := clause(c))]
    if not positive:
        return "''::tsquery"
    return " && ".join(positive + [f"!!{n}" for n in negative])


def _filters(sql: _Sql, request) -> str:
    out = []
    if request.kinds:
        out.append(f"d.kind = ANY({sql.p(list(request.kinds))})")
    if request.statuses:
        out.append(f"d.status = ANY({sql.p(list(request.statuses))})")
    for column, values in (
        ("bodies", request.bodies),
        ("langs", request.langs),
        ("areas", request.areas),
    ):
        if values:
            out.append(f"d.{column} LIKE ANY({sql.p([f'% {v} %' for v in values])})")
    return "".join(f" AND {f}" for f in out)


@contextmanager
def _deadline(session: Session) -> Iterator[None]:
    """The search's statements share one deadline in their own savepoint: past it PostgreSQL
    cancels them (a prefix like "l0:*" over 200,000 references, a very common word) and the
    reader is told to narrow the query, instead of a worker held for a minute."""
    with session.begin_nested():
        session.execute(text(f"SET LOCAL statement_timeout = {int(DEADLINE * 1000)}"))
        try:
            yield
        except OperationalError as exc:
            if not isinstance(exc.orig, QueryCanceled):
                raise
            raise TooBroad("This query matches too much to answer in time: add a word or type "
                           "more of a word.") from None
        # Released, a savepoint keeps SET LOCAL: the rest of the transaction gets no deadline.
        session.execute(text("SET LOCAL statement_timeout = DEFAULT"))


class PostgresBackend(SearchBackend):
    name = "postgres"

    def search(self, session, parsed, request) -> Results:
        with _deadline(session):
            return self._search(session, parsed, request)

    def _search(self, session, parsed, request) -> Results:
        sql = _Sql()
        tsq = build_tsquery(sql, parsed)
        where = _filters(sql, request)
        offset = (request.page - 1) * request.per_page
        rows = session.execute(
            text(f"""
            WITH q AS (SELECT {tsq} AS query)
            SELECT r.*, CASE WHEN r.lang LIKE 'en%' OR r.lang = ''
                        THEN ts_headline('english', r.display, q.query, :headline) END AS headline
            FROM (SELECT d.key, d.title, d.reference, d.display, d.lang, d.bodies, d.status,
                         d.year, d.slug, d.concept_id, ts_rank(d.tsv, q.query) AS score
                  FROM search_documents d, q WHERE d.tsv @@ q.query{where}
                  ORDER BY score DESC, d.key LIMIT :limit OFFSET :offset) r, q
            ORDER BY r.score DESC, r.key
        """),
            {**sql.params, "headline": HEADLINE, "limit": request.per_page, "offset": offset},
        ).all()
        facets: dict[str, dict[str, int]] = {f: {} for f in FACETS}
        for facet, value, count in session.execute(
            text(f"""
            WITH q AS (SELECT {tsq} AS query),
            m AS MATERIALIZED (SELECT d.kind, d.bodies, d.langs FROM search_documents d, q
                               WHERE d.tsv @@ q.query{where})
            SELECT 'kind', kind, count(*) FROM m GROUP BY kind
            UNION ALL SELECT 'body', b, count(*) FROM m
                CROSS JOIN LATERAL unnest(string_to_array(btrim(m.bodies), ' ')) AS b GROUP BY b
            UNION ALL SELECT 'lang', l, count(*) FROM m
                CROSS JOIN LATERAL unnest(string_to_array(btrim(m.langs), ' ')) AS l GROUP BY l
        """),
            sql.params,
        ):
            facets[facet][value] = count
        facets = {
            f: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for f, c in facets.items()
        }
        items = []
        for r in rows:
            kind, ident = parse_key(r.key)
            snippet = (
                mark_sentinels(r.headline, START, STOP)
                if r.headline and START in r.headline
                else highlight(r.display, parsed)
            )
            items.append(
                Hit(
                    kind=kind,
                    id=ident,
                    title=r.title,
                    snippet=snippet,
                    score=round(float(r.score), 4),
                    reference=r.reference,
                    bodies=r.bodies.split(),
                    lang=r.lang,
                    status=r.status,
                    year=r.year,
                    slug=r.slug,
                    concept_id=r.concept_id,
                )
            )
        if not items and request.page == 1 and self._empty(session):
            raise IndexUnavailable("search_documents is empty but the catalogue is not")
        return Results(
            query=parsed.raw,
            items=items,
            total=sum(facets["kind"].values()),
            facets=facets,
            page=request.page,
            per_page=request.per_page,
        )

    @staticmethod
    def _empty(session) -> bool:
        """No document at all while standards exist: never built (e.g. just switched to this
        backend), so rebuild rather than answer "nothing found"."""
        return session.execute(
            text(
                "SELECT NOT EXISTS (SELECT 1 FROM search_documents) "
                "AND EXISTS (SELECT 1 FROM standards)"
            )
        ).scalar()

    def match_ids(self, session, parsed, kinds, limit):
        with _deadline(session):
            return self._match_ids(session, parsed, kinds, limit)

    def _match_ids(self, session, parsed, kinds, limit):
        sql = _Sql()
        tsq = build_tsquery(sql, parsed)
        kind_filter = f" AND d.kind = ANY({sql.p(list(kinds))})" if kinds else ""
        rows = session.execute(
            text(f"""
            WITH q AS (SELECT {tsq} AS query)
            SELECT d.kind, d.entity_id, d.concept_id FROM search_documents d, q
            WHERE d.tsv @@ q.query{kind_filter}
            ORDER BY ts_rank(d.tsv, q.query) DESC, d.key LIMIT :limit
        """),
            {**sql.params, "limit": limit},
        )
        return [(r.kind, r.entity_id, r.concept_id) for r in rows]

    def frequencies(self, session, words):
        if not words:
            return {}
        rows = session.execute(
            text("SELECT word, docs FROM search_words WHERE word = ANY(:words) AND docs > 0"),
            {"words": sorted(words)},
        )
        return dict(rows.all())

    def indexed_digests(self, session) -> dict[str, str]:
        return dict(session.execute(text("SELECT key, digest FROM search_documents")).all())

    def drain(self, sessions: sessionmaker[Session],
              progress: Callable[[int], None] | None = None) -> int:
        applied = 0
        while True:
            with sessions.begin() as session:
                session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": DRAIN_LOCK})
                rows = session.execute(
                    select(SearchOutbox.id, SearchOutbox.entity, SearchOutbox.entity_id)
                    .order_by(SearchOutbox.id)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                ).all()
                if not rows:
                    return applied
                docs = load_docs(session, {(r.entity, r.entity_id) for r in rows})
                gone = [k for k, d in docs.items() if d is None]
                if gone:
                    session.execute(
                        text("DELETE FROM search_documents WHERE key = ANY(:keys)"), {"keys": gone}
                    )
                self._write(session, [d for d in docs.values() if d is not None])
                session.execute(
                    text("DELETE FROM search_outbox WHERE id = ANY(:ids)"),
                    {"ids": [r.id for r in rows]},
                )
                applied += len(rows)
            if progress:
                progress(applied)

    def reindex(self, sessions: sessionmaker[Session]) -> int:
        with sessions.begin() as session:
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": DRAIN_LOCK})
            seen = session.scalar(select(func.max(SearchOutbox.id))) or 0
            session.execute(text("DELETE FROM search_documents"))
            session.execute(text("DELETE FROM search_words"))
            words: Counter[str] = Counter()
            batch: list[SearchDoc] = []
            count = 0
            for doc in iter_docs(session):
                batch.append(doc)
                words.update(doc.lexicon())
                if len(batch) >= 1000:
                    self._write(session, batch, count_words=False)
                    count += len(batch)
                    batch = []
            self._write(session, batch, count_words=False)
            count += len(batch)
            if words:
                session.execute(COUNT_WORDS, [{"word": w, "docs": n} for w, n in words.items()])
            session.execute(text("DELETE FROM search_outbox WHERE id <= :seen"), {"seen": seen})
        self.drain(sessions)  # what was committed during the rebuild
        return count

    @staticmethod
    def _write(session: Session, docs: list[SearchDoc], count_words: bool = True) -> None:
        if not docs:
            return
        session.execute(UPSERT, [_row(d) for d in docs])
        if count_words:
            words = Counter(w for d in docs for w in d.lexicon())
            if words:
                session.execute(COUNT_WORDS, [{"word": w, "docs": n} for w, n in words.items()])
