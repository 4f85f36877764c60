"""The attack run: a served registry attacked the way the hardening review did (``make attack``).

    python -m tests.attack.run [--db sqlite|postgres] [--out reports/attack]

Builds a fresh registry (demo catalogue, one user per role and a second submitter of another
body), serves it with gunicorn (2 workers x 4 threads) and a job worker, and attacks it over
HTTP as anonymous visitors, read-only tokens and every role:

* **authorization**: every guarded route of the app's URL map, anonymously, with each role's
  token or signed-in session and with a read-only token, against what the policy says; cases
  (a submitter deciding their own or another body's submission, a panel member running imports,
  web forms without their CSRF token), and pending entries looked for by anonymous visitors and
  by the other body's submitter;
* **injection**: SQL, markup, control characters, path tricks, huge and malformed values in
  every query parameter of every readable API operation and of the main pages, and in path
  segments; a 5xx, a database error message or the markup coming back unescaped is a finding;
* **stored markup**: Markdown and HTML payloads posted to a thread and submitted as a
  definition, then read back in pages, feeds and exports;
* **crafted files**: external entities, entity expansion, an entity behind a 70 KB comment or in
  UTF-16, oversized and truncated files, broken records, CSV formulas, uploaded as imports;
* **concurrent writers**: 20 clients posting at once, every accepted post found afterwards; the
  same with one gunicorn worker killed (SIGKILL) midway;
* **sessions and tokens**: a remember-me cookie taken before sign-out no longer signs anyone in;
  a revoked token, and the token and session of a person an admin deactivates, stop at once;
* **privacy**: anonymous pages, API and feeds crawled for any user's e-mail address;
* **expensive searches**: prefix, wildcard, fuzzy and long phrase queries answer in time.

Rate limits are raised for the run (``*_RATE_LIMIT``, ``API_WRITE_LIMIT``, ``SIGN_IN_LIMIT``) so
that every payload reaches the code behind the limit; the limits are tested in tests/accounts.

Prints one line per area with its request count and findings, writes every finding to
``<out>/<db>.json`` and exits 1 when any finding is above low severity.
"""

import argparse
import concurrent.futures
import json
import os
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote

import requests
from lxml import etree
from lxml import html as lxml_html

from tests import live
from tests.routes import SAFE, guarded_routes

SEVERITIES = ("low", "medium", "high", "critical")
SLOW_S = 5.0  # an answer slower than this ties up a worker: a finding
SEARCH_S = 3.0  # the search deadline is 2 s; what the request adds must stay small
MARK = "zq7attack"  # in every payload, to find it again

SECOND_SUBMITTER = ("submitter@iso.example.org", ["--body", "ISO"])
LEAVER = ("leaver@example.org", [])  # a panel member the admin deactivates mid-run
# Token and session names: one per role, and the second submitter.
EMAILS = {**{role: email for role, (email, _) in live.USERS.items()},
          "submitter-iso": SECOND_SUBMITTER[0]}

# Query values; each carries MARK so reflected markup can be told from the page's own.
PAYLOADS = [
    f"' OR 1=1 -- {MARK}",
    f"\") OR 1=1; DROP TABLE standards; -- {MARK}",
    f"{MARK}' UNION SELECT email, password_hash FROM users --",
    f"<script>alert('{MARK}')</script>",
    f"\"><img src=x onerror=alert('{MARK}')>",
    f"javascript:alert('{MARK}')",
    f"{MARK}\x01\x02\x1b[31m",
    f"{MARK}\u202e\u200b\ufeff",
    f"{MARK}\x00",
    "../../../../etc/passwd",
    f"{MARK}{{{{7*7}}}}${{7*7}}",
    f"{MARK} " + "a" * 10_000,
    f"{MARK}*",
    "-1",
    "99999999999999999999999",
    "1e309",
    "2024-02-30",
    f"{MARK}%",
]
# Already percent-encoded: bytes that are not UTF-8 at all.
RAW_PAYLOADS = ["%ED%A0%80zq7attack", "%FF%FEzq7attack", "zq7attack%C0%AF"]
PAGE_PARAMS = ("q", "body", "area", "status", "sort", "page", "per_page", "lang", "as_of",
               "type", "next", "kind")
