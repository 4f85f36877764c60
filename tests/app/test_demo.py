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

from app.cli import DEMO_DIR, DEMO_FILES, DEMO_LINKS, DEMO_SHEETS
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
    assert batches == len(DEMO_FILES) + len(DEMO_SHEETS) + len(DEMO_LINKS)
    assert after_second == after_first
    summaries = [line for line in second.output.splitlines()
                 if ".jsonl:" in line or ".csv:" in line]
    assert len(summaries) == len(DEMO_FILES) + len(DEMO_SHEETS) + len(DEMO_LINKS)
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


# -- the glossary's depth (issue 20) -------------------------------------------------------

KEY_CONCEPTS = ("fairness", "safety", "transparency", "explainability", "robustness",
                "accountability", "bias", "trustworthiness", "human-oversight", "risk", "ai-system")
# Not bodies: LIT holds the books, papers and dictionaries NIST AI 100-3 cites by a short key.
NOT_A_BODY = "LIT"


def glossary_counts(session) -> dict:
    from registry.models import Body, Concept, Definition, DefinitionLink

    current = select(Definition.concept_id, Body.code).join(Body).where(
        Definition.status == "current")
    bodies_of: dict[int, set[str]] = {}
    definitions_of: Counter = Counter()
    for concept_id, code in session.execute(current):
        definitions_of[concept_id] += 1
        if code != NOT_A_BODY:
            bodies_of.setdefault(concept_id, set()).add(code)
    slugs = dict(session.execute(select(Concept.id, Concept.slug)).all())
    links = session.scalars(select(DefinitionLink)).all()
    return {
        "concepts": len(slugs),
        "definitions": sum(definitions_of.values()),
        "bodies": len(set().union(*bodies_of.values())),
        "three_bodies": sum(1 for b in bodies_of.values() if len(b) >= 3),
        "links": links,
        "key": {slugs[i]: (definitions_of[i], len(bodies_of.get(i, ())))
                for i in slugs if slugs[i] in KEY_CONCEPTS},
    }


def test_glossary_depth_targets_that_hold(demo_session):
    counts = glossary_counts(demo_session)
    assert counts["concepts"] >= 400
    assert counts["definitions"] >= 1200
    assert counts["bodies"] >= 10
    links = counts["links"]
    assert all(link.rationale and link.source_id != link.target_id for link in links)
    assert sum(1 for link in links if link.source.body_id != link.target.body_id) >= 150
    assert sum(1 for link in links if link.type == "conflicting") >= 5
    assert counts["three_bodies"] >= 60
    for slug in KEY_CONCEPTS:
        if slug == "human-oversight":
            continue  # below
        definitions, bodies = counts["key"][slug]
        assert definitions >= 5 and bodies >= 4, (slug, definitions, bodies)


@pytest.mark.xfail(strict=True, reason=(
    "Issue 20's target not met from sources the registry could read: human oversight has 5 "
    "definitions from 3 bodies (EU, OECD, W3C), not 4. See app/demo/SOURCES.md, section 10."))
def test_human_oversight_has_four_bodies(demo_session):
    definitions, bodies = glossary_counts(demo_session)["key"]["human-oversight"]
    assert definitions >= 5 and bodies >= 4


