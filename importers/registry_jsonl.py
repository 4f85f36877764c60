"""The registry's own exchange format: JSON Lines, one exchange record per line.

Each line is an object with a ``record`` naming its kind (body, committee, area, standard,
concept, definition, link) and the fields of that kind's schema in
``registry.schemas.records``. The demo catalogue
ships in this format and is loaded through the same pipeline as every other file.
"""

import json
from collections.abc import Iterator

from importers.pipeline import ImportOptions, Record, RefusedFile, Rejected, Source


def read(source: Source, options: ImportOptions) -> Iterator[Record | Rejected]:
    with source.open() as fh:
        for number, raw in enumerate(fh, start=1):
            location = f"{source.name}:{number}"
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8").strip()
            except UnicodeDecodeError as exc:
                raise RefusedFile(f"{location}: not UTF-8 text ({exc.reason} at byte "
                                  f"{exc.start})") from None
            if not line:
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Rejected(location, f"not JSON: {exc.msg} at column {exc.colno}")
                continue
            if not isinstance(data, dict) or not isinstance(data.get("record"), str):
                yield Rejected(location, "each line must be an object with a 'record' kind")
                continue
            yield Record(data["record"], data, location)
