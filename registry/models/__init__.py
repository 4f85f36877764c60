"""All models, imported here so ``Base.metadata`` is complete wherever it is used."""

# The SQLite connection settings (foreign keys, WAL, busy timeout) belong to the core: whoever
# uses the models (the app, a script, a test) gets them on every connection of every engine.
import registry.db  # noqa: F401
from registry.models.base import Base
from registry.models.catalogue import (
    Area,
    Body,
    Committee,
    Standard,
    StandardRelation,
    committee_bodies,
    standard_areas,
    standard_bodies,
)
from registry.models.debate import Evaluation, Follow, Post, PostFlag, StandardProcess
from registry.models.derived import AreaCoverage, CatalogueState, YearCoverage
from registry.models.gaps import Annotation
from registry.models.glossary import (
    Concept,
    ConceptLabel,
    ConceptRelation,
    Definition,
    DefinitionLink,
    DefinitionSimilarity,
    concept_areas,
)
from registry.models.jobs import HarvestItem, HarvestRun, HarvestSource, Job
from registry.models.outbox import SearchOutbox
from registry.models.people import User
from registry.models.provenance import ImportBatch, Revision
from registry.models.search import SearchDocument, SearchWord
from registry.models.submissions import Submission
from registry.models.tokens import ApiToken

__all__ = [
    "Annotation",
    "AreaCoverage",
    "ApiToken",
    "Area",
    "Base",
    "Body",
    "CatalogueState",
    "Committee",
    "Concept",
    "ConceptLabel",
    "ConceptRelation",
    "Definition",
    "DefinitionLink",
    "DefinitionSimilarity",
    "Evaluation",
    "Follow",
    "HarvestItem",
    "HarvestRun",
    "HarvestSource",
    "ImportBatch",
    "Job",
    "Post",
    "PostFlag",
    "Revision",
    "SearchDocument",
    "SearchOutbox",
    "SearchWord",
    "Standard",
    "StandardProcess",
    "StandardRelation",
    "Submission",
    "User",
    "YearCoverage",
    "committee_bodies",
    "concept_areas",
    "standard_areas",
    "standard_bodies",
]
