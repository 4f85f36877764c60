"""The search seam: what a backend takes, what it returns, and what it must do."""

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy.orm import Session, sessionmaker

from registry.search.analysis import ParsedQuery

FACETS = ("kind", "body", "lang")


class IndexUnavailable(Exception):
    """The index is missing, stale or unreadable: rebuild it from the database."""


# Every search is bounded, whoever asks: a prefix expands to at most MAX_EXPANSION words of the
# index, and a request (scoring, counting, facets) stops at DEADLINE seconds with what it found.
MAX_EXPANSION = 1000
DEADLINE = 2.0


class TooBroad(Exception):
    """The query would cost more than a search may: its message says what to change."""


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    kinds: tuple[str, ...] = ()
    bodies: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    page: int = 1
    per_page: int = 20


@dataclass
class Hit:
    kind: str
    id: int
    title: str
    snippet: Markup
    score: float
    reference: str = ""
    bodies: list[str] = field(default_factory=list)
    lang: str = ""
    status: str = ""
    year: int | None = None
    slug: str = ""
    concept_id: int | None = None


@dataclass
class Results:
    query: str
    items: list[Hit] = field(default_factory=list)
    total: int = 0
    facets: dict[str, dict[str, int]] = field(default_factory=lambda: {f: {} for f in FACETS})
    page: int = 1
    per_page: int = 20
    did_you_mean: str | None = None
    fuzzy: bool = False
    degraded: bool = False
    message: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


@dataclass
class CheckReport:
    indexed: int
    expected: int
    missing: list[str] = field(default_factory=list)  # in the database, not in the index
    extra: list[str] = field(default_factory=list)  # in the index, not (or no longer) public
    stale: list[str] = field(default_factory=list)  # indexed with other content
    pending: int = 0  # outbox rows not yet applied

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale)


Corrections = dict[str, list[str]]  # folded query word -> words one edit away in the index


class SearchBackend(ABC):
    name: str
    # True when applying the outbox must not happen on a request thread (whoosh's writer).
    drains_in_background: bool = False

    @abstractmethod
    def search(self, session: Session, parsed: ParsedQuery, request: SearchRequest) -> Results:
        """One page of results; raises IndexUnavailable when the index cannot answer."""

    @abstractmethod
    def match_ids(
        self, session: Session, parsed: ParsedQuery, kinds: tuple[str, ...], limit: int
    ) -> list[tuple[str, int, int | None]]:
        """(kind, id, concept id) of the best ``limit`` matches, best first."""

    @abstractmethod
    def frequencies(self, session: Session, words: set[str]) -> dict[str, int]:
        """How many documents hold each (folded, unstemmed) word; absent words are left out."""

    @abstractmethod
    def drain(self, sessions: sessionmaker[Session],
              progress: Callable[[int], None] | None = None) -> int:
        """Apply queued outbox rows to the index; returns how many rows were applied.
        ``progress`` is told the running count after each batch."""

    @abstractmethod
    def reindex(self, sessions: sessionmaker[Session]) -> int:
        """Rebuild the whole index from the database; returns the number of documents."""

    @abstractmethod
    def indexed_digests(self, session: Session) -> dict[str, str]:
        """key -> digest of every document in the index (for ``check``)."""

    def healthy(self) -> bool:
        return True
