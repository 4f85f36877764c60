"""Test data, written through the same ingest service as real imports (one write path).

Each builder returns an exchange record (a dict with its ``record`` kind); ``load`` validates
and writes any number of them and commits.
"""

from itertools import count
from typing import Any

from registry.ingest import WRITERS, Entry, Outcome, Run, finish
from registry.ingest.records import named_fields
from registry.schemas.records import RECORD_SCHEMAS

_n = count(1)


def load(session, *records: dict[str, Any], path: str = "cli") -> list[Outcome]:
    """Write the records one by one (each its own chunk, in the order given), then commit."""
    run = Run(session, path=path)
    outcomes: list[Outcome] = []
    for record in records:
        data = RECORD_SCHEMAS[record["record"]]().load(record)
        outcomes += WRITERS[record["record"]](run, [Entry(data, "test", named_fields(record))])
        run.flush()
    outcomes += finish(run)
    session.commit()
    return outcomes


def body(code: str = "ISO", **kw) -> dict[str, Any]:
    return {"record": "body", "code": code, "name": f"{code} body", "kind": "international_sdo",
            **kw}


def area(slug: str = "fairness", **kw) -> dict[str, Any]:
    return {"record": "area", "slug": slug, "title": slug.replace("-", " ").title(),
            "kind": "trustworthiness", **kw}


def standard(reference: str | None = None, **kw) -> dict[str, Any]:
    reference = reference or f"ISO/IEC {90000 + next(_n)}:2023"
    return {"record": "standard", "reference": reference, "title": f"Title of {reference}",
            "bodies": ["ISO", "IEC"], "type": "IS", "status": "published",
            "published": "2023-01-15", "committee": "ISO/IEC JTC 1/SC 42", **kw}


def concept(slug: str = "fairness", **kw) -> dict[str, Any]:
    return {"record": "concept", "slug": slug, "labels": {"en": slug.replace("-", " ")}, **kw}


def definition(text: str = "a property of being fair", **kw) -> dict[str, Any]:
    term = kw.pop("term", "fairness")
    return {"record": "definition", "concept": kw.pop("concept", "fairness"), "body": "NIST",
            "source": "NIST AI 100-1", "language": "en",
            "designations": [{"term": term, "type": "preferred"}], "text": text,
            "licence": "Public domain (US Government work)", **kw}


def link(source: dict, target: dict, type: str = "close", **kw) -> dict[str, Any]:
    return {"record": "link", "source": source, "target": target, "type": type, **kw}
