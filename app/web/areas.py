"""The area taxonomy: tree, area pages, admins' edits, panel tagging and annotations."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from app import gaps as computed
from app.auth.guard import authorize, guarded
from app.extensions import db
from app.web import bp
from registry.models import Body, Standard
from registry.models.vocab import ANNOTATION_STATUSES, DEVELOPMENT_STATUSES, SEVERITIES
from registry.schemas.gaps import AnnotationInput, AreaEditInput
from registry.schemas.records import error_text
from registry.services import annotations, areas, catalogue
from registry.services.gaps import rule_titles

STATUS_ORDER = ("published", *DEVELOPMENT_STATUSES, "superseded", "withdrawn")


@bp.app_context_processor
def _area_choices():
    # Lazy: only the standard page's tagging form (shown to the panel) calls it.
    return {"area_choices": lambda: areas.all_areas(db.session)}


def _area_or_404(slug: str):
    return areas.get_area(db.session, slug) or abort(
        404, description=f"There is no area {slug!r}.")


@bp.get("/areas")
def areas_index():
    return render_template("areas/index.html", areas=computed.areas())


def _area_page(area, form_errors: str | None = None, form: dict | None = None, status=200):
    computed_area = next((a for a in computed.areas() if a.area_id == area.id), None)
    standards = areas.standards_of(db.session, area)
    by_body: dict[str, dict[str, list[Standard]]] = {}
    for s in standards:
        for code in s.body_codes:
            by_body.setdefault(code, {}).setdefault(s.status, []).append(s)
    references = {s.id: s for s in standards}
    cov = computed.coverage()
    cells = [(code, name, cov.cell(area.id, code)) for code, name in cov.bodies
             if cov.cell(area.id, code).total]
    return render_template(
        "areas/detail.html", area=area, gaps=computed_area, trail=areas.ancestors(area),
        by_body=dict(sorted(by_body.items())), status_order=STATUS_ORDER,
        references=references, cells=cells, concepts=areas.concepts_of(db.session, area),
        annotations=annotations.of_area(db.session, area),
        history=annotations.history(db.session, area), rules=rule_titles(),
        statuses=ANNOTATION_STATUSES, severities=SEVERITIES,
        bodies=db.session.scalars(select(Body.code).order_by(Body.code)).all(),
        form_errors=form_errors, form=form or {}, thresholds=computed.thresholds(),
    ), status


@bp.get("/areas/<slug>")
def area(slug: str):
    return _area_page(_area_or_404(slug))


@bp.route("/areas/<slug>/edit", methods=["GET", "POST"])
@guarded("area.edit")
def area_edit(slug: str):
    item = _area_or_404(slug)
    authorize("area.edit", item)
    error = None
    if request.method == "POST":
        try:
            data = AreaEditInput().load({k: v for k, v in request.form.items()
                                         if k != "csrf_token" and v != ""})
            outcome = areas.edit_area(db.session, current_user, item, data)
        except ValidationError as exc:
            error = error_text(exc.messages)
        except areas.AreaEditError as exc:
            error = str(exc)
        else:
            flash(gettext("Area saved.") if outcome == "updated" else gettext("Nothing changed."),
                  "success")
            return redirect(url_for("web.area", slug=slug))
        db.session.rollback()
    return render_template("areas/edit.html", area=item, error=error,
                           form=request.form if error else None,
                           choices=[a for a in areas.all_areas(db.session) if a.id != item.id]
                           ), 400 if error else 200


@bp.post("/standards/<int:standard_id>/areas")
@guarded("area.tag")
def standard_areas(standard_id: int):
    standard = catalogue.get_standard(db.session, standard_id) or abort(
        404, description=f"There is no standard with id {standard_id}.")
    authorize("area.tag", standard)
    try:
        outcome = areas.set_standard_areas(db.session, current_user, standard,
                                           request.form.getlist("area"))
    except areas.AreaEditError as exc:
        abort(400, description=str(exc))
    flash(gettext("Areas saved.") if outcome == "updated" else gettext("Nothing changed."),
          "success")
    return redirect(url_for("web.standard", standard_id=standard_id) + "#areas-h")


def _annotation_input() -> dict:
    raw = {k: v for k, v in request.form.items()
           if k not in ("csrf_token", "addressed_to") and v != ""}
    raw["addressed_to"] = [c for c in request.form.getlist("addressed_to") if c]
    return AnnotationInput().load(raw)


@bp.post("/areas/<slug>/annotations")
@guarded("gap.annotate")
def annotate(slug: str):
    item = _area_or_404(slug)
    authorize("gap.annotate", item)
    try:
        annotation = annotations.create(db.session, item, _annotation_input(), current_user)
    except ValidationError as exc:
        db.session.rollback()
        return _area_page(item, error_text(exc.messages), request.form, 400)
    except annotations.AnnotationError as exc:
        db.session.rollback()
        return _area_page(item, str(exc), request.form, 400)
    db.session.commit()
    flash(gettext("Annotation saved."), "success")
    return redirect(url_for("web.area", slug=slug) + f"#annotation-{annotation.id}")


@bp.route("/annotations/<int:annotation_id>/edit", methods=["GET", "POST"])
@guarded("annotation.edit")
def annotation_edit(annotation_id: int):
    annotation = annotations.get(db.session, annotation_id) or abort(
        404, description=f"There is no annotation {annotation_id}.")
    authorize("annotation.edit", annotation)
    error = None
    if request.method == "POST":
        try:
            changed = annotations.update(db.session, annotation, _annotation_input(),
                                         current_user)
        except ValidationError as exc:
            error = error_text(exc.messages)
        except annotations.AnnotationError as exc:
            error = str(exc)
        else:
            db.session.commit()
            flash(gettext("Annotation saved.") if changed else gettext("Nothing changed."),
                  "success")
            return redirect(url_for("web.area", slug=annotation.area.slug)
                            + f"#annotation-{annotation.id}")
        db.session.rollback()
    return render_template(
        "areas/annotation_edit.html", annotation=annotation, error=error,
        form=request.form if error else None, rules=rule_titles(),
        statuses=ANNOTATION_STATUSES, severities=SEVERITIES,
        bodies=db.session.scalars(select(Body.code).order_by(Body.code)).all(),
    ), 400 if error else 200
