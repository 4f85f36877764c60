"""axe-core on the main pages: no serious or critical violation (WCAG 2.2 A/AA rules).

axe-core comes from the npm registry into tests/e2e/.axe (``.ci/run`` installs it) and is
injected into each page; the context bypasses the Content-Security-Policy for that injection
only (the registry's own pages run no script).
"""

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page

AXE = Path(__file__).parent / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# Pages of features that land separately: checked once they answer on this build.
OPTIONAL = {"search": "/search?q=fairnes", "gaps": "/gaps"}

pytestmark = pytest.mark.skipif(
    not AXE.exists(),
    reason="axe-core is not installed: npm install --prefix tests/e2e/.axe "
    "axe-core@4.14.1 (.ci/run does it)",
)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "bypass_csp": True}


def _json(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="session")
def main_pages(live_server) -> dict[str, str]:
    standard = _json(live_server + "/api/v1/standards?per_page=1")["items"][0]["id"]
    concept = _json(live_server + "/api/v1/concepts?sort=definitions&per_page=1")["items"][0]
    body = _json(live_server + "/api/v1/bodies")[0]["code"]
    return {
        "home": "/",
        "standards list": "/standards",
        "standards filtered": "/standards?body=IEEE&status=published",
        "standard page": f"/standards/{standard}",
        "glossary": "/glossary",
        "concept page": f"/glossary/{concept['slug']}",
        "bodies": "/bodies",
        "body page": f"/bodies/{body}",
        "not found": "/standards/2147483646",
        **OPTIONAL,
    }


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


@pytest.mark.parametrize(
    "name",
    [
        "home",
        "standards list",
        "standards filtered",
        "standard page",
        "glossary",
        "concept page",
        "bodies",
        "body page",
        "not found",
        *OPTIONAL,
    ],
)
def test_no_serious_accessibility_violation(page: Page, base, main_pages, name):
    path = main_pages[name]
    if name in OPTIONAL and _status(base + path) == 404:
        pytest.skip(f"{path} is not on this build yet")
    page.goto(base + path)
    violations = serious_violations(page)
    assert not violations, f"{path}:\n{describe(violations)}"
