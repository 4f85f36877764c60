"""Screenshots of the main pages for the README: ``make screenshots``.

A fresh registry (demo catalogue, one user per role) served by gunicorn, photographed by the
same Chromium as the browser tests, at 1280 px (one screen high, so the files stay small) and
one page at 390 px. Writes docs/screenshots/*.png; run it again when the pages change.
"""

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests import live
from tests.e2e.browser import main_pages, signed_in_state
from tests.e2e.conftest import CHROMIUM

OUT = live.ROOT / "docs" / "screenshots"
# (file, a page name in main_pages() or a path, role signed in or None, viewport width)
SHOTS = [
    ("home", "home", None, 1280),
    ("concept", "/glossary/fairness", None, 1280),
    ("compare", "compare", None, 1280),
    ("coverage", "coverage", None, 1280),
    ("figure-13", "Figure 13", None, 1280),
    ("area-panel", "area page", "panel", 1280),
    ("standards-phone", "standards list", None, 390),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = live.registry_env(f"sqlite:///{folder / 'registry.sqlite3'}", folder)
        live.prepare(env)
        with live.gunicorn(env, folder / "gunicorn.log") as (base, _), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            pages = main_pages(base)
            states = {}
            for name, page_name, role, width in SHOTS:
                if role and role not in states:
                    states[role] = signed_in_state(browser, base, role)
                context = browser.new_context(viewport={"width": width, "height": 800},
                                              storage_state=states.get(role))
                page = context.new_page()
                page.goto(base + pages.get(page_name, page_name))
                page.screenshot(path=OUT / f"{name}.png")
                context.close()
                print(OUT / f"{name}.png")
            browser.close()


if __name__ == "__main__":
    main()
