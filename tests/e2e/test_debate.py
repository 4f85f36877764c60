"""A panel member evaluates a standard, others discuss it, and a follower is told what changed."""

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import sign_in

REFERENCE = "ISO/IEC 22989:2022"


def standard_url(page: Page, base: str) -> str:
    found = page.request.get(base + "/api/v1/standards", params={"reference": REFERENCE}).json()
    return f"{base}/standards/{found['items'][0]['id']}"


def test_evaluate_discuss_and_follow(page: Page, browser: Browser, base):
    # A submitter for IEEE follows the standard.
    follower = browser.new_context().new_page()
    sign_in(follower, base, "submitter")
    url = standard_url(follower, base)
    follower.goto(url)
    follower.get_by_role("button", name="Follow").click()
    expect(follower.get_by_role("button", name=re.compile("Unfollow"))).to_be_visible()
    follower.goto(base + "/followed")
    expect(follower.locator(".followed-entry")).to_contain_text("Nothing changed.")

    # A panel member evaluates it against the rubric, through the real form (CSRF on).
    sign_in(page, base, "panel")
    page.goto(url)
    page.get_by_role("link", name="Evaluate this standard").click()
    for select in page.locator("select[id$='-score']").all():
        select.select_option("3")
    for area in page.locator("textarea[id$='-justification']").all():
        area.fill("Judged from the published text and the committee's records.")
    page.get_by_label("Measurability").select_option("1")
    page.get_by_role("button", name="Publish the evaluation").click()
    expect(page.locator("#evaluations")).to_contain_text("1 evaluation of this edition")
    expect(page.locator(".evaluation-aggregate")).to_contain_text("Measurability")

    # The panel member opens the discussion; the follower replies as IEEE.
    page.get_by_label("Add to the discussion").fill("Is the *AI system* definition aligned?")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.locator(".post").first).to_contain_text("Panel member")
    follower.goto(base + "/followed")
    entry = follower.locator(".followed-entry")
    expect(entry).to_contain_text("Evaluation of " + REFERENCE)
    expect(entry).to_contain_text("Post by")
    follower.goto(url + "#discussion")
    follower.locator(".reply-form summary").first.click()
    follower.get_by_label("Your reply").fill("IEEE's position: yes.")
    follower.get_by_role("button", name="Reply", exact=True).click()
    expect(follower.locator(".replies .post")).to_contain_text("Standards body: IEEE")

    # Anyone reads the feed.
    feed = page.request.get(url.replace("/standards/", "/feeds/standards/") + ".atom")
    assert feed.ok and "application/atom+xml" in feed.headers["content-type"]
    assert "Evaluation of " + REFERENCE in feed.text()
