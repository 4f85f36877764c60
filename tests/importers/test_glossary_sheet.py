"""Glossary sheets shaped like NIST AI 100-3's spreadsheet: CSV and XLSX, citations, mapping."""

import csv
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import select

from app import importing
from importers.glossary_sheet import Cited, parse_citation, resolve
from registry.models import Concept, ConceptRelation, Definition

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "terms"
SHEET = FIXTURES / "glossary-sheet.csv"
OPTIONS = {"citations": FIXTURES / "glossary-sheet.citations.csv",
           "concept_map": FIXTURES / "glossary-sheet.concept-map.csv"}
REJECTED = {
    "{name}:3 (Definition 2)": "'gadget': citation 'mystery_key_2019' is not in the citation "
                               "table and is not shaped like a reference",
    "{name}:3 (Definition 3)": "'gadget': the definition has no citation, so its body cannot "
                               "be told",
    "{name}:4": "Term: the row has definitions but no term",
    "{name}:5": "'contraption': no definition in the row",
}


@pytest.mark.parametrize(("text", "expected"), [
    ("ISO/IEC_TS_5723:2022(en)", ("ISO", "ISO/IEC TS 5723:2022", None)),
    ("ISO/IEC 22989:2022 3.1.4", ("ISO", "ISO/IEC 22989:2022", "3.1.4")),
    ("ISO/IEC 22989:2022, clause 5.15", ("ISO", "ISO/IEC 22989:2022", "5.15")),
    ("ISO 9241-11:2018", ("ISO", "ISO 9241-11:2018", None)),
    ("IEEE 7000-2021", ("IEEE", "IEEE 7000-2021", None)),
    ("ITU-T Y.3172 (06/2019)", ("ITU-T", "ITU-T Y.3172 (06/2019)", None)),
    ("NIST AI 100-1 3.2", ("NIST", "NIST AI 100-1", "3.2")),
    ("Regulation (EU) 2024/1689, Article 3(1)",
     ("EU", "Regulation (EU) 2024/1689", "Article 3(1)")),
    ("NIST SP 800-57 Part 1 Rev. 4", ("NIST", "NIST SP 800-57 Part 1 Rev. 4", None)),
    ("NISTIR 8053", ("NIST", "NISTIR 8053", None)),
    ("FIPS 201-3", ("NIST", "FIPS 201-3", None)),
])
def test_citations_with_the_shape_of_a_reference(text, expected):
    cited = parse_citation(text)
    assert (cited.body, cited.source, cited.clause) == expected
    assert cited.licence  # each shaped body has its default licence


def test_a_cell_with_several_citations_names_the_first():
    cited = parse_citation("CNSSI 4009-2015; NIST SP 800-37 Rev. 2; NIST SP 800-53 Rev. 5")
    assert (cited.body, cited.source, cited.clause) == ("CNSS", "CNSSI 4009-2015", None)
    assert cited.note == "The citation also names: NIST SP 800-37 Rev. 2; NIST SP 800-53 Rev. 5."


def test_the_table_completes_a_parsed_document():
    table = {"Regulation (EU) 2024/1689": Cited("EU", "Regulation (EU) 2024/1689",
                                                 date="2024-06-13", licence="EU licence")}
    cited = resolve("Regulation (EU) 2024/1689, Article 3(60)", table)
    assert (cited.source, cited.clause, cited.date, cited.licence) == (
        "Regulation (EU) 2024/1689", "Article 3(60)", "2024-06-13", "EU licence")


def test_citations_that_are_not_references():
    assert parse_citation("Raynor") is None
    assert parse_citation("Russell_and_Norvig") is None
    quoted = resolve("aime_measurement_2022, citinig ISO/IEC 22989", {})
    assert (quoted.body, quoted.source) == ("ISO", "ISO/IEC 22989")
    assert quoted.note == "Quoted in aime_measurement_2022."


