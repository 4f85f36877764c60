"""The ingest service: create, update, unchanged; revisions; audit; outbox; rejections."""

from sqlalchemy import func, select

from registry.ingest import WRITERS, Entry, Run
from registry.models import (
    Concept,
    ConceptRelation,
    Definition,
    DefinitionLink,
    Revision,
    SearchOutbox,
    Standard,
)
from registry.schemas.records import RECORD_SCHEMAS
from tests import factories as f


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_standard_created_then_unchanged_then_updated(session):
    record = f.standard("ISO/IEC 22989:2022", areas=[])
    [created] = f.load(session, record)
    assert created.action == "created"
    std = session.scalar(select(Standard))
    assert std.reference == "ISO/IEC 22989:2022"
    assert std.body_codes == ["IEC", "ISO"]
    assert std.committee.reference == "ISO/IEC JTC 1/SC 42"

    [again] = f.load(session, record)
    assert again.action == "unchanged"
    assert count(session, Revision, Revision.entity == "standards") == 1

    [changed] = f.load(session, {**record, "title": "A new title", "status": "withdrawn"})
    assert changed.action == "updated"
    session.expire_all()
    std = session.scalar(select(Standard))
    assert (std.title, std.status) == ("A new title", "withdrawn")
    update = session.scalar(select(Revision).where(Revision.action == "update"))
    assert update.before["title"] == "Title of ISO/IEC 22989:2022"
    assert update.after["title"] == "A new title"
    assert update.path == "cli"


def test_reference_spelling_variants_are_one_standard(session):
    f.load(session, f.standard("IEEE Std 7001-2021", bodies=["IEEE"], committee=None))
    [outcome] = f.load(session, f.standard("IEEE  7001\u20132021", bodies=["IEEE"],
                                           committee=None))
    assert outcome.action == "updated"  # same key, different spelling of the reference
    assert count(session, Standard) == 1


def test_relations_resolve_when_target_arrives_later(session):
    f.load(session, f.standard("ISO/IEC 5338:2023",
                               relations=[{"type": "replaces", "reference": "ISO/IEC 5338:2020"}]))
    newer = session.scalar(select(Standard))
    assert newer.relations[0].target_id is None
    f.load(session, f.standard("ISO/IEC 5338:2020", status="withdrawn"))
    session.expire_all()
    older = session.scalar(select(Standard).where(Standard.reference == "ISO/IEC 5338:2020"))
    assert session.scalar(select(Standard).where(Standard.id == newer.id)).relations[0].target_id \
        == older.id


def test_unknown_body_and_area_are_rejected_with_reasons(session):
    outcomes = f.load(session, f.standard(bodies=["NOPE"]), f.standard(areas=["nowhere"]))
    assert [o.action for o in outcomes] == ["rejected", "rejected"]
    assert "unknown body 'NOPE'" in outcomes[0].reason
    assert "unknown area 'nowhere'" in outcomes[1].reason
    assert count(session, Standard) == 0


def test_committee_bodies_in_any_order_load_unchanged_the_second_time(session):
    record = {"record": "committee", "reference": "ISO/IEC JTC 1", "bodies": ["ISO", "IEC"]}
    [created] = f.load(session, record)
    [again] = f.load(session, record)
    assert (created.action, again.action) == ("created", "unchanged")


def test_known_bodies_are_created_on_first_use(session):
    f.load(session, f.standard(bodies=["ITU-T"], committee="ITU-T Study Group 13"))
    std = session.scalar(select(Standard))
    assert std.bodies[0].name == "ITU Telecommunication Standardization Sector"


def test_new_standards_are_queued_for_search(session):
    # Queued in the writing transaction; the search service drains them once it commits.
    run = Run(session, path="cli")
    for record in (f.standard(), f.standard()):
        WRITERS["standard"](run, [Entry(RECORD_SCHEMAS["standard"]().load(record), "test")])
    run.flush()
    assert count(session, SearchOutbox, SearchOutbox.entity == "standard") == 2
    session.rollback()


