"""One writer per record kind, each ``write(run, entries) -> outcomes``, in bulk."""

from collections.abc import Callable

from registry.ingest.records import Entry, Outcome
from registry.ingest.run import Run
from registry.ingest.writers import (
    areas,
    bodies,
    committees,
    concepts,
    definitions,
    links,
    standards,
)

Writer = Callable[[Run, list[Entry]], list[Outcome]]

WRITERS: dict[str, Writer] = {
    "body": bodies.write,
    "committee": committees.write,
    "area": areas.write,
    "standard": standards.write,
    "concept": concepts.write,
    "definition": definitions.write,
    "link": links.write,
}

def finish(run: Run) -> list[Outcome]:
    """What needs the whole run (concept relations), then the run's derived data."""
    outcomes = concepts.finish(run)
    run.finish()
    return outcomes
