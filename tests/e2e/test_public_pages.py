"""A member of the public browses the catalogue and the glossary."""

import re

from playwright.sync_api import Page, expect


def test_home_to_a_standard(page: Page, base):
    page.goto(base + "/")
    expect(page).to_have_title(re.compile("AI Standards Exchange"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Standards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Standards")
    page.get_by_label("Body").select_option("IEEE")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"body=IEEE"))
    first = page.locator("table.data tbody th a").first
    reference = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(reference)


def test_skip_link_and_keyboard(page: Page, base):
    page.goto(base + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
