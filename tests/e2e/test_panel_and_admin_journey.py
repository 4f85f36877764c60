"""A panel member confirms a gap with a note the public then sees; an admin reads the audit log
and finds that change in it."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.browser import sign_in
from tests.e2e.conftest import USERS

NOTE = "Journey test note: almost no AI standard says it considers human rights."


def test_panel_confirms_a_gap_and_the_admin_reads_it_in_the_audit_log(page: Page, base):
    sign_in(page, base, "panel")
    page.goto(base + "/gaps")
    page.locator("#gap-human-rights").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/areas/human-rights$"))
    # The form is open on the page: nothing to unfold.
    form = page.get_by_role("heading", name="Annotate this area or one of its gaps")
    expect(form).to_be_visible()
    page.get_by_label("Status", exact=True).select_option("confirmed")
    page.get_by_label("Severity", exact=True).select_option("high")
    page.locator("#an-text").fill(NOTE)
    page.get_by_role("button", name="Save annotation").click()
    expect(page.locator("#annotations")).to_contain_text(NOTE)

    page.get_by_role("button", name="Sign out").click()
    page.goto(base + "/areas/human-rights")
    expect(page.locator("#annotations")).to_contain_text(NOTE)  # public, signed out

    sign_in(page, base, "admin")
    page.get_by_role("banner").get_by_role("link", name="Activity").click()
    page.get_by_label("User", exact=True).select_option(label=USERS["panel"][0])
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.history tbody tr")
    expect(rows.first).to_contain_text(USERS["panel"][0])
    expect(rows.first).to_contain_text("web")
    expect(page.locator("table.history")).to_contain_text(re.compile("annotation", re.I))
