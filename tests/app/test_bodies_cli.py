"""Adding a body from the command line, so that an import naming it can run."""

from sqlalchemy import select

from app import importing
from registry.models import Body, Revision


def test_an_unknown_body_is_reported_with_the_command_that_adds_it(runner, session, tmp_path):
    path = tmp_path / "xyz.jsonl"
    path.write_text('{"record": "standard", "reference": "XYZ 1:2024", "title": "A title", '
                    '"bodies": ["XYZ"], "type": "IS", "status": "published"}\n',
                    encoding="utf-8")
    report = importing.run("registry", path)
    (rejected,) = report.rejected
    assert rejected["location"] == "xyz.jsonl:1"
    assert "unknown body 'XYZ'" in rejected["reason"] and "bodies add XYZ" in rejected["reason"]

    added = runner.invoke(args=["bodies", "add", "XYZ", "--name", "Example national body",
                                "--kind", "national", "--country", "XY"])
    assert added.exit_code == 0, added.output
    assert "Added XYZ" in added.output
    body = session.scalar(select(Body).where(Body.code == "XYZ"))
    assert (body.name, body.kind, body.country) == ("Example national body", "national", "XY")
    assert session.scalar(select(Revision).where(Revision.entity == "bodies",
                                                 Revision.entity_id == body.id)) is not None
    assert importing.run("registry", path).created == 1


def test_bad_or_duplicate_bodies_are_refused_with_a_sentence(runner, session):
    assert runner.invoke(args=["bodies", "add", "XYZ", "--name", "X", "--kind",
                               "national"]).exit_code == 0
    again = runner.invoke(args=["bodies", "add", "XYZ", "--name", "X", "--kind", "national"])
    assert again.exit_code == 2 and "exists already" in again.output
    bad = runner.invoke(args=["bodies", "add", "XYZ2", "--name", "X", "--kind", "national",
                              "--url", "not a url"])
    assert bad.exit_code == 2 and "url" in bad.output and "Traceback" not in bad.output
