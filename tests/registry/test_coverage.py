"""The coverage rollups the writers keep always equal a count from scratch, whatever was written."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from registry.ingest import coverage
from registry.models import Area
from registry.policy import OPERATOR
from registry.services.areas import edit_area, get_area
from tests import factories as f

AREAS = ["trust", "fairness", "bias", "safety", "energy"]
PARENTS = {"fairness": "trust", "bias": "fairness", "safety": "trust"}
BODIES = [["ISO"], ["IEC"], ["ISO", "IEC"], ["IEEE"], ["ITU-T"]]

standards = st.fixed_dictionaries({
    "n": st.integers(0, 5),  # which of six references: later writes change earlier ones
    "areas": st.lists(st.sampled_from(AREAS), max_size=3, unique=True),
    "bodies": st.sampled_from(BODIES),
    "status": st.sampled_from(["published", "under_development", "withdrawn", "proposed"]),
    "type": st.sampled_from(["IS", "TR"]),
    "published": st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2030, 12, 31)).map(str)),
    "measurement_evaluation": st.booleans(),
})


def _setup(session):
    f.load(session, *[f.area(slug, **({"parent": PARENTS[slug]} if slug in PARENTS else {}))
                      for slug in AREAS])


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(standards, min_size=1, max_size=12))
def test_rollups_equal_a_recount_after_any_writes(session, writes):
    # The database lives across examples: each one writes on top of the ones before.
    if session.scalar(select(Area.id).limit(1)) is None:
        _setup(session)
    for w in writes:
        record = f.standard(f"ISO {1000 + w['n']}:2020", bodies=w["bodies"], areas=w["areas"],
                            status=w["status"], type=w["type"], published=w["published"],
                            measurement_evaluation=w["measurement_evaluation"], committee=None)
        if record["published"] is None:
            record.pop("published")
        f.load(session, record)
    kept = coverage.snapshot(session)
    coverage.rebuild(session)
    assert coverage.snapshot(session) == kept
    session.rollback()


def test_moving_an_area_counts_its_standards_under_the_new_parent(session):
    _setup(session)
    f.load(session, f.standard("ISO 1:2020", areas=["energy"], committee=None))
    edit_area(session, OPERATOR, get_area(session, "energy"), {"parent": "trust"})
    session.commit()
    areas, _ = coverage.snapshot(session)
    trust = session.scalar(select(Area.id).where(Area.slug == "trust"))
    assert sum(n for (area, *_), (n, _) in areas.items() if area == trust) == 1
    kept = coverage.snapshot(session)
    coverage.rebuild(session)
    assert coverage.snapshot(session) == kept
