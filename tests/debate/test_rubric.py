"""The rubric: every criterion scored in range, each with a justification; aggregates."""

import pytest

from registry import rubric
from tests.debate.conftest import scores


def test_complete_scores_are_accepted_and_normalised():
    data = scores(2, "  Clear enough for use.  ")
    data["languages"] = {"score": "4", "justification": "All six UN languages."}
    data["openness"] = {"score": "", "justification": "Membership records not public."}
    clean = rubric.validate(data)
    assert clean["clarity"] == {"score": 2, "justification": "Clear enough for use."}
    assert clean["languages"]["score"] == 4
    assert clean["openness"]["score"] is None  # "could not judge"


@pytest.mark.parametrize(
    "change, key, message",
    [
        ({"clarity": {"score": 5, "justification": "Far too generous."}}, "clarity", "0 to 4"),
        ({"clarity": {"score": -1, "justification": "Below the scale."}}, "clarity", "0 to 4"),
        (
            {"clarity": {"score": True, "justification": "A boolean is no score."}},
            "clarity",
            "0 to 4",
        ),
        (
            {"clarity": {"score": "three", "justification": "Words are no score."}},
            "clarity",
            "0 to 4",
        ),
        (
            {"measurability": {"score": 3, "justification": "short"}},
            "measurability",
            "justification",
        ),
        ({"measurability": {"score": 3}}, "measurability", "justification"),
        ({"scope_fit": None}, "scope_fit", "missing"),
        (
            {"vibes": {"score": 4, "justification": "Not on the rubric."}},
            "vibes",
            "not a criterion",
        ),
    ],
)
def test_each_fault_is_named_by_criterion(change, key, message):
    data = scores()
    data.update(change)
    with pytest.raises(rubric.RubricError) as exc:
        rubric.validate(data)
    assert key in exc.value.errors
    assert message in exc.value.errors[key]
    assert len(exc.value.errors) == 1


def test_missing_criteria_are_all_reported():
    with pytest.raises(rubric.RubricError) as exc:
        rubric.validate({"clarity": {"score": 1, "justification": "Only this one given."}})
    assert set(exc.value.errors) == {c.key for c in rubric.CRITERIA} - {"clarity"}


def test_not_a_mapping_is_refused():
    with pytest.raises(rubric.RubricError):
        rubric.validate([1, 2, 3])


def test_rubric_covers_the_standard_and_its_process():
    keys = {c.key: c.group for c in rubric.CRITERIA}
    assert {k for k, g in keys.items() if g == "standard"} == {
        "clarity",
        "measurability",
        "scope_fit",
    }
    assert {k for k, g in keys.items() if g == "process"} == {
        "openness",
        "developing_countries",
        "human_rights",
        "transparency",
        "availability",
        "languages",
    }


def test_aggregate_mean_spread_and_abstentions():
    a, b, c = scores(1), scores(3), scores(None)
    spread = {s.criterion.key: s for s in rubric.aggregate([a, b, c])}
    clarity = spread["clarity"]
    assert (
        clarity.n,
        clarity.mean,
        clarity.stdev,
        clarity.low,
        clarity.high,
        clarity.abstained,
    ) == (2, 2.0, 1.0, 1, 3, 1)
    empty = rubric.aggregate([])[0]
    assert empty.n == 0 and empty.mean is None and empty.stdev is None


def test_could_not_judge_needs_no_justification():
    data = scores()
    data["measurability"] = {"score": None, "justification": ""}
    data["clarity"] = {"score": "", "justification": "No text to judge it by."}
    clean = rubric.validate(data)
    assert clean["measurability"] == {"score": None, "justification": ""}
    assert clean["clarity"] == {"score": None, "justification": "No text to judge it by."}
