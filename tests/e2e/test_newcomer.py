"""A newcomer finds the fairness definitions of at least three bodies side by side from the home
page in at most two clicks, and is told there what the divergence number means."""

from playwright.sync_api import Page, expect


def test_fairness_of_three_bodies_side_by_side_in_two_clicks(page: Page, base):
    page.goto(base + "/")
    contested = page.locator("section[aria-labelledby=contested]")
    expect(contested).to_contain_text("divergence")
    contested.get_by_role("link", name="fairness").first.click()  # the one click needed
    expect(page.get_by_role("heading", level=1)).to_contain_text("fairness")
    columns = page.locator(".side-by-side .body-column")
    expect(columns.nth(2)).to_be_visible()
    bodies = {text.strip() for text in columns.locator("h2").all_inner_texts()}
    assert len(bodies) >= 3, bodies


def test_the_home_page_leads_to_the_gap_areas(page: Page, base):
    page.goto(base + "/")
    gaps = page.locator("section[aria-labelledby=contested] ul.chip-list").nth(1)
    expect(gaps.get_by_role("link", name="Human rights")).to_be_visible()
    gaps.get_by_role("link", name="Human rights").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Human rights")