def sheet_cells(name: str):
    """(row, column, term, text, citation, row cells) of a demo glossary sheet, read with csv."""
    import csv

    from app.cli import GLOSSARY_DIR

    with open(GLOSSARY_DIR / name, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    head = [h.strip().lower() for h in rows[0]]
    for row in rows[1:]:
        cells = dict(zip(head, row, strict=False))
        for number in range(1, 50):
            text = cells.get(f"definition {number}")
            if text is None:
                break
            if text.strip():
                yield row[0], text, cells.get(f"citation {number}", ""), cells


def expected_fields(name: str, citation: str, cells: dict) -> dict:
    """What the source files say a definition's fields are: the citation table's entry, else the
    reference the citation is (the EU sheet's article points, CSRC's document lists)."""
    import csv

    from app.cli import GLOSSARY_DIR
    from registry.text import clean

    table_path = GLOSSARY_DIR / name.replace(".csv", ".citations.csv")
    with open(table_path, encoding="utf-8", newline="") as fh:
        table = {clean(r["citation"]): r for r in csv.DictReader(fh)}
    key = clean(citation)
    quoted = re.match(r"^.+?,?\s+citi\w*\s+(.+)$", key)  # "X, citing Y" is Y's definition
    if key not in table and quoted and quoted.group(1) in table:
        key = quoted.group(1)
    if key in table:
        row = table[key]
        return {"body": row["body"], "source": row["source"], "clause": row["clause"] or None,
                "date": row["date"] or None, "url": row["url"] or None,
                "licence": row["licence"]}
    document = next((k for k in sorted(table, key=len, reverse=True)
                     if key.startswith(k + " ") and re.fullmatch(r"[\d.]+", key[len(k) + 1:])),
                    None)
    if document:  # "ISO/IEC 22989:2022 3.3.11": the table's document, the cell's clause
        row = table[document]
        return {"body": row["body"], "source": row["source"], "clause": key[len(document) + 1:],
                "date": row["date"] or None, "url": row["url"] or None,
                "licence": row["licence"]}
    article = re.match(r"^(Regulation \(EU\) 2024/1689), (Article 3\(\d+\))$", key)
    if article:
        row = table[article.group(1)]
        return {"body": "EU", "source": article.group(1), "clause": article.group(2),
                "date": row["date"], "url": row["url"], "licence": row["licence"]}
    first = clean(citation.split(";")[0])
    return {"body": "CNSS" if first.startswith("CNSSI") else "NIST", "source": first,
            "clause": None, "date": cells.get("date") or None, "url": cells.get("url") or None,
            "licence": "Public domain: work of the US Government (17 U.S.C. 105)"}


def test_forty_definitions_match_their_source_files(demo_session):
    """Forty definitions, as many from each sheet, spread over it, field by field against the
    files."""
    from app.cli import DEMO_SHEETS
    from registry.models import Body, Definition
    from registry.text import clean, excerpt

    checked = 0
    quota = 40 // len(DEMO_SHEETS)
    for number, name in enumerate(DEMO_SHEETS):
        cells = list(sheet_cells(name))
        share = quota + (1 if number < 40 % len(DEMO_SHEETS) else 0)
        step = max(1, len(cells) // share)
        for term, text, citation, row in cells[::step][:share]:
            want = expected_fields(name, citation, row)
            found = [d for d in demo_session.scalars(
                select(Definition).join(Body).where(
                    Body.code == want["body"], Definition.term == clean(term),
                    Definition.status == "current"))
                if d.source_label == want["source"] and d.clause == want["clause"]]
            assert len(found) == 1, (name, term, citation, want)
            d = found[0]
            assert d.language == "en"
            assert (str(d.valid_from) if d.valid_from else None) == want["date"], (name, term)
            assert d.source_url == want["url"], (name, term)
            assert d.licence == want["licence"], (name, term)
            assert d.notes[0] == f"Cited in {name} as '{clean(citation)}'."
            if d.is_excerpt:
                assert d.text == excerpt(clean(text), 30), (name, term)
            else:
                assert d.text == clean(text), (name, term)
            checked += 1
    assert checked == 40


def test_terms_join_another_source_only_through_the_concept_map():
    """A concept holds terms of several sources only where the reviewed map puts them there:
    at most one source of a concept may reach it by the slug of its term."""
    import csv
    from pathlib import Path

    from app.cli import CONCEPT_MAP, DEMO_SHEETS, GLOSSARY_DIR
    from importers.glossary_sheet import load_concept_map
    from registry.text import slugify, term_key

    mapping = load_concept_map(CONCEPT_MAP)
    reached: dict[str, set[tuple[str, bool]]] = {}
    for record in records("glossary.jsonl"):
        if record["record"] == "definition":
            reached.setdefault(record["concept"], set()).add(("glossary.jsonl", True))
    for name in DEMO_SHEETS:
        stem = Path(name).stem
        with open(GLOSSARY_DIR / name, encoding="utf-8", newline="") as fh:
            for row in list(csv.reader(fh))[1:]:
                mapped = mapping.get((stem, term_key(row[0])))
                reached.setdefault(mapped or slugify(row[0]), set()).add((stem, bool(mapped)))
    by_slug_alone = {slug: sources for slug, sources in reached.items()
                     if len({s for s, _ in sources}) > 1
                     and sum(1 for _, mapped in sources if not mapped) > 1}
    assert by_slug_alone == {}
    with open(CONCEPT_MAP, encoding="utf-8", newline="") as fh:
        assert all(row["basis"].strip() for row in csv.DictReader(fh))


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
        if d["body"] == "EU":  # the AI Act, or the AI HLEG's guidelines the Commission published
            assert (d["url"], d["source"].startswith("Regulation (EU) 2024/1689, ")) in {
                ("https://eur-lex.europa.eu/eli/reg/2024/1689/oj", True),
                ("https://digital-strategy.ec.europa.eu/en/library/"
                 "ethics-guidelines-trustworthy-ai", False)}
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
