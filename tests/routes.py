"""The registry's write routes, read from the app's URL map (the permission matrix test and the
attack run share them, so no route can be forgotten by either)."""

from werkzeug.routing import Rule

from registry import policy

SAFE = {"GET", "HEAD", "OPTIONS"}

# Writes open to anonymous visitors by nature, each with its own protection.
PUBLIC_WRITES = {
    "auth.sign_in": "signing in: CSRF and a rate limit per address",
    "auth.sign_out": "signing out ends whatever session there is; POST with CSRF",
    "auth.reset_request": "asking for a reset link: same answer for every email, rate limited",
    "auth.set_password": "needs a signed, expiring, single-use link; rate limited",
    "i18n.switch_language": "sets the language cookie; signed in, also the account's (with CSRF)",
}

DUMMY = {"int": "987654", "string": "no-such-thing", "path": "no/such/thing"}


def dummy_url(rule: Rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__.lower()
        values[name] = DUMMY["int"] if "integer" in converter else DUMMY["string"]
    path = rule.rule
    for name, value in values.items():
        path = path.replace(f"<{name}>", value)
        for prefix in ("int", "string", "path", "any"):
            path = path.replace(f"<{prefix}:{name}>", value)
    return path


def guarded_routes(app) -> list[tuple[str, str, str, str]]:
    """(endpoint, method, url, action) for every guarded route; fails on an unguarded write."""
    found, unguarded = [], []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        action = getattr(view, "policy_action", None)
        writes = set(rule.methods) - SAFE
        if action is None:
            if writes and rule.endpoint not in PUBLIC_WRITES:
                unguarded.append(f"{rule.rule} {sorted(writes)} ({rule.endpoint})")
            continue
        assert action in policy.RULES, f"{rule.endpoint}: unknown action {action}"
        for method in sorted(set(rule.methods) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, dummy_url(rule), action))
    assert not unguarded, "write routes without @guarded(...) from app/auth/guard.py: " + "; ".join(
        unguarded
    )
    return found
