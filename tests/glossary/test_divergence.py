"""The divergence measure on hand-made cases, and its upkeep on write."""

import json

from sqlalchemy import select

from app import importing
from registry.models import Concept, DefinitionSimilarity
from registry.policy import OPERATOR
from registry.services import divergence
from registry.services.divergence import Doc, compare, similarities, tokens


def test_identical_definitions_score_zero_divergence():
    sims = similarities(
        [
            Doc(1, 1, "en", "The ability of a system to perform"),
            Doc(2, 2, "en", "the ability of a SYSTEM to perform."),
        ]
    )
    assert sims == {(1, 2): 1.0}
    assert divergence.divergence_of(sims.values()) == 0.0


def test_disjoint_definitions_score_full_divergence():
    sims = similarities(
        [
            Doc(1, 1, "en", "freedom from unacceptable risk"),
            Doc(2, 2, "en", "equal treatment of persons and groups"),
        ]
    )
    assert sims == {(1, 2): 0.0}
    assert divergence.divergence_of(sims.values()) == 1.0


def test_partial_overlap_lies_between_and_stemming_counts():
    close = similarities(
        [
            Doc(1, 1, "en", "systems treating groups fairly"),
            Doc(2, 2, "en", "a system that treats a group fairly"),
        ]
    )[(1, 2)]
    assert close == 1.0  # same stems once function words are dropped
    part = similarities(
        [
            Doc(1, 1, "en", "transparent systems inform users"),
            Doc(2, 2, "en", "transparent systems explain outputs"),
        ]
    )[(1, 2)]
    assert 0.0 < part < 1.0


def test_only_cross_body_same_language_pairs_are_compared():
    sims = similarities(
        [
            Doc(1, 1, "en", "a b c"),
            Doc(2, 1, "en", "a b c"),
            Doc(3, 2, "fr", "a b c"),
            Doc(4, 3, "fr", "x y z"),
        ]
    )
    assert set(sims) == {(3, 4)}


def test_measure_is_deterministic_whatever_the_order():
    docs = [
        Doc(i, i % 3, "en", text)
        for i, text in enumerate(
            ["risk of harm", "harm to people", "people and risk", "fair risk"], start=1
        )
    ]
    assert similarities(docs) == similarities(list(reversed(docs)))


def test_tokens_stem_per_language_and_split_cjk():
    assert tokens("Treating groups", "en") == ["treat", "group"]
    assert tokens("les systèmes", "fr") == ["system"]
    assert tokens("公平性", "zh-Hans") == ["公平", "平性"]


def test_comparison_marks_shared_and_differing_wording():
    result = compare("AI systems shall be transparent", "An AI system should be transparent", "en")
    assert ("diff", "shall") in result.left
    assert any(kind == "same" and "AI system" in text for kind, text in result.right)
    assert result.shared_words == 4


def test_side_by_side_a_word_both_use_is_shared_wherever_it_stands():
    """Words both definitions use ("in", "AI", "equality") were marked as only one's when they
    stood in another order; between two bodies' texts, order does not make a word unique."""
    left = "equality of treatment in AI systems"
    right = "AI systems that respect equality in outcomes"
    by_place = compare(left, right, "en")
    anywhere = compare(left, right, "en", in_order=False)
    assert ("diff", "equality of treatment in") in [(k, t.strip()) for k, t in by_place.left]
    unique = {t.strip() for k, t in anywhere.left if k == "diff"}
    assert unique == {"of treatment"}
    assert {t.strip() for k, t in anywhere.right if k == "diff"} == {"that respect",
                                                                     "outcomes"}
    assert anywhere.shared_words == 4 and anywhere.left_words == 6


def test_stored_scores_and_concept_divergence(glossary):
    fairness = glossary.scalar(select(Concept).where(Concept.slug == "fairness"))
    rows = glossary.scalars(
        select(DefinitionSimilarity).where(DefinitionSimilarity.concept_id == fairness.id)
    ).all()
    # en: NIST r2, OECD, EU -> 3 cross-body pairs; ar and zh-Hans have one definition each.
    assert len(rows) == 3 and {r.language for r in rows} == {"en"}
    assert all(r.low_id < r.high_id for r in rows)
    assert fairness.divergence == round(1 - sum(r.similarity for r in rows) / 3, 4)
    assert 0 < fairness.divergence < 1


def test_every_import_recomputes_the_touched_concepts(app, session, tmp_path):
    records = [
        {"record": "concept", "slug": "safety", "labels": {"en": "safety"}},
        {
            "record": "definition",
            "concept": "safety",
            "body": "NIST",
            "source": "NIST AI 100-1",
            "language": "en",
            "designations": [{"term": "safety"}],
            "text": "freedom from unacceptable risk",
            "licence": "Public domain",
        },
        {
            "record": "definition",
            "concept": "safety",
            "body": "ISO",
            "source": "ISO/IEC Guide 51",
            "language": "en",
            "designations": [{"term": "safety"}],
            "text": "freedom from unacceptable risk",
            "licence": "excerpt",
            "excerpt": True,
        },
    ]
    path = tmp_path / "g.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records))
    assert importing.run("registry", path).exit_code == 0
    safety = session.scalar(select(Concept).where(Concept.slug == "safety"))
    assert safety.divergence == 0.0
    records[2]["text"] = "state in which harm to people is prevented"
    path.write_text("\n".join(json.dumps(r) for r in records))
    assert importing.run("registry", path).updated == 1
    session.expire_all()
    assert session.get(Concept, safety.id).divergence == 1.0


def test_suggested_links_are_similar_unlinked_cross_body_pairs(glossary):
    suggestions = divergence.suggested_links(glossary)
    assert suggestions and all(s.similarity >= divergence.SUGGEST_THRESHOLD for s in suggestions)
    # NIST and OECD say nearly the same: suggested until a link joins them.
    from registry.services import links

    top = suggestions[0]
    links.create_link(
        glossary,
        OPERATOR,
        source_id=top.low_id,
        target_id=top.high_id,
        type="exact",
        rationale="same wording",
    )
    assert all(
        (s.low_id, s.high_id) != (top.low_id, top.high_id)
        for s in divergence.suggested_links(glossary)
    )
