"""Search: a backend seam (whoosh embedded, PostgreSQL FTS at scale) fed by the outbox."""
