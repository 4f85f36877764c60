"""Text hygiene at the edge: invisible characters out of every stored string, exports that
never fail on a damaged one."""

import sys
import unicodedata

from registry.text import _INVISIBLE, clean, iri, prose, strip_invisible, xml_safe

# Kept on purpose (see registry.text): whitespace, joiners and bidi marks that scripts need, and
# the visible prepended marks.
KEPT = set("\t\n\r\x85\u200c\u200d\u200e\u200f\u061c") | {
    chr(c) for c in (*range(0x600, 0x606), 0x6DD, 0x70F, 0x890, 0x891, 0x8E2, 0x110BD, 0x110CD)}


def test_the_invisible_class_is_every_control_format_and_surrogate_but_the_kept_ones():
    expected = {chr(c) for c in range(sys.maxunicode + 1)
                if unicodedata.category(chr(c)) in ("Cc", "Cf", "Cs")} - KEPT
    matched = {chr(c) for c in range(sys.maxunicode + 1) if _INVISIBLE.match(chr(c))}
    assert matched == expected


def test_look_alike_references_clean_to_the_same_string():
    plain = "ISO/IEC 22989:2022"
    for dressed in ("ISO/IEC\u200b 22989:2022", "\ufeffISO/IEC 22989:2022",
                    "ISO/IEC 229\u00ad89:2022", "ISO/IEC\x01 22989:2022",
                    "\u202eISO/IEC 22989:2022"):
        assert clean(dressed) == plain, repr(dressed)
    assert strip_invisible("مرحبا\u200cبك") == "مرحبا\u200cبك"  # ZWNJ is text, not noise


def test_prose_keeps_lines_and_drops_controls():
    assert prose("  First line\r\nsecond\x01 line\u202e\n\n- item  ") == \
        "First line\nsecond line\n\n- item"
    assert prose(None) == ""


def test_export_helpers_never_carry_what_the_formats_refuse():
    assert xml_safe("a\x01b\ud800c") == "a\ufffdb\ufffdc"
    assert iri('https://example.org/a"<b> c{d}') == \
        "https://example.org/a%22%3Cb%3E%20c%7Bd%7D"
    assert iri("https://example.org/x?a=1&b=%20") == "https://example.org/x?a=1&b=%20"


def test_a_standards_definitions_come_in_clause_order(session):
    """Sorted as strings they read 3.1.1, 3.1.10, 3.1.2."""
    from sqlalchemy import select

    from registry.models import Standard
    from registry.services.catalogue import definitions_in
    from tests import factories as f

    f.load(session, f.body("XSDO"), f.standard("XSDO 1:2025", bodies=["XSDO"]),
           *[f.concept(f"c{n}") for n in (1, 2, 10)],
           *[f.definition(f"text {n}", concept=f"c{n}", term=f"term {n}", body="XSDO",
                          source="XSDO 1:2025", clause=f"3.1.{n}", licence="CC0 1.0")
             for n in (10, 1, 2)])
    standard = session.scalar(select(Standard))
    assert [d.clause for d in definitions_in(session, standard)] == ["3.1.1", "3.1.2", "3.1.10"]
