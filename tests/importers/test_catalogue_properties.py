"""Property tests: random or garbled input never crashes a catalogue reader.

Every item a reader yields is either a Record (whose data the schema then accepts or rejects
with a ValidationError, nothing else), a Rejected with a location in the file, or a Deferred
that maps to one of those; otherwise the file is refused whole with a reason. Through the
pipeline, a refused file writes nothing.
"""

import contextlib
import csv
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from marshmallow import ValidationError
from sqlalchemy import func, select

from app import importing
from importers import FORMATS
from importers.pipeline import Deferred, ImportOptions, Record, RefusedFile, Rejected, Source
from registry.models import ImportBatch, Standard
from registry.schemas.records import RECORD_SCHEMAS

CATALOGUE_FORMATS = ("iso-open-data", "ieee", "itu", "csv")
PROPERTY = settings(max_examples=60, deadline=None)

ISO_FIELDS = (
    "id",
    "reference",
    "deliverableType",
    "supplementType",
    "publicationDate",
    "edition",
    "icsCode",
    "ownerCommittee",
    "currentStage",
    "replaces",
    "replacedBy",
    "languages",
    "title",
    "scope",
    "title.en",
    "scope.fr",
    "parentId",
    "secretariat",
)
ITU_FIELDS = ("number", "title", "date", "status", "study_group", "sector", "url")
CSV_FIELDS = (
    "reference",
    "title",
    "bodies",
    "type",
    "status",
    "stage",
    "published",
    "ics",
    "replaces",
    "measurement_evaluation",
    "term",
    "language",
    "text",
    "source",
    "body",
    "licence",
    "admitted",
    "notes",
)
IEEE_TAGS = (
    "publication",
    "normtitle",
    "title",
    "publicationinfo",
    "standard_status",
    "standard_subtype",
    "standardmodifierset",
    "standard_modifier",
    "amsid",
    "volume",
    "article",
    "articleinfo",
    "abstract",
    "date",
    "year",
    "month",
    "day",
    "standard_relationship",
    "icscodes",
    "code_term",
    "keywordset",
    "keyword",
    "keywordterm",
    "PubApprovalDate",
    "pubsponsoringcommitteeset",
    "pubsponsoringcommittee",
    "other",
)

cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "6060",
            "95.99",
            "2022-07-19",
            "2021-13",
            "[1, 2]",
            "ISO/IEC 1:2020",
            "IS",
            "Amd",
            "yes",
            "in force",
            "superseded",
            "06/2019",
            "SG13",
            "en; fr",
            "",
            "null",
            "Active",
        ]
    ),
)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | cell,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(cell, inner, max_size=3),
    max_leaves=8,
)


def consume(fmt: str, content: bytes, suffix: str = ".txt") -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(content)
        try:
            items = list(FORMATS[fmt](Source(path), ImportOptions()))
        except RefusedFile as exc:
            assert str(exc)
            return
    for item in items:
        if isinstance(item, Deferred):
            item = item.map()
        assert isinstance(item, (Record, Rejected))
        assert item.location.startswith("input")
        if isinstance(item, Rejected):
            assert item.reason
            continue
        with contextlib.suppress(ValidationError):  # a rejection, reported by the pipeline
            RECORD_SCHEMAS[item.kind]().load(item.data)


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


@PROPERTY
@given(fmt=st.sampled_from(CATALOGUE_FORMATS), content=st.binary(max_size=600))
def test_random_bytes(fmt, content):
    consume(fmt, content)


@PROPERTY
@given(fmt=st.sampled_from(("iso-open-data", "itu", "csv")), data=st.data())
def test_garbled_csv_rows(fmt, data):
    fields = {"iso-open-data": ISO_FIELDS, "itu": ITU_FIELDS, "csv": CSV_FIELDS}[fmt]
    header = data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=8, unique=True))
    rows = data.draw(st.lists(st.lists(cell, max_size=len(header) + 2), max_size=6))
    consume(fmt, csv_bytes(header, rows), ".csv")


@PROPERTY
@given(
    rows=st.lists(
        st.dictionaries(st.sampled_from(ISO_FIELDS), json_value, max_size=10), max_size=6
    ),
    as_document=st.booleans(),
)
def test_garbled_iso_json(rows, as_document):
    content = json.dumps(rows) if as_document else "\n".join(json.dumps(r) for r in rows)
    consume("iso-open-data", content.encode(), ".json")


@PROPERTY
@given(
    fmt=st.sampled_from(("itu", "iso-open-data")),
    results=st.lists(
        st.dictionaries(
            st.sampled_from(
                (
                    "Title",
                    "Collection",
                    "Locations",
                    "Identifier",
                    "Language",
                    "reference",
                    "currentStage",
                )
            ),
            json_value,
            max_size=5,
        ),
        max_size=5,
    ),
)
def test_garbled_search_json(fmt, results):
    consume(fmt, json.dumps({"results": results}).encode(), ".json")


@PROPERTY
@given(data=st.data())
def test_well_formed_but_wrong_xml(data):
    def element(depth: int) -> etree._Element:
        node = etree.Element(data.draw(st.sampled_from(IEEE_TAGS)))
        node.text = data.draw(cell)
        if data.draw(st.booleans()):
            node.set("type", data.draw(st.sampled_from(["S", "V", "T", "X"])))
        if depth < 3:
            for _ in range(data.draw(st.integers(0, 3))):
                node.append(element(depth + 1))
        return node

    try:
        content = etree.tostring(element(0), xml_declaration=True, encoding="utf-8")
    except ValueError:  # text with characters XML cannot carry: nothing to test
        return
    consume("ieee", content, ".xml")


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fmt=st.sampled_from(CATALOGUE_FORMATS), content=st.binary(max_size=300))
def test_a_refused_file_writes_nothing(session, fmt, content):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.bin"
        path.write_bytes(content)
        batches = session.scalar(select(func.count(ImportBatch.id)))
        standards = session.scalar(select(func.count(Standard.id)))
        report = importing.run(fmt, path)
        session.expire_all()
        if report.refused:
            assert report.exit_code == 2 and report.batch_id is None
            assert session.scalar(select(func.count(ImportBatch.id))) == batches
            assert session.scalar(select(func.count(Standard.id))) == standards
