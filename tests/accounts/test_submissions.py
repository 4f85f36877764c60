"""Submissions from proposal to publication: nothing public before approval, provenance after."""

import io
import json

import pytest
from sqlalchemy import func, select

from registry.models import Concept, Definition, ImportBatch, Revision, Standard, Submission
from tests import factories as f
from tests.accounts.conftest import bearer, ieee_definition
from tests.auth import sign_in


@pytest.fixture
def catalogue(session, users):
    f.load(
        session,
        f.area("transparency"),
        f.standard("IEEE 7001-2021", bodies=["IEEE"], committee=None, title="Transparency"),
        f.standard("ISO/IEC 22989:2022"),
    )


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _public_texts(client) -> str:
    """What anonymous visitors can see: pages and API."""
    parts = [
        client.get(p).text
        for p in (
            "/",
            "/glossary",
            "/standards",
            "/glossary/transparency",
            "/api/v1/concepts",
            "/api/v1/standards?per_page=100",
        )
    ]
    return "\n".join(parts)


def _search(client, q: str) -> list:
    response = client.get("/api/v1/search", query_string={"q": q})
    assert response.status_code == 200, response.json
    return response.json["items"]


def test_definition_life_cycle_through_the_api(app, session, client, users, catalogue):
    ieee, panel = bearer(session, users["ieee"]), bearer(session, users["panel"])
    created = client.post(
        "/api/v1/submissions",
        headers=ieee,
        json={
            "kind": "definition",
            "record": ieee_definition("a secret pending text"),
            "note": "from the 2021 edition",
        },
    )
    assert created.status_code == 201, created.json
    sid = created.json["id"]
    assert created.json["status"] == "pending" and created.json["body"] == "IEEE"

    # Pending: in no list, page, API answer or search result.
    assert "a secret pending text" not in _public_texts(client)
    assert _search(client, "secret") == []
    assert not session.scalar(select(Definition).where(Definition.text.contains("secret")))
    mine = client.get("/api/v1/submissions?status=pending", headers=ieee).json
    assert [s["id"] for s in mine["items"]] == [sid]
    other = bearer(session, users["iso"])
    assert client.get("/api/v1/submissions", headers=other).json["items"] == []
    assert client.get(f"/api/v1/submissions/{sid}", headers=other).status_code == 403
    # A submitter cannot review, not even its own.
    assert client.post(f"/api/v1/submissions/{sid}/approve", headers=ieee).status_code == 403

    queue = client.get("/api/v1/submissions?status=pending", headers=panel).json
    assert sid in [s["id"] for s in queue["items"]]
    approved = client.post(f"/api/v1/submissions/{sid}/approve", headers=panel)
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "approved"
    assert approved.json["reviewer"] == users["panel"].public_name  # never the e-mail

    assert "a secret pending text" in client.get("/glossary/transparency").text
    definition = session.scalar(select(Definition).where(Definition.text.contains("secret")))
    assert definition.body.code == "IEEE" and definition.standard.reference == "IEEE 7001-2021"
    assert _search(client, "secret"), "the approved definition is searchable"
    # Provenance: the batch names the submitter; the audit row the approver and both emails.
    batch = session.get(ImportBatch, definition.batch_id)
    assert batch.origin == "review" and batch.user_id == users["ieee"].id
    revision = session.scalar(
        select(Revision).where(
            Revision.entity == "definitions", Revision.entity_id == definition.id
        )
    )
    assert revision.path == "review" and revision.actor_id == users["panel"].id
    assert users["ieee"].public_name in revision.summary
    assert users["panel"].public_name in revision.summary
    # Decided once.
    again = client.post(f"/api/v1/submissions/{sid}/approve", headers=panel)
    assert again.status_code == 409 and "already approved" in again.json["message"]


