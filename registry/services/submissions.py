"""Submissions and their review: the only way a submitter's entry becomes public.

A submission holds a validated exchange record (a new standard, a change to a standard, a
definition) or an uploaded file with the pipeline's dry-run report. Approving writes the record
through ``registry.ingest`` on the path "review", inside an import batch that names the
submitter, and every audit row it writes says who submitted and who approved.
"""

from collections.abc import Callable
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session, selectinload

from registry import policy
from registry.clock import utcnow
from registry.ingest import Run, write_records
from registry.models import Body, ImportBatch, Revision, Standard, Submission, User
from registry.models.submissions import SUBMISSION_STATUSES
from registry.references import reference_key
from registry.schemas.records import RECORD_SCHEMAS, error_text
from registry.services import audit
from registry.services.bodies import find_or_create_known
from registry.services.paging import Page, paginate

# The exchange record each kind of record submission carries.
RECORD_KIND = {"standard": "standard", "standard_change": "standard", "definition": "definition"}
# What a submitted file may hold: a body's own standards and definitions, nothing shared
# (bodies, areas, committees, links are the panel's and the admins').
IMPORT_RECORD_KINDS = ("standard", "definition")
REASON_MAX = 2000


class SubmissionError(ValueError):
    """The submission cannot be made or reviewed; the message says why."""


def validate(kind: str, payload: Any) -> dict[str, Any]:
    """The validated record; raises marshmallow's ValidationError with per-field messages."""
    if kind not in RECORD_KIND:
        raise SubmissionError(f"unknown kind {kind!r}")
    return RECORD_SCHEMAS[RECORD_KIND[kind]]().load(payload)


def existing_standard(session: Session, reference: str) -> Standard | None:
    key = reference_key(reference)
    return session.scalar(select(Standard).where(Standard.reference_key == key))


def body_of(user: User, record: dict[str, Any]) -> str:
    """The body a record is submitted for: the submitter's own, else the record's first."""
    if user.role == "submitter" and user.body is not None:
        return user.body.code
    codes = sorted(policy.body_codes_of(record))
    if not codes:
        raise SubmissionError("the record names no body")
    return codes[0]


def targets(session: Session, kind: str, record: dict[str, Any]) -> list[Any]:
    """What the submitter must be allowed to act for: the record, and the standard it changes.

    Raises SubmissionError when a new standard already exists or a changed one does not.
    """
    if RECORD_KIND[kind] != "standard":
        return [record]
    current = existing_standard(session, record["reference"])
    if kind == "standard" and current is not None:
        raise SubmissionError(
            f"{current.reference} is already in the registry: propose a change to it instead"
        )
    if kind == "standard_change":
        if current is None:
            raise SubmissionError(f"there is no standard {record['reference']} to change")
        return [record, current]
    return [record]


def _body(session: Session, code: str) -> Body:
    body = find_or_create_known(session, code)
    if body is None:
        raise SubmissionError(f"unknown body {code!r}")
    return body


def create_record_submission(
    session: Session,
    user: User,
    kind: str,
    record: dict[str, Any],
    note: str | None = None,
    path: str = "web",
) -> Submission:
    """Store a validated record for review. The caller has authorized it (see ``targets``)."""
    body = _body(session, body_of(user, record))
    changed = existing_standard(session, record["reference"]) if kind == "standard_change" else None
    submission = Submission(
        kind=kind,
        status="pending",
        body=body,
        submitter_id=user.id,
        payload=audit.jsonable(record),
        note=(note or "").strip() or None,
        standard_id=changed.id if changed else None,
    )
    session.add(submission)
    session.flush()
    _audit(session, submission, "submit", user, path)
    return submission


def create_import_submission(
    session: Session,
    user: User,
    *,
    body_code: str,
    fmt: str,
    upload_path: str,
    upload_name: str,
    dry_run: dict[str, Any],
    note: str | None = None,
    path: str = "web",
) -> Submission:
    submission = Submission(
        kind="import_file",
        status="pending",
        body=_body(session, body_code),
        submitter_id=user.id,
        format=fmt,
        upload_path=upload_path,
        upload_name=upload_name[:255],
        dry_run=dry_run,
        note=(note or "").strip() or None,
    )
    session.add(submission)
    session.flush()
    _audit(session, submission, "submit", user, path)
    return submission


def import_screen(session: Session, body_code: str) -> Callable[[str, dict[str, Any]], str | None]:
    """A check for each record of a submitted file: the reason to reject it, or None.

    A file submitted for a body may hold that body's standards and definitions only, and may
    not change a standard that belongs to another body.
    """

    def screen(kind: str, data: dict[str, Any]) -> str | None:
        if kind not in IMPORT_RECORD_KINDS:
            return (
                f"a submitted file may hold {' and '.join(IMPORT_RECORD_KINDS)} records "
                f"only, not {kind}"
            )
        codes = policy.body_codes_of(data)
        if not codes or not codes <= {body_code}:
            return (
                f"this record belongs to {', '.join(sorted(codes)) or 'no body'}; "
                f"the submission is for {body_code} only"
            )
        if kind == "standard" and isinstance(data.get("reference"), str):
            current = existing_standard(session, data["reference"])
            if current is not None and not set(current.body_codes) <= {body_code}:
                return (
                    f"{current.reference} belongs to "
                    f"{', '.join(current.body_codes)}; the submission is for {body_code}"
                )
        return None

    return screen


def _pending(submission: Submission) -> None:
    if submission.status != "pending":
        raise SubmissionError(f"submission {submission.id} is already {submission.status}")


