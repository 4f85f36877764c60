"""An app with the demo catalogue loaded once per module, for schemathesis to call in-process.

Fuzzing reads a populated registry (real ids, slugs and filters to hit), so the demo is loaded
once rather than per generated case; the tables are wiped when the module ends.
"""

import pytest

from app.extensions import db as flask_db
from tests import dbs
from tests.conftest import make_app


@pytest.fixture(scope="module")
def demo_app(_schema, database_url, tmp_path_factory):
    application = make_app(database_url, tmp_path_factory.mktemp("fuzz"))
    result = application.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with application.app_context():
        yield application
        flask_db.session.remove()
    dbs.wipe(_schema)
