"""The attack run's own detectors, so a clean run means the checks could have failed."""

import requests

from tests.attack.run import MARK, unsafe_markup


def page(body: str) -> requests.Response:
    response = requests.Response()
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response._content = f"<!doctype html><html><body>{body}</body></html>".encode()
    return response


def test_markup_that_would_run_is_found_and_escaped_text_is_not():
    for unsafe in (f"<img src=x onerror=alert('{MARK}')>", '<a href=" JavaScript:alert(1)">x</a>',
                   f"<script>alert('{MARK}')</script>", '<iframe src="https://x.org"></iframe>',
                   '<form action="data:text/html,x"></form>', "<svg onload=alert(1)></svg>"):
        assert unsafe_markup(page(unsafe)), unsafe
    for safe in (f"&lt;img src=x onerror=alert('{MARK}')&gt;",
                 f'<input value="&#34;&gt;&lt;img src=x onerror=alert(\'{MARK}\')">',
                 "<p>javascript:alert(1) as text</p>", '<a href="/search?q=javascript:">x</a>'):
        assert unsafe_markup(page(safe)) is None, safe

