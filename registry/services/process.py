"""Process metadata of standards: participating countries, stakeholder groups, openness."""

from typing import Any

import pycountry
from sqlalchemy.orm import Session

from registry.clock import utcnow
from registry.models import Standard, StandardProcess, User
from registry.services import audit

FIELDS = (
    "countries",
    "stakeholder_groups",
    "text_access",
    "price",
    "public_comment",
    "comment_opens",
    "comment_closes",
    "source",
    "note",
)


def get(session: Session, standard: Standard) -> StandardProcess | None:
    return session.get(StandardProcess, standard.id)


def snapshot(process: StandardProcess | None) -> dict[str, Any] | None:
    if process is None:
        return None
    return {name: getattr(process, name) for name in FIELDS}


def write(
    session: Session, user: User, standard: Standard, data: dict[str, Any], path: str = "web"
) -> StandardProcess:
    """Replace the process metadata with ``data`` (validated by ProcessIn)."""
    process = get(session, standard)
    before = snapshot(process)
    if process is None:
        process = StandardProcess(standard_id=standard.id)
        session.add(process)
    for name in FIELDS:
        setattr(
            process,
            name,
            data.get(name, [] if name in ("countries", "stakeholder_groups") else None),
        )
    if process.text_access is None:
        process.text_access = "unknown"
    after = snapshot(process)
    if audit.jsonable(before) == audit.jsonable(after):
        return process
    process.updated_by_id = user.id
    process.updated_at = utcnow()
    audit.record(
        session,
        entity="standard_processes",
        entity_id=standard.id,
        action="create" if before is None else "update",
        path=path,
        actor_id=user.id,
        before=before,
        after=after,
    )
    return process


def country_names(codes: list[str]) -> list[tuple[str, str]]:
    """(code, English name) for display."""
    out = []
    for code in codes:
        country = pycountry.countries.get(alpha_2=code)
        out.append(
            (code, getattr(country, "common_name", None) or country.name if country else code)
        )
    return out
