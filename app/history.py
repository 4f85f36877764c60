"""The audit trail in pages: ``history_of`` and ``revision_changes`` for templates/_history.html."""

from typing import Any

from flask import Flask

from app.extensions import db
from registry.models import Revision
from registry.services import audit

VALUE_MAX = 300


def history_of(entity: str, entity_id: int) -> list[Revision]:
    return audit.history(db.session, entity, entity_id)


def _shown(value: Any) -> str | None:
    if value is None or value == [] or value == {}:
        return None
    if isinstance(value, list):
        value = ", ".join(v if isinstance(v, str) else str(v) for v in value)
    text = str(value)
    return text if len(text) <= VALUE_MAX else text[:VALUE_MAX] + "…"


def revision_changes(revision: Revision) -> list[dict[str, Any]]:
    """The fields a revision changed, each with its value before and after, for display."""
    before, after = revision.before or {}, revision.after or {}
    names = audit.changed_fields(before, after) if before else sorted(after)
    rows = []
    for name in names:
        shown_after = _shown(after.get(name))
        if shown_after is None and not before:
            continue
        rows.append(
            {
                "name": name,
                "before": _shown(before.get(name)) if before else None,
                "after": shown_after or "(none)",
            }
        )
    return rows


def register(app: Flask) -> None:
    app.jinja_env.globals.update(history_of=history_of, revision_changes=revision_changes)
