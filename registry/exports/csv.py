"""CSV: one row per current definition, with its concept, body, source and licence."""

import csv
import io

from registry.exports import GlossaryData, source_text

COLUMNS = (
    "concept",
    "concept_label",
    "divergence",
    "body",
    "language",
    "term",
    "designations",
    "text",
    "excerpt_only",
    "source",
    "standard",
    "clause",
    "date",
    "licence",
    "url",
    "nature",
    "status",
    "revision",
    "measurability",
)


def export(data: GlossaryData) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for concept in data.concepts:
        for d in data.definitions.get(concept.id, []):
            row = [
                concept.slug,
                concept.label("en"),
                "" if concept.divergence is None else f"{concept.divergence:.4f}",
                d.body.code,
                d.language,
                d.term,
                "; ".join(f"{x['term']} ({x['type']})" for x in d.designations),
                d.text,
                "yes" if d.is_excerpt else "no",
                source_text(d),
                d.standard.reference if d.standard else "",
                d.clause or "",
                d.valid_from.isoformat() if d.valid_from else "",
                d.licence,
                d.source_url or "",
                d.nature or "",
                d.status,
                d.revision,
                concept.measurability or "",
            ]
            writer.writerow(_safe(str(cell)) for cell in row)
    return out.getvalue()


def _safe(value: str) -> str:
    """Spreadsheets run a cell that starts with = + - @ (or a tab, a carriage return, another
    control) as a formula: in every column, make it plain text."""
    return (
        "'" + value
        if value[:1] in ("=", "+", "-", "@") or (value[:1] and value[0] < " ")
        else value
    )
