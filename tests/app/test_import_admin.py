"""Import administration: batch pages, the upload form and the imports API, for admins only."""

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import create_app
from registry.models import ImportBatch, Job, Standard
from tests.auth import make_user, sign_in
from tests.importers.catalogue_helpers import FIXTURES, run

ISO_CSV = FIXTURES / "iso-deliverables.csv"


def upload(path=ISO_CSV, **fields):
    data = {"format": "iso-open-data", **fields}
    if path is not None:
        data["file"] = (io.BytesIO(path.read_bytes()), path.name)
    return data


def batches(session) -> int:
    return session.scalar(select(func.count(ImportBatch.id)))


@pytest.fixture
def admin(client, session):
    user = make_user(session, "admin")
    sign_in(client, user)
    return user


# -- who may see and do what -----------------------------------------------------------------


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/admin/imports"),
        ("get", "/admin/imports/1"),
        ("get", "/admin/imports/new"),
        ("post", "/admin/imports/new"),
        ("get", "/api/v1/imports"),
        ("get", "/api/v1/imports/1"),
        ("post", "/api/v1/imports"),
    ],
)
def test_anonymous_gets_401_and_a_panel_member_403(client, session, method, url):
    anonymous = getattr(client, method)(url)
    if method == "get" and not url.startswith("/api/"):
        # app.auth.guard: a guarded page sends anonymous visitors to sign in, and back.
        assert anonymous.status_code == 302 and "/sign-in?next=" in anonymous.location
    else:
        assert anonymous.status_code == 401
    sign_in(client, make_user(session, "panel"))
    response = getattr(client, method)(url)
    assert response.status_code == 403
    if url.startswith("/api/"):
        assert response.json["message"] == "Your role does not allow this."
    assert batches(session) == 0


def test_submitter_cannot_upload_through_the_api(client, session):
    sign_in(client, make_user(session, "submitter", body="IEEE"))
    response = client.post(
        "/api/v1/imports", data=upload(body="IEEE"), content_type="multipart/form-data"
    )
    assert response.status_code == 403
    assert session.scalar(select(func.count(Standard.id))) == 0


# -- pages -----------------------------------------------------------------------------------


def test_batch_list_and_detail_show_counts_who_and_rejections(client, session, admin):
    report = run("iso-open-data", ISO_CSV, actor=admin)
    page = client.get("/admin/imports")
    assert page.status_code == 200
    text = page.text
    assert f"#{report.batch_id}" in text and "iso-deliverables.csv" in text
    assert admin.email in text and "committed" in text
    detail = client.get(f"/admin/imports/{report.batch_id}")
    assert detail.status_code == 200
    assert "created 4, updated 0, unchanged 0, rejected 5" in detail.text
    assert "iso-deliverables.csv:8" in detail.text
    assert "currentStage: &#39;60x&#39; is not a harmonized stage code" in detail.text
    assert "ISO 9001:2015" in detail.text  # a standard it created
    assert client.get("/admin/imports?status=failed").text.count("iso-deliverables.csv") == 0
    assert client.get("/admin/imports?status=nonsense").status_code == 400
    assert client.get("/admin/imports/999999").status_code == 404


def test_upload_form_renders_a_csrf_token_when_csrf_is_on(tmp_path, database_url, session):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        user = make_user(session, "admin", email="csrf-admin@example.org")
        client = app.test_client()
        sign_in(client, user)
        form = client.get("/admin/imports/new")
        assert form.status_code == 200
        assert 'name="csrf_token"' in form.text
        assert 'enctype="multipart/form-data"' in form.text
        assert "import-templates/standards.csv" in form.text
        # Without the token the upload is refused, and nothing is imported.
        refused = client.post(
            "/admin/imports/new", data=upload(), content_type="multipart/form-data"
        )
        assert refused.status_code == 400
        assert batches(session) == 0


def _job_page(client, response):
    """The job page an upload redirects to (the job ran where it was queued, in tests)."""
    assert response.status_code == 303
    assert "/jobs/" in response.location
    return client.get(response.location)


def test_upload_form_queues_a_job_whose_page_reports_the_import(client, session, admin):
    response = client.post("/admin/imports/new", data=upload(), content_type="multipart/form-data")
    page = _job_page(client, response)
    assert page.status_code == 200
    assert "created 4, updated 0, unchanged 0, rejected 5" in page.text
    assert "iso-deliverables.csv:11" in page.text
    assert "Done" in page.text and 'http-equiv="refresh"' not in page.text
    batch = session.scalars(select(ImportBatch)).one()
    assert (batch.origin, batch.user_id, batch.filename) == (
        "web",
        admin.id,
        "iso-deliverables.csv",
    )
    job = session.scalars(select(Job)).one()
    assert (job.kind, job.status, job.user_id, job.report["batch"]) == (
        "import", "done", admin.id, batch.id)
    # The uploaded file is removed once its job is done.
    assert not Path(job.params["folder"]).exists()


