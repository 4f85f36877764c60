"""Configuration from the environment. The names are fixed: other tools rely on them.

| variable          | default                                              |
|-------------------|------------------------------------------------------|
| DATABASE_URL      | SQLite file ``registry.sqlite3`` in the instance folder |
| SEARCH_BACKEND    | ``whoosh`` (or ``postgres``)                          |
| SEARCH_INDEX_DIR  | ``search-index`` beside the SQLite file (instance folder otherwise) |
| SECRET_KEY        | generated into ``instance/secret_key`` on first start |
| RATELIMIT_STORAGE_URI | ``memory://`` (use redis:// with several workers)  |
| REDIS_URL         | unset; when set, jobs use Redis (RedisHuey)          |
| JOBS_QUEUE        | ``redis`` with REDIS_URL, else ``sqlite`` (or ``immediate``) |
| JOBS_QUEUE_FILE   | ``jobs-queue.sqlite3`` beside the SQLite file (instance folder otherwise) |
| JOBS_DIR          | ``jobs`` beside it: uploads waiting for their job (shared by all workers) |
| HARVEST_FILE_ROOTS | folders local harvest sources may be read from (``:``-separated) |
"""

import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

ENV_SETTINGS = (
    "DATABASE_URL",
    "SEARCH_BACKEND",
    "SEARCH_INDEX_DIR",
    "SEARCH_DRAIN",
    "SECRET_KEY",
    "RATELIMIT_STORAGE_URI",
    "BASE_URL",
    "MAIL_SERVER",
    "GAP_STALE_YEARS",
    "GAP_MIN_PUBLISHED",
    "GAP_DIVERGENCE_THRESHOLD",
    "GAP_EVIDENCE_LIMIT",
    "GAP_FIGURE_BODIES",
    # accounts: mail for reset links and invitations, limits, where uploads wait for review
    "MAIL_PORT",
    "MAIL_FROM",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "UPLOAD_DIR",
    "SUBMISSION_FILE_LIMIT",
    "SUBMISSION_PENDING_FILES_MAX",
    "SIGN_IN_LIMIT",
    "SIGN_IN_ACCOUNT_LIMIT",
    "API_WRITE_LIMIT",
    "POST_EDIT_WINDOW_MINUTES",
    "DEBATE_WRITE_RATE_LIMIT",
    "SEARCH_RATE_LIMIT",
    # the size of an uploaded import file (bytes)
    "MAX_CONTENT_LENGTH",
    "IMPORT_MAX_BYTES",
    # jobs and harvesting (app/jobs.py)
    "REDIS_URL",
    "JOBS_QUEUE",
    "JOBS_QUEUE_FILE",
    "JOBS_DIR",
    "HARVEST_FILE_ROOTS",
    "HARVEST_MAX_BYTES",
    "HARVEST_TIMEOUT",
)

# Gap rules (registry.services.gaps): name -> (default, type). Documented in the README.
GAP_SETTINGS = {
    "GAP_STALE_YEARS": (5, int),
    "GAP_MIN_PUBLISHED": (3, int),
    "GAP_DIVERGENCE_THRESHOLD": (0.5, float),
    "GAP_EVIDENCE_LIMIT": (50, int),
    "GAP_FIGURE_BODIES": ("ITU-T,ISO,IEC,IEEE", str),
}


