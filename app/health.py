"""/healthz: for load balancers and the test harness. 200 when the database answers, else 503."""

from flask import Blueprint, Flask, jsonify
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("select 1"))
    except DBAPIError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


def register(app: Flask) -> None:
    app.register_blueprint(bp)
