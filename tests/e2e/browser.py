"""What the browser journeys share: signing in through the real form, and the main pages."""

import json
import urllib.request

from playwright.sync_api import Browser, Page, expect

from tests.live import PASSWORD, USERS

ROLES = list(USERS)
# The pages issue 16 names as the main ones; their addresses come from main_pages().
MAIN_PAGES = ["home", "standards list", "standard page", "glossary", "concept page", "compare",
              "search results", "gaps", "coverage", "Figure 13", "area page", "review queue",
              "admin activity", "sign-in"]


def sign_in(page: Page, base: str, role: str) -> None:
    """Sign in as the journey user of ``role`` (admin, panel or submitter) with the form."""
    page.goto(base + "/sign-in")
    page.get_by_label("Email").fill(USERS[role][0])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def signed_in_state(browser: Browser, base: str, role: str) -> dict:
    """The cookies of a session signed in as ``role``, for ``new_context(storage_state=...)``."""
    context = browser.new_context()
    try:
        sign_in(context.new_page(), base, role)
        return context.storage_state()
    finally:
        context.close()


def _json(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def main_pages(base: str) -> dict[str, str]:
    """Name -> path of each main page, with a standard, concept and area of the demo catalogue."""
    standard = _json(base + "/api/v1/standards?per_page=1")["items"][0]["id"]
    concept = _json(base + "/api/v1/concepts?sort=definitions&per_page=1")["items"][0]["slug"]
    a, b = [d["id"] for d in _json(f"{base}/api/v1/concepts/{concept}")["definitions"][:2]]
    area = _json(base + "/api/v1/areas")[0]["slug"]
    return {
        "home": "/",
        "standards list": "/standards",
        "standard page": f"/standards/{standard}",
        "glossary": "/glossary",
        "concept page": f"/glossary/{concept}",
        "compare": f"/glossary/compare?a={a}&b={b}",
        "search results": "/search?q=fairness",
        "gaps": "/gaps",
        "coverage": "/gaps/coverage",
        "Figure 13": "/gaps/standards-per-year",
        "area page": f"/areas/{area}",
        "review queue": "/review",
        "admin activity": "/admin/activity",
        "sign-in": "/sign-in",
    }
