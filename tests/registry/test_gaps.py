"""Gap rules on hand-built catalogues: each rule, its reason and its evidence."""

from datetime import date

from sqlalchemy import select

from registry.models import Standard
from registry.services import gaps
from tests import factories as f

TODAY = date(2026, 6, 1)
T = gaps.Thresholds(stale_years=5, divergence=0.5, evidence_limit=50, today=TODAY)


def ids(session, *references: str) -> list[int]:
    rows = dict(session.execute(select(Standard.reference, Standard.id)).all())
    return sorted(rows[r] for r in references)


def by_slug(session, t=T) -> dict[str, gaps.AreaGaps]:
    return {a.slug: a for a in gaps.compute(session, t)}


def flags(area: gaps.AreaGaps) -> dict[str, gaps.Flag]:
    return {fl.rule: fl for fl in area.flags}


def test_an_area_with_only_drafts(session):
    f.load(session, f.area("drafts"),
           f.standard("ISO/IEC DIS 1", status="under_development", published=None,
                      areas=["drafts"]),
           f.standard("ISO/IEC DIS 2", status="proposed", published=None, areas=["drafts"]),
           f.standard("ISO/IEC 3:2001", status="withdrawn", published="2001-01-01",
                      areas=["drafts"]))
    area = by_slug(session)["drafts"]
    found = flags(area)
    # ISO/IEC drafts: two bodies, so no one-body flag.
    assert set(found) == {"no-published", "no-measurement", "drafts-only"}
    assert sorted(found["drafts-only"].evidence) == ids(session, "ISO/IEC DIS 1", "ISO/IEC DIS 2")
    assert found["drafts-only"].reason.startswith("Only drafts: 2 standards in development")
    # no-published counts every document of the area: the drafts and the withdrawn one.
    assert found["no-published"].evidence_total == 3
    assert area.stats["published"] == 0 and area.stats["developing"] == 2


def test_only_one_body_and_nothing_else(session):
    f.load(session, f.area("one"),
           f.standard("IEEE 1-2024", bodies=["IEEE"], committee=None, published="2024-01-01",
                      measurement_evaluation=True, areas=["one"]),
           f.standard("IEEE P2", bodies=["IEEE"], committee=None, status="under_development",
                      published=None, areas=["one"]))
    area = by_slug(session)["one"]
    assert list(flags(area)) == ["one-body"]
    flag = flags(area)["one-body"]
    assert "IEEE" in flag.reason and "2 published or developing standards" in flag.reason
    assert sorted(flag.evidence) == ids(session, "IEEE 1-2024", "IEEE P2")
    assert area.severity == "low"


def test_every_published_standard_old(session):
    f.load(session, f.area("old"),
           f.standard("ISO/IEC 10:2010", published="2010-03-01", measurement_evaluation=True,
                      areas=["old"]),
           f.standard("ISO/IEC 11:2019", published="2019-03-01", areas=["old"]),
           f.standard("ISO/IEC 12:2024", status="superseded", published="2024-03-01",
                      areas=["old"]))
    area = by_slug(session)["old"]
    assert list(flags(area)) == ["stale"]
    flag = flags(area)["stale"]
    assert "2019-03-01" in flag.reason and "5 years" in flag.reason
    assert sorted(flag.evidence) == ids(session, "ISO/IEC 10:2010", "ISO/IEC 11:2019")
    # The threshold is configuration: ten years makes the same area fresh.
    later = gaps.Thresholds(stale_years=10, today=TODAY)
    assert by_slug(session, later)["old"].flags == []


def test_almost_no_standards_when_a_minimum_is_set(session):
    f.load(session, f.area("thin"), f.area("covered"), f.area("empty"),
           f.standard("ISO/IEC 20:2025", published="2025-03-01", measurement_evaluation=True,
                      areas=["thin", "covered"]),
           f.standard("ISO/IEC 21:2025", published="2025-04-01", areas=["thin", "covered"]),
           f.standard("ISO/IEC 22:2025", published="2025-05-01", areas=["covered"]),
           f.standard("ISO/IEC DIS 23", status="under_development", published=None,
                      areas=["thin"]))
    assert "thin" not in flags(by_slug(session)["thin"])  # off unless configured
    found = by_slug(session, gaps.Thresholds(min_published=3, today=TODAY))
    flag = flags(found["thin"])["thin"]
    assert flag.reason == ("Only 2 published standards in all, fewer than 3: the area is "
                           "barely covered (1 more in development).")
    assert sorted(flag.evidence) == ids(session, "ISO/IEC 20:2025", "ISO/IEC 21:2025")
    assert "thin" not in flags(found["covered"])
    assert set(flags(found["empty"])) == {"no-published", "no-measurement"}  # not "thin" too


