"""The demo catalogue: it loads cleanly and idempotently, and its data holds up to checks.

The first group runs ``flask demo load`` and reads the result back through the API, as a
visitor would (the demo is loaded once for the module). The second group reads the JSON Lines
files directly and checks the data itself: references as each body writes them, dates,
relations, committees, areas and licences. ``tests/catalogue`` checks the standards against
the sources they are built from.
"""

import json
import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from app.cli import DEMO_DIR, DEMO_FILES, DEMO_SHEETS
from app.extensions import db as flask_db
from registry.models import Base, ImportBatch
from registry.references import reference_key, work_key
from registry.schemas.records import RECORD_SCHEMAS

AREA_TREE = {
    "trustworthiness": ["fairness", "safety", "security", "robustness", "reliability",
                        "transparency", "explainability", "privacy", "accountability",
                        "human-oversight", "controllability"],
    "governance": ["energy-environment", "human-rights", "socio-technical", "content-provenance",
                   "incident-reporting", "risk-management", "conformity-assessment",
                   "terminology", "data-quality", "management-systems", "procurement"],
    "lifecycle": ["lifecycle-design", "lifecycle-data", "lifecycle-development",
                  "lifecycle-evaluation", "lifecycle-deployment", "lifecycle-monitoring",
                  "lifecycle-retirement"],
    "sectors": ["sector-health", "sector-education", "sector-children", "sector-public-services",
                "sector-finance", "sector-environment", "sector-transport",
                "sector-telecommunications", "sector-manufacturing", "sector-energy",
                "sector-agriculture", "sector-media", "sector-consumer"],
}
ROOT_KINDS = {"trustworthiness": "trustworthiness", "governance": "governance",
              "lifecycle": "lifecycle", "sectors": "sector"}
COPYRIGHTED_TEXT_BODIES = {"ISO", "IEC", "IEEE"}
ITU_REFERENCE = re.compile(r"^ITU-T (?P<rec>[A-Z]\.\d+(?:\.\d+)?(?:/[A-Z]\.\d+)?) "
                           r"\((?P<mm>\d{2})/(?P<yyyy>\d{4})\)$")
# Any ITU-T text: Recommendations (a new version numbered "(V2)"), and Supplements to a series.
ITU_ANY = re.compile(r"^ITU-T (?:[A-Z]\.\d+(?:\.\d+)?(?: \(V\d+\))?|[A-Z] Suppl\. \d+) "
                     r"\((?P<mm>\d{2})/(?P<yyyy>\d{4})\)$")
ISO_YEAR = re.compile(r":(\d{4})$")
# IEEE writes "IEEE 7001-2021" on its standards pages and "IEEE Std 7001-2021" in Xplore;
# a draft is its project number with the draft's number and date.
IEEE_PUBLISHED = re.compile(r"^IEEE (?:Std )?\d+(?:\.\d+)*-(\d{4})$")
IEEE_PROJECT = re.compile(r"^IEEE P\d+(?:\.\d+)*(?:/D-?[\d.]+-\d{4}(?:-\d{2})?)?$")
REFERENCE_PATTERNS = {
    "ITU-R": re.compile(r"^ITU-R [A-Z]+\.\d+-\d+$"),
    "ETSI": re.compile(r"^ETSI (?:EN|ES|EG|TS|TR|GS|GR)(?: [A-Z]+)? \d{3}(?: \d{3})?(?:-\d+)* "
                       r"V\d+\.\d+\.\d+ \(\d{4}-\d{2}\)$"),
    "3GPP": re.compile(r"^3GPP T[SR] \d{2}\.\d{3}(?:-\d{2})?:REL-\d+/\d+\.\d+\.\d+$",
                       re.IGNORECASE),
    "IETF": re.compile(r"^draft-[a-z0-9]+(?:-[a-z0-9]+)+$"),
    "JISC": re.compile(r"^JIS [A-Z] \d{4,5}:\d{4}$"),
    "DIN": re.compile(r"^DIN SPEC \d+-\d+:\d{4}-\d{2}$"),
    "NIST": re.compile(r"^NIST (?:AI|SP) \d+(?:-\d+)?$"),
    "CEN-CENELEC": re.compile(r"^(?:EN|prEN) (?:ISO/IEC )?\d+(?::\d{4})?$"),
}


