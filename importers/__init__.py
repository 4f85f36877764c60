"""Importers: one module per source format, every one yielding the same exchange records.

``FORMATS`` maps the name used on the command line and in the API to the module's reader.
"""

from importers import (
    csv_template,
    ieee,
    iso_open_data,
    itu,
    registry_jsonl,
    relaton,
    skos,
    sts,
    tbx,
)
from importers.pipeline import Reader

FORMATS: dict[str, Reader] = {
    "registry": registry_jsonl.read,
    "iso-open-data": iso_open_data.read,
    "ieee": ieee.read,
    "itu": itu.read,
    "relaton": relaton.read,
    "csv": csv_template.read,
    "sts": sts.read,
    "tbx": tbx.read,
    "skos": skos.read,
}
