"""A fixed slice of the differential fuzzer (tests/fuzz, docs/testing.md) in the default test run.

Each seed is one generated program, checked with every transformation against the
original and against finite differences.  Seeds on which s2s fails today are listed
in KNOWN_FAILURES with the failure's class; they are expected to fail
(strict xfail), so the list must shrink as the bugs are fixed: when one starts
passing, remove it from the list.
"""
import random
import tempfile

import numpy as np
import pytest

import s2s
from tests.fuzz.check import NUDGE, Checker, off_integers
from tests.fuzz.gen import Program, generate

SEEDS_PER_LEVEL = 40
FIRST_SEED = 1000
CASES = [(FIRST_SEED + k * 4 + level - 1, level) for k in range(SEEDS_PER_LEVEL) for level in (1, 2, 3, 4)]
# level 5 (nested functions, lists grown, comprehensions, dicts, starred, recursion...): a few seeds of its own
LEVEL5_SEEDS = 12
CASES += [(5000 + k, 5) for k in range(LEVEL5_SEEDS)]
# level 6 (NumPy breadth: axis=/keepdims= reductions, einsum, linalg, masks, stacking...): a few seeds of its own
LEVEL6_SEEDS = 8
CASES += [(6000 + k, 6) for k in range(LEVEL6_SEEDS)]
# level 7 (hunt3.py: lists of lists and layers looped over, helpers appending to the caller's list, tested defaults,
# sum(nested, []), grown tuples, Config.w, dtype=/astype, 0-d arrays, dict loops, int arguments): seeds of the fuzz7
# run (1195000-1195599) that pass today and between them write every one of those constructs
LEVEL7_SEEDS = (1195069, 1195224, 1195192, 1195209, 1195150, 1195141, 1195127, 1195124, 1195100, 1195028)
CASES += [(seed, 7) for seed in LEVEL7_SEEDS]
# level 8 (level8.py: optimizer steps over item loops on copied parameters, nested for _ loops, for-else, while True
# with break, lists grown in branches and nested loops, next(filter)/reduce/accumulate/takewhile/math.prod/fmean/
# max(key=), defaultdict accumulators, list item writes, running sums from NumPy scalars): seeds that pass today
# and between them write each of those
LEVEL8_SEEDS = (8003, 8013, 8014, 8016, 8017, 8018, 8019, 8022, 8026, 9090)
CASES += [(seed, 8) for seed in LEVEL8_SEEDS]
# level 9 (level9.py: containers read as a dict on one path and iterated on another, lists of numbers written by
# slot, recursive chains/trees/halvings and draws in a recursion, dataclasses and NamedTuples read in loops): seeds
# of fuzz9 (9000-9179) that pass today and between them write each of those
LEVEL9_SEEDS = (9101, 9102, 9107, 9111, 9116, 9119, 9129, 9140, 9142, 9165)
CASES += [(seed, 9) for seed in LEVEL9_SEEDS]

NUMPY1 = int(np.__version__.split(".")[0]) < 2  # (level 6's productions call NumPy 2's np.linalg.vector_norm)

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
    if outcome.status == "invalid" and NUMPY1 and "has no attribute" in (outcome.message or ""):
        pytest.skip(f"the program calls a function NumPy 1 has not: {outcome.message}")  # (np.linalg.vector_norm)
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
            "for s in range(30) for l in (1, 2, 3, 4, 5, 6, 7, 8)).encode()).hexdigest())")
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


def test_a_tie_at_an_integer_argument_is_not_a_wrong_derivative(checker):
    """Seed 731276 draws z = 2: min(z % 1.0, floor(x)) has both arguments 0.0 there and the function is flat on
    either side, so finite differences give 0 while s2s's tie rule takes one branch's derivative (a convention
    at such a point: JAX's half-and-half split is off too).  Moved off the integer, every check agrees."""
    program = generate(731276, 1)
    assert program.args[program.params.index("z")] == 2
    outcome = checker.run(program)
    assert outcome.status in ("ok", "unstable"), [f.message for f in outcome.failures]
    if outcome.status == "unstable":
        assert "integer argument (z = 2)" in outcome.message, outcome.message