def test_no_measurement_standard(session):
    f.load(session, f.area("unmeasured"),
           f.standard("ISO/IEC 20:2024", published="2024-01-01", areas=["unmeasured"]),
           f.standard("IEEE 21-2025", bodies=["IEEE"], committee=None, published="2025-01-01",
                      areas=["unmeasured"]),
           f.standard("IEEE P22", bodies=["IEEE"], committee=None, status="under_development",
                      published=None, measurement_evaluation=True, areas=["unmeasured"]))
    area = by_slug(session)["unmeasured"]
    assert list(flags(area)) == ["no-measurement"]
    flag = flags(area)["no-measurement"]
    assert sorted(flag.evidence) == ids(session, "ISO/IEC 20:2024", "IEEE 21-2025")
    assert "2 published standards" in flag.reason


def test_a_covered_area_and_an_empty_one(session):
    f.load(session, f.area("covered"), f.area("empty"),
           f.standard("ISO/IEC 30:2024", published="2024-01-01", measurement_evaluation=True,
                      areas=["covered"]))
    found = by_slug(session)
    assert found["covered"].flags == [] and found["covered"].severity is None
    empty = flags(found["empty"])
    assert set(empty) == {"no-published", "no-measurement"}
    assert empty["no-published"].reason.endswith("and none is in development.")
    assert empty["no-published"].evidence == []


def test_a_parent_counts_the_standards_below_it(session):
    f.load(session, f.area("root"), f.area("child", parent="root"),
           f.area("grandchild", parent="child"),
           f.standard("ISO/IEC 40:2024", published="2024-01-01", measurement_evaluation=True,
                      areas=["grandchild", "root"]),
           f.standard("IEEE 41-2024", bodies=["IEEE"], committee=None, published="2024-05-01",
                      areas=["child"]))
    found = by_slug(session)
    # Tagged to root and grandchild, ISO/IEC 40 counts once for root.
    assert found["root"].stats["published"] == 2
    assert found["child"].stats["published"] == 2 and found["child"].stats["bodies"] == 3
    assert found["grandchild"].stats["published"] == 1
    assert found["root"].flags == [] and found["child"].flags == []
    assert [a.slug for a in gaps.compute(session, T)] == ["root", "child", "grandchild"]
    assert [a.depth for a in gaps.compute(session, T)] == [0, 1, 2]


def test_evidence_is_capped_and_the_total_kept(session):
    f.load(session, f.area("many"), *[
        f.standard(f"ISO/IEC {100 + i}:2024", published="2024-01-01", areas=["many"])
        for i in range(7)
    ])
    capped = gaps.Thresholds(evidence_limit=3, today=TODAY)
    flag = flags(by_slug(session, capped)["many"])["no-measurement"]
    assert flag.evidence_total == 7 and len(flag.evidence) == 3
    assert flag.evidence == ids(session, "ISO/IEC 100:2024", "ISO/IEC 101:2024",
                                "ISO/IEC 102:2024")


def test_severity_is_the_gravest_rule_and_one_step_more_when_three_agree(session):
    f.load(session, f.area("thin"),
           f.standard("IEEE 50-2015", bodies=["IEEE"], committee=None, published="2015-01-01",
                      areas=["thin"]))
    area = by_slug(session)["thin"]
    assert set(area.rules) == {"no-measurement", "one-body", "stale"}
    assert area.severity == "high"  # medium, raised one step by three agreeing rules


def test_rules_are_functions_in_a_list():
    assert [gaps.rule_code(r) for r in gaps.RULES] == [
        "no-published", "no-measurement", "one-body", "drafts-only", "stale", "thin",
        "contested-concepts"]
    assert gaps.rule_titles()["drafts-only"] == "Drafts only"


