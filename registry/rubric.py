"""The evaluation rubric: what a panel member judges about a standard and how it was made.

Each criterion is scored on one scale, 0 to 4, with a written justification; ``None`` says the
evaluator cannot judge it from what is known (it is left out of the aggregate, and still needs
a justification saying why). The anchors below are what each score means; the pages and the
API (``GET /api/v1/rubric``) show them to evaluators and readers alike.
"""

from dataclasses import dataclass
from statistics import mean, pstdev
from typing import Any

from registry.text import N_, prose

SCALE = {
    0: N_("Absent: the standard or its process does nothing here."),
    1: N_("Weak: acknowledged, little substance."),
    2: N_("Partial: real but incomplete or inconsistent."),
    3: N_("Good: addressed well, with minor gaps."),
    4: N_("Exemplary: a model for other standards."),
}
MIN_SCORE, MAX_SCORE = min(SCALE), max(SCALE)
JUSTIFICATION_MIN, JUSTIFICATION_MAX = 10, 4000


@dataclass(frozen=True)
class Criterion:
    key: str
    group: str  # "standard" (the text) or "process" (how it was made)
    title: str
    question: str


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "clarity",
        "standard",
        N_("Clarity of definitions"),
        N_("Are its terms defined precisely, consistently and traceably to other sources?"),
    ),
    Criterion(
        "measurability",
        "standard",
        N_("Measurability"),
        N_("Does it give a metric, a test method or conformance criteria one can apply?"),
    ),
    Criterion(
        "scope_fit",
        "standard",
        N_("Scope fit"),
        N_("Does its content deliver what its scope promises, for the areas it is used in?"),
    ),
    Criterion(
        "openness",
        "process",
        N_("Openness of participation"),
        N_("Could any interested party take part, or only members of the body?"),
    ),
    Criterion(
        "developing_countries",
        "process",
        N_("Participation of developing countries"),
        N_("Did experts from developing countries take part and have their say?"),
    ),
    Criterion(
        "human_rights",
        "process",
        N_("Human-rights consideration"),
        N_("Were impacts on human rights considered, and by whom?"),
    ),
    Criterion(
        "transparency",
        "process",
        N_("Transparency of the process"),
        N_("Are drafts, comments, decisions and participants visible to the public?"),
    ),
    Criterion(
        "availability",
        "process",
        N_("Availability and cost of the text"),
        N_("Can those who must apply it read it, freely or at a modest price?"),
    ),
    Criterion(
        "languages",
        "process",
        N_("Languages"),
        N_("Is it available in the languages of those affected (the UN languages first)?"),
    ),
)
BY_KEY = {c.key: c for c in CRITERIA}
GROUPS = {"standard": N_("The standard"), "process": N_("Its development process")}


class RubricError(ValueError):
    """An evaluation that does not follow the rubric; ``errors`` maps criterion -> message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def validate(scores: Any) -> dict[str, dict[str, Any]]:
    """Scores in canonical form, or RubricError naming each criterion that is wrong.

    Every criterion must be present, with a score in the scale and a justification, or None
    ("could not judge"), for which a justification is welcome but not required.
    """
    if not isinstance(scores, dict):
        raise RubricError({"scores": "must map each criterion to a score and a justification"})
    errors: dict[str, str] = {}
    for key in sorted(set(scores) - set(BY_KEY)):
        errors[key] = "not a criterion of the rubric"
    clean: dict[str, dict[str, Any]] = {}
    for criterion in CRITERIA:
        entry = scores.get(criterion.key)
        if not isinstance(entry, dict):
            errors[criterion.key] = "missing: give a score (or none) and a justification"
            continue
        score = entry.get("score")
        if score in ("", None):
            score = None
        elif isinstance(score, str) and score.strip().isdigit():
            score = int(score)
        if score is not None and (
            isinstance(score, bool)
            or not isinstance(score, int)
            or not MIN_SCORE <= score <= MAX_SCORE
        ):
            errors[criterion.key] = f"the score must be {MIN_SCORE} to {MAX_SCORE}, or none"
            continue
        justification = entry.get("justification") or ""
        justification = prose(justification) if isinstance(justification, str) else ""
        # "Could not judge" needs no reason (it says there was none to give); a score does.
        if score is not None and len(justification) < JUSTIFICATION_MIN:
            errors[criterion.key] = (
                f"a justification of at least {JUSTIFICATION_MIN} characters is required"
            )
            continue
        if len(justification) > JUSTIFICATION_MAX:
            errors[criterion.key] = f"the justification is longer than {JUSTIFICATION_MAX}"
            continue
        clean[criterion.key] = {"score": score, "justification": justification}
    if errors:
        raise RubricError(errors)
    return clean


@dataclass
class Spread:
    """Aggregate of one criterion over several evaluations (None scores left out)."""

    criterion: Criterion
    n: int
    mean: float | None
    stdev: float | None
    low: int | None
    high: int | None
    abstained: int


def aggregate(score_sets: list[dict[str, dict[str, Any]]]) -> list[Spread]:
    """Mean, population standard deviation and range per criterion."""
    out = []
    for criterion in CRITERIA:
        values = [s[criterion.key]["score"] for s in score_sets if criterion.key in s]
        given = [v for v in values if v is not None]
        out.append(
            Spread(
                criterion,
                len(given),
                round(float(mean(given)), 2) if given else None,
                round(float(pstdev(given)), 2) if given else None,
                min(given) if given else None,
                max(given) if given else None,
                len(values) - len(given),
            )
        )
    return out


def describe() -> dict[str, Any]:
    """The rubric as data, for the API and the pages."""
    return {
        "scale": {str(k): v for k, v in SCALE.items()},
        "min": MIN_SCORE,
        "max": MAX_SCORE,
        "justification_min": JUSTIFICATION_MIN,
        "groups": GROUPS,
        "criteria": [
            {"key": c.key, "group": c.group, "title": c.title, "question": c.question}
            for c in CRITERIA
        ],
    }
