"""Timestamps in API output: the registry stores naive UTC (registry/clock.py), and an
OpenAPI ``date-time`` is RFC 3339, which needs an offset: so output says ``+00:00``."""

from datetime import UTC, datetime

from marshmallow import fields


class UtcDateTime(fields.DateTime):
    def _serialize(self, value: datetime | None, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)
