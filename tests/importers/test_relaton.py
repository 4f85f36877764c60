"""Relaton bibliographic records: the real IEEE and ITU samples, and hand-written edge cases."""

import datetime

from sqlalchemy import select

from registry.models import ImportBatch, Standard
from tests import factories
from tests.importers.catalogue_helpers import FIXTURES, count, problems, real, run


def standard(session, reference: str) -> Standard:
    return session.scalar(select(Standard).where(Standard.reference == reference))


# -- the real samples ----------------------------------------------------------------------


def test_real_ieee_bibdata_xml(session):
    report = run("relaton", real("ieee", "relaton-bibdata_05491847.xml"))
    assert (report.exit_code, report.created, report.rejected) == (0, 1, [])
    draft = standard(session, "IEEE Std P802.11u/D-9.0")  # the docidentifier, not the ™ one
    assert draft.title.startswith("IEEE Draft Standard for Information Technology")
    assert (draft.doc_type, draft.status) == ("Std", "withdrawn")  # an Inactive draft
    assert draft.body_codes == ["IEEE"]
    assert draft.published == datetime.date(2010, 6, 15)  # issued: IEEE's approval date
    assert draft.committee.reference == (
        "Local and Metropolitan Area Networks of IEEE Computer Society")
    assert draft.ics == ["35.100.10", "35.100.20", "35.110"]
    assert draft.keywords[:3] == ["IEEE standards", "Multiaccess communication",
                                  "Emergency services"]
    assert draft.url == "https://ieeexplore.ieee.org/document/5491847"
    assert draft.scope is None  # abstracts are the body's text: not imported


def test_real_ieee_yaml(session):
    report = run("relaton", real("ieee", "relaton_ieee_528_2019.yaml"))
    assert (report.exit_code, report.created) == (0, 1)
    ieee528 = standard(session, "IEEE 528-2019")
    assert (ieee528.title, ieee528.status) == ("IEEE Standard for Inertial Sensor Terminology",
                                               "published")
    # The designation's year is the approval year (issued), not the Xplore date (published).
    assert ieee528.published == datetime.date(2019, 6, 13)
    assert ieee528.url == "https://standards.ieee.org/ieee/528/7292/"
    assert ieee528.committee.reference == "AES/GA - Gyro Accelerometer Panel"


def test_real_itu_bibitem_xml(session):
    report = run("relaton", real("itu", "relaton_itu_t_h_264.xml"))
    assert (report.exit_code, report.created) == (0, 1)
    h264 = standard(session, "ITU-T H.264 (V14) (08/2021)")
    assert h264.title == "Advanced video coding for generic audiovisual services"
    # The record's stage says Withdrawal; ITU's status letter (-S in its link) says superseded.
    assert (h264.doc_type, h264.status) == ("Recommendation", "superseded")
    assert (h264.published, h264.edition) == (datetime.date(2021, 8, 22), "14")
    assert h264.body_codes == ["ITU-T"]
    # complementOf relations (to supplements) do not say which replaces which: not carried.
    assert h264.relations == []


# -- hand-written edge cases ----------------------------------------------------------------


