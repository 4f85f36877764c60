"""Fetch a harvest source's file, safely: http(s) with conditional requests, or a local file
under a folder the operator allowed; bounded in time, size and redirects.

What arrives is only written to ``dest``: reading it is the importers' job, under the same
safe-XML rules as any upload.
"""

import hashlib
import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

CHUNK = 1 << 16
USER_AGENT = "ai-standards-exchange-harvester/1.0"


class FetchError(Exception):
    """The source could not be fetched; the message says why, in words for the run's page."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 512 * 1024 * 1024
    timeout: float = 30.0  # seconds, for connecting and for each read
    max_redirects: int = 3
    file_roots: tuple[Path, ...] = ()  # the folders local sources may be read from


@dataclass(frozen=True)
class Fetched:
    not_modified: bool
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    checksum: str | None = None  # sha256 of what was written to dest
    size: int = 0


def check_location(url: str, limits: Limits) -> None:
    """Refuse what may never be harvested: other schemes, files outside the allowed folders."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("http", "https"):
        if not urlsplit(url).hostname:
            raise FetchError(f"{url!r} names no host")
        return
    if scheme in ("", "file"):
        _local_path(url, limits)
        return
    raise FetchError(f"only http, https and local files can be harvested, not {scheme}:")


def _local_path(url: str, limits: Limits) -> Path:
    raw = unquote(urlsplit(url).path) if url.startswith("file:") else url
    path = Path(raw).resolve()
    roots = [root.resolve() for root in limits.file_roots]
    if not any(path.is_relative_to(root) for root in roots):
        allowed = ", ".join(str(r) for r in roots) or "none (set HARVEST_FILE_ROOTS)"
        raise FetchError(f"{path} is outside the folders harvests may read: {allowed}")
    return path


def fetch(url: str, dest: Path, limits: Limits, *, etag: str | None = None,
          last_modified: str | None = None) -> Fetched:
    check_location(url, limits)
    if urlsplit(url).scheme.lower() in ("http", "https"):
        return _fetch_http(url, dest, limits, etag, last_modified)
    path = _local_path(url, limits)
    try:
        with path.open("rb") as src:
            return _copy(src, dest, limits, None)
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from None


class _Redirects(urllib.request.HTTPRedirectHandler):
    """At most ``limit`` redirects, and only to http(s)."""

    def __init__(self, limit: int) -> None:
        self.max_redirections = limit

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise FetchError(f"redirected to {newurl!r}: only http(s) is followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _fetch_http(url: str, dest: Path, limits: Limits, etag: str | None,
                last_modified: str | None) -> Fetched:
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    # No proxy from the environment and no other scheme's handler: only what is configured.
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler({}), urllib.request.HTTPHandler(),
                    urllib.request.HTTPSHandler(), urllib.request.HTTPErrorProcessor(),
                    urllib.request.HTTPDefaultErrorHandler(), _Redirects(limits.max_redirects)):
        opener.add_handler(handler)
    try:
        with opener.open(urllib.request.Request(url, headers=headers),
                         timeout=limits.timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                raise FetchError(f"the source is {int(declared):,} bytes; the limit is "
                                 f"{limits.max_bytes:,}")
            fetched = _copy(response, dest, limits, response.status)
            # Read in chunks, a connection cut short ends the body early without an error.
            if declared and declared.isdigit() and fetched.size != int(declared):
                raise FetchError(f"the transfer broke off after {fetched.size:,} of "
                                 f"{int(declared):,} bytes")
            return Fetched(False, response.status, response.headers.get("ETag"),
                           response.headers.get("Last-Modified"), fetched.checksum, fetched.size)
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(True, 304, etag, last_modified)
        if 300 <= exc.code < 400:  # urllib refuses a loop, too many, or another scheme
            raise FetchError(f"redirect not followed: {exc.reason}") from None
        raise FetchError(f"the server answered {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise FetchError(f"cannot reach {urlsplit(url).netloc}: {exc.reason}") from None
    except TimeoutError:
        raise FetchError(f"no answer within {limits.timeout:g} s") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:  # cut off mid-way
        raise FetchError(f"the transfer broke off: {exc}") from None


def _copy(src, dest: Path, limits: Limits, status: int | None) -> Fetched:
    digest = hashlib.sha256()
    size = 0
    with dest.open("wb") as out:
        while block := src.read(CHUNK):
            size += len(block)
            if size > limits.max_bytes:
                raise FetchError(f"the source is over the limit of {limits.max_bytes:,} bytes")
            digest.update(block)
            out.write(block)
    return Fetched(False, status, checksum=digest.hexdigest(), size=size)

