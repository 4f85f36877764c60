"""Builds the demo catalogue's ``standards.jsonl`` from its sources, through the importers.

``app/demo/standards.jsonl`` is generated, never edited by hand (``flask demo build``; the test
suite fails when it is out of date). Its sources, in ``app/demo/sources/``:

* ``curated.jsonl``: records whose facts were checked one by one, in the registry's own format,
  with their editorial areas and flags (SOURCES.md, section 4);
* ``relaton-*.yaml``: records as the relaton collections publish them, read by
  ``importers.relaton`` (SOURCES.md, section 5);
* ``app/demo/tagging.csv``: the tagging rules, a regular expression on the title for each area
  or flag (SOURCES.md, section 6).

Every record goes through its format's reader, exactly as ``flask import`` would read it; a
rejected record stops the build. Then, for the whole catalogue at once:

* areas: the areas whose rules match the title (a curated record keeps its own areas too);
  flags: a relaton record gets the flags whose rules match; a curated record keeps its own;
* relations to documents outside the catalogue are left out, and the inverse of a stated
  ``replaces``/``replaced_by`` is written on the other document too;
* access (``app/demo/access.csv``, for the facet work to load: the schema has no field for it
  yet): whether a text is free or only a draft exists, and a link to an open-source reference
  implementation, where a source says so (see ACCESS and DOCUMENT_ACCESS);
* lineage: when the catalogue holds a later edition of a document (same reference without its
  edition: ``ITU-T Y.3601 (05/2018)`` and ``(08/2025)``, ``ISO/IEC 15938-17:2022`` and
  ``:2024``, ``ETSI GS ENI 005 V1.1.1`` and ``V2.1.1``), an edition that it replaces (see
  ``_replaced``) is ``superseded`` and ``replaced_by`` the next edition. 3GPP releases are
  maintained side by side and are left as they are.
"""

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from importers import FORMATS
from importers.pipeline import ImportOptions, Rejected, Source
from registry.references import reference_key, work_key

DEMO_DIR = Path(__file__).resolve().parent / "demo"
SOURCES_DIR = DEMO_DIR / "sources"
OUTPUT = DEMO_DIR / "standards.jsonl"
ACCESS_OUTPUT = DEMO_DIR / "access.csv"
TAGGING = DEMO_DIR / "tagging.csv"
# In this order: a reference may come from one source only.
SOURCE_FILES = (
    ("registry", "curated.jsonl"),
    ("relaton", "relaton-iso.yaml"),
    ("relaton", "relaton-iec.yaml"),
    ("relaton", "relaton-itu.yaml"),
    ("relaton", "relaton-ieee.yaml"),
    ("relaton", "relaton-etsi.yaml"),
    ("relaton", "relaton-3gpp.yaml"),
    ("relaton", "relaton-ietf.yaml"),
    ("relaton", "relaton-nist.yaml"),
    ("relaton", "relaton-jis.yaml"),
)
FLAGS = ("measurement_evaluation", "socio_technical", "human_rights_considered")
# Field order of the generated records (what a reader of the file sees first).
FIELDS = ("reference", "title", "titles", "bodies", "type", "status", "stage", "published",
          "published_precision", "edition", "committee", "url", "source_id", "ics", "languages",
          "keywords", "areas", *FLAGS, "relations")
_ITU_VERSION = re.compile(r"\s*\(V\d+\)")
_ETSI_VERSION = re.compile(r"^(?P<doc>ETSI .+?) V(?P<version>\d+\.\d+\.\d+) \(\d{4}-\d{2}\)$")


ACCESS_COLUMNS = ("reference", "access", "implementation_url", "source")
ITU_FREE = ("ITU, 'New decision: Free on-line access to ITU Publications' (itu.int, 21 October "
            "2010): free access to ITU-T Recommendations, and free online access to ITU-R "
            "Recommendations and Reports")