def double(x):
    return 2.0 * x


@s2s.adjoint(double)
def _double_adjoint(g, ans, x):
    return (3.0 * g,)          # wrong on purpose: 2.0 * g is right


@s2s.tangent(double)
def _double_tangent(tangents, ans, x):
    return 3.0 * tangents[0]   # wrong on purpose


# (the function with the rule lives here: the code s2s emits for its call imports its module, which must be importable)
WRONG_RULE = """from tests.test_fuzz import double


def f(z, x):
    return double(z) * x
"""


def test_a_wrong_derivative_at_an_integer_argument_is_still_reported(checker):
    """An integer argument sends a wrong derivative to a second look off the integers; a derivative wrong there
    too is reported, at the point as drawn."""
    program = Program(seed=1, level=1, source=WRONG_RULE, params=["z", "x"], args=[2, 0.5], wrt="z",
                      result="scalar", arg_specs=[("f", ()), ("f", ())])
    outcome = checker.run(program, only=["grad", "jvp"])
    assert outcome.status == "fail", outcome.message
    assert outcome.args == [2, 0.5]
    assert [(f.cls, f.check) for f in outcome.failures] == [("wrong-derivative", "grad"), ("wrong-derivative", "jvp")]
    grad = outcome.failures[0]
    assert abs(grad.expected - 1.0) < 1e-6 and abs(grad.got - 1.5) < 1e-12    # d/dz 2 z x = 2 x; the rule: 3 x


def twice(x):
    return 2.0 * x


@s2s.adjoint(twice)
def _twice_adjoint(g, ans, x):
    return ((2.0 if isinstance(x, float) else 3.0) * g,)   # wrong on purpose, for an int x only


WRONG_FOR_INTS = """from tests.test_fuzz import twice


def f(z, x):
    return twice(z) * x
"""


def test_a_wrong_derivative_for_an_int_argument_only_is_still_reported(checker):
    """Off the integers the argument is a float: a derivative wrong for an int and right for the same number as a
    float is the int's bug, not a kink, and is reported."""
    program = Program(seed=1, level=1, source=WRONG_FOR_INTS, params=["z", "x"], args=[2, 0.5], wrt="z",
                      result="scalar", arg_specs=[("f", ()), ("f", ())])
    outcome = checker.run(program, only=["grad"])
    assert outcome.status == "fail", outcome.message
    assert [(f.cls, f.check) for f in outcome.failures] == [("wrong-derivative", "grad")]
    assert abs(outcome.failures[0].got - 1.5) < 1e-12
    program.args = [2.0, 0.5]   # the same number as a float: right
    assert checker.run(program, only=["grad"]).status == "ok"


def test_only_the_integer_valued_entries_are_moved_each_by_its_own_offset():
    value = (2, 0.5, np.array([1.0, 1.0, -0.25]), {"a": True, "b": -1.0})
    moved, any_moved = off_integers(value, random.Random(0))
    assert any_moved
    assert isinstance(moved[0], float) and NUDGE / 2 <= moved[0] - 2 <= NUDGE
    assert moved[1] == 0.5 and moved[2][2] == -0.25 and moved[3]["a"] is True
    assert moved[2][0] != moved[2][1] and all(NUDGE / 2 <= d <= NUDGE for d in moved[2][:2] - 1.0)
    assert NUDGE / 2 <= moved[3]["b"] + 1.0 <= NUDGE
    assert off_integers(value, random.Random(0))[0][0] == moved[0]          # deterministic
    assert off_integers((0.5, np.array([0.25])), random.Random(0))[1] is False
    same, _ = off_integers(value)     # without a generator: the same numbers, as floats
    assert same[0] == 2.0 and isinstance(same[0], float) and same[3]["b"] == -1.0
    assert np.array_equal(same[2], value[2])