def test_definition_revisions_are_kept_never_overwritten(session):
    f.load(session, f.concept("fairness"), f.definition("first wording", date="2022-01-01"))
    [same] = f.load(session, f.definition("first wording", date="2022-01-01"))
    assert same.action == "unchanged"
    [revised] = f.load(session, f.definition("second wording", date="2024-06-01"))
    assert revised.action == "updated"
    rows = session.scalars(select(Definition).order_by(Definition.revision)).all()
    assert [(d.revision, d.status, d.text) for d in rows] == [
        (1, "superseded", "first wording"), (2, "current", "second wording")]
    assert rows[0].valid_to.isoformat() == "2024-06-01"
    assert rows[1].supersedes_id == rows[0].id
    assert rows[0].lineage == rows[1].lineage


def test_definition_without_concept_matches_by_designation_or_creates(session):
    f.load(session, f.concept("ai-system", labels={"en": "AI system"}))
    record = f.definition("an engineered system", term="AI System", concept=None)
    record.pop("concept")
    f.load(session, record)
    d = session.scalar(select(Definition))
    assert d.concept.slug == "ai-system"  # matched case-insensitively on the English label

    other = f.definition("ein System", term="KI-System", language="de")
    other.pop("concept")
    f.load(session, other)
    created = session.scalar(select(Concept).where(Concept.slug == "ki-system"))
    assert created.label("de") == "KI-System"


def test_source_with_clause_links_the_standard(session):
    f.load(session, f.standard("ISO/IEC 22989:2022"), f.concept("transparency"))
    f.load(session, f.definition("excerpt", concept="transparency", body="ISO",
                                 source="ISO/IEC 22989:2022 3.5.15", excerpt=True,
                                 licence="Excerpt; (c) ISO/IEC"))
    d = session.scalar(select(Definition))
    assert d.standard.reference == "ISO/IEC 22989:2022"
    assert d.clause == "3.5.15"
    assert d.citation is None
    assert d.valid_from.isoformat() == "2023-01-15"  # the standard's publication date


def test_duplicate_definition_in_one_run_is_rejected(session):
    outcomes = f.load(session, f.concept(), f.definition("one"), f.definition("two"))
    assert [o.action for o in outcomes] == ["created", "created", "rejected"]
    assert "duplicate" in outcomes[2].reason


def test_links_between_definitions(session):
    f.load(session, f.concept(),
           f.definition("nist text"),
           f.definition("eu text", body="EU", source="Regulation (EU) 2024/1689, Recital 27"))
    nist = {"body": "NIST", "source": "NIST AI 100-1", "concept": "fairness"}
    eu = {"body": "EU", "source": "Regulation (EU) 2024/1689, Recital 27", "concept": "fairness"}
    [made] = f.load(session, f.link(nist, eu, "related", rationale="both socio-technical"))
    assert made.action == "created"
    link = session.scalar(select(DefinitionLink))
    assert (link.type, link.state) == ("related", "proposed")
    [same] = f.load(session, f.link(nist, eu, "related", rationale="both socio-technical"))
    assert same.action == "unchanged"
    [reverse] = f.load(session, f.link(eu, nist, "related"))
    assert reverse.action == "rejected"
    [self_link] = f.load(session, f.link(nist, nist))
    assert "itself" in self_link.reason


def test_concept_relations_resolve_at_the_end_of_a_run(session):
    outcomes = f.load(session,
                      f.concept("fairness", relations=[{"type": "broader",
                                                        "concept": "trustworthiness"}]),
                      f.concept("trustworthiness"),
                      f.concept("bias", relations=[{"type": "related", "concept": "missing"}]))
    assert outcomes[-1].action == "rejected"
    rel = session.scalar(select(ConceptRelation))
    assert (rel.source.slug, rel.type, rel.target.slug) == ("fairness", "broader",
                                                            "trustworthiness")


def test_concept_labels_are_reconciled(session):
    f.load(session, f.concept("fairness", labels={"en": "fairness", "fr": "équité"}))
    [outcome] = f.load(session, f.concept("fairness", labels={"en": "fairness"},
                                          alt_labels={"en": ["equity"]}))
    assert outcome.action == "updated"
    c = session.scalar(select(Concept))
    assert sorted((lab.language, lab.label, lab.kind) for lab in c.labels) == [
        ("en", "equity", "alternative"), ("en", "fairness", "preferred")]