# Published texts free to read, by body, with the source that says so. ITU-T texts common with
# ISO/IEC ("Information technology - ...") are left out: ITU delays those (Daily Payload,
# 21 December 2006, on ITU's free-access policy).
ACCESS = {
    "ITU-T": ITU_FREE,
    "ITU-R": ITU_FREE,
    "ETSI": "each relaton record links the deliverable's PDF on ETSI's public server "
            "(www.etsi.org/deliver)",
    "3GPP": "each relaton record links the specification's archive on 3GPP's public server "
            "(www.3gpp.org/ftp/Specs/archive)",
    "NIST": "NIST publications are works of the US Government, published at nvlpubs.nist.gov "
            "and linked by the record",
}
IEEE_GET = ("IEEE GET Program for AI Ethics and Governance Standards: seven standards opened "
            "for public access (IPilogue, Osgoode Hall Law School, 15 March 2023)")
# Facts about single documents: (access, implementation repository, source).
DOCUMENT_ACCESS = {
    **{ref: ("free", None, IEEE_GET) for ref in (
        "IEEE 2089-2021", "IEEE 7000-2021", "IEEE 7001-2021", "IEEE 7002-2022",
        "IEEE 7005-2021", "IEEE 7007-2021", "IEEE 7010-2020")},
    "DIN SPEC 92001-1:2019-04": ("free", None, "digitale-technologien.de (BMWK), 13 May 2019: "
                                 "free of charge since 1 April 2019"),
    "ISO/IEC 15938-17:2022": (None, "https://github.com/fraunhoferhhi/nncodec",
                              "fraunhoferhhi/nncodec README: an implementation of NNC "
                              "(ISO/IEC 15938-17), open source"),
    "ISO/IEC 15938-17:2024": (None, "https://github.com/d-becking/nncodec2",
                              "fraunhoferhhi/nncodec README: NNCodec 2.0 (beta), compliant with "
                              "ISO/IEC 15938-17:2024, at d-becking/nncodec2"),
}
DRAFT_ONLY = "the source record's status: not published yet"


class BuildError(Exception):
    """A source could not be read whole, or two sources give the same reference."""


@dataclass(frozen=True)
class Rule:
    target: str  # an area slug or a flag name
    pattern: re.Pattern
    basis: str


@dataclass
class Entry:
    data: dict
    location: str
    curated: bool


def read_rules(path: Path = TAGGING) -> list[Rule]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [Rule(row["target"], re.compile(row["pattern"], re.IGNORECASE), row["basis"])
                for row in csv.DictReader(fh)]


def read_sources(folder: Path = SOURCES_DIR) -> list[Entry]:
    """Every standard record of the sources, as its format's reader yields it."""
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for fmt, name in SOURCE_FILES:
        for item in FORMATS[fmt](Source(folder / name), ImportOptions()):
            if isinstance(item, Rejected):
                raise BuildError(f"{item.location}: {item.reason}")
            data = {k: v for k, v in item.data.items() if k != "record"}
            key = reference_key(data["reference"])
            if key in seen:
                raise BuildError(f"{item.location}: {data['reference']} is also in {seen[key]}")
            seen[key] = item.location
            entries.append(Entry(data, item.location, curated=fmt == "registry"))
    return entries


def build(folder: Path = SOURCES_DIR, rules_path: Path = TAGGING) -> list[dict]:
    """The catalogue's standard records, in source order."""
    entries = read_sources(folder)
    rules = read_rules(rules_path)
    for entry in entries:
        _tag(entry, rules)
    records = [entry.data for entry in entries]
    _link(records)
    return [_ordered(r) for r in records]


def _tag(entry: Entry, rules: list[Rule]) -> None:
    data, title = entry.data, entry.data["title"]
    matched = {rule.target for rule in rules if rule.pattern.search(title)}
    data["areas"] = sorted(set(data.get("areas") or []) | (matched - set(FLAGS)))
    if not entry.curated:
        for flag in FLAGS:
            data[flag] = flag in matched


def _link(records: list[dict]) -> None:
    by_key = {reference_key(r["reference"]): r for r in records}
    for record in records:
        record["relations"] = [rel for rel in record.get("relations") or []
                               if reference_key(rel["reference"]) in by_key]
    for record in records:
        for rel in list(record["relations"]):
            inverse = {"replaces": "replaced_by", "replaced_by": "replaces"}.get(rel["type"])
            if inverse:
                _relate(by_key[reference_key(rel["reference"])], inverse, record["reference"])
    for editions in _lineages(records):
        for older, newer in zip(editions, editions[1:], strict=False):
            if _replaced(older):
                older["status"] = "superseded"
                _relate(older, "replaced_by", newer["reference"])
                _relate(newer, "replaces", older["reference"])


