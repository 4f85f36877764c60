"""schemathesis against /api/v1/openapi.json, in-process: every operation, every check.

Each generated request (valid and invalid) must get an answer the OpenAPI document promises:
no 500, a documented status code and content type, a body matching the response schema, and
invalid input refused with a 4xx. The short run here is part of ``make test`` (a few examples
per operation; signed-in identities only on the operations that need credentials);
``make fuzz`` runs the same with many more examples (``FUZZ_MAX_EXAMPLES``) and then the
schemathesis CLI against gunicorn.

Calls go anonymously and as a user of each role: with an ``Authorization: Bearer`` token where
the registry mints them (``flask users token``), else with the user's session cookie.
"""

import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from app.extensions import db as flask_db
from tests.auth import make_user, sign_in

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))
LONG_RUN = MAX_EXAMPLES > 100
ROLES = ("submitter", "panel", "admin")


AGENT = "registry-fuzz"


def _mint_token(app, user) -> str | None:
    """A write-scoped bearer token for ``user``; None while the registry has no tokens."""
    users = app.cli.get_command(app.app_context(), "users")
    if users is None or users.get_command(app.app_context(), "token") is None:
        return None
    result = app.test_cli_runner().invoke(args=["users", "token", user.email, "--scope", "write"])
    assert result.exit_code == 0, result.output
    tokens = re.findall(r"\S{24,}", result.output)
    assert tokens, f"no token printed: {result.output!r}"
    return tokens[-1]


def _session_cookie(app, user) -> str:
    """The session cookie of ``user`` signed in, for requests sent with ``AGENT``."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = AGENT
    sign_in(client, user)
    return client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session")).value


@pytest.fixture(scope="module")
def credentials(demo_app) -> dict[str, dict[str, str]]:
    """Headers per identity: a bearer token per role where the registry mints them, else the
    role's signed-in session cookie (the API's writes accept either)."""
    identities: dict[str, dict[str, str]] = {"anonymous": {}}
    for role in ROLES:
        user = make_user(flask_db.session, role, body="IEEE" if role == "submitter" else None)
        token = _mint_token(demo_app, user)
        identities[role] = (
            {"Authorization": f"Bearer {token}"}
            if token
            else {"Cookie": f"session={_session_cookie(demo_app, user)}", "User-Agent": AGENT}
        )
    return identities


@pytest.fixture(scope="module")
def api_schema(demo_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo_app)


def _fuzz(operation, mode: GenerationMode, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=not LONG_RUN,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=headers)

    run()


def _needs_credentials(operation) -> bool:
    responses = operation.definition.raw.get("responses", {})
    return operation.method.upper() != "GET" or "401" in responses or "403" in responses


# Hypothesis is driven here rather than through schemathesis' pytest plugin, whose lazy schema
# fixture does not run under pytest 9 (it reads Function._nodeid).
@pytest.mark.parametrize("mode", (GenerationMode.POSITIVE, GenerationMode.NEGATIVE), ids=str)
@pytest.mark.parametrize("who", ("anonymous", *ROLES))
def test_api_conforms_to_its_schema(api_schema, credentials, who, mode):
    headers = credentials[who]
    failures, operations = [], 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        if who != "anonymous" and not LONG_RUN and not _needs_credentials(operation):
            continue  # public reads answer alike for everyone: the short run fuzzes them once
        try:
            _fuzz(operation, mode, headers)
        except Unsatisfiable:
            continue  # nothing to violate: no parameters, or only free-form strings
        except Exception as exc:  # every operation is fuzzed; all failures are reported together
            failures.append(f"{operation.label}:\n{exc}")
    assert operations >= 6, "the OpenAPI document lost its operations"
    assert not failures, "\n\n".join(failures)