def normalise_database_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` mean psycopg 3 here; say so explicitly."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _secret_key(instance: Path) -> str:
    """The key from the instance folder, created (readable by the owner only) on first start."""
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def build_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {
        "DATABASE_URL": f"sqlite:///{instance / 'registry.sqlite3'}",
        "SEARCH_BACKEND": "whoosh",
        "RATELIMIT_STORAGE_URI": "memory://",
        "BASE_URL": "http://127.0.0.1:5000",
        # Debate: how long an author may edit a post; how often one client may write.
        "POST_EDIT_WINDOW_MINUTES": 30,
        "DEBATE_WRITE_RATE_LIMIT": "30 per minute",
    }
    config.update({k: os.environ[k] for k in ENV_SETTINGS if os.environ.get(k)})
    config.update(overrides or {})

    for name, (default, kind) in GAP_SETTINGS.items():
        try:
            config[name] = kind(config.get(name, default))
        except ValueError:
            noun = "an integer" if kind is int else "a number"
            raise ValueError(f"{name} must be {noun}, not {config[name]!r}") from None

    config["POST_EDIT_WINDOW_MINUTES"] = int(config["POST_EDIT_WINDOW_MINUTES"])
    url = normalise_database_url(config["DATABASE_URL"])
    config["DATABASE_URL"] = url
    config["SQLALCHEMY_DATABASE_URI"] = url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 10}})
    else:
        # pre_ping: a restarted database is reconnected to without restarting the app.
        config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    # The index and the job queue live beside a SQLite file, else in the instance folder.
    beside = Path(parsed.database).parent if parsed.get_backend_name() == "sqlite" \
        and parsed.database and parsed.database != ":memory:" else instance
    if not config.get("SEARCH_INDEX_DIR"):
        config["SEARCH_INDEX_DIR"] = str(beside / "search-index")
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _secret_key(instance)

    config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    config.setdefault("SESSION_COOKIE_SECURE", config["BASE_URL"].startswith("https://"))
    config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    config.setdefault("REMEMBER_COOKIE_SECURE", config["SESSION_COOKIE_SECURE"])
    config["MAX_CONTENT_LENGTH"] = int(config.get("MAX_CONTENT_LENGTH", 64 * 1024 * 1024))
    config["IMPORT_MAX_BYTES"] = int(config.get("IMPORT_MAX_BYTES", config["MAX_CONTENT_LENGTH"]))
    config.setdefault("SQLALCHEMY_TRACK_MODIFICATIONS", False)
    # accounts (app/auth): token lifetimes in seconds, rate limits in Flask-Limiter's notation
    config.setdefault("RESET_TOKEN_MAX_AGE", 3600)
    config.setdefault("INVITE_TOKEN_MAX_AGE", 7 * 24 * 3600)
    config.setdefault("SIGN_IN_LIMIT", "10 per minute")  # per client address
    config.setdefault("SIGN_IN_ACCOUNT_LIMIT", "5 per minute;20 per hour")  # refusals, per e-mail
    config.setdefault("RESET_LIMIT", "5 per minute")
    config.setdefault("API_WRITE_LIMIT", "60 per minute")
    config.setdefault("SEARCH_RATE_LIMIT", "120/minute")  # searches per client, page and API
    config.setdefault("MAIL_PORT", "25")
    config.setdefault("MAIL_FROM", "registry@localhost")
    config.setdefault("UPLOAD_DIR", str(instance / "uploads"))
    # file submissions: how often one submitter may upload, how many may wait for review
    config.setdefault("SUBMISSION_FILE_LIMIT", "5 per minute;30 per day")
    config.setdefault("SUBMISSION_PENDING_FILES_MAX", 10)
    config["SUBMISSION_PENDING_FILES_MAX"] = int(config["SUBMISSION_PENDING_FILES_MAX"])
    # jobs: the queue (one machine: SQLite beside the database; several: Redis), where uploads
    # wait for their job (shared by every worker's machine), what harvests may fetch
    config.setdefault("JOBS_QUEUE", "redis" if config.get("REDIS_URL") else "sqlite")
    config.setdefault("JOBS_QUEUE_FILE", str(beside / "jobs-queue.sqlite3"))
    config.setdefault("JOBS_DIR", str(beside / "jobs"))
    roots = config.get("HARVEST_FILE_ROOTS") or ()
    config["HARVEST_FILE_ROOTS"] = tuple(
        p for p in (roots.split(os.pathsep) if isinstance(roots, str) else roots) if p)
    config["HARVEST_MAX_BYTES"] = int(config.get("HARVEST_MAX_BYTES", 512 * 1024 * 1024))
    config["HARVEST_TIMEOUT"] = float(config.get("HARVEST_TIMEOUT", 30))
    # flask-smorest / OpenAPI
    config.setdefault("API_TITLE", "AI Standards Exchange")
    config.setdefault("API_VERSION", "v1")
    config.setdefault("OPENAPI_VERSION", "3.0.3")
    config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    return config
