"""The write path: every catalogue and glossary record goes into the registry here.

Imports (through ``importers.pipeline``), the demo loader, approved submissions and panel edits
all write through ``load`` (a stream, validated once, written in chunks) on a ``Run`` (one
write's context: caches, audit and search buffers, derived data). One writer per record kind
(``writers``), in bulk; merge rules per field (``merge``); the coverage rollups and
``catalogue_version`` kept as the writers go (``coverage``, ``version``); divergence recomputed
for the concepts a write touched. Nothing here commits: the caller owns the transaction.
"""

from registry.ingest.load import Report, Stream, load, validate
from registry.ingest.records import (
    Deferred,
    Entry,
    Outcome,
    Record,
    RecordError,
    Refused,
    Rejected,
    Warning,
)
from registry.ingest.run import Run
from registry.ingest.writers import WRITERS, finish
from registry.ingest.writers.definitions import definition_lineage

__all__ = [
    "WRITERS",
    "Deferred",
    "Entry",
    "Outcome",
    "Record",
    "RecordError",
    "Refused",
    "Rejected",
    "Report",
    "Run",
    "Stream",
    "Warning",
    "definition_lineage",
    "finish",
    "load",
    "validate",
]
