"""Search: a backend seam (whoosh embedded, PostgreSQL FTS at scale) fed by the outbox.

``make_backend`` picks the implementation named by ``SEARCH_BACKEND``; ``SearchService``
(registry.search.service) is what callers use.
"""

from registry.search.base import SearchBackend

BACKENDS = ("whoosh", "postgres")


def make_backend(name: str, *, index_dir: str, dialect: str) -> SearchBackend:
    if name == "whoosh":
        from registry.search.whoosh_backend import WhooshBackend

        return WhooshBackend(index_dir)
    if name == "postgres":
        if dialect != "postgresql":
            raise ValueError(
                "SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL "
                f"(this one is {dialect}); use SEARCH_BACKEND=whoosh"
            )
        from registry.search.postgres_backend import PostgresBackend

        return PostgresBackend()
    raise ValueError(f"unknown SEARCH_BACKEND {name!r}; choose one of {', '.join(BACKENDS)}")