def test_yaml_stream_keeps_the_good_records_and_locates_the_bad(session):
    factories.load(session, factories.body("3GPP", kind="consortium"))  # not a known body
    report = run("relaton", FIXTURES / "relaton-mixed.yaml")
    assert (report.exit_code, report.created) == (1, 5)
    assert problems(report) == {
        "relaton-mixed.yaml:44": "not YAML: did not find expected ',' or ']'",
        "relaton-mixed.yaml:45": "docidentifier: missing (no reference for the document)",
        "relaton-mixed.yaml:79": "docidentifier 'ACME 1:2024' (type ACME) names no body the "
        "registry knows; give the source body (--body)",
    }
    iso = standard(session, "ISO/IEC 42001:2023")
    assert (iso.doc_type, iso.status, iso.stage_code) == ("IS", "published", "60.60")
    # The record gives only the month: its first day, with the precision "month".
    assert (iso.published, iso.published_precision) == (datetime.date(2023, 12, 1), "month")
    assert (iso.source_id, iso.url) == ("81230", "https://www.iso.org/standard/81230.html")
    assert iso.committee.reference == "ISO/IEC JTC 1/SC 42"
    assert iso.body_codes == ["IEC", "ISO"]
    assert iso.ics == ["03.100.70", "35.020"]
    assert iso.extra["titles"]["fr"].startswith("Technologies de l'information")
    itu = standard(session, "ITU-T P.565 (01/2020)")  # schema 1.5
    assert (itu.status, itu.published) == ("superseded", datetime.date(2020, 1, 13))
    assert itu.committee.reference == "ITU-T Study Group 12"
    threegpp = standard(session, "3GPP TS 28.105:REL-18/1.1.0")
    assert (threegpp.status, threegpp.doc_type, threegpp.committee.reference) == (
        "under_development", "TS", "3GPP S5")
    draft = standard(session, "draft-king-rokui-ainetops-usecases")
    assert (draft.status, draft.body_codes) == ("proposed", ["IETF"])
    assert draft.url == "https://datatracker.ietf.org/doc/draft-king-rokui-ainetops-usecases/"
    ieee = standard(session, "IEEE Std 1232.1-1997")
    assert (ieee.status, ieee.published) == ("superseded", datetime.date(1997, 3, 20))


def test_the_body_option_names_the_body_the_file_does_not(session):
    report = run("relaton", FIXTURES / "relaton-mixed.yaml", body="W3C")
    assert "relaton-mixed.yaml:79" not in problems(report)
    assert standard(session, "ACME 1:2024").body_codes == ["W3C"]


def test_collection_forms_and_nested_relation_items(session):
    report = run("relaton", FIXTURES / "relaton-collection.yaml")
    assert problems(report) == {"relaton-collection.yaml:1 item 2":
                                "each record must be a mapping"}
    amendment = standard(session, "ISO/IEC 22989:2022/CD Amd 1")
    assert (amendment.doc_type, amendment.status, amendment.stage_code) == (
        "Amd", "under_development", "30.60")

    report = run("relaton", FIXTURES / "relaton-collection.xml")
    # Two records; the nested <bibitem> naming ISO/IEC 2382:2015 is a relation, not a record.
    assert (report.exit_code, report.created) == (0, 2)
    risk = standard(session, "ISO/IEC 23894:2023")
    assert (risk.stage_code, risk.source_id, risk.published) == (
        "60.60", "77304", datetime.date(2023, 2, 6))
    assert risk.committee.reference == "ISO/IEC JTC 1/SC 42"
    vocabulary = standard(session, "ISO/IEC 2382-29:1999")
    assert vocabulary.status == "superseded"  # IEC's REPLACED
    assert [(r.type, r.target_reference) for r in vocabulary.relations] == [
        ("replaced_by", "ISO/IEC 2382:2015")]
    assert standard(session, "ISO/IEC 2382:2015") is None


def test_yaml_aliases_are_refused_and_the_rest_kept(session):
    factories.load(session, factories.body("JISC", kind="national"))
    report = run("relaton", FIXTURES / "relaton-aliases.yaml")
    assert problems(report) == {"relaton-aliases.yaml:2": "the document uses YAML anchors and "
                                "aliases; refused as unsafe"}
    assert standard(session, "JIS X 22989:2023").body_codes == ["JISC"]


def test_unsafe_xml_and_files_with_no_record_are_refused_whole(session, tmp_path):
    report = run("relaton", FIXTURES / "relaton-entity.xml")
    assert (report.exit_code, report.refused) == (
        2, "relaton-entity.xml: the document declares XML entities; refused as unsafe")
    not_relaton = tmp_path / "list.yaml"
    not_relaton.write_text("- just\n- a list\n", encoding="utf-8")
    assert run("relaton", not_relaton).refused == "list.yaml: no relaton record (a " \
        "bibliographic item with a docidentifier and a title); is this a relaton file?"
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing\n", encoding="utf-8")
    assert run("relaton", empty).exit_code == 2
    assert count(session, Standard) == 0
    assert count(session, ImportBatch) == 0


def test_importing_twice_changes_nothing(session):
    first = run("relaton", FIXTURES / "relaton-collection.xml")
    second = run("relaton", FIXTURES / "relaton-collection.xml")
    assert (first.created, second.created, second.updated, second.unchanged) == (2, 0, 0, 2)
