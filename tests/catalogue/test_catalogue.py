"""The demo catalogue against its sources: the shipped relaton records and curated file.

The standards the registry serves are built from ``app/demo/sources`` (``app/demo_build.py``)
and loaded by ``flask demo load`` (loaded once here, for the module). These tests read the
source files themselves, with PyYAML and their own few lines of extraction (not the importer),
and check what the registry shows against them: a sample of 30 records field by field, the
counts per body, the dates, the tags against the tagging rules, and the access side file.
"""

import csv
import json
import re
from collections import Counter
from datetime import date

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import demo_build
from app.extensions import db as flask_db
from importers import FORMATS
from importers.pipeline import ImportOptions, Rejected, Source
from registry.models import Area, Standard
from registry.references import reference_key

SOURCES = demo_build.SOURCES_DIR
RELATON_FILES = [name for fmt, name in demo_build.SOURCE_FILES if fmt == "relaton"]
SAMPLE_SIZE = 30
# Curated records whose sources give no day of publication (SOURCES.md 4.3, 4.4 and 4.7).
CURATED_UNDATED = {"ITU-T Y.3173 (02/2020)", "EN ISO/IEC 22989:2023", "EN ISO/IEC 23053:2023",
                   "DIN SPEC 92001-1:2019-04", "DIN SPEC 92001-2:2020-12"}
DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
# The bodies a source record names: by the prefix of its reference, else by its type.
PREFIX_BODIES = {"ISO", "IEC", "ITU-T", "ITU-R", "IEEE"}
TYPE_BODIES = {"ETSI": "ETSI", "3GPP": "3GPP", "JIS": "JISC", "NIST": "NIST",
               "Internet-Draft": "IETF", "IEEE": "IEEE"}


# -- the sources, read independently ------------------------------------------------------


def _text(node) -> str:
    if isinstance(node, dict):
        node = node.get("content", node.get("value", node.get("at", node.get("id"))))
    return " ".join(str(node).split()) if node is not None else ""


def source_records() -> list[dict]:
    """Every relaton record of the shipped files, as PyYAML reads it, with its file."""
    found = []
    for name in RELATON_FILES:
        with (SOURCES / name).open(encoding="utf-8") as fh:
            for raw in yaml.safe_load_all(fh):
                if raw:
                    found.append({"file": name, "raw": raw})
    return found


def docid(raw: dict) -> tuple[str, str]:
    ids = raw.get("docid") or raw.get("docidentifier")
    first = next(d for d in ids if d.get("primary") and d.get("scope") != "trademark")
    return _text(first), first["type"]


def main_title(raw: dict) -> str:
    titles = raw["title"]
    english = [t for t in titles if "en" in (t.get("language") or ["en"])]
    main = [t for t in english if t.get("type", "main") == "main"]
    return _text((main or english or titles)[0])


def dates_of(raw: dict) -> dict[str, str]:
    """The record's dates by type, as it writes them: a day, a month or a year."""
    dates = {d["type"]: _text(d) for d in raw.get("date") or []}
    return {k: v for k, v in dates.items() if DATE.match(v)}


def as_shown(value: str) -> tuple[str, str]:
    """A relaton date as the registry stores it: the first day, and the precision."""
    parts = value.split("-")
    full = "-".join(parts + ["01"] * (3 - len(parts)))
    return full, ("year", "month", "day")[len(parts) - 1]


