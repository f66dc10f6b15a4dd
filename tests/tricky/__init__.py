"""A corpus of tricky-but-legal programs (issue 10: no silent wrong derivative).

Each theme module registers its programs with `exact` or `refused` (see case.py);
tests/test_tricky.py runs every one.
"""
from . import aliasing, containers, control, helpers, mutation, names, numpy_edges, semantics  # noqa: F401
from .case import CASES  # noqa: F401
