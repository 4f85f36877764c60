"""The demo catalogue loaded once per module, for the tests that only read it (``tests.demo``)."""

from tests.demo import demo_app  # noqa: F401 (a fixture offered to this folder)
