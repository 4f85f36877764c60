"""Discussion threads, evaluations, process metadata and follows: the pages and their forms."""

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext
from flask_login import current_user
from marshmallow import ValidationError

from app.auth.guard import allowed, authorize, guarded
from app.debate_support import edit_window, refusals, subject_url, write_limit
from app.extensions import db
from app.web import bp
from registry import rubric
from registry.models import Standard
from registry.models.vocab import STAKEHOLDER_GROUPS, TEXT_ACCESS, THREAD_KINDS
from registry.schemas.debate import ProcessIn
from registry.services import debate, evaluations, follows, process


def _standard(standard_id: int) -> Standard:
    return db.session.get(Standard, standard_id) or abort(
        404, description=f"There is no standard with id {standard_id}."
    )


def _post(post_id: int):
    with refusals():
        return debate.get_post(db.session, post_id)


# -- threads --------------------------------------------------------------------------------


@bp.get("/discuss/<kind>/<int:target_id>")
def thread(kind: str, target_id: int):
    with refusals():
        target = debate.get_target(db.session, kind, target_id)
    return render_template(
        "debate/thread.html",
        kind=kind,
        target=target,
        label=debate.target_label(kind, target),
        entry_url=subject_url(kind, target_id),
    )


@bp.post("/discuss/<kind>/<int:target_id>")
@guarded("post.create")
@write_limit()
def create_post(kind: str, target_id: int):
    with refusals():
        target = debate.get_target(db.session, kind, target_id)
    authorize("post.create", target)
    parent = request.form.get("parent", type=int)
    try:
        post = debate.create_post(
            db.session, current_user, kind, target_id, request.form.get("body"), parent_id=parent
        )
    except debate.NotFound as exc:
        abort(404, description=str(exc))
    except debate.DebateError as exc:
        db.session.rollback()
        # Show the thread again with the error and the draft, so nothing typed is lost.
        return render_template(
            "debate/thread.html",
            kind=kind,
            target=target,
            label=debate.target_label(kind, target),
            entry_url=subject_url(kind, target_id),
            error=str(exc),
            draft=request.form.get("body", ""),
            reply_to=parent,
        ), 400
    db.session.commit()
    flash(gettext("Your post is published."), "success")
    return redirect(subject_url("post", post.id))


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@guarded("post.edit")
@write_limit()
def edit_post(post_id: int):
    post = _post(post_id)
    authorize("post.edit", post)
    error = None
    if not debate.edit_window_open(post, edit_window()) or post.hidden:
        abort(
            403,
            description=f"Posts can be edited for {edit_window()} minutes after "
            "posting, and never once hidden; reply instead.",
        )
    if request.method == "POST":
        try:
            debate.edit_post(
                db.session, current_user, post, request.form.get("body"), edit_window()
            )
        except debate.DebateError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash(gettext("Your post is updated."), "success")
            return redirect(subject_url("post", post.id))
    return render_template(
        "debate/edit_post.html",
        post=post,
        error=error,
        draft=request.form.get("body", post.body),
        window=edit_window(),
    ), 400 if error else 200


@bp.post("/posts/<int:post_id>/flag")
@guarded("post.flag")
@write_limit()
def flag_post(post_id: int):
    post = _post(post_id)
    authorize("post.flag", post)
    with refusals():
        created = debate.flag_post(db.session, current_user, post, request.form.get("reason"))
    db.session.commit()
    flash(
        gettext("Thank you: the panel will look at this post.")
        if created
        else gettext("You had already flagged this post."),
        "success",
    )
    return redirect(subject_url("post", post.id))


@bp.post("/posts/<int:post_id>/hide")
@guarded("post.hide")
@write_limit()
def hide_post(post_id: int):
    post = _post(post_id)
    authorize("post.hide", post)
    with refusals():
        debate.hide_post(db.session, current_user, post, request.form.get("reason"))
    db.session.commit()
    flash(gettext("The post is hidden; its reason is shown in its place."), "success")
    return redirect(subject_url("post", post.id))


@bp.post("/posts/<int:post_id>/unhide")
@guarded("post.hide")
@write_limit()
def unhide_post(post_id: int):
    post = _post(post_id)
    authorize("post.hide", post)
    debate.unhide_post(db.session, current_user, post)
    db.session.commit()
    flash(gettext("The post is shown again."), "success")
    return redirect(subject_url("post", post.id))


@bp.get("/moderation/flags")
@guarded("post.hide")
def flagged():
    return render_template("debate/flags.html", rows=debate.flagged_posts(db.session))


# -- evaluations ----------------------------------------------------------------------------


