"""The interface in the six UN languages: the main pages declare the reader's language (Arabic
right to left) and leave no English in navigation, headings, labels and buttons; the switch keeps
the reader on their page; dates, numbers and language names follow the language."""

import re

import pytest
from babel.dates import format_date
from babel.messages.pofile import read_po
from lxml import html
from sqlalchemy import select

from app.i18n import LANGUAGES, babel_locale
from registry.models import Standard, User
from tests import factories as f
from tests.auth import make_user, sign_in
from tests.i18n.catalogues import TRANSLATIONS

PAGES = ["/", "/standards", "/standards/{standard_id}", "/glossary", "/glossary/fairness",
         "/search?q=fairness", "/gaps", "/gaps/coverage", "/sign-in"]
# Where interface text lives; anything inside an element of another language is content.
INTERFACE = "//nav//a | //h1 | //h2 | //h3 | //button | //label | //th[@scope='col'] | //summary"


@pytest.fixture
def catalogue(session):
    f.load(session,
           f.area("fairness"),
           f.standard("ISO/IEC 22989:2022", areas=["fairness"], published="2022-07-19"),
           f.concept("fairness", contested=True,
                     labels={"en": "fairness", "ar": "الإنصاف", "zh-Hans": "公平性"}),
           f.definition("nist text"),
           f.definition("iso excerpt", body="ISO", source="ISO/IEC 22989:2022 3.5.4",
                        excerpt=True, url="https://www.iso.org/obp/ui/",
                        licence="Excerpt; text (c) ISO/IEC"))
    return session.scalar(select(Standard.id))


