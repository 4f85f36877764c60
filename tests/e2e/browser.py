"""What the browser journeys share: signing in through the real form."""

from playwright.sync_api import Page, expect

from tests.live import PASSWORD, USERS


def sign_in(page: Page, base: str, role: str) -> None:
    """Sign in as the journey user of ``role`` (admin, panel or submitter) with the form."""
    page.goto(base + "/sign-in")
    page.get_by_label("Email").fill(USERS[role][0])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
