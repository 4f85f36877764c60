"""The database turns read-only for a while, then writable again: writes recover by themselves.

After the SQLite file had been read-only, every write failed (503) until a restart: connections
opened while it was read-only stay read-only, and the pool kept handing them out. The same holds
for a PostgreSQL session opened on a read-only server (a standby after a failover). The tests
make each connection opened during the bad moment read-only (PRAGMA query_only on SQLite,
default_transaction_read_only on PostgreSQL), as the file or the server would.
"""

import pytest
from sqlalchemy import event

from app.extensions import db
from tests.auth import make_user

PASSWORD = "password-panel-long"


@pytest.fixture
def read_only_moment(app):
    """``start()``: connections opened from now on are read-only; ``end()``: no longer, but
    those already open stay so."""
    state = {"on": False}

    def connect(dbapi_connection, _record):
        if not state["on"]:
            return
        if db.engine.dialect.name == "sqlite":
            dbapi_connection.execute("PRAGMA query_only = ON")
        else:
            dbapi_connection.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            dbapi_connection.commit()

    event.listen(db.engine, "connect", connect)

    class Moment:
        def start(self):
            state["on"] = True
            db.session.remove()
            db.engine.dispose()  # every connection from now on is opened read-only

        def end(self):
            state["on"] = False

    yield Moment()
    event.remove(db.engine, "connect", connect)
    db.session.remove()
    db.engine.dispose()


def _sign_in(client):
    # A sign-in writes (the time of the last sign-in): the simplest write a client can make.
    return client.post("/sign-in", data={"email": "panel@example.org", "password": PASSWORD})


def test_writes_recover_once_the_database_is_writable_again(app, session, client,
                                                            read_only_moment):
    make_user(session, "panel", email="panel@example.org")
    assert _sign_in(client).status_code == 302
    read_only_moment.start()
    for _ in range(3):
        response = _sign_in(app.test_client())
        assert response.status_code == 503 and "database is unavailable" in response.text
    assert app.test_client().get("/standards").status_code == 200  # reads still work
    read_only_moment.end()
    # The connection that meets the read-only error is discarded with the rest of the pool,
    # so at most that one request fails; then every write succeeds again.
    codes = [_sign_in(app.test_client()).status_code for _ in range(6)]
    assert 302 in codes[:2] and set(codes[codes.index(302):]) == {302}, codes