PAGES = ["/", "/standards", "/glossary", "/glossary/compare", "/search", "/gaps",
         "/gaps/coverage", "/gaps/standards-per-year", "/areas", "/bodies", "/sign-in",
         "/glossary/suggested-links", "/gaps/coverage.csv", "/gaps/standards-per-year.svg"]
PATH_SEGMENTS = ["/glossary/{}", "/areas/{}", "/bodies/{}", "/standards/{}",
                 "/api/v1/concepts/{}", "/api/v1/areas/{}", "/api/v1/standards/{}",
                 "/api/v1/export/glossary.{}", "/feeds/standards/{}.atom",
                 "/api/v1/feeds/standards/{}"]
DB_ERRORS = re.compile(r"sqlite3\.|psycopg|OperationalError|ProgrammingError|syntax error at|"
                       r"Traceback \(most recent call last\)")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcdoc"}
UNSAFE_SCHEME = re.compile(r"\s*(javascript|vbscript|data):", re.IGNORECASE)

MARKDOWN = [
    f"<script>alert('{MARK}')</script>",
    f"<img src=x onerror=alert('{MARK}')>",
    f"[click](javascript:alert('{MARK}'))",
    f"[click](JaVaScRiPt:alert('{MARK}'))",
    f"![x](javascript:alert('{MARK}'))",
    f"<a href=\"javascript:alert('{MARK}')\">x</a>",
    f"<svg onload=alert('{MARK}')>",
    f"<iframe src=\"https://example.org/{MARK}\"></iframe>",
    f"<style>body{{display:none}}</style>{MARK}",
    f"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) {MARK}",
    f"<details open ontoggle=alert('{MARK}')>x</details>",
    f"{MARK} control \x01 escape \x1b[2J and bidi \u202e",
    f"{MARK} nul \x00 inside",
]


@dataclass
class Finding:
    severity: str
    area: str
    what: str
    detail: str = ""