def test_the_approved_definition_shows_its_history(app, session, client, users, catalogue):
    sign_in(client, users["ieee"])
    client.post(
        "/submissions/new/definition",
        data={
            "term": "transparency",
            "concept": "transparency",
            "source": "IEEE 7001-2021",
            "clause": "3.1",
            "language": "en",
            "text": "the IEEE meaning",
            "licence": "Excerpt",
        },
    )
    submission = session.scalar(select(Submission))
    sign_in(client, users["panel"])
    assert client.post(f"/submissions/{submission.id}/approve").status_code == 303
    page = client.application.test_client().get("/glossary/transparency").text  # anonymous
    assert "History" in page and "review" in page and users["panel"].public_name in page
    assert "@example.org" not in page  # nobody's e-mail address in public
    assert f"submission #{submission.id}" in page


def test_a_submitter_cannot_touch_another_bodys_entries(app, session, client, users, catalogue):
    ieee = bearer(session, users["ieee"])
    iso_definition = ieee_definition(body="ISO", source="ISO/IEC 22989:2022")
    refused = client.post(
        "/api/v1/submissions", headers=ieee, json={"kind": "definition", "record": iso_definition}
    )
    assert refused.status_code == 403 and "IEEE only" in refused.json["message"]
    iso_standard = session.scalar(select(Standard).where(Standard.reference.like("ISO/IEC%")))
    change = client.post(
        "/api/v1/submissions",
        headers=ieee,
        json={
            "kind": "standard_change",
            "record": {
                "reference": iso_standard.reference,
                "title": "Hijacked",
                "bodies": ["IEEE"],
                "type": "IS",
                "status": "published",
            },
        },
    )
    assert change.status_code == 403
    sign_in(client, users["ieee"])
    assert client.get(f"/standards/{iso_standard.id}/propose-change").status_code == 403
    assert "Propose a change" not in client.get(f"/standards/{iso_standard.id}").text
    assert _count(session, Submission) == 0


def test_bad_payloads_are_400_or_422_with_messages(app, session, client, users):
    ieee = bearer(session, users["ieee"])
    missing = client.post("/api/v1/submissions", headers=ieee, json={"record": {}})
    assert missing.status_code == 400 and "kind" in json.dumps(missing.json)
    invalid = client.post(
        "/api/v1/submissions",
        headers=ieee,
        json={"kind": "definition", "record": ieee_definition(language="not a language", text="")},
    )
    assert invalid.status_code == 422
    messages = invalid.json["errors"]["record"]
    assert "language" in messages and "text" in messages
    not_json = client.post(
        "/api/v1/submissions",
        headers={**ieee, "Content-Type": "text/plain"},
        data="kind=definition",
    )
    assert not_json.status_code in (400, 415, 422)
    assert _count(session, Submission) == 0


def test_new_standard_and_change_then_reject_with_a_reason(app, session, client, users, catalogue):
    sign_in(client, users["ieee"])
    response = client.post(
        "/submissions/new/standard",
        data={
            "reference": "IEEE 3119-2025",
            "title": "Procurement of AI",
            "type": "Std",
            "status": "published",
            "published": "2025-02-14",
            "areas": ["transparency"],
            "measurement_evaluation": "1",
        },
    )
    assert response.status_code == 302, response.text
    duplicate = client.post(
        "/submissions/new/standard",
        data={"reference": "IEEE 7001-2021", "title": "x", "type": "Std", "status": "published"},
    )
    assert duplicate.status_code == 400 and "propose a change" in duplicate.text
    std = session.scalar(select(Standard).where(Standard.reference == "IEEE 7001-2021"))
    form = client.get(f"/standards/{std.id}/propose-change")
    assert form.status_code == 200 and 'value="Transparency"' in form.text
    changed = client.post(
        f"/standards/{std.id}/propose-change",
        data={
            "reference": "IEEE 7001-2021",
            "title": "Transparency of autonomous systems",
            "type": "Std",
            "status": "published",
        },
    )
    assert changed.status_code == 302
    assert "IEEE 3119-2025" not in client.get("/standards").text

    new, change = session.scalars(select(Submission).order_by(Submission.id)).all()
    sign_in(client, users["panel"])
    assert client.post(f"/submissions/{new.id}/reject", data={"reason": ""}).status_code == 303
    session.expire_all()
    assert session.get(Submission, new.id).status == "pending"
    client.post(f"/submissions/{new.id}/reject", data={"reason": "Not an <AI> standard"})
    assert client.post(f"/submissions/{change.id}/approve").status_code == 303
    session.expire_all()
    assert session.get(Standard, std.id).title == "Transparency of autonomous systems"
    history = client.get(f"/standards/{std.id}").text
    assert "title" in history and "Transparency of autonomous systems" in history

    sign_in(client, users["ieee"])
    mine = client.get("/submissions").text
    assert "Not an &lt;AI&gt; standard" in mine and "Not an <AI>" not in mine
    assert client.get("/submissions?status=rejected").text.count("IEEE 3119-2025") == 1
    detail = client.get(f"/submissions/{new.id}").text
    assert "rejected" in detail and "Not an &lt;AI&gt; standard" in detail
    assert "IEEE 3119-2025" not in client.get("/standards").text


