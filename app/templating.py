"""Jinja filters and globals shared by every page."""

from datetime import date, datetime
from functools import lru_cache

from babel.core import Locale, UnknownLocaleError
from flask import Flask, current_app, request, url_for
from flask_babel import format_date as babel_format_date
from flask_babel import (
    format_datetime,
    format_decimal,
    format_number,
    get_locale,
    gettext,
    ngettext,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from app.auth.guard import allowed
from registry import markdown
from registry.models import vocab
from registry.text import Message

STATUS_LABELS = {
    "proposed": _l("Proposed"),
    "under_development": _l("Under development"),
    "published": _l("Published"),
    "withdrawn": _l("Withdrawn"),
    "superseded": _l("Superseded"),
}

# A submission's state and kind (registry.models: pending, approved, rejected).
SUBMISSION_STATUS_LABELS = {
    "pending": _l("Pending"), "approved": _l("Approved"), "rejected": _l("Rejected"),
}
SUBMISSION_KIND_LABELS = {
    "definition": _l("definition"), "standard": _l("standard"),
    "standard_change": _l("standard change"), "import_file": _l("file"),
}

# Background work: a job's state, a harvest run's outcome, an import batch's state, a schedule.
JOB_STATUS_LABELS = {
    "queued": _l("Queued"), "running": _l("Running"), "done": _l("Done"), "failed": _l("Failed"),
    "not_modified": _l("Not modified"), "unchanged": _l("Unchanged"), "imported": _l("Imported"),
    "refused": _l("Refused"), "committed": _l("Committed"),
}
INTERVAL_LABELS = {
    0: _l("only when asked"), 1: _l("every hour"), 24: _l("every day"), 168: _l("every week"),
}

# Read from the standard on the page: "replaces ISO 1234".
RELATION_LABELS = {
    "replaces": _l("replaces"),
    "replaced_by": _l("replaced by"),
    "amends": _l("amends"),
    "amended_by": _l("amended by"),
    "adopts": _l("adopts"),
    "adopted_as": _l("adopted as"),
}
# Links between definitions (and relations between concepts: broader, narrower, related).
LINK_TYPE_LABELS = {
    "exact": _l("exact"),
    "close": _l("close"),
    "broader": _l("broader"),
    "narrower": _l("narrower"),
    "related": _l("related"),
    "conflicting": _l("conflicting"),
}
LINK_STATE_LABELS = {
    "proposed": _l("proposed"),
    "accepted": _l("accepted"),
    "rejected": _l("rejected"),
}

# The gap rules' titles, by rule code (registry.services.gaps states them in English).
RULE_TITLES = {
    "no-published": _l("No published standard"),
    "no-measurement": _l("No measurement or evaluation standard"),
    "one-body": _l("Only one body"),
    "drafts-only": _l("Drafts only"),
    "stale": _l("Every published standard is old"),
    "thin": _l("Almost no standards"),
    "contested-concepts": _l("Contested concepts with no agreed definition"),
}
SEVERITY_LABELS = {
    "critical": _l("Critical"), "high": _l("High"), "medium": _l("Medium"), "low": _l("Low"),
}
AREA_KIND_LABELS = {
    "trustworthiness": _l("Trustworthiness"), "governance": _l("Governance"),
    "lifecycle": _l("Life cycle"), "sector": _l("Sector"),
}
ANNOTATION_STATUS_LABELS = {
    "open": _l("Open"), "confirmed": _l("Confirmed"), "dismissed": _l("Dismissed"),
    "addressed": _l("Addressed"),
}

BODY_KIND_LABELS = {
    "international_sdo": _l("international standards body"),
    "regional_sdo": _l("regional standards body"),
    "national": _l("national standards body"),
    "intergovernmental": _l("intergovernmental organization"),
    "legislation": _l("legislation"),
    "consortium": _l("consortium"),
    "other": _l("other source"),
}


def text_direction(language: str | None) -> str:
    if not language:
        return "ltr"
    primary = language.split("-")[0]
    return "rtl" if language in vocab.RTL_LANGUAGES or primary in vocab.RTL_LANGUAGES else "ltr"


def format_date(value: date | datetime | None, with_time: bool = False) -> str:
    """A date (or a UTC time) as the reader's language writes it (Babel, medium length)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if with_time:
            return format_datetime(value, "medium") + " UTC"
        value = value.date()
    return babel_format_date(value, "medium")


def language_name(code: str | None) -> str:
    """A language tag (``fr``, ``zh-Hans``) named in the reader's language (Babel's CLDR data);
    an unknown tag is shown as it is."""
    if not code:
        return ""
    try:
        name = Locale.parse(code, sep="-").get_display_name(get_locale())
    except (ValueError, UnknownLocaleError):
        return code
    return name or code


def number(value) -> str:
    """An integer with the reader's grouping (1,390 / 1 390 / ١٬٣٩٠)."""
    return "" if value is None else format_number(value)


def decimal(value, places: int = 2) -> str:
    """A score to a fixed number of places, with the reader's decimal sign."""
    if value is None:
        return ""
    return format_decimal(value, format="0." + "0" * places if places else "0")


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    for key in [k for k, v in changes.items() if v is None]:
        args.pop(key, None)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


# The main navigation; an entry shows once its page exists.
NAV = (
    ("web.standards", _l("Standards")),
    ("web.glossary_index", _l("Glossary")),
    ("web.gaps", _l("Gaps")),
    ("web.bodies", _l("Bodies")),
    ("web.search", _l("Search")),
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


def translate_message(msg: Message) -> str:
    """A sentence the core composed (``registry.text.Message``), in the reader's language."""
    params = dict(msg.params)
    if msg.plural is not None:
        return ngettext(msg.msgid, msg.plural, msg.count, **params)
    return gettext(msg.msgid, **params)


def register(app: Flask) -> None:
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["status_label"] = lambda s: (
        STATUS_LABELS.get(s) or SUBMISSION_STATUS_LABELS.get(s) or s or "")
    app.jinja_env.filters["language_name"] = language_name
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["message"] = translate_message
    app.jinja_env.filters["decimal"] = decimal
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
        relation_label=lambda t: RELATION_LABELS.get(t, (t or "").replace("_", " ")),
        link_type_label=lambda t: LINK_TYPE_LABELS.get(t, t),
        link_state_label=lambda t: LINK_STATE_LABELS.get(t, t),
        rule_title=lambda code, title=None: RULE_TITLES.get(code, title or code),
        severity_label=lambda s: SEVERITY_LABELS.get(s, s),
        submission_kind_label=lambda k: SUBMISSION_KIND_LABELS.get(k, (k or "").replace("_", " ")),
        body_kind_label=lambda k: BODY_KIND_LABELS.get(k, (k or "").replace("_", " ")),
        area_kind_label=lambda k: AREA_KIND_LABELS.get(k, k),
        annotation_status_label=lambda s: ANNOTATION_STATUS_LABELS.get(s, s),
        job_status_label=lambda s: JOB_STATUS_LABELS.get(s, (s or "").replace("_", " ")),
        interval_label=lambda h: INTERVAL_LABELS.get(h, h),
        RELATION_INVERSE=vocab.RELATION_INVERSE,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
