"""All models, imported here so ``Base.metadata`` is complete wherever it is used."""

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
from registry.models.gaps import Annotation
from registry.models.glossary import (
    Concept,
    ConceptLabel,
    ConceptRelation,
    Definition,
    DefinitionLink,
    concept_areas,
)
from registry.models.outbox import SearchOutbox
from registry.models.people import User
from registry.models.provenance import ImportBatch, Revision

__all__ = [
    "Annotation",
    "Area",
    "Base",
    "Body",
    "Committee",
    "Concept",
    "ConceptLabel",
    "ConceptRelation",
    "Definition",
    "DefinitionLink",
    "ImportBatch",
    "Revision",
    "SearchOutbox",
    "Standard",
    "StandardRelation",
    "User",
    "committee_bodies",
    "concept_areas",
    "standard_areas",
    "standard_bodies",
]
