"""Reading the text formats (JSON, JSON Lines, CSV) the catalogue importers share.

Every helper refuses a file whole (``RefusedFile``) when it is not UTF-8 text or not the shape
asked for, and turns a bad line or row into a ``Rejected`` with ``file:line``, so the good ones
are kept. Lines are read with a length cap: one runaway line cannot fill the memory.
"""

import csv
import html
import json
import re
from collections.abc import Iterator
from typing import Any

import nh3

from importers.pipeline import RefusedFile, Rejected, Source
from registry.text import clean

MAX_LINE_BYTES = 1 << 20  # one JSON Lines record or CSV line
MAX_JSON_BYTES = 200 << 20  # a whole JSON document is parsed in memory; bigger: use JSON Lines

csv.field_size_limit(MAX_LINE_BYTES)


class LongLine(Exception):
    pass


def raw_lines(source: Source) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line; ``None`` for a line longer than MAX_LINE_BYTES."""
    with source.open() as fh:
        number = 0
        while True:
            line = fh.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            number += 1
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                while (rest := fh.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                    pass
                yield number, None
                continue
            yield number, line


def decode(source: Source, number: int, line: bytes) -> str:
    try:
        return line.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        raise RefusedFile(
            f"{source.name}:{number}: not UTF-8 text ({exc.reason} at byte "
            f"{exc.start}); save the file as UTF-8"
        ) from None


def first_text(source: Source) -> str:
    """The first non-blank characters of the file (to tell JSON from JSON Lines from CSV);
    an empty or blank file is refused."""
    with source.path.open("rb") as fh:
        head = fh.read(4096)
    try:
        start = head.decode("utf-8-sig").lstrip()[:64]
    except UnicodeDecodeError:
        # The cut may fall inside a character; decode what is certainly whole.
        start = head[:-4].decode("utf-8-sig", errors="replace").lstrip()[:64]
    if not start:
        raise RefusedFile(f"{source.name}: the file is empty")
    return start


def json_lines(source: Source) -> Iterator[tuple[str, dict] | Rejected]:
    """Each line a JSON object: (location, object), or a Rejected for a bad line."""
    for number, raw in raw_lines(source):
        location = f"{source.name}:{number}"
        if raw is None:
            yield Rejected(location, f"the line is longer than {MAX_LINE_BYTES:,} bytes")
            continue
        text = decode(source, number, raw).strip()
        if not text:
            continue
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            reason = (
                f"{exc.msg} at column {exc.colno}"
                if isinstance(exc, json.JSONDecodeError)
                else "nested too deeply"
            )
            yield Rejected(location, f"not JSON: {reason}")
            continue
        if not isinstance(data, dict):
            yield Rejected(location, "each line must be a JSON object")
            continue
        yield location, data


def whole_text(source: Source) -> str:
    """The whole file as UTF-8 text (a BOM is dropped); refused whole when it is not UTF-8."""
    with source.open() as fh:
        data = fh.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RefusedFile(
            f"{source.name}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None


def json_document(source: Source) -> Any:
    """The whole file as one JSON value (a single record, or a list of records)."""
    if source.size > MAX_JSON_BYTES:
        raise RefusedFile(
            f"{source.name}: a JSON document of {source.size:,} bytes is too big "
            f"to read at once (limit {MAX_JSON_BYTES:,}); use JSON Lines"
        )
    text = whole_text(source)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RefusedFile(
            f"{source.name}: not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise RefusedFile(f"{source.name}: JSON nested too deeply") from None


def csv_rows(
    source: Source, required: tuple[str, ...], what: str
) -> Iterator[tuple[str, dict[str, str]] | Rejected]:
    """Each CSV row as {column: text}, with the location of its first line.

    The header must name every column in ``required`` (otherwise the file is not ``what``).
    """

    def text_lines() -> Iterator[str]:
        for number, raw in raw_lines(source):
            if raw is None:
                raise RefusedFile(
                    f"{source.name}:{number}: a line longer than "
                    f"{MAX_LINE_BYTES:,} bytes; is this a CSV file?"
                )
            yield decode(source, number, raw)

    reader = csv.reader(text_lines())
    try:
        header = next(reader)
    except StopIteration:
        raise RefusedFile(f"{source.name}: the file is empty") from None
    except csv.Error as exc:
        raise RefusedFile(f"{source.name}: not CSV: {exc}") from None
    header = [clean(h) for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise RefusedFile(
            f"{source.name}: not {what}: the header has no "
            f"{', '.join(repr(m) for m in missing)} column"
        )
    while True:
        start = reader.line_num + 1
        location = f"{source.name}:{start}"
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Rejected(location, f"not a CSV row: {exc}")
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            yield Rejected(location, f"{len(row)} cells but the header has {len(header)} columns")
            continue
        yield location, dict(zip(header, row, strict=False))


_LIST_SPLIT = re.compile(r"\s*[;|]\s*")


def split_list(value: Any) -> list[str]:
    """A list cell: a JSON-ish ``[a, b]`` (ISO's CSV export) or ``a; b`` or ``a | b``."""
    if value is None:
        return []
    if isinstance(value, list):
        return [text for v in value if v is not None and (text := clean(str(v)))]
    text = clean(str(value))
    if text.startswith("[") and text.endswith("]"):
        parts = text[1:-1].split(",")
    else:
        parts = _LIST_SPLIT.split(text)
    return [p.strip().strip("\"'") for p in parts if p.strip().strip("\"'") and p.strip() != "null"]


_BLOCK_END = re.compile(r"</(p|li|div|h\d|tr)>|<br\s*/?>|<(ul|ol|li)\b[^>]*>", re.IGNORECASE)


def html_text(value: str | None) -> str | None:
    """Plain text from the HTML some bodies put in a scope: tags dropped, blocks kept apart."""
    if not value:
        return None
    spaced = _BLOCK_END.sub(lambda m: m.group(0) + " ", value)
    # nh3 with no allowed tag strips them all and drops comments; then unescape entities.
    text = nh3.clean(spaced, tags=set(), strip_comments=True)
    return clean(html.unescape(text)) or None
