"""The public reads the gaps on the demo catalogue: flagged areas, the heatmap and Figure 13."""

import re

from playwright.sync_api import Page, expect


def test_gap_list_flags_human_rights_with_its_reasons(page: Page, base):
    page.goto(base + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Gaps").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gaps")
    card = page.locator("#gap-human-rights")
    expect(card).to_contain_text("from one body, IEEE")
    page.get_by_label("Rule").select_option("stale")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"rule=stale"))
    expect(page.locator("#gap-human-rights")).to_be_visible()
    card.get_by_role("link", name="Human rights").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Human rights")
    expect(page.get_by_role("link", name="IEEE 2089-2021").first).to_be_visible()


def test_heatmap_cell_leads_to_its_standards(page: Page, base):
    page.goto(base + "/gaps/coverage")
    # A group of links (an img's content would be presentational).
    expect(page.get_by_role("group", name="Coverage of areas by bodies")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Human rights")
    page.locator('svg a[href="/standards?area=human-rights&body=IEEE"]').click()
    expect(page).to_have_url(re.compile(r"area=human-rights&body=IEEE"))
    expect(page.locator("table.data tbody")).to_contain_text("IEEE 2089-2021")


def test_figure_13_draws_bars_for_the_live_catalogue(page: Page, base):
    page.goto(base + "/gaps/standards-per-year")
    chart = page.get_by_role("img", name="AI standards published per body per year")
    expect(chart).to_be_visible()
    assert page.locator("svg rect.bar").count() > 20
    expect(page.get_by_role("table")).to_contain_text("2024")
