"""A member of the public: a misspelled search, the concept, two definitions compared, TBX."""

import re

from playwright.sync_api import Page, expect


def test_misspelled_search_to_concept_compare_and_tbx(page: Page, base):
    page.goto(base + "/")
    page.get_by_label("Search terms").fill("transparancy")
    page.get_by_label("Search terms").press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=transparancy"))
    # Typo help: a "did you mean" correction, or the fuzzy match itself, leads to the concept.
    concept = page.locator("a[href$='/glossary/transparency']").first
    expect(concept).to_be_visible(timeout=20_000)
    concept.click()
    expect(page).to_have_url(re.compile(r"/glossary/transparency$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("ransparency"))

    page.get_by_role("link", name=re.compile("^(compare|side by side)$")).first.click()
    expect(page).to_have_url(re.compile(r"/glossary/compare\?a=\d+&b=\d+"))
    definitions = page.locator("main").get_by_text(re.compile("NIST|ISO|EU|OECD"))
    expect(definitions.first).to_be_visible()

    page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="TBX", exact=True).click()
    download = download_info.value
    content = open(download.path(), encoding="utf-8").read()  # noqa: SIM115
    assert "<tbx" in content and "transparency" in content.lower()