def records(name: str) -> list[dict]:
    with open(DEMO_DIR / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def of_kind(kind: str) -> list[dict]:
    return [r for name in DEMO_FILES for r in records(name) if r["record"] == kind]


def table_counts(session) -> dict[str, int]:
    return {t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables}


def all_items(client, url: str) -> list[dict]:
    items, page = [], 1
    while True:
        data = client.get(f"{url}{'&' if '?' in url else '?'}per_page=100&page={page}").get_json()
        items += data["items"]
        if len(items) >= data["total"]:
            return items
        page += 1


# -- loading -------------------------------------------------------------------------------


def test_demo_loads_cleanly_and_a_second_load_changes_nothing(runner, session):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    after_first = table_counts(session)
    assert after_first["standards"] >= 600

    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    session.expire_all()
    after_second = table_counts(session)

    # Every run is recorded as one import batch per file; nothing else may change.
    batches = after_second.pop("import_batches") - after_first.pop("import_batches")
    assert batches == len(DEMO_FILES) + len(DEMO_SHEETS)
    assert after_second == after_first
    summaries = [line for line in second.output.splitlines()
                 if ".jsonl:" in line or ".csv:" in line]
    assert len(summaries) == len(DEMO_FILES) + len(DEMO_SHEETS)
    for line in summaries:
        assert "created 0, updated 0," in line and "rejected 0" in line, line
    assert session.scalar(select(func.sum(ImportBatch.rejected))) == 0
    statuses = set(session.scalars(select(ImportBatch.status)))
    assert statuses == {"committed"}


# The tests below read the demo loaded once for the module (demo_app).


@pytest.fixture(scope="module")
def demo_client(demo_app):
    return demo_app.test_client()


@pytest.fixture(scope="module")
def demo_session(demo_app):
    return flask_db.session


def test_catalogue_size_and_bodies(demo_client):
    assert demo_client.get("/api/v1/standards?per_page=1").get_json()["total"] >= 600
    bodies = {b["code"]: b["standards"] for b in demo_client.get("/api/v1/bodies").get_json()}
    with_standards = {code for code, n in bodies.items() if n}
    assert len(with_standards) >= 10
    assert {"ISO", "IEC", "IEEE", "ITU-T", "IETF", "CEN-CENELEC", "ETSI", "NIST"} \
        <= with_standards


@pytest.mark.parametrize("slug", ["fairness", "safety", "transparency"])
def test_contested_concepts_have_three_sources(demo_client, slug):
    concept = demo_client.get(f"/api/v1/concepts/{slug}").get_json()
    assert concept["contested"] is True
    definitions = concept["definitions"]
    assert len(definitions) >= 3
    assert len({d["source"] for d in definitions}) >= 3
    assert len({d["body"] for d in definitions}) >= 3


def test_every_definition_is_sourced_and_licensed(demo_client):
    concepts = all_items(demo_client, "/api/v1/concepts")
    assert len(concepts) >= 12
    required = {"fairness", "safety", "transparency", "explainability", "accountability",
                "robustness", "bias", "human-oversight", "ai-system", "trustworthiness"}
    assert required <= {c["slug"] for c in concepts}
    seen = 0
    for row in concepts:
        for d in demo_client.get(f"/api/v1/concepts/{row['slug']}").get_json()["definitions"]:
            seen += 1
            assert d["licence"] and d["source"], d
            if d["body"] in COPYRIGHTED_TEXT_BODIES:
                assert d["excerpt"] is True, d
                assert d["url"], d
    assert seen >= 30


def test_every_standard_has_an_area_and_every_area_exists(demo_client):
    standards = all_items(demo_client, "/api/v1/standards")
    assert len(standards) >= 600
    assert all(s["areas"] for s in standards)
    areas = {a["slug"]: a for a in demo_client.get("/api/v1/areas").get_json()}
    for root, children in AREA_TREE.items():
        assert areas[root]["parent"] is None
        for child in children:
            assert areas[child]["parent"] == root
    assert "energy-environment" in areas and "human-rights" in areas


def test_links_are_proposed_and_explained(demo_session):
    from registry.models import DefinitionLink

    links = demo_session.scalars(select(DefinitionLink)).all()
    assert len(links) >= 5
    assert {link.state for link in links} == {"proposed"}
    assert all(link.rationale and "Editorial suggestion" in link.rationale for link in links)


@pytest.mark.parametrize("url", ["/standards", "/standards?body=ITU-T", "/glossary",
                                 "/glossary/fairness", "/glossary/ai-system", "/bodies",
                                 "/bodies/CEN-CENELEC"])
def test_demo_pages_render(demo_client, url):
    response = demo_client.get(url)
    assert response.status_code == 200
    assert b'<main id="main"' in response.data


# -- the data itself -----------------------------------------------------------------------


def test_every_record_passes_its_schema():
    for name in DEMO_FILES:
        for number, record in enumerate(records(name), start=1):
            errors = RECORD_SCHEMAS[record["record"]]().validate(record)
            assert not errors, f"{name}:{number}: {errors}"


def test_files_hold_only_the_kinds_their_names_promise():
    expected = {"bodies.jsonl": {"body"}, "areas.jsonl": {"area"},
                "committees.jsonl": {"committee"}, "standards.jsonl": {"standard"},
                "glossary.jsonl": {"concept", "definition", "link"}}
    assert set(expected) == set(DEMO_FILES)
    for name, kinds in expected.items():
        assert {r["record"] for r in records(name)} <= kinds, name


def test_no_duplicate_references():
    keys = Counter(reference_key(s["reference"]) for s in of_kind("standard"))
    assert [k for k, n in keys.items() if n > 1] == []


def test_references_are_written_as_each_body_writes_them():
    for s in of_kind("standard"):
        ref, bodies, status = s["reference"], s["bodies"], s["status"]
        developing = status in ("proposed", "under_development")
        if bodies == ["ITU-T"]:
            assert ITU_ANY.match(ref), ref
        elif bodies == ["IEEE"]:
            pattern = IEEE_PROJECT if developing else IEEE_PUBLISHED
            assert pattern.match(ref), ref
        elif set(bodies) & {"ISO", "IEC"}:
            prefix = {frozenset({"ISO", "IEC"}): "ISO/IEC ", frozenset({"ISO"}): "ISO",
                      frozenset({"IEC"}): "IEC "}[frozenset(bodies)]
            assert ref.startswith(prefix), ref
            if not developing:
                assert ISO_YEAR.search(ref), f"{ref} has no year"
        else:
            assert len(bodies) == 1 and REFERENCE_PATTERNS[bodies[0]].match(ref), ref


def test_dates_parse_and_agree_with_references():
    today = date.today()
    for s in of_kind("standard"):
        ref = s["reference"]
        if "published" not in s:
            continue
        published = date.fromisoformat(s["published"])
        assert date(1950, 1, 1) <= published <= today, ref
        if m := ITU_ANY.match(ref):
            assert (published.year, published.month) == (int(m["yyyy"]), int(m["mm"])), ref
        elif year := (ISO_YEAR.search(ref) if ref.startswith("ISO") else None) \
                or IEEE_PUBLISHED.match(ref):
            assert published.year == int(year[1]), ref
    for d in of_kind("definition"):
        if "date" in d:
            assert date.fromisoformat(d["date"]) <= today


def test_drafts_do_not_claim_a_publication_date():
    # Which published documents are undated, and why: tests/catalogue (their sources give
    # only a month or a year).
    for s in of_kind("standard"):
        if s["status"] in ("under_development", "proposed"):
            assert "published" not in s, s["reference"]


def test_itu_urls_follow_the_reference_and_status():
    for s in of_kind("standard"):
        m = ITU_REFERENCE.match(s["reference"])
        if not m:
            continue
        # I in force, P pre-published (in force, final edition to come), S superseded.
        letters = "S" if s["status"] == "superseded" else "IP"
        url = f"https://www.itu.int/rec/T-REC-{m['rec']}-{m['yyyy']}{m['mm']}-"
        assert s["url"][:-1] == url and s["url"][-1] in letters, s["reference"]


def test_iso_urls_are_catalogue_pages():
    for s in of_kind("standard"):
        if s.get("url", "").startswith("https://www.iso.org/"):
            assert re.fullmatch(r"https://www\.iso\.org/standard/\d+\.html", s["url"])
            if s["source_id"].isdigit():  # the ISO project id, when the record gives it
                assert s["url"] == f"https://www.iso.org/standard/{s['source_id']}.html"


def test_relations_point_inside_the_catalogue_and_match_status():
    standards = of_kind("standard")
    refs = {reference_key(s["reference"]): s for s in standards}
    works = Counter(work_key(s["reference"]) for s in standards)
    for s in standards:
        types = {r["type"] for r in s.get("relations", [])}
        for rel in s.get("relations", []):
            assert reference_key(rel["reference"]) in refs, (s["reference"], rel)
        if s["status"] == "superseded" and works[work_key(s["reference"])] > 1:
            # A later edition in the catalogue is named (IEEE 1232.1-1997 is superseded by
            # a document the catalogue does not hold).
            assert "replaced_by" in types, s["reference"]
        if "replaced_by" in types:
            assert s["status"] in ("superseded", "withdrawn"), s["reference"]


def test_committees_are_listed_parents_first_and_used():
    # Committees named by the relaton records are created by the import (tests/catalogue);
    # the listed ones carry titles and links, and each is used or is the parent of one.
    committees = of_kind("committee")
    seen = set()
    for c in committees:
        assert c.get("parent") is None or c["parent"] in seen, c["reference"]
        seen.add(c["reference"])
    used = {s["committee"] for s in of_kind("standard") if "committee" in s}
    parents = {c["parent"] for c in committees if c.get("parent")}
    assert seen <= used | parents, seen - used - parents


def test_area_tree_is_complete_parents_first_and_sourced():
    areas = of_kind("area")
    by_slug = {a["slug"]: a for a in areas}
    expected = set(AREA_TREE) | {c for children in AREA_TREE.values() for c in children}
    assert set(by_slug) == expected
    seen = set()
    for a in areas:
        assert a.get("description") and a.get("source"), a["slug"]
        assert a.get("parent") is None or a["parent"] in seen, a["slug"]
        seen.add(a["slug"])
    for root, children in AREA_TREE.items():
        assert by_slug[root]["kind"] == ROOT_KINDS[root]
        for child in children:
            assert (by_slug[child]["parent"], by_slug[child]["kind"]) == (root, ROOT_KINDS[root])
    for s in of_kind("standard"):
        assert s["areas"] and set(s["areas"]) <= expected, s["reference"]


def test_flags_are_used_sparingly():
    standards = of_kind("standard")
    human_rights = [s for s in standards if s["human_rights_considered"]]
    # Conservative by design: only documents whose own title or abstract names human rights.
    assert 0 < len(human_rights) <= len(standards) // 10
    assert all("human-rights" in s["areas"] for s in human_rights)


def test_definition_texts_respect_licences():
    definitions = of_kind("definition")
    for d in definitions:
        assert d["licence"] and d["source"], d
        if d["body"] in COPYRIGHTED_TEXT_BODIES:
            assert d["excerpt"] is True and d.get("url"), d
            assert len(d["text"].split()) <= 30, d["text"]
        if d["body"] == "EU":
            assert d["url"] == "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"
            assert d["source"].startswith("Regulation (EU) 2024/1689, ")
        if d["body"] == "NIST":
            assert d["url"].startswith("https://doi.org/10.6028/NIST.AI.")
    keys = Counter((d["body"], d["source"], d.get("clause"), d["concept"]) for d in definitions)
    assert [k for k, n in keys.items() if n > 1] == []


def test_links_name_existing_definitions():
    definitions = {(d["body"], d["source"], d.get("clause"), d["concept"])
                   for d in of_kind("definition")}
    for link in of_kind("link"):
        for end in (link["source"], link["target"]):
            assert (end["body"], end["source"], end.get("clause"), end["concept"]) \
                in definitions, end
