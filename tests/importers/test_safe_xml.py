"""Unsafe XML is refused whole; harmless document type declarations and big files are fine."""

import pytest

from importers import safe_xml
from importers.pipeline import RefusedFile, Source

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<lolz>&lol2;</lolz>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<foo>&xxe;</foo>"""

NAMED_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">
<martif type="TBX"><text><body><termEntry id="a"/><termEntry id="b"/></body></text></martif>"""


def source(tmp_path, content: bytes) -> Source:
    path = tmp_path / "file.xml"
    path.write_bytes(content)
    return Source(path)


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "xxe"])
def test_entity_declarations_are_refused_whole(tmp_path, content):
    with pytest.raises(RefusedFile, match="declares XML entities"):
        safe_xml.parse(source(tmp_path, content))
    with pytest.raises(RefusedFile, match="declares XML entities"):
        list(safe_xml.iterparse(source(tmp_path, content), ("foo", "lolz")))


HIDDEN_BEHIND_A_COMMENT = (b'<?xml version="1.0"?>\n<!--' + b"x" * 70_000 + b"-->\n"
                           + BILLION_LAUGHS.split(b"\n", 1)[1])
UTF16 = BILLION_LAUGHS.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"') \
    .encode("utf-16")


@pytest.mark.parametrize("content", [HIDDEN_BEHIND_A_COMMENT, UTF16], ids=["late", "utf16"])
def test_entity_declarations_are_refused_by_the_parser_wherever_and_however_written(
        tmp_path, content):
    """The first-bytes look saw neither (70 KB of comment first, or UTF-16); the parser's
    view of the internal subset refuses both, before any element reaches an importer."""
    with pytest.raises(RefusedFile, match="declares XML entities"):
        safe_xml.parse(source(tmp_path, content))
    with pytest.raises(RefusedFile, match="declares XML entities"):
        list(safe_xml.iterparse(source(tmp_path, content), ("lolz",)))


def test_a_named_dtd_is_not_read_and_not_refused(tmp_path):
    tree = safe_xml.parse(source(tmp_path, NAMED_DTD))
    assert [e.get("id") for e in tree.iter("termEntry")] == ["a", "b"]


def test_iterparse_yields_each_element_and_releases_it(tmp_path):
    ids = []
    for element in safe_xml.iterparse(source(tmp_path, NAMED_DTD), ("termEntry",)):
        ids.append((element.get("id"), safe_xml.line_of(element)))
        safe_xml.release(element)
    assert ids == [("a", "line 3"), ("b", "line 3")]


def test_malformed_xml_is_refused_with_its_line(tmp_path):
    with pytest.raises(RefusedFile, match=r"line 3, column \d+"):
        safe_xml.parse(source(tmp_path, b"<a>\n<b>\n</a>"))


def test_an_undeclared_entity_is_an_error_not_an_expansion(tmp_path):
    with pytest.raises(RefusedFile, match="not well-formed"):
        safe_xml.parse(source(tmp_path, b"<a>&undefined;</a>"))