def test_coverage_cells_count_published_and_developing_per_body(session):
    f.load(session, f.area("cov"),
           f.standard("ISO/IEC 60:2024", published="2024-01-01", areas=["cov"]),
           f.standard("ISO/IEC DIS 61", status="under_development", published=None,
                      areas=["cov"]),
           f.standard("IEEE P62", bodies=["IEEE"], committee=None, status="proposed",
                      published=None, areas=["cov"]))
    cov = gaps.coverage(session, T)
    area = next(a for a in cov.areas if a.slug == "cov")
    assert (cov.cell(area.area_id, "ISO").published, cov.cell(area.area_id, "ISO").developing) \
        == (1, 1)
    assert (cov.cell(area.area_id, "IEEE").published, cov.cell(area.area_id, "IEEE").developing) \
        == (0, 1)
    assert [code for code, _ in cov.bodies] == ["IEC", "ISO", "IEEE"]
    assert cov.is_gap(area, "IEEE") and not cov.is_gap(area, "ISO")  # flagged: no M&E


def test_standards_per_year_groups_other_bodies(session):
    f.load(session,
           f.standard("ISO/IEC 70:2023", published="2023-02-01"),
           f.standard("ISO/IEC 71:2023", published="2023-09-01", status="superseded"),
           f.standard("IEEE 72-2021", bodies=["IEEE"], committee=None, published="2021-01-01"),
           f.standard("NIST AI 73", bodies=["NIST"], committee=None, type="Framework",
                      published="2023-01-26"),
           f.standard("ISO/IEC DIS 74", status="under_development", published=None))
    data = gaps.standards_per_year(session, ("ISO", "IEEE"))
    assert data.years == [2021, 2022, 2023]
    assert data.series == ["ISO", "IEEE", "Others"]
    # IEC (joint with ISO) and NIST are Others; the ISO/IEC pair counts once there.
    assert data.count("ISO", 2023) == 2 and data.count("Others", 2023) == 3
    assert data.count("IEEE", 2021) == 1 and data.year_total(2022) == 0


def test_memo_recomputes_after_a_write(session):
    memo = gaps.Memo()
    f.load(session, f.area("memo"))
    first = memo.get(session, "k", lambda: gaps.compute(session, T))
    assert memo.get(session, "k", lambda: 1 / 0) is first  # a hit: not recomputed
    f.load(session, f.standard("ISO/IEC 80:2024", published="2024-01-01", areas=["memo"]))
    second = memo.get(session, "k", lambda: gaps.compute(session, T))
    assert second is not first
    assert next(a for a in second if a.slug == "memo").stats["published"] == 1
    assert (memo.hits, memo.misses) == (1, 2)


def test_memo_is_keyed_by_the_catalogue_version_not_by_other_writes(session):
    from registry.models import User
    from registry.services import debate, tokens

    memo = gaps.Memo()
    f.load(session, f.area("memo"), f.standard("ISO/IEC 81:2024", areas=["memo"]))
    first = memo.get(session, "k", lambda: gaps.compute(session, T))
    user = User(email="panel@example.org", name="Panel", role="panel")
    session.add(user)
    session.flush()
    tokens.create_token(session, user, scope="read", name="t")
    standard = session.scalar(select(Standard))
    debate.create_post(session, user, "standard", standard.id, "A thought on this standard.")
    session.commit()
    assert memo.get(session, "k", lambda: 1 / 0) is first  # posts and tokens: still a hit


def test_memo_computes_a_missing_value_once_for_concurrent_requests(session):
    import threading

    memo, calls, started = gaps.Memo(), [], threading.Event()

    def compute():
        calls.append(1)
        started.set()
        release.wait(5)
        return "value"

    release = threading.Event()
    results = []
    threads = [threading.Thread(target=lambda: results.append(memo.get(None, "k", compute, 7)))
               for _ in range(3)]
    threads[0].start()
    started.wait(5)
    for t in threads[1:]:
        t.start()
    release.set()
    for t in threads:
        t.join(5)
    assert results == ["value"] * 3 and len(calls) == 1
