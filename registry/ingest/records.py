"""What flows through the write path: records in, entries to write, outcomes out."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Record:
    """An exchange record as a reader yields it, with where it came from.

    ``digest`` (optional) identifies the raw source record (its bytes, the mapping's version,
    the options): an entry last written from the same digest is unchanged without being
    mapped, validated or compared again.
    """

    kind: str
    data: dict[str, Any]
    location: str
    digest: str | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    """Something a reader could not turn into a record, and why."""

    location: str
    reason: str


@dataclass(frozen=True, slots=True)
class Deferred:
    """A source record not mapped yet: ``digest`` identifies it (its raw form, the mapping's
    version and whatever else the mapping reads), ``map()`` turns it into a Record or a
    Rejected. The write path calls ``map`` only when no entry was last written from ``digest``:
    an unchanged re-import skips mapping and validation altogether."""

    kind: str
    location: str
    digest: str
    map: Callable[[], "Record | Rejected"]


@dataclass(slots=True)
class Entry:
    """A validated record ready to write: its data, where it came from, which fields the source
    named (absent and null are the same; schema defaults are not "named")."""

    data: dict[str, Any]
    location: str
    named: frozenset[str] = field(default_factory=frozenset)
    digest: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    action: str  # created | updated | unchanged | rejected
    kind: str
    key: str
    location: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Warning:
    """A change the merge rules refused or a value the write clears: reported, not silent."""

    location: str
    kind: str
    key: str
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"location": self.location, "kind": self.kind, "key": self.key,
                "field": self.field, "message": self.message}


class RecordError(Exception):
    """This record cannot be written; the reason is reported and the run goes on."""


class Refused(Exception):
    """The whole source is refused (unreadable, not its format, unsafe): nothing is written."""


def named_fields(raw: Any) -> frozenset[str]:
    if not isinstance(raw, dict):
        return frozenset()
    return frozenset(k for k, v in raw.items() if v is not None and v != "" and v != [])


def duplicate(kind: str, key: str, location: str, first: str) -> Outcome:
    return Outcome("rejected", kind, key, location,
                   f"duplicate {kind} '{key}' in this file (first at {first})")
