"""Indexing is off the import's path: the import commits and returns, the index catches up."""

import json

import pytest
from sqlalchemy import func, select

from app.search import service
from registry.models import SearchOutbox
from registry.search.base import SearchRequest
from tests import factories as f

THREAD = [{"SEARCH_BACKEND": "whoosh", "SEARCH_DRAIN": "thread"}]


def _file(tmp_path, n=30):
    path = tmp_path / "standards.jsonl"
    path.write_text("".join(json.dumps(f.standard(f"ISO {5000 + i}:2024", committee=None,
                                                  title=f"Catch-up test standard {i}")) + "\n"
                            for i in range(n)))
    return path


def _queued(session) -> int:
    count = session.scalar(select(func.count(SearchOutbox.id)))
    session.rollback()  # the next command runs in this app context: leave no transaction open
    return count


def _found(session, q: str) -> int:
    total = service().search(session, SearchRequest(q=q)).total
    session.rollback()
    return total


@pytest.mark.parametrize("app", THREAD, indirect=True)
def test_an_import_returns_with_its_changes_queued_for_the_index(app, session, runner,
                                                                 tmp_path):
    result = runner.invoke(args=["import", "registry", str(_file(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "created 30" in result.output
    assert "Search index: 30 changes queued" in result.output
    assert _queued(session) == 30  # committed, not yet indexed

    result = runner.invoke(args=["import", "registry", str(_file(tmp_path, 35)),
                                 "--wait-index"])
    assert result.exit_code == 0, result.output
    assert "Search index: 35 changes applied" in result.output  # the 30 and the 5 new
    assert _queued(session) == 0
    assert _found(session, "catch-up") == 35


@pytest.mark.parametrize("app", THREAD, indirect=True)
def test_a_server_process_applies_what_a_command_queued(app, session, runner, client,
                                                        tmp_path):
    runner.invoke(args=["import", "registry", str(_file(tmp_path, 10))])
    assert _queued(session) == 10
    client.get("/")  # the first request starts this process's drainer
    assert service().wait_idle(timeout=30)
    assert _found(session, "catch-up") == 10
