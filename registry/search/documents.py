"""What is indexed: search documents built from the database, the only source of truth.

Only public entries are indexed: every standard, definitions whose status is public (the current
revision; superseded revisions stay reachable from their concept's history, and pending
submissions are not public), and concepts that have a public definition or no definition at all
(a concept created only for a pending submission stays out of search until it is approved).

Documents are built with column queries (no ORM objects), so a full rebuild streams 100,000s of
rows quickly, and carry a digest of their content, which ``check`` compares.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import (
    Area,
    Body,
    Concept,
    ConceptLabel,
    Definition,
    Standard,
    standard_areas,
    standard_bodies,
)
from registry.models.glossary import concept_areas
from registry.references import reference_key
from registry.search.analysis import fold_words, typo_candidates
from registry.text import checksum

PUBLIC_DEFINITION_STATUSES = ("current",)
KINDS = ("standard", "concept", "definition")
CHUNK = 500


@dataclass
class SearchDoc:
    key: str  # "<kind>:<id>"
    kind: str
    entity_id: int
    title: str  # shown as the result's title
    reference: str = ""  # a standard's reference, or a definition's source
    refkey: str = ""  # reference_key(reference) of standards: prefix search
    names: str = ""  # titles, labels and designations in every language (not stemmed)
    text_en: str = ""  # English prose (stemmed with Porter2)
    text_other: str = ""  # prose in other languages (accents folded, CJK bigrams)
    display: str = ""  # the text snippets are cut from
    lang: str = ""  # language of ``display``
    bodies: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    status: str = ""
    areas: list[str] = field(default_factory=list)
    year: int | None = None
    slug: str = ""  # the concept's slug (concepts and definitions): its page
    concept_id: int | None = None
    digest: str = ""

    def lexicon(self) -> set[str]:
        """The words typo correction may suggest from this document (unstemmed, folded)."""
        text = "\n".join((self.names, self.text_en, self.text_other))
        return {w for w in fold_words(text) if typo_candidates(w) and len(w) <= 100}

    def sealed(self) -> "SearchDoc":
        data = asdict(self)
        data.pop("digest")
        self.digest = checksum(data)[:32]
        return self


def parse_key(key: str) -> tuple[str, int]:
    kind, _, ident = key.partition(":")
    return kind, int(ident)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


# -- standards -------------------------------------------------------------------------------


def _standards(session: Session, ids: list[int]) -> Iterator[SearchDoc]:
    stmt = select(
        Standard.id,
        Standard.reference,
        Standard.title,
        Standard.scope,
        Standard.keywords,
        Standard.status,
        Standard.doc_type,
        Standard.published,
        Standard.languages,
    ).order_by(Standard.id)
    for chunk in _chunks(ids):
        rows = session.execute(stmt.where(Standard.id.in_(chunk)))
        rows = rows.all()
        wanted = [r.id for r in rows]
        bodies = _many(
            session,
            select(standard_bodies.c.standard_id, Body.code)
            .join(Body, Body.id == standard_bodies.c.body_id)
            .order_by(Body.code),
            standard_bodies.c.standard_id,
            wanted,
        )
        areas = _many(
            session,
            select(standard_areas.c.standard_id, Area.slug)
            .join(Area, Area.id == standard_areas.c.area_id)
            .order_by(Area.slug),
            standard_areas.c.standard_id,
            wanted,
        )
        for r in rows:
            yield SearchDoc(
                key=f"standard:{r.id}",
                kind="standard",
                entity_id=r.id,
                title=r.title,
                reference=r.reference,
                refkey=reference_key(r.reference),
                names=_join(r.reference, r.title),
                text_en=_join(r.title, r.scope, " ".join(r.keywords or [])),
                display=r.scope or r.title,
                lang="en",
                bodies=bodies.get(r.id, []),
                langs=sorted(r.languages or []),
                status=r.status,
                areas=areas.get(r.id, []),
                year=r.published.year if r.published else None,
            ).sealed()


def _many(session: Session, stmt, owner, wanted: list[int]) -> dict[int, list]:
    """owner id -> values, for one chunk."""
    stmt = stmt.where(owner.in_(wanted))
    out: dict[int, list] = defaultdict(list)
    for owner_id, value in session.execute(stmt):
        if value not in out[owner_id]:
            out[owner_id].append(value)
    return out


# -- concepts --------------------------------------------------------------------------------


def _concepts(session: Session, ids: list[int]) -> Iterator[SearchDoc]:
    stmt = select(Concept.id, Concept.slug, Concept.note, Concept.measurability).order_by(
        Concept.id
    )
    for chunk in _chunks(ids):
        rows = session.execute(stmt.where(Concept.id.in_(chunk)))
        rows = rows.all()
        wanted = [r.id for r in rows]
        labels: dict[int, list] = defaultdict(list)
        label_stmt = select(
            ConceptLabel.concept_id, ConceptLabel.language, ConceptLabel.kind, ConceptLabel.label
        ).order_by(ConceptLabel.language, ConceptLabel.kind.desc(), ConceptLabel.label)
        label_stmt = label_stmt.where(ConceptLabel.concept_id.in_(wanted))
        for concept_id, language, kind, label in session.execute(label_stmt):
            labels[concept_id].append((language, kind, label))
        areas = _many(
            session,
            select(concept_areas.c.concept_id, Area.slug)
            .join(Area, Area.id == concept_areas.c.area_id)
            .order_by(Area.slug),
            concept_areas.c.concept_id,
            wanted,
        )
        def_stmt = select(
            Definition.concept_id, Definition.status, Body.code, Definition.language
        ).join(Body, Body.id == Definition.body_id)
        defs: dict[int, list] = defaultdict(list)
        def_stmt = def_stmt.where(Definition.concept_id.in_(wanted))
        for concept_id, status, body, language in session.execute(def_stmt):
            defs[concept_id].append((status in PUBLIC_DEFINITION_STATUSES, body, language))
        for r in rows:
            own = defs.get(r.id, [])
            if own and not any(p for p, _, _ in own):
                continue  # only non-public definitions: not searchable yet
            parsed = labels.get(r.id, [])
            preferred = {lang: label for lang, kind, label in parsed if kind == "preferred"}
            title = (
                preferred.get("en")
                or next(iter(preferred.values()), None)
                or r.slug.replace("-", " ")
            )
            english = [label for lang, _, label in parsed if lang == "en"]
            yield SearchDoc(
                key=f"concept:{r.id}",
                kind="concept",
                entity_id=r.id,
                title=title,
                names=_join(*[label for _, _, label in parsed]),
                text_en=_join(*english, r.note, r.measurability),
                display=r.note or " · ".join(label for _, _, label in parsed) or title,
                lang="en" if r.note else "",
                bodies=sorted({b for p, b, _ in own if p}),
                langs=sorted({lang for lang, _, _ in parsed} | {lg for p, _, lg in own if p}),
                areas=areas.get(r.id, []),
                slug=r.slug,
                concept_id=r.id,
            ).sealed()


# -- definitions -----------------------------------------------------------------------------


def _definitions(session: Session, ids: list[int]) -> Iterator[SearchDoc]:
    stmt = (
        select(
            Definition.id,
            Definition.concept_id,
            Definition.term,
            Definition.designations,
            Definition.text,
            Definition.notes,
            Definition.examples,
            Definition.language,
            Definition.status,
            Definition.citation,
            Definition.clause,
            Definition.valid_from,
            Body.code.label("body"),
            Standard.reference.label("reference"),
            Concept.slug,
        )
        .join(Body, Body.id == Definition.body_id)
        .join(Concept, Concept.id == Definition.concept_id)
        .outerjoin(Standard, Standard.id == Definition.standard_id)
        .where(Definition.status.in_(PUBLIC_DEFINITION_STATUSES))
        .order_by(Definition.id)
    )
    for chunk in _chunks(ids):
        for r in session.execute(stmt.where(Definition.id.in_(chunk))):
            source = r.reference or r.citation or ""
            prose = _join(r.text, *(r.notes or []), *(r.examples or []))
            english = r.language == "en" or r.language.startswith("en-")
            yield SearchDoc(
                key=f"definition:{r.id}",
                kind="definition",
                entity_id=r.id,
                title=r.term,
                reference=_join(source, r.clause).replace("\n", " "),
                names=_join(*[d.get("term", "") for d in r.designations or []] or [r.term]),
                text_en=prose if english else "",
                text_other="" if english else prose,
                display=r.text,
                lang=r.language,
                bodies=[r.body],
                langs=[r.language],
                status=r.status,
                year=r.valid_from.year if r.valid_from else None,
                slug=r.slug,
                concept_id=r.concept_id,
            ).sealed()


_LOADERS = {"standard": _standards, "concept": _concepts, "definition": _definitions}


_MODELS = {"standard": Standard, "concept": Concept, "definition": Definition}


def iter_docs(session: Session) -> Iterator[SearchDoc]:
    """Every public document, for a full rebuild or a check: read ``CHUNK`` entries at a time
    (by id), so memory stays flat whatever the size of the catalogue."""
    for kind in KINDS:
        model, last = _MODELS[kind], 0
        while ids := list(session.scalars(select(model.id).where(model.id > last)
                                          .order_by(model.id).limit(CHUNK))):
            yield from _LOADERS[kind](session, ids)
            last = ids[-1]


def load_docs(session: Session, keys: Iterable[tuple[str, int]]) -> dict[str, SearchDoc | None]:
    """The current document of each (kind, id); None when it must leave the index.

    A definition's concept is refreshed with it: the concept's bodies, languages and
    visibility follow its public definitions.
    """
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, ident in keys:
        wanted[kind].add(ident)
    if wanted.get("definition"):
        concept_ids = session.scalars(
            select(Definition.concept_id).where(Definition.id.in_(wanted["definition"]))
        )
        wanted["concept"].update(concept_ids)
    out: dict[str, SearchDoc | None] = {
        f"{kind}:{i}": None for kind, ids in wanted.items() for i in ids
    }
    for kind, ids in wanted.items():
        if kind in _LOADERS:
            for doc in _LOADERS[kind](session, sorted(ids)):
                out[doc.key] = doc
    return out
