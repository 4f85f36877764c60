"""Arabic and Chinese in a real browser, on a phone (390 px) and a desktop (1280 px): the switch
keeps the reader on their page, Arabic reads right to left, and no page scrolls sideways (the
wide coverage heatmap and its table scroll in their own boxes)."""

import pytest
from playwright.sync_api import Browser, expect

PAGES = ["/", "/standards", "/glossary", "/glossary/fairness", "/search?q=fairness", "/gaps",
         "/gaps/coverage", "/sign-in"]

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize(("language", "name", "direction"), [
    ("ar", "العربية", "rtl"), ("zh-Hans", "中文 (简体)", "ltr")])
def test_layout_in_arabic_and_chinese(browser: Browser, base, width, language, name, direction):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(base + "/glossary")
        page.locator("form.site-languages").get_by_role("button", name=name).click()
        # Back on the same page, now in the chosen language.
        expect(page).to_have_url(base + "/glossary")
        html = page.locator("html")
        expect(html).to_have_attribute("lang", language)
        expect(html).to_have_attribute("dir", direction)
        for path in PAGES:
            page.goto(base + path)
            expect(html).to_have_attribute("lang", language)
            expect(page.locator("nav.site-nav")).to_be_visible()
            overflow = page.evaluate(OVERFLOW)
            assert overflow == 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        # Mirrored: in Arabic the brand starts on the right, the navigation follows leftwards.
        page.goto(base + "/")
        brand = page.locator("a.brand").bounding_box()
        if direction == "rtl":
            assert brand["x"] + brand["width"] > width / 2
        else:
            assert brand["x"] < width / 2
    finally:
        context.close()
