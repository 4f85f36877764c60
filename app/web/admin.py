"""Administration: users (create, invite, role, body, deactivate) and the activity log."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from app.auth import links, mail
from app.auth.guard import guarded
from app.extensions import db
from app.web import bp
from app.web.args import load_args
from registry.models import Body, User
from registry.models.vocab import AUDIT_PATHS, ROLES
from registry.schemas.accounts import ActivityQuery
from registry.services import audit, users


def _users_page(**extra):
    return render_template(
        "admin/users.html",
        users=db.session.scalars(select(User).order_by(User.role, User.email)).all(),
        bodies=db.session.scalars(select(Body).order_by(Body.code)).all(),
        roles=ROLES,
        values=extra.pop("values", {}),
        **extra,
    )


@bp.get("/admin/users")
@guarded("user.manage")
def admin_users():
    return _users_page()


@bp.post("/admin/users")
@guarded("user.manage")
def admin_create_user():
    form = request.form
    try:
        user = users.create_user(
            db.session,
            email=form.get("email", ""),
            role=form.get("role", ""),
            name=form.get("name", "").strip(),
            body_code=form.get("body") or None,
            actor_id=current_user.id,
            path="web",
        )
    except users.UserError as exc:
        db.session.rollback()
        return _users_page(error=str(exc).capitalize() + ".", values=form), 400
    db.session.commit()
    # The new user chooses a password through a link: no password travels through the admin.
    mail.send(
        user.email,
        gettext("Your account at the AI Standards Exchange"),
        gettext("An administrator created an account for you (%(role)s). Choose your password "
                "within a week here:\n\n%(link)s", role=user.role,
                link=links.make(user, "invite")),
    )
    flash(
        gettext("%(email)s is created and invited (the link is mailed, or written to the server "
                "log when no mail server is configured).", email=user.email),
        "success",
    )
    return redirect(url_for("web.admin_users"), 303)


@bp.post("/admin/users/<int:user_id>")
@guarded("user.manage")
def admin_update_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404, description="No such user.")
    form = request.form
    try:
        changed = users.update_user(
            db.session,
            user,
            role=form.get("role", ""),
            body_code=form.get("body") or None,
            active=form.get("active") == "1",
            name=form.get("name"),
            actor_id=current_user.id,
        )
    except users.UserError as exc:
        db.session.rollback()
        return _users_page(error=f"{user.email}: {exc}."), 400
    db.session.commit()
    flash(gettext("%(email)s is updated.", email=user.email) if changed
          else gettext("%(email)s: nothing changed.", email=user.email), "success")
    return redirect(url_for("web.admin_users"), 303)


@bp.get("/admin/activity")
@guarded("audit.read")
def admin_activity():
    filters = load_args(ActivityQuery)
    return render_template(
        "admin/activity.html",
        page=audit.activity(db.session, filters),
        filters=filters,
        paths=AUDIT_PATHS,
        entities=audit.entity_kinds(db.session),
        users=db.session.scalars(select(User).order_by(User.email)).all(),
    )
