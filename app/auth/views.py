"""Sign in and out, set a password from a link, and manage one's API tokens."""

import functools
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user

from app.auth import links, mail
from app.auth.guard import authorize, guarded
from app.extensions import db, limiter
from registry.clock import utcnow
from registry.models import ApiToken
from registry.passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password
from registry.services import tokens, users
from registry.text import N_

bp = Blueprint("auth", __name__)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so a wrong email costs as long as a wrong
    password. Made on first need, not at import: argon2 takes 64 MB while it hashes, and every
    process that builds the app (an import command, a worker) would pay that at start."""
    return hash_password("not-a-real-password-for-timing")

SIGN_IN_REFUSED = N_("The email or password is not right, or the account is not active.")


def safe_next(target: str | None) -> str | None:
    """A local path to return to after signing in; anything pointing elsewhere is dropped."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_LIMIT"]


def _sign_in_account_limit() -> str:
    return current_app.config["SIGN_IN_ACCOUNT_LIMIT"]


def _account_key() -> str:
    """The per-account limit's key: the e-mail as accounts are looked up (case and spaces do
    not make a new account), so guessing one account's password from many addresses is
    limited too. Unknown e-mails are counted alike, so the limit tells nothing either."""
    return "account:" + users.normalise_email(request.form.get("email", ""))


def _refused(response) -> bool:
    # Only refusals count against the account: its owner signing in is never locked out by
    # their own successes.
    return response.status_code == 401


def _reset_limit() -> str:
    return current_app.config["RESET_LIMIT"]


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
@limiter.limit(_sign_in_account_limit, methods=["POST"], key_func=_account_key,
               deduct_when=_refused)
def sign_in():
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(next_url or url_for("web.home"))
        return render_template("auth/sign_in.html", next=next_url, email="")
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    user = users.find_by_email(db.session, email) if email else None
    stored = user.password_hash if user is not None else None
    # Every refusal verifies one argon2 hash, the dummy one when there is none to check (an
    # unknown e-mail, an invitation not yet accepted): no account state answers faster.
    ok = verify_password(stored or _dummy_hash(), password) and bool(stored)
    if not ok or user is None or not user.active:
        # One message whatever failed, so the form does not tell which emails have accounts.
        return render_template(
            "auth/sign_in.html", next=next_url, email=email, error=gettext(SIGN_IN_REFUSED)
        ), 401
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.commit()
    session.clear()  # nothing from before sign-in survives it
    login_user(user, remember=bool(request.form.get("remember")))
    return redirect(next_url or url_for("web.home"))


@bp.post("/sign-out")
def sign_out():
    if current_user.is_authenticated:
        # Every session and remember-me cookie of this person ends, on every device.
        users.end_sessions(current_user._get_current_object())
        db.session.commit()
    logout_user()
    session.clear()
    flash(gettext("You are signed out."), "info")
    return redirect(url_for("web.home"))


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset_request():
    if request.method == "GET":
        return render_template("auth/reset_request.html")
    email = request.form.get("email", "").strip()
    user = users.find_by_email(db.session, email) if email else None
    if user is not None and user.active:
        mail.send(
            user.email,
            gettext("Reset your password at the AI Standards Exchange"),
            gettext("Someone asked to reset the password of this account. To choose a new one, "
                    "open this link within an hour:\n\n%(link)s\n\nIf it was not you, ignore "
                    "this message.", link=links.make(user, "reset")),
        )
    # The same answer either way: the page does not reveal which emails have accounts.
    flash(
        gettext("If an account exists for that address, a link to reset its password has been "
                "sent."), "info"
    )
    return redirect(url_for("auth.sign_in"))


@bp.route("/password/<purpose>/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def set_password(purpose: str, token: str):
    try:
        user = links.read(purpose, token)
    except links.LinkError as exc:
        return render_template("error.html", code=400, name="Link not valid", message=str(exc)), 400
    error = None
    if request.method == "POST":
        password = request.form.get("password", "")
        if password != request.form.get("confirm", ""):
            error = "The two passwords differ."
        else:
            try:
                users.set_password(db.session, user, password)
            except users.UserError as exc:
                error = str(exc).capitalize() + "."
            else:
                db.session.commit()
                flash(gettext("Your password is set. Sign in with it."), "info")
                return redirect(url_for("auth.sign_in"))
    return render_template(
        "auth/set_password.html", user=user, purpose=purpose, error=error, min_length=MIN_LENGTH
    ), 400 if error else 200


# -- the account --------------------------------------------------------------------------------


@bp.get("/account")
@guarded("account.edit")
def account():
    return render_template("auth/account.html")


@bp.post("/account")
@guarded("account.edit")
def account_update():
    try:
        changed = users.rename(db.session, current_user, current_user,
                               request.form.get("name", ""))
    except users.UserError as exc:
        return render_template("auth/account.html", error=str(exc)), 400
    db.session.commit()
    flash(gettext("Your display name is saved.") if changed
          else gettext("Your display name is unchanged."),
          "success")
    return redirect(url_for("auth.account"))


# -- API tokens -------------------------------------------------------------------------------


@bp.get("/account/tokens")
@guarded("token.manage")
def token_list():
    return render_template("auth/tokens.html", tokens=tokens.tokens_of(db.session, current_user))


@bp.post("/account/tokens")
@guarded("token.manage")
def token_create():
    try:
        token, secret = tokens.create_token(
            db.session,
            current_user,
            scope=request.form.get("scope", ""),
            name=request.form.get("name", ""),
        )
    except tokens.TokenError as exc:
        abort(400, description=str(exc).capitalize() + ".")
    db.session.commit()
    # Shown on this response only: the secret is stored as a hash and cannot be shown again.
    return render_template(
        "auth/tokens.html",
        tokens=tokens.tokens_of(db.session, current_user),
        new_token=token,
        secret=secret,
    ), 201, {"Cache-Control": "no-store"}  # the secret must not stay in any cache


@bp.post("/account/tokens/<int:token_id>/revoke")
@guarded("token.manage")
def token_revoke(token_id: int):
    token = db.session.get(ApiToken, token_id) or abort(404, description="No such token.")
    authorize("token.manage", token)
    tokens.revoke(db.session, token, actor=current_user)
    db.session.commit()
    flash(gettext("Token %(prefix)s… is revoked.", prefix=token.prefix), "info")
    return redirect(url_for("auth.token_list"))
