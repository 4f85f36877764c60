"""Controlled vocabularies, in one place so schemas, forms, importers and pages agree.

Values are stored as plain strings (validated by the schemas) rather than database enums, so a
later migration can add a value without rebuilding tables on SQLite.
"""

BODY_KINDS = (
    "international_sdo",
    "regional_sdo",
    "national",
    "intergovernmental",
    "legislation",
    "consortium",
    "other",
)

DOC_TYPES = (
    "IS",  # International Standard
    "TS",  # Technical Specification
    "TR",  # Technical Report
    "PAS",  # Publicly Available Specification
    "Guide",
    "Amd",  # amendment
    "Cor",  # corrigendum
    "Recommendation",  # ITU-T / ITU-R
    "Supplement",
    "Std",  # IEEE standard
    "RP",  # IEEE recommended practice
    "EN",  # European Standard
    "CWA",  # CEN workshop agreement
    "Framework",  # non-SDO frameworks such as the NIST AI RMF
    "Other",
)

STANDARD_STATUSES = ("proposed", "under_development", "published", "withdrawn", "superseded")
# Statuses that count as "in development" in coverage figures.
DEVELOPMENT_STATUSES = ("proposed", "under_development")

# identical_to: a twin text, the same text published by two bodies (ITU-T Y.3500 | ISO/IEC 17788).
RELATION_TYPES = ("replaces", "replaced_by", "amends", "amended_by", "adopts", "adopted_as",
                  "identical_to")
# The inverse of each relation, so both ends can be shown from either standard.
RELATION_INVERSE = {
    "replaces": "replaced_by",
    "replaced_by": "replaces",
    "amends": "amended_by",
    "amended_by": "amends",
    "adopts": "adopted_as",
    "adopted_as": "adopts",
    "identical_to": "identical_to",
}

DESIGNATION_TYPES = ("preferred", "admitted", "deprecated", "abbreviation", "symbol")
DEFINITION_STATUSES = ("current", "superseded")
DEFINITION_NATURES = ("technical", "socio_technical")

# SKOS mapping vocabulary plus "conflicting" (the sources disagree on substance).
LINK_TYPES = ("exact", "close", "broader", "narrower", "related", "conflicting")
LINK_INVERSE = {
    "exact": "exact",
    "close": "close",
    "broader": "narrower",
    "narrower": "broader",
    "related": "related",
    "conflicting": "conflicting",
}
LINK_STATES = ("proposed", "accepted", "rejected")

AREA_KINDS = ("trustworthiness", "governance", "lifecycle", "sector")

ROLES = ("admin", "panel", "submitter")

# The six official UN languages first, in the order pages offer them.
UN_LANGUAGES = ("ar", "zh-Hans", "zh-Hant", "en", "fr", "ru", "es")
RTL_LANGUAGES = ("ar", "he", "fa", "ur", "ps", "yi", "dv", "sd", "ug", "ku-Arab")

AUDIT_PATHS = ("web", "api", "import", "review", "cli", "demo", "system", "harvest")

# Gap annotations by the panel.
ANNOTATION_STATUSES = ("open", "confirmed", "dismissed", "addressed")
SEVERITIES = ("low", "medium", "high", "critical")
# Debate and evaluation (registry.models.debate). Entries a thread can be about, and entries a
# user can follow (their changes come as a "followed" page and as Atom feeds).
THREAD_KINDS = ("standard", "concept", "definition", "link", "area")
FOLLOW_KINDS = ("standard", "concept", "area", "body")
# Process metadata of a standard: who took part and how open the text is.
STAKEHOLDER_GROUPS = (
    "industry", "sme", "government", "regulator", "academia", "research", "civil_society",
    "consumers", "trade_unions", "standards_body", "intergovernmental", "other",
)
TEXT_ACCESS = ("free", "paid", "mixed", "unknown")
