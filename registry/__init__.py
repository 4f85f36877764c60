"""The registry core: models, services, schemas, search and exports.

Nothing in this package imports Flask, so scripts, workers, importers and tests can use it with a
plain SQLAlchemy session (see ``registry.db``).
"""