def check_import(session, report, name):
    assert report.exit_code == 1, report.summary()
    assert {p["location"]: p["reason"] for p in report.rejected} == {
        k.format(name=name): v for k, v in REJECTED.items()}
    assert report.created == 7  # 5 definitions, 2 concepts (from their related terms)
    by_source = {d.citation or d.standard.reference: d
                 for d in session.scalars(select(Definition))}
    iso = by_source["ISO/IEC 99999:2030"]
    assert (iso.body.code, iso.clause, iso.is_excerpt, iso.concept.slug) == (
        "ISO", "3.1.4", True, "widget-system")
    assert iso.licence.startswith("© ISO/IEC")
    # Restricted licence: an excerpt; the registry's own provenance note stays.
    assert iso.notes == [f"Cited in {name} as 'ISO/IEC 99999:2030 3.1.4'."]
    nist = by_source["NIST TEST 1"]
    assert (nist.body.code, nist.clause, str(nist.valid_from), nist.source_url) == (
        "NIST", "2.3", "2030-01-02", "https://example.org/nist-test")
    assert nist.is_excerpt is False
    assert nist.notes == [f"Cited in {name} as 'NIST_TEST_KEY'.", "Test note."]
    legal = by_source["Regulation (EU) 2099/1"]
    assert (legal.body.code, legal.clause, legal.text) == (
        "EU", "Article 3(7)", "A test legal definition.")
    quoted = by_source["ISO/IEC TS 99998:2030"]
    assert quoted.concept.slug == "gadget"
    assert quoted.notes[1] == "Quoted in report_2030."
    # The reviewed mapping, not the spelling, puts "Fairness" into the existing concept.
    assert by_source["IEEE 99997-2030"].concept.slug == "test-fairness"
    assert session.scalar(select(Concept).where(Concept.slug == "fairness")) is None
    assert [label.label for label in session.scalar(
        select(Concept).where(Concept.slug == "widget-system")).labels] == ["widget system"]
    related = {(r.source.slug, r.type, r.target.slug)
               for r in session.scalars(select(ConceptRelation))}
    assert related == {("widget-system", "related", "gadget"),
                       ("gadget", "related", "widget-system")}


def test_csv_sheet(session):
    session.add(Concept(slug="test-fairness"))
    session.commit()
    report = importing.run("glossary-sheet", SHEET, **OPTIONS)
    check_import(session, report, SHEET.name)
    again = importing.run("glossary-sheet", SHEET, **OPTIONS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)


def write_xlsx(rows: list[list[str]], path: Path) -> None:
    """A minimal workbook, as spreadsheet programs write it: shared strings, one sheet."""
    strings: list[str] = []
    sheet_rows = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            if not value:
                continue
            ref = f"{chr(65 + c)}{r}"
            if c == 0 and r > 1:  # an inline string, which some writers use
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
            else:
                strings.append(value)
                cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
        sheet_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("xl/workbook.xml", f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
                      '<sheet name="Glossary" sheetId="1" r:id="rId1"/></sheets></workbook>')
        book.writestr("xl/_rels/workbook.xml.rels",
                      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                      'relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml" '
                      'Type="x"/></Relationships>')
        book.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}">' + "".join(
            f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>")
        book.writestr("xl/worksheets/sheet1.xml",
                      f'<worksheet xmlns="{main}"><sheetData>{"".join(sheet_rows)}'
                      "</sheetData></worksheet>")


def test_xlsx_sheet_reads_like_the_csv(session, tmp_path):
    session.add(Concept(slug="test-fairness"))
    session.commit()
    with SHEET.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    path = tmp_path / "glossary-sheet.xlsx"
    write_xlsx(rows, path)
    report = importing.run("glossary-sheet", path, **OPTIONS)
    # Rows of a workbook are located by their row number.
    assert {p["location"] for p in report.rejected} == {
        "glossary-sheet.xlsx:row 3 (Definition 2)", "glossary-sheet.xlsx:row 3 (Definition 3)",
        "glossary-sheet.xlsx:row 4", "glossary-sheet.xlsx:row 5"}
    assert report.created == 7


def test_other_files_are_refused(session, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("term,language,text\nwidget,en,A test.\n", encoding="utf-8")
    report = importing.run("glossary-sheet", other)
    assert report.exit_code == 2 and "not a glossary sheet" in report.refused
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    report = importing.run("glossary-sheet", broken)
    assert report.exit_code == 2 and "not an XLSX workbook" in report.refused
    assert session.scalar(select(Definition)) is None
