"""``catalogue_version``: one number every catalogue or glossary write moves, and nothing else.

Caches of what is computed from the catalogue (gap rules, the coverage matrix, Figure 13) are
keyed by it: reading it is one primary-key lookup, and a forum post or a new API token leaves
it alone. The row is created with the table (migration, or ``create_all`` in tests) and again
by the first bump if something emptied the table.
"""

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from registry.models import CatalogueState

_ROW = CatalogueState.id == 1


def current(session: Session) -> int:
    return session.scalar(select(CatalogueState.version).where(_ROW)) or 0


def bump(session: Session) -> None:
    """The catalogue changed in this transaction (visible to others when it commits)."""
    done = session.execute(update(CatalogueState).where(_ROW)
                           .values(version=CatalogueState.version + 1))
    if done.rowcount == 0:
        session.execute(insert(CatalogueState).values(id=1, version=1))


def claim_writer(session: Session) -> None:
    """On SQLite, take the database's one write lock now, before anything is read: ids are
    then counted from a state no other writer can change before this transaction ends (and a
    concurrent writer waits here, for the busy timeout, instead of failing later)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(CatalogueState).where(_ROW)
                        .values(version=CatalogueState.version))
