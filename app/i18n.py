"""The interface in the six UN languages (Flask-Babel).

The reader's language is, in order: the one saved in their account (signed in), the one in the
``lang`` cookie (set by the switch on every page), the best match of ``Accept-Language``, else
English. The API (``/api/``) follows ``Accept-Language`` alone. Languages are BCP 47 tags, as
labels in the glossary are (``zh-Hans``); catalogues live in
``translations/<locale>/LC_MESSAGES/messages.po`` with Babel's locale id (``zh_Hans``).

Only the ``.po`` files are kept in git: ``compile_catalogues`` writes a ``.mo`` beside each one
that is missing or older, when the app starts (a few milliseconds), so a fresh clone, the tests
and ``make run`` need no extra step. ``make translations`` extracts, updates and compiles.
"""

import logging
import os
import tempfile
from pathlib import Path

from babel.core import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    make_response,
    redirect,
    request,
    url_for,
)
from flask_babel import Babel
from flask_login import current_user

from app.extensions import csrf, db

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"

# The interface languages, in the order the switch offers them (the UN's own order).
LANGUAGES = ("ar", "zh-Hans", "en", "fr", "ru", "es")
DEFAULT_LANGUAGE = "en"
RTL = frozenset({"ar"})
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

bp = Blueprint("i18n", __name__)


def babel_locale(language: str) -> str:
    """``zh-Hans`` -> ``zh_Hans``: Babel's locale id, also the catalogue's folder name."""
    return language.replace("-", "_")


def supported(language: str | None) -> str | None:
    """One of LANGUAGES for a tag a reader sent (case-insensitive; any Chinese reads
    Simplified, the one Chinese catalogue), else None."""
    if not language:
        return None
    tag = language.strip().replace("_", "-").lower()
    for code in LANGUAGES:
        if tag == code.lower():
            return code
    primary = tag.split("-")[0]
    if primary == "zh":
        return "zh-Hans"
    return primary if primary in LANGUAGES else None


def from_accept_language() -> str | None:
    for tag, _quality in request.accept_languages:
        found = supported(tag)
        if found:
            return found
    return None


def reader_language() -> str:
    """The interface language of this request (memoized on ``g``)."""
    cached = g.get("reader_language")
    if cached:
        return cached
    if request.path.startswith("/api/"):
        # An API client says what it reads in each request: its error messages follow
        # Accept-Language alone (field names and codes never change).
        language = from_accept_language()
    else:
        language = None
        try:
            if current_user and current_user.is_authenticated:
                language = supported(getattr(current_user, "language", None))
        except Exception:  # no user loader yet, a broken database: the other sources decide
            language = None
        language = language or supported(request.cookies.get(COOKIE)) or from_accept_language()
    g.reader_language = language or DEFAULT_LANGUAGE
    return g.reader_language


def text_dir() -> str:
    return "rtl" if reader_language() in RTL else "ltr"


def _select_locale() -> str:
    return babel_locale(reader_language())


def language_names() -> list[tuple[str, str]]:
    """(tag, the language's own name) for the switch: a reader finds their language by the
    name they write it with."""
    return [(code, Locale.parse(babel_locale(code)).get_display_name(babel_locale(code)))
            for code in LANGUAGES]


@bp.post("/language")
@csrf.exempt
def switch_language():
    """Keep the chosen language (cookie, and the account when signed in) and go back to the
    page the reader was on: a local path only, anything else goes home. An anonymous reader's
    switch carries no CSRF token (it would give every public page a session cookie; a forged
    post could only change a cookie's language); a signed-in reader's does, as it writes to
    their account."""
    from app.auth.views import safe_next

    if current_user.is_authenticated and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    language = supported(request.form.get("lang")) or DEFAULT_LANGUAGE
    target = safe_next(request.form.get("next")) or url_for("web.home")
    response = make_response(redirect(target, code=303))
    response.set_cookie(COOKIE, language, max_age=COOKIE_MAX_AGE, samesite="Lax",
                        secure=request.is_secure, httponly=True)
    if current_user.is_authenticated and getattr(current_user, "language", None) != language:
        current_user.language = language
        db.session.commit()
    return response


def compile_catalogues(folder: Path = TRANSLATIONS) -> list[Path]:
    """Write ``messages.mo`` beside every ``messages.po`` that has none or an older one; the
    written files are returned. Written to a temporary file and renamed, so workers starting
    together never read half a catalogue."""
    written = []
    for po in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as handle:
            catalogue = read_po(handle, locale=po.parent.parent.name)
        try:
            fd, tmp = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
            with os.fdopen(fd, "wb") as handle:
                write_mo(handle, catalogue, use_fuzzy=False)
            os.replace(tmp, mo)
            written.append(mo)
        except OSError as exc:  # a read-only install: its .mo files were compiled at build
            log.warning("cannot compile %s: %s", po, exc)
    return written


def template_globals() -> dict:
    return {"reader_language": reader_language, "text_dir": text_dir,
            "INTERFACE_LANGUAGES": language_names()}


def _per_request() -> None:
    """The language is the request's: forget what an app context that outlives requests (a
    test's, a CLI's) remembered from an earlier one (Flask-Babel keeps its locale in ``g``)."""
    g.pop("_flask_babel", None)
    g.pop("reader_language", None)


def _vary(response):
    """The answer depends on the reader's language: a cache in front must keep one copy per
    language (pages read the ``lang`` cookie too)."""
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


def register(app: Flask) -> None:
    compile_catalogues()
    app.before_request(_per_request)
    app.after_request(_vary)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=_select_locale, timezone_selector=lambda: "UTC")
    app.jinja_env.globals.update(template_globals())
    app.register_blueprint(bp)


def fill_english(folder: Path = TRANSLATIONS) -> int:
    """English is the source language: its catalogue repeats every msgid (``make
    translations`` runs this after updating). Returns how many messages it filled."""
    from babel.messages.pofile import write_po

    po = folder / "en" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalogue = read_po(handle, locale="en")
    filled = 0
    for message in catalogue:
        if not message.id:
            continue
        wanted = tuple(message.id) if message.pluralizable else message.id
        if message.string != wanted:
            message.string, filled = wanted, filled + 1
        message.flags.discard("fuzzy")
    with po.open("wb") as handle:
        write_po(handle, catalogue, width=0)
    return filled


if __name__ == "__main__":  # python -m app.i18n english
    import sys

    if sys.argv[1:] == ["english"]:
        print(f"English catalogue: {fill_english()} messages filled")
