"""An app with the demo catalogue loaded once per test module (the fixture ``demo_app``).

Tests that only read a populated registry share one load of the demo per module instead of
loading it per test; the tables are wiped when the module ends. A conftest imports the fixture
to offer it to its folder.
"""

import pytest

from app.extensions import db as flask_db
from tests import dbs
from tests.conftest import make_app


@pytest.fixture(scope="module")
def demo_app(_schema, database_url, tmp_path_factory):
    application = make_app(database_url, tmp_path_factory.mktemp("demo"))
    result = application.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with application.app_context():
        yield application
        flask_db.session.remove()
    dbs.wipe(_schema)