def test_upload_form_dry_run_and_refusal(client, session, admin):
    dry = _job_page(client, client.post(
        "/admin/imports/new", data=upload(dry_run="1"), content_type="multipart/form-data"
    ))
    assert "Dry run, would have: created 4" in dry.text and "ISO 9001:2008" in dry.text
    refused = _job_page(client, client.post(
        "/admin/imports/new",
        data=upload(FIXTURES / "iso-latin1.csv"),
        content_type="multipart/form-data",
    ))
    assert "Failed" in refused.text
    assert "not UTF-8 text" in refused.text and "Nothing from this file was written" in refused.text
    assert batches(session) == 0


def test_upload_form_reports_its_own_mistakes(client, session, admin):
    missing = client.post(
        "/admin/imports/new", data=upload(path=None), content_type="multipart/form-data"
    )
    assert missing.status_code == 400 and "choose a file" in missing.text
    unknown = client.post(
        "/admin/imports/new", data=upload(format="word"), content_type="multipart/form-data"
    )
    assert unknown.status_code == 400 and "unknown format" in unknown.text


# -- API -------------------------------------------------------------------------------------


def _job(client, response):
    """The job an API upload answered with: 202 and its Location."""
    assert response.status_code == 202, response.json
    location = response.headers["Location"]
    assert location.endswith(f"/api/v1/jobs/{response.json['id']}")
    job = client.get(location)
    assert job.status_code == 200
    return job.json


def test_api_upload_list_and_detail(client, session, admin):
    job = _job(client, client.post("/api/v1/imports", data=upload(),
                                   content_type="multipart/form-data"))
    assert (job["status"], job["kind"]) == ("done", "import")
    body = job["report"]
    assert (body["created"], body["exit_code"], body["file"]) == (4, 1, "iso-deliverables.csv")
    assert {
        "location": "iso-deliverables.csv:7",
        "reason": "reference: Missing data for required field.",
    } in body["rejected"]
    listing = client.get("/api/v1/imports").json
    assert listing["total"] == 1
    item = listing["items"][0]
    assert (item["id"], item["origin"], item["user"], item["rejected"]) == (
        body["batch"],
        "api",
        admin.email,
        5,
    )
    detail = client.get(f"/api/v1/imports/{body['batch']}").json
    assert len(detail["errors"]) == 5 and detail["status"] == "committed"
    again = _job(client, client.post("/api/v1/imports", data=upload(),
                                     content_type="multipart/form-data"))["report"]
    assert (again["created"], again["unchanged"]) == (0, 4)
    assert client.get("/api/v1/imports?format=ieee").json["total"] == 0
    assert client.get("/api/v1/imports/424242").status_code == 404
    assert [j["id"] for j in client.get("/api/v1/jobs").json["items"]] == [
        job["id"] + 1, job["id"]]


def test_api_dry_run_refusal_and_bad_requests(client, session, admin):
    dry = _job(client, client.post(
        "/api/v1/imports", data=upload(dry_run="true"), content_type="multipart/form-data"
    ))
    assert (dry["status"], dry["report"]["batch"], dry["report"]["dry_run"]) == (
        "done", None, True)
    refused = _job(client, client.post(
        "/api/v1/imports",
        data=upload(FIXTURES / "ieee-xxe.xml", format="ieee"),
        content_type="multipart/form-data",
    ))
    assert refused["status"] == "failed" and "refused as unsafe" in refused["message"]
    assert "refused as unsafe" in refused["report"]["refused"]
    assert refused["report"]["exit_code"] == 2
    assert (
        client.post(
            "/api/v1/imports", data=upload(path=None), content_type="multipart/form-data"
        ).status_code
        == 400
    )
    unknown = client.post(
        "/api/v1/imports", data=upload(format="word"), content_type="multipart/form-data"
    )
    assert unknown.status_code == 400 and "unknown format" in unknown.json["message"]
    assert (
        client.post(
            "/api/v1/imports", data=upload(dry_run="perhaps"), content_type="multipart/form-data"
        ).status_code
        == 400
    )
    assert batches(session) == 0


