"""Full texts the licence rule does not allow, found and cut to excerpts where they are stored.

A registry that stored definitions under an earlier, looser rule (one that read permission into
prose: DIN's notice matched "MIT") must not go on showing them. The texts are changed in place,
in every revision (a new revision would keep the full text in the old one), and the audit row
says what happened without copying the text it removes.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import policy
from registry.db import unit_of_work
from registry.ingest.version import bump
from registry.licences import EXCERPT_WORDS, full_text_allowed
from registry.models import Definition
from registry.services import audit
from registry.text import excerpt

REASON = "text cut to an excerpt: its licence does not allow the full text"


def full_texts_not_allowed(session: Session) -> list[Definition]:
    """Every revision stored in full under a licence the rule reads as restricted."""
    stored = session.scalars(select(Definition).where(Definition.is_excerpt.is_(False))
                             .order_by(Definition.id))
    return [d for d in stored if not full_text_allowed(d.licence)]


def cut_to_excerpts(session: Session, actor, *, path: str = "cli") -> list[Definition]:
    """Cut each of them to a flagged excerpt without notes or examples; one transaction."""
    policy.require(actor, "glossary.recompute")
    with unit_of_work(session):
        found = full_texts_not_allowed(session)
        for d in found:
            d.text, d.is_excerpt, d.notes, d.examples = excerpt(d.text, EXCERPT_WORDS), True, [], []
            audit.record(session, entity="definitions", entity_id=d.id, action="update",
                         path=path, actor_id=getattr(actor, "id", None), summary=REASON,
                         after={"is_excerpt": True})
        if found:
            bump(session)
    return found
