"""The area tree in SQL: an area covers the standards tagged to it *and to any area below it*.

A standard on fairness is also a trustworthiness standard. ``closure`` gives that relation (a
recursive CTE, on SQLite and PostgreSQL alike), so counts never need a walk of the tree in
Python.
"""

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from registry.models import Area, standard_areas


def closure():
    """CTE ``(ancestor_id, area_id)``: every area with itself and each of its descendants.

    ``UNION`` rather than ``UNION ALL``: a cycle (which edits refuse anyway) cannot loop.
    """
    base = select(Area.id.label("ancestor_id"), Area.id.label("area_id"))
    tree = base.cte("area_closure", recursive=True)
    child = aliased(Area)
    return tree.union(
        select(tree.c.ancestor_id, child.id).where(child.parent_id == tree.c.area_id)
    )


def covered(tree=None) -> Select:
    """``(area_id, standard_id)``: each standard once for every area it falls under."""
    tree = tree if tree is not None else closure()
    return (
        select(tree.c.ancestor_id.label("area_id"), standard_areas.c.standard_id)
        .join(standard_areas, standard_areas.c.area_id == tree.c.area_id)
        .distinct()
    )


def descendant_ids(area_slug: str) -> Select:
    """The ids of the area named ``area_slug`` and of every area below it (a subquery)."""
    tree = closure()
    return (
        select(tree.c.area_id)
        .join(Area, Area.id == tree.c.ancestor_id)
        .where(Area.slug == area_slug)
    )
