"""Evaluations: one per panel member per edition, revisable with history, shown with spread."""

from sqlalchemy import func, select

from registry.models import Evaluation, Revision
from registry.services import evaluations
from tests.auth import sign_in
from tests.debate.conftest import form_scores, scores


def test_one_evaluation_per_member_per_edition(session, entries, users):
    standard, panel = entries["standard"], users["panel"]
    first, created = evaluations.write(session, panel, standard, scores(2), "First look.")
    session.commit()
    again, created_again = evaluations.write(session, panel, standard, scores(3), "Revised.")
    session.commit()
    assert created and not created_again
    assert again.id == first.id and again.version == 2
    assert session.scalar(select(func.count(Evaluation.id))) == 1
    # Another member evaluates the same edition: a second row.
    evaluations.write(session, users["panel2"], standard, scores(1))
    session.commit()
    assert session.scalar(select(func.count(Evaluation.id))) == 2


def test_revision_keeps_every_version(session, entries, users):
    standard, panel = entries["standard"], users["panel"]
    item, _ = evaluations.write(session, panel, standard, scores(1), "v1")
    evaluations.write(session, panel, standard, scores(4), "v2")
    session.commit()
    versions = evaluations.history(session, item)
    assert [v.after["version"] for v in versions] == [2, 1]
    assert versions[1].after["scores"]["clarity"]["score"] == 1
    assert versions[0].after["scores"]["clarity"]["score"] == 4
    # Writing the same thing again is not a new version.
    evaluations.write(session, panel, standard, scores(4), "v2")
    session.commit()
    assert item.version == 2 and len(evaluations.history(session, item)) == 2


def test_a_new_edition_gets_a_new_evaluation(session, entries, users):
    standard, panel = entries["standard"], users["panel"]
    old, _ = evaluations.write(session, panel, standard, scores(1))
    standard.edition = "2"
    session.commit()
    new, created = evaluations.write(session, panel, standard, scores(3))
    session.commit()
    assert created and new.id != old.id and (old.edition, new.edition) == ("1", "2")
    items = evaluations.of_standard(session, standard)
    assert items[0].id == new.id  # the current edition first
    # The aggregate counts the current edition only.
    clarity = evaluations.aggregate(standard, items)[0]
    assert (clarity.n, clarity.mean) == (1, 3.0)


def test_standard_page_shows_aggregate_spread_and_each_evaluation(client, session, entries, users):
    standard = entries["standard"]
    users["panel"].name = "Ada Panel"
    users["panel2"].name = "Bo Panel"
    evaluations.write(session, users["panel"], standard, scores(1, "Vague terms throughout."))
    evaluations.write(session, users["panel2"], standard, scores(3, "Precise and traceable."))
    session.commit()
    page = client.get(f"/standards/{standard.id}").get_data(as_text=True)
    assert "2 evaluations of this edition" in page
    assert "<td>2.00 <meter" in page  # mean of 1 and 3
    assert "<td>1.00</td>" in page  # population standard deviation
    assert "<td>1–3</td>" in page
    assert "Evaluation by Ada Panel" in page and "Evaluation by Bo Panel" in page
    assert "Vague terms throughout." in page and "Precise and traceable." in page


def test_panel_member_evaluates_through_the_form(client, session, entries, users):
    standard = entries["standard"]
    sign_in(client, users["panel"])
    assert client.get(f"/standards/{standard.id}/evaluate").status_code == 200
    response = client.post(
        f"/standards/{standard.id}/evaluate",
        data={**form_scores(2), "summary": "**Solid** vocabulary."},
    )
    assert response.status_code == 302 and response.location.endswith("#evaluations")
    item = session.scalar(select(Evaluation))
    assert item.scores["transparency"] == {"score": 2, "justification": "Justified at some length."}
    assert item.summary == "**Solid** vocabulary."
    # The form opens again on the member's own evaluation, and saving revises it.
    page = client.get(f"/standards/{standard.id}/evaluate").get_data(as_text=True)
    assert "Revise your evaluation" in page
    client.post(f"/standards/{standard.id}/evaluate", data=form_scores(4))
    session.expire_all()
    assert session.scalar(select(Evaluation)).version == 2
    detail = client.get(f"/evaluations/{item.id}").get_data(as_text=True)
    assert "Version 2" in detail and "Version 1" in detail


def test_invalid_form_is_shown_again_with_what_was_typed(client, session, entries, users):
    standard = entries["standard"]
    sign_in(client, users["panel"])
    data = form_scores(3, "A careful justification.")
    data["measurability-justification"] = "meh"
    response = client.post(f"/standards/{standard.id}/evaluate", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Measurability" in page and "at least 10 characters" in page
    assert page.count("A careful justification.") == 8  # nothing typed is lost
    assert session.scalar(select(func.count(Evaluation.id))) == 0


def test_api_put_and_read(client, session, entries, users):
    standard = entries["standard"]
    sign_in(client, users["panel"])
    url = f"/api/v1/standards/{standard.id}/evaluations/mine"
    bad = client.put(url, json={"scores": {"clarity": {"score": 9}}})
    assert bad.status_code == 400 and "clarity" in bad.json["message"]
    first = client.put(url, json={"scores": scores(2), "summary": "API"})
    assert first.status_code == 200 and first.json["version"] == 1
    second = client.put(url, json={"scores": scores(3)})
    assert second.json["id"] == first.json["id"] and second.json["version"] == 2
    assert [v["version"] for v in second.json["history"]] == [2, 1]
    listing = client.get(f"/api/v1/standards/{standard.id}/evaluations").json
    assert len(listing["items"]) == 1 and listing["edition"] == "1"
    clarity = next(a for a in listing["aggregate"] if a["criterion"] == "clarity")
    assert clarity == {
        "criterion": "clarity",
        "n": 1,
        "mean": 3.0,
        "stdev": 0.0,
        "low": 3,
        "high": 3,
        "abstained": 0,
    }
    rubric = client.get("/api/v1/rubric").json
    assert len(rubric["criteria"]) == 9 and rubric["max"] == 4
    audit = session.scalars(select(Revision).where(Revision.entity == "evaluations")).all()
    assert {r.path for r in audit} == {"api"}
