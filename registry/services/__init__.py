"""Use cases of the registry, as plain functions on a SQLAlchemy session.

Every write goes through a service; the caller (a web view, an API resource, the CLI, the import
pipeline) owns the transaction and commits. Permission checks live in ``registry.policy``.
"""
