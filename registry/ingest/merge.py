"""Merge rules: what a record written over an existing standard may change, field by field.

The source owns what it publishes about its document (title, status, dates, ...): a re-import
takes its values, and a value the source no longer gives is cleared, with a warning in the
report. The registry owns what it curated (area tags, panel flags, committee, relations): a
record that does not name such a field leaves it as it is; one that names it sets it, with a
warning for what that removes. A date less precise than the stored one never replaces it.
The README's "Merge rules" table is this table.

A person's edit (``edit=True``: a panel member tagging areas) sets exactly the fields it names.
"""

from datetime import date
from typing import Any

from registry.ingest.records import Warning

SOURCE = "source"  # the source's value; cleared (with a warning) when the source has none
REGISTRY = "registry"  # the record's value when it names one; kept when it does not
DATE = "date"  # the source's date, unless less precise than the stored one

STANDARD_RULES: dict[str, str] = {
    "reference": SOURCE,
    "title": SOURCE,
    "titles": SOURCE,
    "bodies": SOURCE,
    "type": SOURCE,
    "status": SOURCE,
    "stage": SOURCE,
    "published": DATE,
    "edition": SOURCE,
    "scope": SOURCE,
    "scopes": SOURCE,
    "url": SOURCE,
    "ics": SOURCE,
    "languages": SOURCE,
    "keywords": SOURCE,
    "text_licence": SOURCE,
    "source_id": SOURCE,
    "committee": REGISTRY,
    "relations": REGISTRY,
    "areas": REGISTRY,
    "measurement_evaluation": REGISTRY,
    "socio_technical": REGISTRY,
    "human_rights_considered": REGISTRY,
}

# How much of a date is known; a date of lesser precision is the first day of its period.
PRECISION = {"year": 1, "month": 2, "day": 3}


def precision_rank(precision: str | None) -> int:
    return PRECISION[precision or "day"]


def _within(stored: date, given: date, precision: str | None) -> bool:
    """The stored date falls in the period a less precise ``given`` date names."""
    if precision == "year":
        return stored.year == given.year
    return (stored.year, stored.month) == (given.year, given.month)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(v if isinstance(v, str) else str(v.get("reference", v)) for v in value)
    return str(value)


def merge_standard(stored: dict[str, Any], record: dict[str, Any], named: frozenset[str], *,
                   edit: bool, location: str) -> tuple[dict[str, Any], list[Warning]]:
    """The standard's fields after writing ``record`` over ``stored`` (both in exchange-record
    shape, ``published_precision`` beside ``published``), and what to warn about."""
    merged = dict(stored)
    warnings: list[Warning] = []
    key = stored["reference"]

    def warn(field: str, message: str) -> None:
        warnings.append(Warning(location, "standard", key, field, message))

    for field, rule in STANDARD_RULES.items():
        old, new = stored.get(field), record.get(field)
        if edit:
            if field in named:
                merged[field] = new
            continue
        if rule == REGISTRY:
            given = field in named and not _empty(new)
            if not given or new == old:
                continue
            merged[field] = new
            if isinstance(old, list) and old:
                gone = [v for v in old if v not in new]
                if gone:
                    warn(field, f"{field}: removes {_shown(gone)}")
            elif not _empty(old) and old is not False:
                warn(field, f"{field}: replaces {_shown(old)} with {_shown(new)}")
        elif rule == DATE:
            new_precision = record.get("published_precision")
            old_precision = stored.get("published_precision")
            if new is None:
                if old is not None:
                    merged["published"], merged["published_precision"] = None, None
                    warn(field, f"{field}: clears {old.isoformat()} (the source gives no date)")
                continue
            if old is not None and precision_rank(new_precision) < precision_rank(old_precision):
                if not _within(old, new, new_precision):
                    warn(field, f"{field}: keeps {old.isoformat()}; the source says "
                                f"{_period(new, new_precision)}, which is less precise")
                continue
            merged["published"], merged["published_precision"] = new, new_precision
        else:
            merged[field] = new
            if _empty(new) and not _empty(old):
                warn(field, f"{field}: clears {_shown(old)[:200]} (the source no longer gives it)")
    return merged, warnings


def _period(value: date, precision: str | None) -> str:
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return value.strftime("%Y-%m")
    return value.isoformat()
