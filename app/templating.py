"""Jinja filters and globals shared by every page."""

from datetime import date, datetime
from functools import lru_cache

from flask import Flask, current_app, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app.auth.guard import allowed
from registry import markdown
from registry.models import vocab

STATUS_LABELS = {
    "proposed": "Proposed",
    "under_development": "Under development",
    "published": "Published",
    "withdrawn": "Withdrawn",
    "superseded": "Superseded",
}

LANGUAGE_NAMES = {
    "ar": "العربية", "zh-Hans": "中文（简体）", "zh-Hant": "中文（繁體）", "zh": "中文",
    "en": "English", "fr": "Français", "ru": "Русский", "es": "Español", "de": "Deutsch",
    "it": "Italiano", "ja": "日本語", "ko": "한국어", "pt": "Português", "nl": "Nederlands",
}


def text_direction(language: str | None) -> str:
    if not language:
        return "ltr"
    primary = language.split("-")[0]
    return "rtl" if language in vocab.RTL_LANGUAGES or primary in vocab.RTL_LANGUAGES else "ltr"


def format_date(value: date | datetime | None, with_time: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")
    return value.isoformat()


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    for key in [k for k, v in changes.items() if v is None]:
        args.pop(key, None)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


# The main navigation; an entry shows once its page exists.
NAV = (
    ("web.standards", "Standards"),
    ("web.glossary_index", "Glossary"),
    ("web.gaps", "Gaps"),
    ("web.bodies", "Bodies"),
    ("web.search", "Search"),
)


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


@lru_cache(maxsize=256)
def lang_attrs(language: str | None) -> Markup:
    """lang and dir attributes for an element holding text in ``language`` (cached: a long
    glossary page asks for them thousands of times)."""
    if not language:
        return Markup("")
    return Markup('lang="{}" dir="{}"').format(language, text_direction(language))


def person(user, absent: str = "a former user") -> str:
    """Who did something, as this reader may see them: display name and role for everyone,
    the e-mail address too for admins and for the person themself."""
    if user is None:
        return absent
    viewer = current_user
    if viewer.is_authenticated and (viewer.role == "admin" or viewer.id == user.id):
        return f"{user.public_name} ({user.email})"
    return user.public_name


def register(app: Flask) -> None:
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["status_label"] = lambda s: STATUS_LABELS.get(s, s or "")
    app.jinja_env.filters["language_name"] = lambda code: LANGUAGE_NAMES.get(code, code)
    # Sanitized by registry.markdown (markdown-it without raw HTML, then nh3): safe to mark.
    app.jinja_env.filters["markdown"] = lambda text: Markup(markdown.render(text))
    app.jinja_env.globals.update(
        url_with=url_with,
        has_endpoint=has_endpoint,
        person=person,
        allowed=allowed,
        NAV=NAV,
        lang_attrs=lang_attrs,
        text_direction=text_direction,
        UN_LANGUAGES=vocab.UN_LANGUAGES,
        STATUS_LABELS=STATUS_LABELS,
        RELATION_INVERSE=vocab.RELATION_INVERSE,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
