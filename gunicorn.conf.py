"""gunicorn settings that `make run` uses; any deployment may pass them with --config.

Bind address, workers and threads stay on the command line (the Makefile's HOST, PORT and
WORKERS).
"""

import gc


def post_worker_init(worker):
    """The worker has built the app: freeze what it allocated (modules, the app, the search
    service), so the garbage collector no longer walks it during every request that triggers a
    collection. tests/bench/concept_page.py measures the difference."""
    gc.collect()
    gc.freeze()
