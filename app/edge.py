"""What no request may carry into the registry, decided before any view runs.

NUL (U+0000): no stored or searched text may hold it, and PostgreSQL refuses it in any text, so
a filter or a slug passing one on answered 500. In the address, the query string or a form it
is refused with 400, located as webargs locates errors (``{"query": {"body": [...]}}``). JSON
bodies are not checked here: every text they carry is cleaned (``registry.text.clean`` removes
control characters) before it is stored, which ``tests/debate/test_permissions.py`` checks on
PostgreSQL.
"""

from flask import Flask, request
from flask_babel import lazy_gettext as _l

from app.errors import respond

NUL_REFUSED = _l("The request holds a NUL character (U+0000), which no text in the registry may "
                 "contain.")


def refuse_nul():
    message = str(NUL_REFUSED)
    errors: dict[str, object] = {}
    places = [("query", request.args)]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        places.append(("form", request.form))
    for place, values in places:
        # A multipart part may come without a name (None).
        bad = {name: [message] for name, vs in values.lists()
               if "\x00" in (name or "") or any("\x00" in v for v in vs)}
        if bad:
            errors[place] = bad
    if "\x00" in request.path:
        errors["path"] = [message]
    return respond(400, "Bad Request", message, errors) if errors else None


def register(app: Flask) -> None:
    app.before_request(refuse_nul)