def _replaced(older: dict) -> bool:
    """Whether a later edition in the catalogue replaces this one.

    An edition its source marks superseded; an ISO or IEC edition withdrawn (stage 95.99:
    ISO withdraws an edition when its revision is published); an ETSI version followed by a
    later version. ITU and IEEE withdrawals are the bodies' own and stay withdrawals.
    """
    if older["status"] == "superseded":
        return True
    if older["status"] == "withdrawn":
        return bool({"ISO", "IEC"} & set(older["bodies"]))
    return older["status"] == "published" and older["reference"].startswith("ETSI ")


def _relate(record: dict, kind: str, target: str) -> None:
    relations = record.setdefault("relations", [])
    if not any(r["type"] == kind and reference_key(r["reference"]) == reference_key(target)
               for r in relations):
        relations.append({"type": kind, "reference": target})


def _lineages(records: list[dict]) -> Iterator[list[dict]]:
    """Editions of one document, oldest first (3GPP releases are not one lineage)."""
    groups: dict[str, list[tuple[tuple, dict]]] = {}
    for record in records:
        reference = record["reference"]
        if reference.startswith("3GPP ") or record["status"] in ("proposed", "under_development"):
            continue
        if match := _ETSI_VERSION.match(reference):
            key = match["doc"]
            order: tuple = tuple(int(n) for n in match["version"].split("."))
        else:
            # ITU numbers a new version of a Recommendation "(V2)" in front of its date.
            key = _ITU_VERSION.sub("", work_key(reference))
            if key == reference_key(reference):
                continue  # no edition in the reference: nothing to order
            years = re.findall(r"(?:19|20)\d{2}", reference)
            order = (record.get("published") or (years[-1] if years else ""), reference)
        groups.setdefault(key, []).append((order, record))
    for members in groups.values():
        if len(members) > 1:
            yield [record for _, record in sorted(members, key=lambda m: m[0])]


def _ordered(record: dict) -> dict:
    out = {"record": "standard"}
    for field in FIELDS:
        value = record.get(field)
        if field in FLAGS:
            out[field] = bool(value)
        elif value not in (None, "", [], {}):
            out[field] = value
    return out


def access_rows(records: list[dict]) -> list[dict]:
    """One row per standard about which a source says how its text can be had."""
    rows = []
    for record in records:
        reference, status = record["reference"], record["status"]
        access, implementation, source = DOCUMENT_ACCESS.get(reference, (None, None, None))
        if access is None and status in ("proposed", "under_development"):
            access, source = "draft-only", DRAFT_ONLY
        elif access is None and status != "withdrawn" and (policy := _free_by_body(record)):
            access, source = "free", policy
        if access or implementation:
            rows.append({"reference": reference, "access": access or "",
                         "implementation_url": implementation or "", "source": source})
    return rows


def _free_by_body(record: dict) -> str | None:
    if record["title"].startswith("Information technology") and "ITU-T" in record["bodies"]:
        return None  # a text common with ISO/IEC
    if record["reference"].startswith("draft-"):
        return None
    return next((ACCESS[b] for b in record["bodies"] if b in ACCESS), None)


def render(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def render_access(records: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ACCESS_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(access_rows(records))
    return out.getvalue()


def write(path: Path = OUTPUT, access_path: Path = ACCESS_OUTPUT) -> int:
    records = build()
    path.write_text(render(records), encoding="utf-8")
    access_path.write_text(render_access(records), encoding="utf-8")
    return len(records)


def up_to_date(path: Path = OUTPUT, access_path: Path = ACCESS_OUTPUT) -> bool:
    records = build()
    return (path.is_file() and path.read_text(encoding="utf-8") == render(records)
            and access_path.is_file()
            and access_path.read_text(encoding="utf-8") == render_access(records))
