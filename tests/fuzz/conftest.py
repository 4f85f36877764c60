"""Fuzzing reads a populated registry (real ids, slugs and filters to hit): the demo catalogue,
loaded once per module rather than per generated case (``tests.demo``)."""

from tests.demo import demo_app  # noqa: F401 (a fixture offered to this folder)
