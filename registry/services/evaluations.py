"""Panel evaluations of standards against ``registry.rubric``: one per member per edition."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from registry import rubric
from registry.clock import utcnow
from registry.models import Evaluation, Revision, Standard, User
from registry.services import audit
from registry.text import prose

SUMMARY_MAX = 4000


class EvaluationError(ValueError):
    """Not a valid evaluation; ``errors`` maps a field or criterion to what is wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def edition_of(standard: Standard) -> str:
    return (standard.edition or "")[:32]


def own_evaluation(session: Session, standard: Standard, user: User) -> Evaluation | None:
    return session.scalar(
        select(Evaluation).where(
            Evaluation.standard_id == standard.id,
            Evaluation.edition == edition_of(standard),
            Evaluation.author_id == user.id,
        )
    )


def _snapshot(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "standard_id": evaluation.standard_id,
        "edition": evaluation.edition,
        "version": evaluation.version,
        "scores": evaluation.scores,
        "summary": evaluation.summary,
    }


def write(
    session: Session,
    user: User,
    standard: Standard,
    scores: Any,
    summary: Any = None,
    path: str = "web",
) -> tuple[Evaluation, bool]:
    """Create the member's evaluation of the current edition, or revise it. (evaluation, created)"""
    try:
        clean = rubric.validate(scores)
    except rubric.RubricError as exc:
        raise EvaluationError(exc.errors) from None
    summary = prose(summary) if isinstance(summary, str) else None
    if summary and len(summary) > SUMMARY_MAX:
        raise EvaluationError({"summary": f"longer than {SUMMARY_MAX} characters"})
    existing = own_evaluation(session, standard, user)
    if existing is not None:
        if existing.scores == clean and existing.summary == (summary or None):
            return existing, False
        before = _snapshot(existing)
        existing.scores = clean
        existing.summary = summary or None
        existing.version += 1
        existing.updated_at = utcnow()
        audit.record(
            session,
            entity="evaluations",
            entity_id=existing.id,
            action="revise",
            path=path,
            actor_id=user.id,
            before=before,
            after=_snapshot(existing),
        )
        return existing, False
    evaluation = Evaluation(
        standard_id=standard.id,
        edition=edition_of(standard),
        author_id=user.id,
        scores=clean,
        summary=summary or None,
    )
    try:
        with session.begin_nested():
            session.add(evaluation)
    except IntegrityError:  # the same member's second tab won the race: revise that one
        return write(session, user, standard, scores, summary, path)
    audit.record(
        session,
        entity="evaluations",
        entity_id=evaluation.id,
        action="create",
        path=path,
        actor_id=user.id,
        after=_snapshot(evaluation),
    )
    return evaluation, True


def of_standard(session: Session, standard: Standard) -> list[Evaluation]:
    """Every evaluation of the standard: the current edition's first, then older editions."""
    rows = session.scalars(
        select(Evaluation)
        .where(Evaluation.standard_id == standard.id)
        .options(selectinload(Evaluation.author))
        .order_by(Evaluation.updated_at.desc())
    ).all()
    current = edition_of(standard)
    return sorted(rows, key=lambda e: e.edition != current)


def aggregate(standard: Standard, evaluations: list[Evaluation]) -> list[rubric.Spread]:
    """Spread per criterion over the current edition's evaluations."""
    current = edition_of(standard)
    return rubric.aggregate([e.scores for e in evaluations if e.edition == current])


def history(session: Session, evaluation: Evaluation) -> list[Revision]:
    """Every version, newest first (each audit row's ``after`` is that version)."""
    return list(
        session.scalars(
            select(Revision)
            .where(Revision.entity == "evaluations", Revision.entity_id == evaluation.id)
            .order_by(Revision.at.desc(), Revision.id.desc())
        )
    )
