"""Keyboard only: a visitor who cannot use a mouse reaches and operates everything.

Every step moves with Tab and acts with Enter or typing; every element that takes the focus
must show it (an outline or a shadow), and the tab order must run through the whole page
without a trap.
"""

import re

from playwright.sync_api import Locator, Page, expect

MAX_TABS = 150

FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return outline || style.boxShadow !== 'none';
}"""
DESCRIBE = """() => {
  const el = document.activeElement;
  const what = el.id || el.getAttribute('href') || el.textContent.trim().slice(0, 40);
  return el.tagName + ' ' + what;
}"""


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until ``target`` has the focus; each stop on the way must show its focus.

    Past the last focusable element the focus leaves the page (``<body>`` is active) and the
    next Tab wraps to the top: that one stop has nothing to show.
    """
    handle = target.element_handle()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement === document.body"):
            continue
        assert page.evaluate(FOCUS_SHOWN), f"no visible focus on {page.evaluate(DESCRIBE)}"
        if page.evaluate("(el) => el === document.activeElement", handle):
            return
    raise AssertionError(f"{target} not reached with {MAX_TABS} presses of Tab")


def test_the_tab_order_runs_through_the_home_page_without_a_trap(page: Page, base):
    page.goto(base + "/")
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        here = page.evaluate(DESCRIBE)
        if here.startswith("BODY"):
            break  # past the last element: focus went back to the document
        assert page.evaluate(FOCUS_SHOWN), f"no visible focus on {here}"
        if seen and here == seen[0] and len(seen) > 3:
            break  # wrapped around
        seen.append(here)
    else:
        raise AssertionError(f"the tab order did not end within {MAX_TABS}: {seen[-5:]}")
    assert seen[0] == "A #main", f"the skip link must come first: {seen[:3]}"
    assert any("openapi" in s.lower() for s in seen), "the footer was never reached"


def test_browse_filter_and_open_with_the_keyboard(page: Page, base):
    page.goto(base + "/")
    nav = page.get_by_role("navigation", name="Main")

    tab_to(page, nav.get_by_role("link", name="Standards"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Standards")

    body = page.get_by_label("Body")
    tab_to(page, body)
    page.keyboard.type("IEEE")
    expect(body).to_have_value("IEEE")
    tab_to(page, page.get_by_role("button", name="Apply"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"body=IEEE"))

    first = page.locator("table.data tbody th a").first
    reference = first.inner_text()
    tab_to(page, first)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(reference)


def test_search_and_the_glossary_with_the_keyboard(page: Page, base):
    page.goto(base + "/")
    tab_to(page, page.get_by_label("Search terms"))
    page.keyboard.type("fairness")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=fairness"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("fairness")

    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Glossary"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Glossary"))
    concept = page.locator("table tbody th a").first
    label = concept.inner_text()
    tab_to(page, concept)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(label)
