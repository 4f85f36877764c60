"""An administrator uploads a file and follows its job to the report; then registers a harvest
source (a local HTTP server serving a real ISO open data feed) and harvests it now. The job
runs in the worker beside gunicorn, as ``make run`` starts it."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.browser import sign_in
from tests.importers.catalogue_helpers import real
from tests.jobs.feeds import serve


def test_upload_becomes_a_job_whose_page_shows_the_report(page: Page, base):
    feed = real("itu", "itu-t_globalsearch_Y.3500.json")
    sign_in(page, base, "admin")
    page.goto(base + "/admin/imports/new")
    page.get_by_label(re.compile("^File")).set_input_files(str(feed))
    page.get_by_label("Format", exact=True).select_option("itu")
    page.get_by_role("button", name="Import").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(feed.name)
    # The page reloads itself until the worker is done (no JavaScript needed).
    expect(page.locator(".job-status")).to_contain_text("Done", timeout=30_000)
    expect(page.locator(".import-summary")).to_contain_text(re.compile(r"rejected 0"))
    page.get_by_role("link", name=re.compile(r"import batch #\d+")).click()
    expect(page).to_have_url(re.compile(r"/admin/imports/\d+$"))


def test_admin_registers_a_source_and_harvests_it_now(page: Page, base):
    feeds, server = serve()
    try:
        url = feeds.set("/iso.jsonl", real("iso_open_data", "88821-88915.jsonl").read_bytes())
        sign_in(page, base, "admin")
        page.goto(base + "/admin/harvest")
        page.get_by_label("Name").fill("ISO deliverables (journey)")
        page.get_by_label(re.compile("^Address")).fill(url)
        page.get_by_label("Format", exact=True).select_option("iso-open-data")
        page.get_by_label("Schedule", exact=True).select_option(label="only when asked")
        page.get_by_role("button", name="Add the source").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("ISO deliverables (journey)")
        page.get_by_role("button", name="Harvest now").click()
        expect(page.locator(".job-status")).to_contain_text("Done", timeout=30_000)
        expect(page.locator(".harvest-summary")).to_contain_text("Imported: 2 new")
        page.get_by_role("link", name="Source ISO deliverables (journey)").click()
        expect(page.locator("table.harvest-runs")).to_contain_text("Imported")
    finally:
        server.shutdown()
        server.server_close()
