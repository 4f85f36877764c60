"""A submitter of IEEE proposes a definition, sees it pending, a panel member approves it, and
the public then sees it with its history."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.browser import sign_in
from tests.e2e.conftest import USERS

# Test text, plainly marked: the registry never attributes invented wording to a real body.
TEXT = "Journey test text (not an IEEE definition): transparency as tested end to end."


def test_submit_a_definition_see_it_pending_then_approved(page: Page, base):
    sign_in(page, base, "submitter")
    page.get_by_role("banner").get_by_role("link", name="My submissions").click()
    page.get_by_role("link", name="Propose an entry").click()
    page.get_by_role("link", name="A definition").click()
    page.get_by_label("Term (preferred designation)").fill("transparency")
    page.get_by_label("Concept").fill("transparency")
    page.get_by_label("Definition text").fill(TEXT)
    page.locator("#source").fill("IEEE 7001-2021")
    page.get_by_label("Licence of the text").fill("Test fixture")
    page.get_by_role("button", name="Submit for review").click()

    expect(page.locator(".flash")).to_contain_text("waiting for review")
    expect(page.locator(".status-text")).to_have_attribute("data-status", "pending")
    expect(page.locator(".status-text")).to_contain_text("Waiting for a panel member")
    submission_url = page.url
    page.get_by_role("banner").get_by_role("link", name="My submissions").click()
    expect(page.locator("table.submissions")).to_contain_text(re.compile("pending", re.I))

    # Not public while pending.
    page.goto(base + "/glossary/transparency")
    expect(page.locator("main")).not_to_contain_text(TEXT)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "panel")
    page.goto(submission_url)
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".flash")).to_contain_text("approved")
    page.get_by_role("button", name="Sign out").click()

    page.goto(base + "/glossary/transparency")
    expect(page.locator("main")).to_contain_text(TEXT)
    history = page.locator(".entry-history")
    # In public, people are named by display name and role, never by e-mail address.
    expect(history).to_contain_text(re.compile(r"Panel member #\d+"))
    expect(history).not_to_contain_text(USERS["panel"][0])
    expect(history).to_contain_text(re.compile(r"submission #\d+ by Standards body IEEE #\d+"))
