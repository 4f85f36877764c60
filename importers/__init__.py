"""Importers: one module per source format, every one yielding the same exchange records.

``FORMATS`` maps the name used on the command line and in the API to the module's reader.
"""

from importers import registry_jsonl, skos, sts, tbx
from importers.pipeline import Reader

FORMATS: dict[str, Reader] = {
    "registry": registry_jsonl.read,
    "skos": skos.read,
    "sts": sts.read,
    "tbx": tbx.read,
}