class Attack:
    def __init__(self, url: str, env: dict[str, str], tokens: dict[str, str]):
        self.url, self.env, self.tokens = url, env, tokens
        self.findings: list[Finding] = []
        self.requests: dict[str, Counter] = {}
        self.outcomes: list[str] = []  # what each crafted file came to
        self.area = ""

    # -- plumbing ---------------------------------------------------------------------------

    def find(self, severity: str, what: str, detail: str = "") -> None:
        self.findings.append(Finding(severity, self.area, what, detail[:500]))

    def call(self, method: str, path: str, who: str | None = None, session=None,
             limit: float = SLOW_S, dropped_ok: bool = False,
             **kwargs) -> requests.Response | None:
        """One request; a 5xx, an error message from the database or a slow answer is a
        finding. ``who`` names a token."""
        headers = kwargs.pop("headers", {})
        if who:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        client = session or requests
        start = time.monotonic()
        try:
            response = client.request(method, self.url + path, headers=headers, timeout=60,
                                      allow_redirects=False, **kwargs)
        except requests.RequestException as exc:
            if not dropped_ok:  # a killed worker drops its connections: expected there
                self.find("high", f"{method} {path[:120]}: no answer", str(exc))
            return None
        took = time.monotonic() - start
        self.requests.setdefault(self.area, Counter())[response.status_code] += 1
        if response.status_code >= 500 and response.status_code != 503:
            self.find("medium", f"{method} {path[:120]} answered {response.status_code}",
                      response.text[:300])
        elif response.status_code == 503:
            self.find("low", f"{method} {path[:120]} answered 503 (busy)", response.text[:200])
        if took > limit:
            self.find("medium", f"{method} {path[:120]} took {took:.1f} s")
        if DB_ERRORS.search(response.text):
            self.find("medium", f"{method} {path[:120]} shows a database or Python error",
                      DB_ERRORS.search(response.text).group(0))
        return response

    def json(self, path: str, who: str | None = None):
        response = self.call("GET", path, who)
        return response.json() if response is not None and response.ok else None

    def browser(self, email: str) -> requests.Session:
        """A signed-in web session (CSRF token from the form, remember-me ticked)."""
        session = requests.Session()
        form = session.get(self.url + "/sign-in", timeout=30).text
        token = csrf(form)
        response = session.post(self.url + "/sign-in", data={
            "email": email, "password": live.PASSWORD, "remember": "y", "csrf_token": token},
            allow_redirects=False, timeout=30)
        if response.status_code != 302:
            raise RuntimeError(f"sign-in as {email} answered {response.status_code}")
        return session

    # -- the areas --------------------------------------------------------------------------

    def authorization(self) -> None:
        self.area = "authorization"
        self.matrix()
        # Cross-role: a pending submission is its body's and the reviewers' only.
        record = {"reference": f"IEEE {MARK}-2026", "title": f"Pending {MARK} standard",
                  "bodies": ["IEEE"], "type": "IS", "status": "under_development"}
        created = self.call("POST", "/api/v1/submissions", "submitter",
                            json={"kind": "standard", "record": record})
        if created is None or created.status_code != 201:
            self.find("medium", "the IEEE submitter could not submit a standard",
                      created.text[:300] if created is not None else "")
            return
        sid = created.json()["id"]
        for who, path in ((None, f"/api/v1/submissions/{sid}"),
                          ("submitter-iso", f"/api/v1/submissions/{sid}"),
                          ("submitter-iso", "/api/v1/submissions?status=pending")):
            response = self.call("GET", path, who)
            if response is not None and response.ok and MARK in response.text:
                self.find("high", f"a pending submission is readable by {who or 'anonymous'}",
                          path)
        for path in (f"/api/v1/search?q={MARK}", f"/search?q={MARK}", f"/standards?q={MARK}",
                     "/feeds/bodies/IEEE.atom"):
            response = self.call("GET", path)
            if response is not None and f"Pending {MARK}" in response.text:
                self.find("high", "a pending submission shows in public", path)
        for who in ("submitter", "submitter-iso"):
            response = self.call("POST", f"/api/v1/submissions/{sid}/approve", who, json={})
            if response is not None and response.status_code < 400:
                self.find("critical", f"{who} approved an IEEE submission")
        for who, method, path in (
                ("panel", "POST", "/api/v1/imports?format=csv"),
                ("panel", "POST", "/api/v1/harvest/sources"),
                ("submitter", "POST", "/api/v1/links"),
                ("submitter", "POST", "/api/v1/posts/1/hide")):
            response = self.call(method, path, who, json={}, data=b"reference\n")
            if response is not None and response.status_code < 400:
                self.find("critical", f"{who} may {method} {path}")
        # Web forms: a signed-in session without the form's CSRF token changes nothing.
        panel = self.browser(live.USERS["panel"][0])
        for path, data in (("/areas/human-rights/annotations", {"body": MARK}),
                           ("/account", {"name": MARK}),
                           ("/glossary/links", {"rationale": MARK})):
            response = self.call("POST", path, session=panel, data=data)
            if response is not None and response.status_code < 400:
                self.find("high", f"POST {path} without its CSRF token answered "
                          f"{response.status_code}")

    def matrix(self) -> None:
        """Every guarded route (read from the app's URL map) for every actor over HTTP: API
        routes with each role's write token and a read-only token, pages with each role's
        signed-in session (CSRF token included, so that the policy, not CSRF, answers), and
        anonymously; compared with what ``registry.policy`` says for that actor."""
        from sqlalchemy import select

        from app import create_app
        from app.extensions import db
        from registry import policy
        from registry.models import User

        app = create_app({k: self.env[k] for k in ("DATABASE_URL", "SECRET_KEY",
                                                     "SEARCH_INDEX_DIR")})
        with app.app_context():
            routes = guarded_routes(app)
            people = {role: db.session.scalar(select(User).where(User.email == email))
                      for role, email in EMAILS.items()}
            allowed = {(role, action): policy.can(user, action)
                       for role, user in people.items() for *_, action in routes}
            db.session.remove()
        sessions = {role: self.browser(email) for role, email in EMAILS.items()}
        tokens = {role: self.csrf_of(session) for role, session in sessions.items()}
        for endpoint, method, url, action in routes:
            api = url.startswith("/api/")
            body = {} if api else None
            response = self.call(method, url, json=body)
            if response is not None and response.status_code < 300:
                self.find("critical", f"{method} {url} ({endpoint}) open to anonymous clients")
            for role in EMAILS:
                if api:
                    response = self.call(method, url, role, json={})
                else:
                    response = self.call(method, url, session=sessions[role],
                                         data={"csrf_token": tokens[role]})
                self.judge(response, f"{role}: {method} {url}", allowed[(role, action)])
            if api and method not in SAFE:
                self.judge(self.call(method, url, "panel-read", json={}),
                           f"read-only token: {method} {url}", False)

    def judge(self, response: requests.Response | None, what: str, allowed: bool) -> None:
        if response is None or allowed:
            return
        if response.status_code < 300:
            self.find("critical", f"{what} answered {response.status_code}; the policy refuses")
        elif response.status_code != 403:
            self.find("low", f"{what} answered {response.status_code}, not 403")

    def csrf_of(self, session: requests.Session) -> str:
        return csrf(session.get(self.url + "/account", timeout=30).text)

    def injection(self) -> None:
        self.area = "injection"
        spec = self.json("/api/v1/openapi.json")
        targets: list[tuple[str, list[str]]] = []
        for path, ops in spec["paths"].items():
            op = ops.get("get")
            if not op or "{" in path or path.endswith("openapi.json"):
                continue
            params = [p["name"] for p in op.get("parameters", []) if p.get("in") == "query"]
            targets.append((path, params or ["q"]))
        targets += [(page, list(PAGE_PARAMS)) for page in PAGES]
        for path, params in targets:
            for param in params:
                for value in [quote(p) for p in PAYLOADS] + RAW_PAYLOADS:
                    response = self.call("GET", f"{path}?{param}={value}")
                    if response is not None:
                        self.check_markup(response, f"{path}?{param}=")
        for template in PATH_SEGMENTS:
            for value in [quote(p, safe="") for p in PAYLOADS] + RAW_PAYLOADS:
                path = template.format(value)
                response = self.call("GET", path)
                if response is not None:
                    self.check_markup(response, template)
        # Bodies that are not what the API expects.
        for body in (b"{", b"[]", b'{"kind": "standard", "record": "x"}',
                     b'{"a":' * 2000 + b"1" + b"}" * 2000, b'{"kind": "\xed\xa0\x80"}'):
            self.call("POST", "/api/v1/submissions", "submitter", data=body,
                      headers={"Content-Type": "application/json"})

    def check_markup(self, response: requests.Response, where: str) -> None:
        found = unsafe_markup(response)
        if found:
            self.find("high", f"{where}: markup from the request comes back unescaped", found)

    def stored_markup(self) -> None:
        self.area = "stored markup"
        standard = self.json("/api/v1/standards?per_page=1")["items"][0]["id"]
        thread = f"/api/v1/threads/standard/{standard}/posts"
        for text in MARKDOWN:
            response = self.call("POST", thread, "panel", json={"body": text})
            if response is not None and response.status_code not in (201, 400):
                self.find("low", f"a post answered {response.status_code}", response.text[:200])
        definition = {"concept": "fairness", "body": "IEEE", "source": f"IEEE {MARK}",
                      "language": "en", "designations": [{"term": f"<b>{MARK}</b>",
                                                           "type": "preferred"}],
                      "text": MARKDOWN[0] + " " + MARKDOWN[1], "licence": "restricted"}
        self.call("POST", "/api/v1/submissions", "submitter",
                  json={"kind": "definition", "record": definition})
        admin = self.browser(live.USERS["admin"][0])
        for path, session in ((f"/discuss/standard/{standard}", None),
                              (f"/standards/{standard}", None),
                              ("/review", admin), ("/submissions", admin),
                              ("/moderation/flags", admin),
                              (f"/feeds/standards/{standard}.atom", None),
                              ("/api/v1/export/glossary.tbx", None),
                              ("/api/v1/export/glossary.ttl", None),
                              (f"/api/v1/threads/standard/{standard}", None)):
            response = self.call("GET", path, session=session)
            if response is None:
                continue
            if response.status_code != 200:
                self.find("medium", f"{path} answered {response.status_code} after the posts")
            elif found := unsafe_markup(response):
                self.find("high", f"{path} serves stored markup unescaped", found)

    def crafted_files(self, folder: Path) -> None:
        self.area = "crafted files"
        files = crafted(folder)
        for name, fmt, data in files:
            with ExitStack() as stack:
                if isinstance(data, Path):
                    data = stack.enter_context(data.open("rb"))  # streamed, not held
                response = self.call("POST", f"/api/v1/imports?format={fmt}&name={name}",
                                     "admin", data=data,
                                     headers={"Content-Type": "application/octet-stream"})
            if response is None:
                continue
            if response.status_code in (400, 413, 415, 422):
                self.outcomes.append(f"file {name}: {response.status_code} "
                                     f"{response.json().get('message', '')[:100]}")
                continue
            if response.status_code != 202:
                self.find("low", f"{name}: the upload answered {response.status_code}",
                          response.text[:200])
                continue
            job = self.wait_job(response.headers["Location"])
            report = job.get("report") or {}
            self.outcomes.append(
                f"file {name}: job {job.get('status')}: "
                f"{(job.get('message') or report.get('refused') or '')[:100]}"
                + (f" (created {report.get('created')}, rejected "
                   f"{len(report.get('rejected') or [])})" if job.get("status") == "done" else ""))
            text = json.dumps(job)
            if "root:x:0:0" in text or "SECRET_KEY" in text:
                self.find("critical", f"{name}: a local file's content reached the registry",
                          text[:300])
            if job.get("status") == "done" and name.startswith("refuse-"):
                self.find("high", f"{name}: imported, but it must be refused whole", text[:300])
        for path in ("/api/v1/search?q=root", "/api/v1/standards?q=root", "/search?q=daemon"):
            response = self.call("GET", path)
            if response is not None and "root:x:0:0" in response.text:
                self.find("critical", "/etc/passwd can be read back", path)
        if self.call("GET", "/healthz") is None:
            self.find("critical", "the registry stopped answering after the crafted files")

    def wait_job(self, location: str, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.json(location.replace(self.url, ""), "admin") or {}
            if job.get("status") in ("done", "failed"):
                return job
            time.sleep(0.2)
        self.find("medium", f"{location} did not finish in {timeout:.0f} s")
        return {}

    def concurrent_writers(self, kill: bool = False) -> None:
        """20 clients post at once (with ``kill``: one gunicorn worker is killed with SIGKILL
        midway); every acknowledged post must be in the thread afterwards."""
        self.area = "worker killed" if kill else "concurrent writers"
        standard = self.json("/api/v1/standards?per_page=3")["items"][2 if kill else 1]["id"]
        thread = f"/api/v1/threads/standard/{standard}/posts"
        tag = f"{MARK} {'killed' if kill else 'writer'} "

        def post(n: int) -> int:
            if kill and n == 30:
                os.kill(gunicorn_workers(self.master)[0], signal.SIGKILL)
            response = self.call("POST", thread, "panel", json={"body": f"{tag}{n}"},
                                 dropped_ok=kill)
            return response.status_code if response is not None else 0

        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            statuses = list(pool.map(post, range(60)))
        accepted = {n for n, status in enumerate(statuses) if status == 201}
        refused = [s for s in statuses if s not in (0, 201, 429, 503) or (s == 0 and not kill)]
        if refused:
            self.find("medium", f"concurrent posts answered {sorted(set(refused))}")
        if kill:
            live.wait_until_up(self.url)  # gunicorn starts another worker
        shown = json.dumps(self.json(f"/api/v1/threads/standard/{standard}"))
        stored = {int(n) for n in re.findall(rf"{re.escape(tag)}(\d+)", shown)}
        if accepted - stored:
            self.find("high", f"{len(accepted - stored)} acknowledged posts are missing",
                      str(sorted(accepted - stored)))
        self.outcomes.append(f"{self.area}: {len(accepted)} of 60 posts acknowledged, "
                             f"{len(stored)} stored")

    def sessions(self) -> None:
        """Sign-out ends a remember-me cookie taken before it; a revoked token and a
        deactivated person's token and session stop working at once."""
        self.area = "sessions and tokens"
        session = self.browser(live.USERS["panel"][0])
        remember = {c.name: c.value for c in session.cookies if "remember" in c.name}

        def signed_in(cookies) -> bool:
            response = self.call("GET", "/account", cookies=cookies)
            return response is not None and response.status_code == 200

        if not remember or not signed_in(remember):
            self.find("low", "no working remember-me cookie was set (nothing to revoke)")
        else:
            self.call("POST", "/sign-out", session=session, data={"csrf_token": csrf(
                session.get(self.url + "/account", timeout=30).text)})
            if signed_in(remember):
                self.find("high", "a remember-me cookie taken before sign-out still signs in")
        # A token revoked on the account page.
        owner = self.browser(live.USERS["panel"][0])
        page = self.call("POST", "/account/tokens", session=owner, data={
            "scope": "write", "name": MARK, "csrf_token": self.csrf_of(owner)})
        secret = re.search(r"ase_[\w-]{20,}", page.text).group(0)
        token_id = max(int(i) for i in re.findall(r"/account/tokens/(\d+)/revoke", page.text))
        self.tokens["revoked"] = secret
        before = self.call("GET", "/api/v1/submissions", "revoked")
        self.call("POST", f"/account/tokens/{token_id}/revoke", session=owner,
                  data={"csrf_token": self.csrf_of(owner)})
        after = self.call("GET", "/api/v1/submissions", "revoked")
        if before is None or before.status_code != 200:
            self.find("low", "the new token did not work before it was revoked")
        elif after is None or after.status_code != 401:
            self.find("high", f"a revoked token still answers {after and after.status_code}")
        # A person deactivated by an admin: their token and their session end.
        email = LEAVER[0]
        leaver = self.browser(email)
        admin = self.browser(live.USERS["admin"][0])
        users = admin.get(self.url + "/admin/users", timeout=30).text
        user_id = re.search(rf'{re.escape(email)}<form[^>]*action="/admin/users/(\d+)"', users)
        if not user_id:
            self.find("low", "the admin users page did not show the user to deactivate")
            return
        self.call("POST", f"/admin/users/{user_id.group(1)}",
                  session=admin, data={"role": "panel", "name": "Leaver",
                                       "csrf_token": self.csrf_of(admin)})
        for who, response in (("token", self.call("GET", "/api/v1/submissions", "leaver")),
                              ("session", self.call("GET", "/account", session=leaver))):
            if response is not None and response.status_code == 200:
                self.find("high", f"a deactivated person's {who} still works")

    def privacy(self) -> None:
        self.area = "privacy"
        emails = [email for email, _ in live.USERS.values()] + [SECOND_SUBMITTER[0]]
        standard = self.json("/api/v1/standards?per_page=1")["items"][0]["id"]
        paths = ["/", "/standards", "/glossary", "/glossary/fairness", "/areas/human-rights",
                 f"/discuss/standard/{standard}", f"/standards/{standard}", "/bodies/IEEE",
                 f"/feeds/standards/{standard}.atom", f"/api/v1/threads/standard/{standard}",
                 "/api/v1/areas/human-rights", "/api/v1/concepts/fairness",
                 "/api/v1/export/glossary.tbx", "/api/v1/export/glossary.ttl",
                 "/api/v1/export/glossary.csv", f"/api/v1/standards/{standard}/evaluations",
                 "/api/v1/links", "/api/v1/definitions"]
        for path in paths:
            response = self.call("GET", path)
            if response is None:
                continue
            leaked = [e for e in emails if e in response.text]
            if leaked:
                self.find("high", f"{path} shows e-mail addresses to anonymous visitors",
                          ", ".join(leaked))

    def expensive_searches(self) -> None:
        self.area = "expensive searches"
        for query in ("L0*", "*", "a*", "i*", "?*", "fairnes~3", '"the of and to in a"',
                      "a " * 300, "(" * 200, "OR " * 100, "ISO*", "x" * 5000):
            for path in ("/api/v1/search", "/search", "/standards", "/api/v1/standards",
                         "/glossary"):
                self.call("GET", f"{path}?q={quote(query)}", limit=SEARCH_S)


def gunicorn_workers(master: int) -> list[int]:
    """The worker processes of a gunicorn master (its children)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def unsafe_markup(response: requests.Response) -> str | None:
    """What in an HTML page would run or embed something: a script carrying the payload, an
    event-handler attribute, a javascript:/data: URL, a frame (the registry's pages have none
    of their own). Escaped text ("&lt;img onerror=...") is text, not markup."""
    if "html" not in response.headers.get("Content-Type", "") or not response.text.strip():
        return None
    try:
        root = lxml_html.document_fromstring(response.text)
    except (ValueError, etree.ParserError):
        return None
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag in ("iframe", "frame", "object", "embed"):
            return f"<{tag}>"
        if tag == "script" and MARK in (element.text or ""):
            return "<script> holding the payload"
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                return f"<{tag} {name}={value[:60]!r}>"
            if name.lower() in URL_ATTRIBUTES and UNSAFE_SCHEME.match(value):
                return f"<{tag} {name}={value[:60]!r}>"
    return None


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    if not match:
        raise RuntimeError("no CSRF token in the form")
    return match.group(1)


def crafted(folder: Path) -> list[tuple[str, str, bytes | Path]]:
    """(name, format, bytes or a file): files named ``refuse-*`` must be refused whole."""
    xxe = (b'<?xml version="1.0"?><!DOCTYPE martif [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<martif type="TBX"><text><body><termEntry id="a"><langSet xml:lang="en"><tig>'
           b'<term>&x;</term></tig></langSet></termEntry></body></text></martif>')
    laughs = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">'.encode()
        for i in range(1, 10)) + b']><martif type="TBX"><text><body>&lol9;</body></text></martif>'
    hidden = b'<?xml version="1.0"?>\n<!-- ' + b"x" * 70_000 + b' -->\n' + xxe.split(b"?>", 1)[1]
    utf16 = xxe.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode(
        "utf-16")
    skos_xxe = (b'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/passwd">'
                b']><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                b'xmlns:skos="http://www.w3.org/2004/02/skos/core#"><skos:Concept '
                b'rdf:about="http://example.org/a"><skos:prefLabel>&x;</skos:prefLabel>'
                b'</skos:Concept></rdf:RDF>')
    sts_xxe = (b'<?xml version="1.0"?><!DOCTYPE standard [<!ENTITY x SYSTEM "file:///etc/passwd">'
               b']><standard><front><std-meta><std-ref>&x;</std-ref></std-meta></front>'
               b'</standard>')
    big = folder / "big.csv"
    with big.open("wb") as fh:
        fh.write(b"reference,title\n")
        row = b"ISO 1,Oversized " + b"y" * 1000 + b"\n"
        for _ in range(70_000):  # 70 MB: beyond the default MAX_CONTENT_LENGTH (64 MiB)
            fh.write(row)
    formula = (b"reference,title,bodies,type,status\n"
               b'"=HYPERLINK(""http://evil.example"",""x"")",=1+2,ISO,IS,published\n'
               b"ISO 99998:2026,@SUM(A1),ISO,IS,published\n")
    jsonl = b'{"reference": "ISO 99997:2026", "deliverableType": "IS"}\n{"reference": \n\x00\xff\n'
    return [
        ("refuse-xxe.tbx", "tbx", xxe),
        ("refuse-laughs.tbx", "tbx", laughs),
        ("refuse-hidden-entity.tbx", "tbx", hidden),
        ("refuse-utf16-entity.tbx", "tbx", utf16),
        ("refuse-xxe.skos", "skos", skos_xxe),
        ("refuse-xxe.sts", "sts", sts_xxe),
        ("refuse-truncated.tbx", "tbx", xxe[: len(xxe) // 2].replace(b"<!DOCTYPE", b"<!--")),
        ("refuse-oversized.csv", "csv", big),
        ("refuse-binary.tbx", "tbx", bytes(range(256)) * 100),
        ("formula.csv", "csv", formula),
        ("broken-lines.jsonl", "iso-open-data", jsonl),
        ("empty.csv", "csv", b""),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--out", type=Path, default=live.ROOT / "reports" / "attack")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="attack-")))
        url = live.database_url(stack, args.db, folder, args.postgres_url, "attack")
        env = live.registry_env(url, folder, SEARCH_RATE_LIMIT="100000/minute",
                                API_WRITE_LIMIT="100000/minute",
                                DEBATE_WRITE_RATE_LIMIT="100000/minute",
                                SIGN_IN_LIMIT="1000/minute")
        print(f"preparing a registry on {args.db} in {folder}", flush=True)
        live.prepare(env)
        live.flask(env, "users", "create", SECOND_SUBMITTER[0], "--role", "submitter",
                   *SECOND_SUBMITTER[1])
        live.flask(env, "users", "create", LEAVER[0], "--role", "panel", "--name", "Leaver")
        tokens = {role: mint(env, email, "write") for role, (email, _) in live.USERS.items()}
        tokens["submitter-iso"] = mint(env, SECOND_SUBMITTER[0], "write")
        tokens["panel-read"] = mint(env, live.USERS["panel"][0], "read")
        tokens["leaver"] = mint(env, LEAVER[0], "write")
        stack.enter_context(live.worker(env, folder / "worker.log"))
        served, master = stack.enter_context(live.gunicorn(env, folder / "gunicorn.log"))
        attack = Attack(served, env, tokens)
        attack.master = master.pid
        for name in ("authorization", "injection", "stored_markup", "concurrent_writers",
                     "sessions", "privacy", "expensive_searches"):
            getattr(attack, name)()
        attack.concurrent_writers(kill=True)
        attack.crafted_files(folder)
        log = (folder / "gunicorn.log").read_text(errors="replace")
    total = sum(sum(c.values()) for c in attack.requests.values())
    print(f"\nattack run on {args.db}: {total:,} requests in {time.monotonic() - started:.0f} s")
    for area, statuses in attack.requests.items():
        found = [f for f in attack.findings if f.area == area]
        worst = max((SEVERITIES.index(f.severity) for f in found), default=-1)
        answers = ", ".join(f"{code} x{n}" for code, n in sorted(statuses.items()))
        print(f"  {area:<20} {sum(statuses.values()):>6} requests  {len(found):>3} findings"
              + (f" (worst: {SEVERITIES[worst]})" if found else "") + f"  [{answers}]")
    for outcome in attack.outcomes:
        print(f"  {outcome}")
    for finding in sorted(attack.findings, key=lambda f: -SEVERITIES.index(f.severity)):
        print(f"  [{finding.severity}] {finding.area}: {finding.what}"
              + (f" -- {finding.detail[:160]!r}" if finding.detail else ""))
    tracebacks = log.count("Traceback (most recent call last)")
    print(f"  server log: {tracebacks} tracebacks")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.db}.json").write_text(json.dumps(
        {"requests": attack.requests, "files": attack.outcomes,
         "findings": [asdict(f) for f in attack.findings], "server_tracebacks": tracebacks},
        indent=2))
    above_low = [f for f in attack.findings if f.severity != "low"]
    return 1 if above_low or tracebacks else 0


def mint(env: dict[str, str], email: str, scope: str) -> str:
    output = live.flask(env, "users", "token", email, "--scope", scope).stdout
    return re.findall(r"\S{24,}", output)[-1]


if __name__ == "__main__":
    sys.exit(main())
