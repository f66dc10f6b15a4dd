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
