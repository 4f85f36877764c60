import lxml.html
import pytest

from registry.markdown import render


@pytest.mark.parametrize("attack", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    '<a href="https://x" onclick="alert(1)">x</a>',
    "<iframe src='https://evil.example'></iframe>",
])
def test_user_markdown_cannot_carry_script(attack):
    tree = lxml.html.fragment_fromstring(render(attack), create_parent="div")
    elements = list(tree.iter())
    assert not [e for e in elements if e.tag in ("script", "iframe", "img")]
    assert not [(e.tag, a) for e in elements for a in e.attrib if a.startswith("on")]
    assert not [e for e in elements if e.get("href", "").startswith("javascript:")]


def test_markdown_formatting_survives():
    html = render("**bold** and [a link](https://example.org)\n\n- one\n- two")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html and 'rel="nofollow noopener"' in html
    assert "<li>one</li>" in html


def test_empty():
    assert render(None) == "" and render("") == ""
