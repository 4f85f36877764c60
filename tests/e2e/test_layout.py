"""The layout holds on a phone, a tablet, a laptop and a wide screen (issue 16): on every main
page, signed out and signed in as each role, the page never scrolls sideways (wide tables and the
heatmap scroll inside their own box) and no two sibling blocks of the main content overlap.

One browser context per role, signed in once (role_states); each page is loaded once and
measured at every width."""

import pytest
from playwright.sync_api import Browser

from tests.e2e.browser import MAIN_PAGES, ROLES

WIDTHS = [390, 768, 1280, 1920]

# Sideways overflow of the page, and the pairs of overlapping sibling boxes in <main>: blocks
# only (a wrapped inline link's box spans both lines, so inline boxes may legitimately cross),
# not inside SVG pictures, whose shapes overlap by design.
MEASURE = """() => {
  const root = document.documentElement;
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + [...el.classList].map(c => "." + c).join("");
  const blocks = el => [...el.children].filter(child => {
    const style = getComputedStyle(child);
    return !["none", "inline", "contents"].includes(style.display)
      && style.visibility !== "hidden" && !["absolute", "fixed"].includes(style.position);
  }).map(child => [child, child.getBoundingClientRect()])
    .filter(([, box]) => box.width > 0 && box.height > 0);
  const overlaps = [];
  const walk = el => {
    const boxes = blocks(el);
    boxes.forEach(([a, ra], i) => boxes.slice(i + 1).forEach(([b, rb]) => {
      const x = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const y = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (x > 1 && y > 1) overlaps.push(`${name(a)} and ${name(b)} (${x | 0}x${y | 0} px)`);
    }));
    boxes.forEach(([child]) => { if (!(child instanceof SVGElement)) walk(child); });
  };
  walk(document.querySelector("main"));
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, overlaps};
}"""


@pytest.mark.parametrize("role", [None, *ROLES], ids=["signed out", *ROLES])
def test_main_pages_hold_their_layout(browser: Browser, base, main_pages, role_states, role):
    context = browser.new_context(storage_state=role_states[role] if role else None)
    page = context.new_page()
    problems = []
    try:
        for name in MAIN_PAGES:
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            page.goto(base + main_pages[name])
            # The pages run no script: resizing lays out the same page a fresh load would.
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                found = page.evaluate(MEASURE)
                if found["scrollWidth"] > found["clientWidth"]:
                    problems.append(f"{name} at {width} px: {found['scrollWidth']} px wide")
                problems += [f"{name} at {width} px: {pair} overlap" for pair in found["overlaps"]]
    finally:
        context.close()
    assert not problems, "\n".join(problems)