def test_a_job_is_shown_only_to_who_started_it_and_administrators(app, client, session, admin):
    job = _job(client, client.post("/api/v1/imports", data=upload(dry_run="true"),
                                   content_type="multipart/form-data"))
    other = make_user(session, "panel", email="other-panel@example.org")
    sign_in(client, other)
    assert client.get(f"/api/v1/jobs/{job['id']}").status_code == 404
    assert client.get(f"/jobs/{job['id']}").status_code == 404
    assert client.get("/api/v1/jobs").json["total"] == 0
    client.post("/sign-out")
    assert client.get(f"/api/v1/jobs/{job['id']}").status_code == 401


@pytest.mark.parametrize("app", [{"IMPORT_MAX_BYTES": 200}], indirect=True)
def test_api_and_form_answer_413_for_an_oversized_file(client, session, admin):
    response = client.post("/api/v1/imports", data=upload(), content_type="multipart/form-data")
    assert response.status_code == 413
    assert "limited to 200" in response.json["message"]
    form = client.post("/admin/imports/new", data=upload(), content_type="multipart/form-data")
    assert form.status_code == 413
    assert batches(session) == 0


@pytest.mark.parametrize("app", [{"MAX_CONTENT_LENGTH": 300}], indirect=True)
def test_a_request_over_the_content_length_limit_is_413(client, session, admin):
    response = client.post("/api/v1/imports", data=upload(), content_type="multipart/form-data")
    assert response.status_code == 413
    assert batches(session) == 0


@pytest.mark.parametrize("app", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_api_uploads_are_rate_limited(client, session, admin):
    from app.api.imports import UPLOAD_LIMIT

    allowed = int(UPLOAD_LIMIT.split()[0])
    codes = [
        client.post(
            "/api/v1/imports", data=upload(dry_run="true"), content_type="multipart/form-data"
        ).status_code
        for _ in range(allowed + 1)
    ]
    assert codes[:allowed] == [202] * allowed
    assert codes[-1] == 429


def test_csv_templates_are_served_for_download(client):
    for name in ("standards", "definitions"):
        response = client.get(f"/static/import-templates/{name}.csv")
        assert response.status_code == 200
        assert response.text.startswith("reference,title," if name == "standards" else "term,")


def test_api_upload_with_a_bearer_token(app, session):
    from registry.services.tokens import create_token

    admin_user = make_user(session, "admin", email="token-admin@example.org")
    _, write_secret = create_token(session, admin_user, scope="write")
    _, read_secret = create_token(session, admin_user, scope="read")
    session.commit()
    api = app.test_client()  # no cookie: the token alone
    read_only = api.post(
        "/api/v1/imports",
        data=upload(dry_run="true"),
        headers={"Authorization": f"Bearer {read_secret}"},
        content_type="multipart/form-data",
    )
    assert read_only.status_code == 403
    response = api.post(
        "/api/v1/imports",
        data=upload(),
        headers={"Authorization": f"Bearer {write_secret}"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202
    job = api.get(response.headers["Location"],
                  headers={"Authorization": f"Bearer {read_secret}"}).json
    assert session.get(ImportBatch, job["report"]["batch"]).user_id == admin_user.id
    listing = api.get("/api/v1/imports", headers={"Authorization": f"Bearer {read_secret}"})
    assert listing.status_code == 200 and listing.json["total"] == 1


def test_admins_find_the_imports_in_their_menu(client, session, admin):
    assert 'href="/admin/imports"' in client.get("/").text


def test_api_takes_the_file_as_the_whole_body_too(client, session, admin):
    """No multipart parsing: the body is the file, the options are in the query string."""
    response = client.post("/api/v1/imports?format=iso-open-data&name=deliverables.csv",
                           data=ISO_CSV.read_bytes(), content_type="application/octet-stream")
    job = _job(client, response)
    assert (job["status"], job["report"]["created"], job["report"]["file"]) == (
        "done", 4, "deliverables.csv")
    missing = client.post("/api/v1/imports?format=iso-open-data", data=b"",
                          content_type="application/octet-stream")
    assert missing.status_code == 400 and "request body" in missing.json["message"]
    bad = client.post("/api/v1/imports?format=iso-open-data&dry_run=perhaps", data=b"x",
                      content_type="application/octet-stream")
    assert bad.status_code == 400


@pytest.mark.parametrize("app", [{"IMPORT_MAX_BYTES": 200}], indirect=True)
def test_a_raw_body_over_the_import_limit_is_413(client, session, admin):
    response = client.post("/api/v1/imports?format=iso-open-data", data=ISO_CSV.read_bytes(),
                           content_type="application/octet-stream")
    assert response.status_code == 413 and "limited to 200" in response.json["message"]
    assert batches(session) == 0