def _claim(session: Session, submission: Submission, status: str) -> None:
    """Move pending -> status in one statement, so two reviewers cannot both decide."""
    done = session.execute(
        update(Submission)
        .where(Submission.id == submission.id, Submission.status == "pending")
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        session.refresh(submission)
        raise SubmissionError(f"submission {submission.id} is already {submission.status}")
    submission.status = status


def approve_record(session: Session, submission: Submission, reviewer: User) -> dict[str, Any]:
    """Write the submitted record on the path "review"; the caller commits (or rolls back)."""
    _pending(submission)
    if submission.kind not in RECORD_KIND:
        raise SubmissionError("an import file is approved by running its import")
    kind = RECORD_KIND[submission.kind]
    try:
        data = validate(submission.kind, submission.payload)
    except ValidationError as exc:
        raise SubmissionError(
            f"the record is no longer valid: {error_text(exc.messages)}"
        ) from None
    if submission.kind == "standard" and existing_standard(session, data["reference"]):
        raise SubmissionError(
            f"{data['reference']} has been added since it was submitted; "
            "reject this and ask for a change instead"
        )
    batch = ImportBatch(
        format="submission",
        filename=f"submission {submission.id}",
        origin="review",
        status="running",
        body_code=submission.body.code,
        user_id=submission.submitter_id,
        started_at=utcnow(),
    )
    session.add(batch)
    session.flush()
    run = Run(session, path="review", batch_id=batch.id, actor_id=reviewer.id,
              note=provenance_note(submission, reviewer))
    report = write_records(run, [(kind, data, f"submission {submission.id}")])
    if report.rejected:
        raise SubmissionError(f"the record cannot be written: {report.rejected[0]['reason']}")
    batch.status, batch.finished_at = "committed", utcnow()
    batch.created, batch.updated, batch.unchanged = report.created, report.updated, \
        report.unchanged
    result = {
        "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
        "changes": [{k: c[k] for k in ("action", "kind", "key")} for c in report.changes],
        "warnings": report.warnings,
    }
    _decide(session, submission, reviewer, "approved", batch_id=batch.id, result=result)
    if kind == "standard":
        submission.standard_id = existing_standard(session, data["reference"]).id
    return result


def record_import_approval(
    session: Session, submission: Submission, reviewer: User, report: dict[str, Any]
) -> None:
    """Mark an import file approved after its real run (``report`` is ImportReport.to_dict)."""
    _decide(session, submission, reviewer, "approved", batch_id=report.get("batch"), result=report)
    if report.get("batch") is not None:
        _stamp_provenance(session, submission, reviewer, report["batch"])


def reject(
    session: Session, submission: Submission, reviewer: User, reason: str, path: str = "web"
) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise SubmissionError("give the submitter a reason for the rejection")
    if len(reason) > REASON_MAX:
        raise SubmissionError(f"the reason is longer than {REASON_MAX} characters")
    _decide(session, submission, reviewer, "rejected", reason=reason, path=path)


def _decide(
    session: Session,
    submission: Submission,
    reviewer: User,
    status: str,
    *,
    batch_id: int | None = None,
    result: dict | None = None,
    reason: str | None = None,
    path: str = "review",
) -> None:
    _claim(session, submission, status)
    submission.reviewer_id = reviewer.id
    submission.reviewed_at = utcnow()
    submission.reason = reason
    submission.result = result
    submission.batch_id = batch_id
    _audit(
        session,
        submission,
        "approve" if status == "approved" else "reject",
        reviewer,
        path,
        summary=reason,
    )


def provenance_note(submission: Submission, reviewer: User) -> str:
    """What every audit row of an approved write says about where it came from."""
    submitter = submission.submitter.email if submission.submitter else "a deleted user"
    return f"submission #{submission.id} by {submitter}, approved by {reviewer.email}"[:300]


def _stamp_provenance(
    session: Session, submission: Submission, reviewer: User, batch_id: int
) -> None:
    """Every audit row of the approved write names the submission, its author and approver."""
    note = provenance_note(submission, reviewer)
    rows = update(Revision).where(Revision.batch_id == batch_id)
    session.execute(rows.where(Revision.summary.is_(None)).values(summary=note))
    session.execute(
        rows.where(
            Revision.summary.is_not(None), Revision.summary.not_like("submission #%")
        ).values(summary=Revision.summary + "; " + note[:190])
    )


def _audit(
    session: Session,
    submission: Submission,
    action: str,
    actor: User,
    path: str,
    summary: str | None = None,
) -> None:
    audit.record(
        session,
        entity="submissions",
        entity_id=submission.id,
        action=action,
        path=path,
        actor_id=actor.id,
        summary=(summary or submission.title)[:500],
        after={"status": submission.status, "kind": submission.kind, "body": submission.body.code},
    )


# -- reading ----------------------------------------------------------------------------------


def get(session: Session, submission_id: int) -> Submission | None:
    return session.get(Submission, submission_id)


def listing(
    session: Session,
    user: User,
    *,
    status: str | None = None,
    mine: bool = False,
    page: int = 1,
    per_page: int = 20,
) -> Page[Submission]:
    """Submissions the user may read: its own; the panel and admins see every one."""
    if status is not None and status not in SUBMISSION_STATUSES:
        raise SubmissionError(f"status must be one of {', '.join(SUBMISSION_STATUSES)}")
    stmt: Select = select(Submission).options(
        selectinload(Submission.body),
        selectinload(Submission.submitter),
        selectinload(Submission.reviewer),
    )
    if mine or not policy.can(user, "submission.review"):
        stmt = stmt.where(Submission.submitter_id == user.id)
    if status:
        stmt = stmt.where(Submission.status == status)
    # The review queue reads oldest first; everything else newest first.
    order = Submission.id.asc() if status == "pending" and not mine else Submission.id.desc()
    return paginate(session, stmt.order_by(order), page, per_page)