def _jsonl(*records) -> bytes:
    return "\n".join(json.dumps(r) for r in records).encode()


def test_import_file_dry_run_then_real_import_on_approval(app, session, client, users, catalogue):
    sign_in(client, users["ieee"])
    upload = _jsonl(
        {
            "record": "standard",
            "reference": "IEEE 2894-2024",
            "title": "Explainable AI",
            "bodies": ["IEEE"],
            "type": "Std",
            "status": "published",
        },
        ieee_definition("XAI transparency", concept="transparency") | {"record": "definition"},
        {
            "record": "standard",
            "reference": "ISO/IEC 5259-1:2024",
            "title": "Data quality",
            "bodies": ["ISO", "IEC"],
            "type": "IS",
            "status": "published",
        },
        {"record": "area", "slug": "sneaky", "title": "Sneaky", "kind": "governance"},
    )
    response = client.post(
        "/submissions/new/file",
        data={"format": "registry", "file": (io.BytesIO(upload), "ieee.jsonl")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text
    submission = session.scalar(select(Submission))
    report = submission.dry_run
    assert report["dry_run"] and report["created"] == 2 and len(report["rejected"]) == 2
    reasons = " ".join(r["reason"] for r in report["rejected"])
    assert "IEEE only" in reasons and "not area" in reasons
    assert "IEEE 2894-2024" not in client.get("/standards").text
    assert _count(session, ImportBatch) == 0  # a dry run leaves no batch

    detail = client.get(f"/submissions/{submission.id}").text
    assert "Would create" in detail and "IEEE 2894-2024" in detail

    sign_in(client, users["panel"])
    assert client.post(f"/submissions/{submission.id}/approve").status_code == 303
    session.expire_all()
    done = session.get(Submission, submission.id)
    assert done.status == "approved" and done.result["created"] == 2
    std = session.scalar(select(Standard).where(Standard.reference == "IEEE 2894-2024"))
    batch = session.get(ImportBatch, std.batch_id)
    assert batch.origin == "review" and batch.user_id == users["panel"].id
    assert done.batch_id == batch.id
    revision = session.scalar(
        select(Revision).where(Revision.entity == "standards", Revision.entity_id == std.id)
    )
    assert revision.path == "review" and users["ieee"].public_name in revision.summary
    assert not session.scalar(select(Standard).where(Standard.reference.like("ISO/IEC 5259%")))


def test_a_refused_file_is_not_queued(app, session, client, users):
    sign_in(client, users["ieee"])
    response = client.post(
        "/submissions/new/file",
        data={"format": "registry", "file": (io.BytesIO(b"this is not json"), "bad.jsonl")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "refused" in response.text
    assert _count(session, Submission) == 0


def test_approval_recomputes_the_divergence_of_its_concept(app, session, client, users,
                                                            catalogue):
    # The core recomputes divergence at the end of every write (no hook the app installs).
    f.load(session, f.concept("transparency"),
           f.definition("the quality of being open about how a system works",
                        concept="transparency", term="transparency"))
    ieee, panel = bearer(session, users["ieee"]), bearer(session, users["panel"])
    sid = client.post(
        "/api/v1/submissions",
        headers=ieee,
        json={"kind": "definition", "record": ieee_definition()},
    ).json["id"]
    concept = session.scalar(select(Concept).where(Concept.slug == "transparency"))
    assert concept.divergence is None  # one body's definition: nothing to compare yet
    client.post(f"/api/v1/submissions/{sid}/approve", headers=panel)
    session.expire_all()
    concept = session.scalar(select(Concept).where(Concept.slug == "transparency"))
    assert concept.divergence is not None and 0 < concept.divergence <= 1


def test_reject_over_the_api_needs_a_reason(app, session, client, users):
    ieee, panel = bearer(session, users["ieee"]), bearer(session, users["panel"])
    sid = client.post(
        "/api/v1/submissions",
        headers=ieee,
        json={"kind": "definition", "record": ieee_definition()},
    ).json["id"]
    assert (
        client.post(f"/api/v1/submissions/{sid}/reject", headers=panel, json={}).status_code == 400
    )
    rejected = client.post(
        f"/api/v1/submissions/{sid}/reject", headers=panel, json={"reason": "Cite the clause"}
    )
    assert rejected.status_code == 200 and rejected.json["reason"] == "Cite the clause"
    seen = client.get(f"/api/v1/submissions/{sid}", headers=ieee).json
    assert seen["status"] == "rejected" and seen["reason"] == "Cite the clause"


def test_nobody_approves_their_own_submission(app, session, client, users, catalogue):
    """Four eyes: a panel member's own submission waits for another panel member."""
    from tests.auth import make_user

    panel = bearer(session, users["panel"])
    created = client.post("/api/v1/submissions", headers=panel, json={
        "kind": "definition", "record": ieee_definition("the panel member's own text")})
    assert created.status_code == 201, created.json
    sid = created.json["id"]
    own = client.post(f"/api/v1/submissions/{sid}/approve", headers=panel)
    assert own.status_code == 403 and "their own submission" in own.json["message"]
    assert client.get(f"/api/v1/submissions/{sid}", headers=panel).json["status"] == "pending"
    sign_in(client, users["panel"])
    assert "Approve and publish" not in client.get(f"/submissions/{sid}").text
    assert client.post(f"/submissions/{sid}/approve").status_code == 403
    other = bearer(session, make_user(session, "panel", email="second-panel@example.org"))
    assert client.post(f"/api/v1/submissions/{sid}/approve", headers=other).status_code == 200


def test_a_very_long_upload_name_is_shortened_not_a_500(app, session, client, users):
    sign_in(client, users["ieee"])
    record = ieee_definition("XAI transparency") | {"record": "definition"}
    long_name = "a" * 5_000 + ".jsonl"
    response = client.post(
        "/submissions/new/file",
        data={"format": "registry", "file": (io.BytesIO(_jsonl(record)), long_name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text
    submission = session.scalar(select(Submission))
    assert len(submission.upload_name) == 200 and submission.upload_name.startswith("aaa")


def test_the_submission_page_reads_as_sentences_not_raw_fields(app, session, client, users):
    ieee = bearer(session, users["ieee"])
    sid = client.post("/api/v1/submissions", headers=ieee, json={
        "kind": "definition", "record": ieee_definition("a text") | {"excerpt": True}}).json["id"]
    sign_in(client, users["ieee"])
    page = client.get(f"/submissions/{sid}").text
    assert "Waiting for a panel member to review it" in page
    record = page.split('class="meta record"')[1].split("</dl>")[0]
    assert "<dt>excerpt</dt>\n    <dd>yes</dd>" in record and "True" not in record
