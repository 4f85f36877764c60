"""Submissions and their review: the only way a submitter's entry becomes public.

A submission holds a validated exchange record (a new standard, a change to a standard, a
definition) or an uploaded file with the pipeline's dry-run report. Approving writes the record
through ``registry.ingest`` on the path "review", inside an import batch that names the
submitter, and every audit row it writes says who submitted and who approved.
"""

from collections.abc import Callable, Iterable
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session, selectinload

from registry import policy
from registry.clock import utcnow
from registry.db import unit_of_work
from registry.ingest import Deferred, Record, Refused, Rejected, Report, Run, load
from registry.models import Body, ImportBatch, Standard, Submission, User
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


def submit_record(session: Session, user: User, kind: str, raw: Any, note: str | None = None,
                  path: str = "web") -> Submission:
    """A record proposed for review: validated (ValidationError), checked against the policy
    for the record and the standard it changes (PolicyError), stored; commits."""
    record = validate(kind, raw)
    with unit_of_work(session):
        for target in targets(session, kind, record):
            policy.require(user, "submission.create", target)
        return create_record_submission(session, user, kind, record, note, path)


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


def pending_files(session: Session, user: User) -> int:
    """How many submitted files of ``user`` wait for review (each keeps its upload on disk)."""
    return session.scalar(
        select(func.count()).select_from(Submission).where(
            Submission.submitter_id == user.id,
            Submission.kind == "import_file",
            Submission.status == "pending",
        )
    )


def pending_upload_paths(session: Session) -> set[str]:
    """The stored uploads that pending submissions still need; every other one may go."""
    return set(session.scalars(
        select(Submission.upload_path).where(
            Submission.kind == "import_file",
            Submission.status == "pending",
            Submission.upload_path.is_not(None),
        )
    ))


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


class Conflict(SubmissionError):
    """Someone decided the submission first (HTTP 409)."""


Read = Callable[[Session, Submission], Iterable[Record | Deferred | Rejected]]


def _claim(session: Session, submission: Submission, status: str) -> None:
    """Move pending -> status in one statement, so two reviewers cannot both decide: the
    loser's statement waits for the winner's transaction and then matches nothing."""
    done = session.execute(
        update(Submission)
        .where(Submission.id == submission.id, Submission.status == "pending")
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        session.rollback()
        session.refresh(submission)
        raise Conflict(f"submission {submission.id} is already {submission.status}")
    submission.status = status


def approve(session: Session, submission: Submission, reviewer: User,
            read: Read | None = None) -> dict[str, Any]:
    """Make a submission public, in one transaction that this action commits.

    The submission is claimed first (pending -> approved), then its record is written, or its
    file imported (``read`` gives the file's records: ``importers.read_submission``), on the
    path "review" in an import batch naming the submitter, every audit row saying who submitted
    and who approved. A concurrent rejection either decided first (``Conflict``, nothing
    written) or waits for this transaction and then finds the submission approved.
    """
    session.rollback()  # this action's own transaction, reading the submission afresh
    policy.require(reviewer, "submission.approve", submission)
    with unit_of_work(session):
        return _approve(session, submission, reviewer, read)


def _approve(session: Session, submission: Submission, reviewer: User,
             read: Read | None) -> dict[str, Any]:
    _claim(session, submission, "approved")
    data = None
    if submission.kind in RECORD_KIND:
        try:
            data = validate(submission.kind, submission.payload)
        except ValidationError as exc:
            raise SubmissionError(
                f"the record is no longer valid: {error_text(exc.messages)}") from None
        if submission.kind == "standard" and existing_standard(session, data["reference"]):
            raise SubmissionError(
                f"{data['reference']} has been added since it was submitted; "
                "reject this and ask for a change instead")
    elif read is None:
        raise SubmissionError("an import file is approved with the reader of its format")
    file = submission.kind == "import_file"
    batch = ImportBatch(
        format=submission.format if file else "submission",
        filename=(submission.upload_name if file else None) or f"submission {submission.id}",
        origin="review", status="running", body_code=submission.body.code,
        licence=(submission.payload or {}).get("licence") if file else None,
        # A file's batch is the reviewer's import run; a record's names its submitter.
        user_id=reviewer.id if file else submission.submitter_id, started_at=utcnow())
    session.add(batch)
    session.flush()
    run = Run(session, path="review", batch_id=batch.id, actor_id=reviewer.id,
              note=provenance_note(submission, reviewer))
    report = Report(filename=batch.filename, format=batch.format, batch_id=batch.id)
    try:
        if file:
            stream = load(run, read(session, submission), report)
            if stream.records == 0:
                first = report.rejected[0]["reason"] if report.rejected else "no records"
                raise SubmissionError(f"the import was refused: {first}")
        else:
            location = f"submission {submission.id}"
            load(run, [Record(RECORD_KIND[submission.kind], data, location)], report)
            if report.rejected:
                raise SubmissionError(
                    f"the record cannot be written: {report.rejected[0]['reason']}")
    except Refused as exc:
        raise SubmissionError(f"the import was refused: {exc}") from None
    batch.status, batch.finished_at = "committed", utcnow()
    batch.created, batch.updated, batch.unchanged = report.created, report.updated, \
        report.unchanged
    batch.rejected, batch.errors = len(report.rejected), report.rejected[:1000]
    result = report.to_dict() if file else {
        "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
        "changes": [{k: c[k] for k in ("action", "kind", "key")} for c in report.changes],
        "warnings": report.warnings,
    }
    _decided(session, submission, reviewer, batch_id=batch.id, result=result)
    if submission.kind in ("standard", "standard_change"):
        submission.standard_id = existing_standard(session, data["reference"]).id
    return result


def reject(session: Session, submission: Submission, reviewer: User, reason: str,
           path: str = "web") -> None:
    """Refuse a submission with a reason the submitter sees; commits."""
    session.rollback()
    policy.require(reviewer, "submission.review", submission)
    reason = (reason or "").strip()
    if not reason:
        raise SubmissionError("give the submitter a reason for the rejection")
    if len(reason) > REASON_MAX:
        raise SubmissionError(f"the reason is longer than {REASON_MAX} characters")
    with unit_of_work(session):
        _claim(session, submission, "rejected")
        _decided(session, submission, reviewer, reason=reason, path=path)


def _decided(session: Session, submission: Submission, reviewer: User, *,
             batch_id: int | None = None, result: dict | None = None,
             reason: str | None = None, path: str = "review") -> None:
    submission.reviewer_id = reviewer.id
    submission.reviewed_at = utcnow()
    submission.reason = reason
    submission.result = result
    submission.batch_id = batch_id
    _audit(session, submission, "reject" if reason else "approve", reviewer, path,
           summary=reason)


def provenance_note(submission: Submission, reviewer: User) -> str:
    """What every audit row of an approved write says about where it came from."""
    submitter = submission.submitter.public_name if submission.submitter else "a deleted user"
    return f"submission #{submission.id} by {submitter}, approved by {reviewer.public_name}"[:300]


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