def strings(node) -> set[str]:
    """Every text in a record, whitespace collapsed (as the registry stores texts)."""
    if isinstance(node, dict):
        return set().union(*(strings(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(strings(v) for v in node))
    return {" ".join(str(node).split())}


def links(raw: dict) -> set[str]:
    return {_text(x) for x in raw.get("link") or raw.get("source") or []}


def source_bodies(reference: str, kind: str) -> list[str]:
    prefix = {p for p in reference.split(" ", 1)[0].upper().split("/") if p in PREFIX_BODIES}
    return sorted(prefix or {TYPE_BODIES[kind]})


@pytest.fixture(scope="module")
def sources():
    return source_records()


@pytest.fixture(scope="module")
def standards(demo_app):
    rows = flask_db.session.scalars(
        select(Standard).options(selectinload(Standard.bodies), selectinload(Standard.areas),
                                 selectinload(Standard.committee))
    ).all()
    return {reference_key(s.reference): s for s in rows}


# -- the build -----------------------------------------------------------------------------


def test_the_served_file_is_built_from_the_sources():
    assert demo_build.up_to_date(), "run: flask --app wsgi demo build"


def test_every_source_reads_whole_through_its_importer():
    total = 0
    for fmt, name in demo_build.SOURCE_FILES:
        items = list(FORMATS[fmt](Source(SOURCES / name), ImportOptions()))
        assert [i for i in items if isinstance(i, Rejected)] == [], name
        assert items, name
        total += len(items)
    assert total == len(demo_build.build()) >= 600


def test_the_relaton_files_hold_the_records_the_catalogue_shows(sources, standards):
    refs = [docid(s["raw"])[0] for s in sources]
    assert len(refs) == len(set(refs))
    assert {reference_key(r) for r in refs} <= set(standards)
    with (SOURCES / "curated.jsonl").open(encoding="utf-8") as fh:
        curated = {reference_key(json.loads(line)["reference"]) for line in fh}
    assert curated.isdisjoint(reference_key(r) for r in refs)
    assert set(standards) == curated | {reference_key(r) for r in refs}


# -- counts ----------------------------------------------------------------------------------


def test_counts_per_body_match_the_sources(demo_app, sources):
    expected: Counter = Counter()
    with (SOURCES / "curated.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            expected.update(json.loads(line)["bodies"])
    for s in sources:
        expected.update(source_bodies(*docid(s["raw"])))
    served = {b["code"]: b["standards"]
              for b in demo_app.test_client().get("/api/v1/bodies").get_json()}
    assert {code: n for code, n in served.items() if n} == dict(expected)
    assert len(expected) >= 10
    # The bodies the catalogue must cover (issue 18).
    for code in ("ISO", "IEC", "ITU-T", "IEEE", "IETF", "CEN-CENELEC", "ETSI", "NIST"):
        assert expected[code] >= 1, code


def test_counts_per_area_kind(standards):
    kinds: Counter = Counter()
    for s in standards.values():
        kinds.update({a.kind for a in s.areas})
    assert all(s.areas for s in standards.values())
    # Each kind of area is a facet most of the catalogue can be found by.
    assert kinds["lifecycle"] >= 400 and kinds["sector"] >= 300
    assert kinds["trustworthiness"] >= 100 and kinds["governance"] >= 140
    served = Counter()
    with demo_build.OUTPUT.open(encoding="utf-8") as fh:
        slugs = {a.slug: a.kind for a in flask_db.session.scalars(select(Area))}
        for line in fh:
            served.update({slugs[a] for a in json.loads(line)["areas"]})
    assert served == kinds


# -- the sample: 30 records, field by field ---------------------------------------------


def sample(sources: list[dict]) -> list[dict]:
    """Thirty records spread over every file: a round robin over the files, evenly spaced."""
    by_file: dict[str, list[dict]] = {}
    for s in sources:
        by_file.setdefault(s["file"], []).append(s)
    picked: list[dict] = []
    rounds = 0
    while len(picked) < SAMPLE_SIZE:
        for records in by_file.values():
            step = max(len(records) // 8, 1)
            index = rounds * step + rounds
            if index < len(records) and len(picked) < SAMPLE_SIZE:
                picked.append(records[index])
        rounds += 1
    return picked


def test_a_sample_of_thirty_records_matches_its_source(sources, standards):
    picked = sample(sources)
    assert len(picked) == SAMPLE_SIZE
    assert len({s["file"] for s in picked}) == len(RELATON_FILES)
    for s in picked:
        raw = s["raw"]
        reference, kind = docid(raw)
        shown = standards[reference_key(reference)]
        where = f"{s['file']}: {reference}"
        assert shown.reference == reference, where
        assert shown.title == main_title(raw), where
        assert shown.body_codes == source_bodies(reference, kind), where
        dates = dates_of(raw)
        if shown.published:
            # IEEE's approval date (issued) gives its designation's year; else the publication.
            first = ("issued", "published") if kind == "IEEE" else ("published", "issued")
            expected = as_shown(next(dates[k] for k in first if k in dates))
            precision = shown.published_precision or "day"  # the registry's default
            assert (shown.published.isoformat(), precision) == expected, where
        else:
            assert shown.status in ("proposed", "under_development") or not dates, where
        if shown.url:
            assert shown.url in links(raw) or shown.url == (
                f"https://datatracker.ietf.org/doc/{reference}/"), where
        status = raw.get("docstatus") or raw.get("status") or {}
        stage = _text(status.get("stage")) if isinstance(status, dict) else ""
        if stage.isdigit():
            assert shown.stage_code == f"{stage}.{_text(status.get('substage')) or '00'}", where
        if any(re.search(r"T-REC-.*-S$", link) for link in links(raw)):
            assert shown.status == "superseded", where
        if shown.committee:
            assert shown.committee.reference.removeprefix("3GPP ") in strings(raw), where


def test_undated_published_documents_have_no_date_in_their_source(sources, standards):
    by_key = {reference_key(docid(s["raw"])[0]): s["raw"] for s in sources}
    undated = [s for s in standards.values() if s.published is None
               and s.status not in ("proposed", "under_development")]
    for s in undated:
        raw = by_key.get(reference_key(s.reference))
        if raw is None:  # curated: the exceptions SOURCES.md explains (4.3, 4.4, 4.7)
            assert s.reference in CURATED_UNDATED, s.reference
        else:
            assert not {"issued", "published"} & set(dates_of(raw)), s.reference
    for s in standards.values():
        if s.published:
            assert date(1950, 1, 1) <= s.published <= date.today(), s.reference


# -- tags --------------------------------------------------------------------------------


def test_tags_of_relaton_records_follow_the_rules(sources, standards):
    with demo_build.TAGGING.open(encoding="utf-8", newline="") as fh:
        rules = [(row["target"], re.compile(row["pattern"], re.IGNORECASE))
                 for row in csv.DictReader(fh)]
    areas = {a.slug for a in flask_db.session.scalars(select(Area))}
    flags = set(demo_build.FLAGS)
    assert {target for target, _ in rules} <= areas | flags
    for s in sources:
        shown = standards[reference_key(docid(s["raw"])[0])]
        matched = {target for target, pattern in rules if pattern.search(shown.title)}
        assert {a.slug for a in shown.areas} == matched - flags, shown.reference
        for flag in flags:
            assert getattr(shown, flag) == (flag in matched), (shown.reference, flag)


def test_flags_are_justified_and_rare_where_they_should_be(standards):
    values = list(standards.values())
    human_rights = [s for s in values if s.human_rights_considered]
    assert 0 < len(human_rights) <= 5
    assert all("human-rights" in {a.slug for a in s.areas} for s in human_rights)
    measured = [s for s in values if s.measurement_evaluation]
    assert len(measured) >= 100


# -- where to get it ---------------------------------------------------------------------


def test_access_side_file(standards):
    with demo_build.ACCESS_OUTPUT.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and tuple(rows[0]) == demo_build.ACCESS_COLUMNS
    seen = set()
    for row in rows:
        key = reference_key(row["reference"])
        assert key in standards and key not in seen, row
        seen.add(key)
        shown = standards[key]
        assert row["source"], row
        assert row["access"] in ("free", "paid", "draft-only", ""), row
        assert row["access"] or row["implementation_url"], row
        assert (row["access"] == "draft-only") == (
            shown.status in ("proposed", "under_development")), row
        if row["implementation_url"]:
            assert row["implementation_url"].startswith("https://github.com/"), row
    free = Counter(b for row in rows if row["access"] == "free"
                   for b in standards[reference_key(row["reference"])].body_codes)
    assert {"ITU-T", "ETSI", "3GPP", "NIST", "IEEE"} <= set(free)
