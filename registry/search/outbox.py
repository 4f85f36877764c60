"""Fill the search outbox in the same transaction as the change it describes.

ORM writes are caught by session events (any Session: Flask-SQLAlchemy's or a plain
``sessionmaker``'s); the import pipeline, which writes with bulk statements that fire no ORM
events, calls ``enqueue`` itself.
"""

from collections.abc import Iterable

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from registry.clock import utcnow
from registry.models import Concept, ConceptLabel, Definition, SearchOutbox, Standard

INDEXED: dict[type, str] = {Standard: "standard", Concept: "concept", Definition: "definition"}
# Set on a session that queued rows; the app drains after that session commits.
DIRTY = "search_outbox_dirty"


def enqueue(session: Session, entity: str, ids: Iterable[int], op: str = "upsert") -> None:
    now = utcnow()
    rows = [{"entity": entity, "entity_id": i, "op": op, "created_at": now} for i in set(ids)]
    if rows:
        session.execute(insert(SearchOutbox), rows)
        session.info[DIRTY] = True


def _indexed_key(obj) -> tuple[str, object] | None:
    """The indexed entity an ORM object stands for (a label stands for its concept)."""
    kind = INDEXED.get(type(obj))
    if kind:
        return kind, obj
    if isinstance(obj, ConceptLabel):
        return "concept", obj.concept or obj.concept_id
    return None


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _ctx, _instances) -> None:
    pending = session.info.setdefault("search_pending", [])
    for obj in [*session.new, *session.dirty]:
        if obj in session.dirty and not session.is_modified(obj):
            continue
        key = _indexed_key(obj)
        if key:
            pending.append((key[0], key[1], "upsert"))
    for obj in session.deleted:
        key = _indexed_key(obj)
        if key:
            op = "delete" if type(obj) in INDEXED else "upsert"
            pending.append((key[0], key[1], op))


@event.listens_for(Session, "after_flush_postexec")
def _write(session: Session, _ctx) -> None:
    """Primary keys exist now; the rows commit or roll back with the data."""
    pending = session.info.pop("search_pending", [])
    seen: set[tuple[str, int, str]] = set()
    for entity, target, op in pending:
        entity_id = target if isinstance(target, int) else getattr(target, "id", None)
        if entity_id is None or (entity, entity_id, op) in seen:
            continue
        seen.add((entity, entity_id, op))
        session.add(SearchOutbox(entity=entity, entity_id=entity_id, op=op))
        session.info[DIRTY] = True


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(DIRTY, None)
