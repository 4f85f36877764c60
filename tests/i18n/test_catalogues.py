"""Every interface string is translated in every language: a new string without its translations
fails here (``make translations`` brings it into the catalogues, a translator fills it in)."""

import pytest

from app.i18n import LANGUAGES, babel_locale, compile_catalogues
from tests.i18n.catalogues import extract, languages, problems


@pytest.fixture(scope="module")
def template():
    return extract()


def test_a_catalogue_per_interface_language():
    assert {p.parent.parent.name for p in languages()} == {babel_locale(c) for c in LANGUAGES}


@pytest.mark.parametrize("po", languages(), ids=lambda p: p.parent.parent.name)
def test_catalogue_is_complete(template, po):
    assert len(template) > 300
    assert problems(template, po) == []


def test_a_new_string_without_translation_fails(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "new.html").write_text(
        '<h1>{{ _("A heading nobody has translated") }}</h1>\n'
        '<p>{{ ngettext("%(num)s new thing", "%(num)s new things", n, num=n) }}</p>\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "new.py").write_text(
        'from flask_babel import lazy_gettext as _l\nLABEL = _l("A label nobody translated")\n')
    synthetic = extract(tmp_path)
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in synthetic if m.id} == {
        "A heading nobody has translated", "%(num)s new thing", "A label nobody translated"}
    for po in languages():
        found = problems(synthetic, po)
        assert len(found) == 3 and all(p.startswith("untranslated:") for p in found), found


def test_a_fuzzy_or_wrong_placeholder_translation_fails(tmp_path):
    po = tmp_path / "fr" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        '#, fuzzy\nmsgid "Search"\nmsgstr "Rechercher"\n\n'
        '#, python-format\nmsgid "Page %(page)s of %(pages)s"\nmsgstr "Page %(page)s"\n',
        encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.html").write_text(
        '{{ _("Search") }} {{ _("Page %(page)s of %(pages)s", page=1, pages=2) }}')
    found = problems(extract(tmp_path), po)
    assert found[0] == "fuzzy: 'Search'"
    assert len(found) == 2 and "Page %(page)s of %(pages)s" in found[1]


def test_compiled_catalogues_follow_their_po_files(tmp_path):
    po = tmp_path / "fr" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Language: fr\\n"\n\nmsgid "Search"\nmsgstr "Rechercher"\n',
                  encoding="utf-8")
    assert compile_catalogues(tmp_path) == [po.with_suffix(".mo")]
    assert compile_catalogues(tmp_path) == []  # up to date: nothing written
