"""One notion of "now" for the whole core: naive UTC, the same on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    return utcnow().date()
