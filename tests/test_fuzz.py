"""A fixed slice of the differential fuzzer (tests/fuzz, docs/testing.md) in the default test run.

Each seed is one generated program, checked with every transformation against the
original and against finite differences.  Seeds on which s2s fails today are listed
in KNOWN_FAILURES with the failure's class; they are expected to fail
(strict xfail), so the list must shrink as the bugs are fixed: when one starts
passing, remove it from the list.
"""
import tempfile

import pytest

from tests.fuzz.check import Checker
from tests.fuzz.gen import generate

SEEDS_PER_LEVEL = 40
FIRST_SEED = 1000
CASES = [(FIRST_SEED + k * 4 + level - 1, level) for k in range(SEEDS_PER_LEVEL) for level in (1, 2, 3, 4)]
# level 5 (nested functions, lists grown, comprehensions, dicts, starred, recursion...): a few seeds of its own
LEVEL5_SEEDS = 12
CASES += [(5000 + k, 5) for k in range(LEVEL5_SEEDS)]
# level 6 (NumPy breadth: axis=/keepdims= reductions, einsum, linalg, masks, stacking...): a few seeds of its own
LEVEL6_SEEDS = 8
CASES += [(6000 + k, 6) for k in range(LEVEL6_SEEDS)]

# (seed, level) -> the failure class today (see `python -m tests.fuzz --n 1 --seed S --level L` for the reproducer)
# (the IR verifier is on in the tests, see conftest.py, so "VerificationError" internal errors show here)
KNOWN_FAILURES: dict = {}


@pytest.fixture(scope="module")
def checker():
    with tempfile.TemporaryDirectory(prefix="s2s-fuzz-test-") as directory:
        yield Checker(directory)


def _case(seed, level):
    marks = ()
    if (seed, level) in KNOWN_FAILURES:
        marks = pytest.mark.xfail(strict=True, reason=f"known {KNOWN_FAILURES[(seed, level)]}")
    return pytest.param(seed, level, marks=marks, id=f"seed{seed}-level{level}")


@pytest.mark.parametrize("seed,level", [_case(s, lv) for s, lv in CASES])
def test_fuzz(checker, seed, level):
    program = generate(seed, level)
    outcome = checker.run(program)
    assert outcome.status != "invalid", f"the generator made an invalid program: {outcome.message}\n{program.source}"
    failures = outcome.failures if outcome.status == "fail" else []
    # a rejection is s2s refusing the program cleanly: listed, not a bug by itself
    real = [f for f in failures if f.cls != "rejected"]
    assert not real, "\n".join(f"{f.cls} in {f.check}: {f.message}" for f in real) + "\n" + program.source


def test_the_same_seed_makes_the_same_programs_in_every_process():
    """A failure is reproduced with its --seed: the generator must not depend on Python's string hashing
    (it iterated a set of names, so PYTHONHASHSEED changed the programs)."""
    import os
    import subprocess
    import sys
    code = ("import hashlib; from tests.fuzz import gen; print(hashlib.sha256(''.join(str(gen.generate(s, l).__dict__) "
            "for s in range(30) for l in (1, 2, 3, 4, 5, 6)).encode()).hexdigest())")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digests = {subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True,
                              env=dict(os.environ, PYTHONHASHSEED=str(h))).stdout for h in (0, 1, 2)}
    assert len(digests) == 1, digests


def test_level_6_calls_the_numpy_rules_the_levels_below_do_not():
    """Level 6 is there to reach s2s's NumPy rules: 200 of its programs call over 100 NumPy, np.linalg and
    scipy.special functions that have a reverse rule (levels 3-5: about 40 functions in all)."""
    import re

    import numpy as np

    from s2s.rules import registry
    pytest.importorskip("scipy.special")  # (level 6 calls scipy.special)
    import scipy

    def resolve(name):
        """The function `name` spells, or None where this NumPy has none (np.linalg.vector_norm: NumPy 2)."""
        obj = {"np": np, "scipy": scipy}[name.split(".")[0]]
        for part in name.split(".")[1:]:
            obj = getattr(obj, part, None)
        return obj

    called = set()
    for seed in range(6000, 6200):
        called |= set(re.findall(r"\b((?:np|np\.linalg|scipy\.special)\.[a-z_0-9]+)\(", generate(seed, 6).source))
    with_rules = {name for name in called if resolve(name) is not None and
                  registry.reverse_rule(registry.key_of(resolve(name)) or "")}
    assert len(with_rules) > 100, sorted(called)
    below = set()
    for seed in range(6000, 6200):
        below |= set(re.findall(r"\b((?:np|np\.linalg|scipy\.special)\.[a-z_0-9]+)\(", generate(seed, 5).source))
    assert len(with_rules - below) > 60