@bp.route("/standards/<int:standard_id>/evaluate", methods=["GET", "POST"])
@guarded("evaluation.write")
@write_limit()
def evaluate(standard_id: int):
    standard = _standard(standard_id)
    authorize("evaluation.write", standard)
    own = evaluations.own_evaluation(db.session, standard, current_user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        scores = {
            c.key: {
                "score": request.form.get(f"{c.key}-score", ""),
                "justification": request.form.get(f"{c.key}-justification", ""),
            }
            for c in rubric.CRITERIA
        }
        try:
            _, created = evaluations.write(
                db.session, current_user, standard, scores, request.form.get("summary")
            )
        except evaluations.EvaluationError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            db.session.commit()
            flash(
                gettext("Your evaluation is published.")
                if created
                else gettext("Your evaluation is revised; the earlier version stays in its "
                             "history."),
                "success",
            )
            return redirect(subject_url("standard", standard.id) + "#evaluations")
        values = scores
        summary = request.form.get("summary", "")
    else:
        values = own.scores if own else {}
        summary = own.summary if own and own.summary else ""
    return render_template(
        "debate/evaluate.html",
        standard=standard,
        own=own,
        values=values,
        summary=summary,
        errors=errors,
        rubric=rubric,
        edition=evaluations.edition_of(standard),
    ), 400 if errors else 200


@bp.get("/evaluations/<int:evaluation_id>")
def evaluation(evaluation_id: int):
    from registry.models import Evaluation

    item = db.session.get(Evaluation, evaluation_id) or abort(
        404, description=f"There is no evaluation with id {evaluation_id}."
    )
    return render_template(
        "debate/evaluation.html",
        evaluation=item,
        rubric=rubric,
        history=evaluations.history(db.session, item),
    )


# -- process metadata -----------------------------------------------------------------------


@bp.route("/standards/<int:standard_id>/process", methods=["GET", "POST"])
@guarded("standard.process")
@write_limit()
def edit_process(standard_id: int):
    standard = _standard(standard_id)
    authorize("standard.process", standard)
    current = process.get(db.session, standard)
    errors: dict = {}
    form = request.form.to_dict() if request.method == "POST" else None
    if form is not None:
        form["stakeholder_groups"] = request.form.getlist("stakeholder_groups")
        try:
            data = ProcessIn().load(form)
        except ValidationError as exc:
            errors = exc.messages
        else:
            process.write(db.session, current_user, standard, data)
            db.session.commit()
            flash(gettext("The process information is saved."), "success")
            return redirect(subject_url("standard", standard.id) + "#process")
    values = form or (process.snapshot(current) or {})
    if form is None and current is not None:
        values["countries"] = ", ".join(current.countries)
    return render_template(
        "debate/process.html",
        standard=standard,
        values=values,
        errors=errors,
        groups=STAKEHOLDER_GROUPS,
        access=TEXT_ACCESS,
    ), 400 if errors else 200


# -- follows --------------------------------------------------------------------------------


@bp.post("/follow/<kind>/<int:target_id>")
@guarded("follow")
@write_limit()
def follow(kind: str, target_id: int):
    with refusals():
        target = follows.get_target(db.session, kind, target_id)
        authorize("follow", target)
        follows.follow(db.session, current_user, kind, target_id)
    db.session.commit()
    flash(gettext("Followed: its changes appear on your Followed page and in its feed."),
          "success")
    return redirect(subject_url(kind, target_id))


@bp.post("/unfollow/<kind>/<int:target_id>")
@guarded("follow")
@write_limit()
def unfollow(kind: str, target_id: int):
    with refusals():
        follows.get_target(db.session, kind, target_id)
    follows.unfollow(db.session, current_user, kind, target_id)
    db.session.commit()
    flash(gettext("No longer followed."), "success")
    return redirect(subject_url(kind, target_id))


@bp.get("/followed")
@guarded("follow")
def followed():
    rows = []
    for row in follows.follows_of(db.session, current_user):
        try:
            target = follows.get_target(db.session, row.target_kind, row.target_id)
        except debate.NotFound:
            continue  # the entry was removed since
        since = row.seen_at
        rows.append((row, target, since, follows.visit(db.session, row)))
    db.session.commit()  # this visit is now the last one
    return render_template("debate/followed.html", rows=rows)


# -- what the entry pages' blocks need ------------------------------------------------------


@bp.app_context_processor
def debate_helpers():
    def thread_of(kind: str, target) -> list:
        return debate.thread(db.session, kind, target.id)

    def following(kind: str, target) -> bool:
        if not current_user.is_authenticated:
            return False
        return follows.find(db.session, current_user, kind, target.id) is not None

    def evaluation_block(standard):
        items = evaluations.of_standard(db.session, standard)
        return {
            "items": items,
            "aggregate": evaluations.aggregate(standard, items),
            "edition": evaluations.edition_of(standard),
            "rubric": rubric,
            "process": process.get(db.session, standard),
            "own": next(
                (
                    e
                    for e in items
                    if current_user.is_authenticated
                    and e.author_id == current_user.id
                    and e.edition == evaluations.edition_of(standard)
                ),
                None,
            ),
        }

    return {
        "debate_thread_of": thread_of,
        "debate_following": following,
        "debate_evaluations": evaluation_block,
        "debate_author_label": debate.author_label,
        "debate_author_name": debate.author_name,
        "debate_can_edit": lambda post: (
            allowed("post.edit", post)
            and not post.hidden
            and debate.edit_window_open(post, edit_window())
        ),
        "debate_country_names": process.country_names,
        "subject_href": subject_url,
        "debate_rubric": rubric,
        "DEBATE_THREAD_KINDS": THREAD_KINDS,
    }
