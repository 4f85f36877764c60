"""Entries proposed by standards bodies, waiting for review before anything becomes public."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, Timestamped
from registry.models.catalogue import Body, Standard
from registry.models.people import User
from registry.models.provenance import ImportBatch

SUBMISSION_KINDS = ("standard", "standard_change", "definition", "import_file")
SUBMISSION_STATUSES = ("pending", "approved", "rejected")


class Submission(Timestamped, Base):
    """One proposal: a validated exchange record, or an uploaded file with its dry-run report.

    Nothing here is public: the record is written through ``registry.ingest`` only
    when a reviewer approves it, so lists, pages, the API and search never see a pending entry.
    """

    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # a SUBMISSION_KINDS value
    status: Mapped[str] = mapped_column(String(16), default="pending")
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    submitter_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The validated record (registry.schemas.records) for standard, standard_change, definition.
    payload: Mapped[dict[str, Any] | None] = mapped_column()
    # A standard_change names the standard it changes.
    standard_id: Mapped[int | None] = mapped_column(ForeignKey("standards.id", ondelete="SET NULL"))
    # An import_file: the stored upload, its format, and the pipeline's dry-run report.
    upload_path: Mapped[str | None] = mapped_column(String(500))
    upload_name: Mapped[str | None] = mapped_column(String(255))
    format: Mapped[str | None] = mapped_column(String(32))
    dry_run: Mapped[dict[str, Any] | None] = mapped_column()
    # What the real write did on approval (the import report or the record's outcome).
    result: Mapped[dict[str, Any] | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)  # the submitter's comment to the reviewer
    reason: Mapped[str | None] = mapped_column(Text)  # the reviewer's reason on rejection
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL")
    )

    body: Mapped[Body] = relationship()
    submitter: Mapped[User | None] = relationship(foreign_keys=[submitter_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    standard: Mapped[Standard | None] = relationship()
    batch: Mapped[ImportBatch | None] = relationship()

    @property
    def user_id(self) -> int | None:
        """The owner, as ``registry.policy`` reads it (``submission.read``)."""
        return self.submitter_id

    @property
    def title(self) -> str:
        data = self.payload or {}
        if self.kind == "import_file":
            return f"{self.format} file {self.upload_name}"
        if self.kind == "definition":
            terms = [d["term"] for d in data.get("designations", []) if d["type"] == "preferred"]
            return f"definition of {terms[0] if terms else '?'} ({data.get('source', '')})"
        return f"{data.get('reference', '?')}: {data.get('title', '')}"

    def __repr__(self) -> str:
        return f"<Submission {self.id} {self.kind} {self.status}>"
