"""Cross-body links between definitions: create, review, and read them from either end.

A link is stored once, from source to target, and read as a SKOS mapping property from the
source ("broader": the target's notion is broader). Seen from the target's side the type is
inverted (``vocab.LINK_INVERSE``), so both concept pages say the same thing.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.orm.util import identity_key

from registry import policy
from registry.clock import utcnow
from registry.db import unit_of_work
from registry.ingest import WRITERS, Entry, Run, finish
from registry.models import Body, Concept, Definition, DefinitionLink
from registry.models.vocab import LINK_INVERSE, LINK_STATES, LINK_TYPES
from registry.policy import Actor
from registry.services.paging import Page
from registry.text import prose


class LinkError(ValueError):
    """The link cannot be made or reviewed; the message says why and is safe to show."""


class AlreadyLinked(LinkError):
    """The two definitions are linked already (either way round)."""


def _snapshot(link: DefinitionLink) -> dict[str, Any]:
    return {
        "source_id": link.source_id,
        "target_id": link.target_id,
        "type": link.type,
        "rationale": link.rationale,
        "state": link.state,
        "author_id": link.author_id,
        "reviewed_by_id": link.reviewed_by_id,
    }


def existing_link(session: Session, a: int, b: int) -> DefinitionLink | None:
    """The link between two definitions, whichever way round it was made."""
    return session.scalar(
        select(DefinitionLink).where(
            or_(
                (DefinitionLink.source_id == a) & (DefinitionLink.target_id == b),
                (DefinitionLink.source_id == b) & (DefinitionLink.target_id == a),
            )
        )
    )


def create_link(
    session: Session,
    actor: Actor,
    *,
    source_id: int,
    target_id: int,
    type: str,
    rationale: str | None,
    path: str = "web",
) -> DefinitionLink:
    """A new proposed link by ``actor``, through the same writer as imported links; commits."""
    source = session.get(Definition, source_id)
    policy.require(actor, "link.create", source)
    if type not in LINK_TYPES:
        raise LinkError(f"unknown link type {type!r}; one of {', '.join(LINK_TYPES)}")
    rationale = prose(rationale) or None
    if rationale is None:
        raise LinkError("say why: a link needs a rationale")
    with unit_of_work(session):
        run = Run(session, path=path, actor_id=actor.id, edit=True)
        record = {"source_id": source_id, "target_id": target_id, "type": type,
                  "rationale": rationale, "state": "proposed"}
        (outcome,) = WRITERS["link"](run, [Entry(record, path)])
        if outcome.action == "rejected":
            error = AlreadyLinked if "already linked" in (outcome.reason or "") else LinkError
            raise error(outcome.reason)
        finish(run)
    return session.scalar(select(DefinitionLink).where(DefinitionLink.source_id == source_id,
                                                       DefinitionLink.target_id == target_id))


def review_link(
    session: Session,
    actor: Actor,
    link: DefinitionLink,
    *,
    state: str,
    path: str = "web",
) -> DefinitionLink:
    """Accept or reject a link (or send it back to proposed); commits."""
    policy.require(actor, "link.review", link)
    if state not in LINK_STATES:
        raise LinkError(f"unknown review state {state!r}; one of {', '.join(LINK_STATES)}")
    with unit_of_work(session):
        run = Run(session, path=path, actor_id=actor.id, edit=True)
        before = _snapshot(link)
        link.state = state
        link.reviewed_by_id = actor.id
        link.reviewed_at = utcnow()
        session.flush()
        run.audit("definition_links", link.id, "review", before=before, after=_snapshot(link),
                  summary=f"link {state}")
        finish(run)
    return link


@dataclass(frozen=True, slots=True)
class LinkView:
    """A link read from one of its ends, as plain values for pages: ``here`` is the definition
    on this page, ``there`` the other end, ``type`` reads from here to there."""

    link: DefinitionLink
    here: Definition
    there: Definition
    type: str
    id: int
    state: str
    rationale: str | None
    author: str | None
    reviewer: str | None
    source_body: str
    target_body: str
    there_body: str
    there_concept: str


def _who(user) -> str | None:
    return user.public_name if user is not None else None


def links_touching(session: Session, definition_ids: Iterable[int]) -> list[DefinitionLink]:
    """Links with an end among these definitions, their ends loaded with body and concept.

    The caller (a concept page) usually holds most ends already: those come from the session's
    identity map, and only the far ends are read, in one query.
    """
    ids = list(definition_ids)
    if not ids:
        return []
    found = list(
        session.scalars(
            select(DefinitionLink)
            .where(or_(DefinitionLink.source_id.in_(ids), DefinitionLink.target_id.in_(ids)))
            .options(selectinload(DefinitionLink.author), selectinload(DefinitionLink.reviewed_by))
            .order_by(DefinitionLink.id)
        )
    )
    ends = {lk.source_id for lk in found} | {lk.target_id for lk in found}
    far = [i for i in ends if session.identity_map.get(identity_key(Definition, i)) is None]
    if far:
        session.scalars(
            select(Definition)
            .where(Definition.id.in_(far))
            .options(selectinload(Definition.body), selectinload(Definition.concept))
        ).all()
    return found


def views_from(
    links: Iterable[DefinitionLink], definition_ids: set[int] | dict[int, Definition]
) -> list[LinkView]:
    """Each link seen from the end among ``definition_ids`` (ids, or the page's definitions by
    id, which spares the relationship look-ups); a link between two definitions on the same
    page shows once, from its source."""
    known = definition_ids if isinstance(definition_ids, dict) else {}
    views = []
    for link in links:
        source = known.get(link.source_id) or link.source
        target = known.get(link.target_id) or link.target
        if link.source_id in definition_ids:
            here, there, type_ = source, target, link.type
        elif link.target_id in definition_ids:
            here, there, type_ = target, source, LINK_INVERSE[link.type]
        else:
            continue
        views.append(
            LinkView(
                link,
                here,
                there,
                type_,
                link.id,
                link.state,
                link.rationale,
                _who(link.author),
                _who(link.reviewed_by),
                source.body.code,
                target.body.code,
                there.body.code,
                there.concept.slug,
            )
        )
    return views


def _loaded(stmt):
    return stmt.options(
        selectinload(DefinitionLink.source).selectinload(Definition.body),
        selectinload(DefinitionLink.source).selectinload(Definition.concept),
        selectinload(DefinitionLink.target).selectinload(Definition.body),
        selectinload(DefinitionLink.target).selectinload(Definition.concept),
        selectinload(DefinitionLink.author),
        selectinload(DefinitionLink.reviewed_by),
    )


def list_links(session: Session, filters: dict[str, Any]) -> Page[DefinitionLink]:
    """Links filtered by state, type, concept (either end) and body (either end)."""
    src, tgt = aliased(Definition), aliased(Definition)
    stmt = (
        select(DefinitionLink)
        .join(src, DefinitionLink.source_id == src.id)
        .join(tgt, DefinitionLink.target_id == tgt.id)
    )
    if state := filters.get("state"):
        stmt = stmt.where(DefinitionLink.state == state)
    if type_ := filters.get("type"):
        stmt = stmt.where(DefinitionLink.type == type_)
    if slug := filters.get("concept"):
        concept_id = select(Concept.id).where(Concept.slug == slug).scalar_subquery()
        stmt = stmt.where(or_(src.concept_id == concept_id, tgt.concept_id == concept_id))
    if code := filters.get("body"):
        body_id = select(Body.id).where(Body.code == code).scalar_subquery()
        stmt = stmt.where(or_(src.body_id == body_id, tgt.body_id == body_id))
    total = (
        session.scalar(
            select(func.count()).select_from(stmt.with_only_columns(DefinitionLink.id).subquery())
        )
        or 0
    )
    page, per_page = filters.get("page", 1), filters.get("per_page", 50)
    items = list(
        session.scalars(
            _loaded(stmt).order_by(DefinitionLink.id).limit(per_page).offset((page - 1) * per_page)
        )
    )
    return Page(items, total, page, per_page)


# -- the picture: bodies as nodes, links between their definitions as edges --------------------


@dataclass(frozen=True)
class Node:
    code: str
    x: float
    y: float
    definitions: int


@dataclass(frozen=True)
class Edge:
    a: Node
    b: Node
    type: str  # read from a to b; "narrower" is drawn as "broader" the other way
    state: str
    count: int
    path: str  # SVG path data: a curve, bent apart from other edges between the same bodies
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Graph:
    width: int
    height: int
    nodes: list[Node]
    edges: list[Edge]


def body_graph(
    definitions: Iterable[Definition], views: Iterable[LinkView], size: int = 360
) -> Graph:
    """Lay the bodies out on a circle (in code order, so the picture is stable) and join them
    by their links, one edge per pair of bodies, type and review state."""
    views = list(views)
    per_body: dict[str, int] = {}
    for d in definitions:
        per_body[d.body.code] = per_body.get(d.body.code, 0) + 1
    for view in views:
        per_body.setdefault(view.there_body, 0)
    codes = sorted(per_body)
    centre, radius = size / 2, size / 2 - 50
    nodes = {}
    for i, code in enumerate(codes):
        angle = -math.pi / 2 + 2 * math.pi * i / max(len(codes), 1)
        r = radius if len(codes) > 1 else 0
        nodes[code] = Node(
            code,
            round(centre + r * math.cos(angle), 1),
            round(centre + r * math.sin(angle), 1),
            per_body[code],
        )
    counts: dict[tuple[str, str, str, str], int] = {}
    for view in views:
        a, b, type_ = view.source_body, view.target_body, view.link.type
        if a == b:
            continue
        if type_ == "narrower":
            a, b, type_ = b, a, "broader"
        elif type_ != "broader":
            a, b = sorted((a, b))
        key = (a, b, type_, view.state)
        counts[key] = counts.get(key, 0) + 1
    by_pair: dict[frozenset, list] = {}
    for key in sorted(counts):
        by_pair.setdefault(frozenset(key[:2]), []).append(key)
    edges = []
    for keys in by_pair.values():
        for k, (a, b, type_, state) in enumerate(keys):
            na, nb = nodes[a], nodes[b]
            dx, dy = nb.x - na.x, nb.y - na.y
            length = math.hypot(dx, dy) or 1.0
            bend = (k - (len(keys) - 1) / 2) * 28
            # Bend relative to a fixed orientation of the pair, so edges do not cross.
            sign = 1 if (a, b) == tuple(sorted((a, b))) else -1
            cx = (na.x + nb.x) / 2 - dy / length * bend * sign
            cy = (na.y + nb.y) / 2 + dx / length * bend * sign
            path = f"M{na.x},{na.y} Q{cx:.1f},{cy:.1f} {nb.x},{nb.y}"
            edges.append(
                Edge(
                    na,
                    nb,
                    type_,
                    state,
                    counts[(a, b, type_, state)],
                    path,
                    round((na.x + nb.x + 2 * cx) / 4, 1),
                    round((na.y + nb.y + 2 * cy) / 4, 1),
                )
            )
    return Graph(size, size, list(nodes.values()), edges)