def _english_interface(language: str) -> set[str]:
    """The English msgids this language translates differently (plain ones, no placeholders)."""
    with (TRANSLATIONS / babel_locale(language) / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        translated = read_po(fh)
    return {m.id for m in translated if isinstance(m.id, str) and m.id and "%(" not in m.id
            and "<" not in m.id and m.string != m.id}


def _interface_texts(page: str, language: str) -> list[str]:
    tree = html.fromstring(page)
    texts = []
    for element in tree.xpath(INTERFACE):
        marked = element.xpath("ancestor-or-self::*[@lang][1]/@lang")
        if marked and marked[0] != language:
            continue  # content in its own language: a label, a definition, a language's name
        text = " ".join(element.text_content().split())
        if text:
            texts.append(text)
    return texts


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_main_pages_in_each_language(client, catalogue, language):
    english = _english_interface(language)
    assert len(english) > 200
    client.set_cookie("lang", language)
    for url in PAGES:
        url = url.format(standard_id=catalogue)
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        direction = "rtl" if language == "ar" else "ltr"
        assert f'<html lang="{language}" dir="{direction}">' in page, url
        texts = _interface_texts(page, language)
        assert texts, url
        left = [t for t in texts if t in english]
        assert left == [], (url, left)


def test_english_pages_are_left_to_right(client, catalogue):
    for url in PAGES:
        page = client.get(url.format(standard_id=catalogue)).get_data(as_text=True)
        assert '<html lang="en" dir="ltr">' in page


def test_arabic_navigation_is_translated(client, catalogue):
    client.set_cookie("lang", "ar")
    tree = html.fromstring(client.get("/").get_data(as_text=True))
    assert tree.xpath("//nav[@class='site-nav']//a/text()") == [
        "المعايير", "المسرد", "الفجوات", "الهيئات", "بحث"]
    # The switch names each language in itself, marked with its own language and direction.
    assert tree.xpath("//form[@class='site-languages']//button/@lang") == list(LANGUAGES)
    assert tree.xpath("//form[@class='site-languages']//button[@lang='ar']/@aria-current") == [
        "true"]


@pytest.mark.parametrize(("header", "expected"), [
    ("fr-CA,fr;q=0.9,en;q=0.5", "fr"), ("zh-TW,zh;q=0.9", "zh-Hans"), ("zh-CN", "zh-Hans"),
    ("de-DE,ru;q=0.8", "ru"), ("de", "en"), ("", "en"), ("es-419", "es"),
])
def test_accept_language_chooses_when_no_switch_did(client, header, expected):
    page = client.get("/sign-in", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{expected}"' in page


def test_answers_say_they_vary_with_the_language(client):
    """A cache in front must not serve a French page to an Arabic reader."""
    page, api = client.get("/glossary"), client.get("/api/v1/bodies")
    assert {"Accept-Language", "Cookie"} <= set(page.vary)
    assert "Accept-Language" in api.vary


@pytest.mark.parametrize("language", ["fr", "ar", "ru"])
def test_gap_reasons_are_said_in_the_readers_language(client, catalogue, language):
    """The core composes each flag's sentence (registry.text.sentence_n); the page says it in
    the reader's language, the API keeps English."""
    def reasons(lang):
        page = client.get("/gaps", headers={"Accept-Language": lang}).get_data(as_text=True)
        return [span.text_content() for span in html.fromstring(page).find_class("reason")]

    english, translated = reasons("en"), reasons(language)
    assert english and len(translated) == len(english)
    assert all(a != b for a, b in zip(english, translated, strict=True)), translated
    api = client.get("/api/v1/gaps", headers={"Accept-Language": language}).get_json()
    assert {r["reason"] for a in api["items"] for r in a["rules"]} == set(english)


def test_switch_keeps_the_reader_on_the_page_and_the_choice_in_a_cookie(client, catalogue):
    response = client.post("/language", data={"lang": "fr", "next": "/glossary?sort=divergence"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/glossary?sort=divergence"
    assert "lang=fr" in response.headers["Set-Cookie"]
    page = client.get("/glossary?sort=divergence",
                      headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in page and "Glossaire des termes de l'IA" in page
    # Every page carries the switch with the page's own address to come back to.
    tree = html.fromstring(page)
    assert tree.xpath("//form[@class='site-languages']/input[@name='next']/@value") == [
        "/glossary?sort=divergence"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)", "", None])
def test_switch_goes_only_to_local_paths(client, target):
    data = {"lang": "ar"} | ({"next": target} if target is not None else {})
    response = client.post("/language", data=data)
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_an_unknown_language_is_english(client):
    response = client.post("/language", data={"lang": "xx", "next": "/sign-in"})
    assert "lang=en" in response.headers["Set-Cookie"]


def test_a_signed_in_reader_keeps_the_language_in_the_account(app, client, session):
    user = make_user(session, "panel")
    sign_in(client, user)
    client.post("/language", data={"lang": "ru", "next": "/"})
    assert session.scalar(select(User.language).where(User.id == user.id)) == "ru"
    # Another browser, no cookie, another Accept-Language: the account's choice wins.
    other = app.test_client()
    sign_in(other, user)
    page = other.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="ru"' in page and "Выйти" in page


def test_concept_label_in_the_readers_language_first(client, catalogue):
    client.set_cookie("lang", "ar")
    page = client.get("/glossary/fairness").get_data(as_text=True)
    assert '<h1 lang="ar" dir="rtl">الإنصاف</h1>' in page
    assert "missing-labels" not in page
    client.set_cookie("lang", "zh-Hans")
    page = client.get("/glossary/fairness").get_data(as_text=True)
    assert '<h1 lang="zh-Hans" dir="ltr">公平性</h1>' in page
    # No French label: the English one, and one sentence saying so in French.
    client.set_cookie("lang", "fr")
    page = client.get("/glossary/fairness").get_data(as_text=True)
    assert '<h1 lang="en" dir="ltr">fairness</h1>' in page
    assert re.findall(r'class="muted missing-labels">([^<]*)<', page) == [
        "Ce concept n'a pas encore de libellé en français."]
    # Asking for a label language still works, and does not change the interface.
    page = client.get("/glossary/fairness?lang=ar").get_data(as_text=True)
    assert '<h1 lang="ar" dir="rtl">الإنصاف</h1>' in page and '<html lang="fr"' in page


def test_dates_numbers_and_language_names_follow_the_language(client, catalogue):
    for language in LANGUAGES:
        client.set_cookie("lang", language)
        page = client.get(f"/standards/{catalogue}").get_data(as_text=True)
        expected = format_date(__import__("datetime").date(2022, 7, 19), "medium",
                               locale=babel_locale(language))
        assert expected in page, language
    client.set_cookie("lang", "fr")
    page = client.get("/glossary/fairness").get_data(as_text=True)
    assert ">arabe<" in page or "arabe" in page  # the label languages, named in French


SIGNED_IN = ["/account", "/account/tokens", "/submissions", "/submissions/new",
             "/submissions/new/definition", "/submissions/new/standard", "/submissions/new/file",
             "/review", "/followed", "/moderation/flags", "/standards/{standard_id}/evaluate",
             "/standards/{standard_id}/process", "/areas", "/areas/fairness",
             "/areas/fairness/edit", "/admin/users", "/admin/activity", "/bodies", "/bodies/ISO",
             "/discuss/standard/{standard_id}", "/jobs", "/admin/imports", "/admin/imports/new",
             "/admin/harvest"]


@pytest.mark.parametrize("language", ["ar", "zh-Hans"])
def test_signed_in_pages_in_arabic_and_chinese(client, session, catalogue, language):
    english = _english_interface(language)
    admin = make_user(session, "admin")
    sign_in(client, admin)
    client.post("/language", data={"lang": language, "next": "/"})
    for url in SIGNED_IN:
        url = url.format(standard_id=catalogue)
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert f'<html lang="{language}"' in page, url
        left = [t for t in _interface_texts(page, language) if t in english]
        assert left == [], (url, left)
