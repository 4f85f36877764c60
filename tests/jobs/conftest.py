import pytest

from tests.jobs.feeds import serve


@pytest.fixture
def feeds():
    state, server = serve()
    yield state
    server.shutdown()
    server.server_close()
