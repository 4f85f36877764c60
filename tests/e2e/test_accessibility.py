"""axe-core on the main pages: no serious or critical violation (WCAG 2.2 A/AA rules).

axe-core comes from the npm registry into tests/e2e/.axe (``.ci/run`` installs it) and is
injected into each page; the context bypasses the Content-Security-Policy for that injection
only (the registry's own pages run no script).
"""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.browser import MAIN_PAGES, ROLES

AXE = Path(__file__).parent / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# Signed out, a few more than the main pages: filters, bodies, a missing page, a misspelling.
EXTRA_PAGES = {
    "standards filtered": "/standards?body=IEEE&status=published",
    "bodies": "/bodies",
    "not found": "/standards/2147483646",
    "misspelled search": "/search?q=fairnes",
}

pytestmark = pytest.mark.skipif(
    not AXE.exists(),
    reason="axe-core is not installed: npm install --prefix tests/e2e/.axe "
    "axe-core@4.14.1 (.ci/run does it)",
)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "bypass_csp": True}


def serious_violations(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        RULES,
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}): "
        + "; ".join(
            " ".join(n["target"]) + " -> " + n["failureSummary"].replace("\n", " ")
            for n in v["nodes"][:5]
        )
        for v in violations
    )


@pytest.mark.parametrize("name", [*MAIN_PAGES, *EXTRA_PAGES])
def test_no_serious_accessibility_violation(page: Page, base, main_pages, name):
    path = {**main_pages, **EXTRA_PAGES}[name]
    page.goto(base + path)
    violations = serious_violations(page)
    assert not violations, f"{path}:\n{describe(violations)}"


@pytest.mark.parametrize("role", ROLES)
def test_no_serious_violation_signed_in(browser: Browser, browser_context_args, base, main_pages,
                                        role_states, role):
    """The main pages as each role sees them: the account links in the header, the panel's
    and admin's forms. One context per role, signed in once."""
    context = browser.new_context(**browser_context_args, storage_state=role_states[role])
    page = context.new_page()
    found = []
    try:
        for name in MAIN_PAGES:
            page.goto(base + main_pages[name])
            violations = serious_violations(page)
            if violations:
                found.append(f"{name} ({main_pages[name]}):\n{describe(violations)}")
    finally:
        context.close()
    assert not found, "\n".join(found)
