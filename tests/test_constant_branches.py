"""The pipeline's `fold` stage (s2s/optimize/branches.py): an `if` on a constant keeps only the block that runs.

A helper called with a literal tests constants once inlined (`rot(a, 2)` testing `axis == 0`): neither the
comparison nor the branches no call can take are differentiated or generated. Each program is checked against
central differences in every mode; the generated text shows no test of constants.
"""
import numpy as np
import pytest

import s2s
from conftest import check_every_mode


def rot(a, axis):
    c, s = np.cos(a), np.sin(a)
    if axis == 0:
        return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])
    elif axis == 1:
        return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])
    else:
        return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def rotations(angles):
    R = rot(angles[0], 2) @ rot(angles[1], 1) @ rot(angles[2], 0)
    return np.sum((R @ np.array([0.5, -1.0, 2.0])) ** 2 * np.arange(1.0, 4.0))


def step(y, h, method=None, damped=False):
    if method is None or method == "euler":
        out = y + h * np.sin(y)
    else:
        mid = y + 0.5 * h * np.sin(y)
        out = y + h * np.sin(mid)
    if not damped:
        return out
    return 0.9 * out


def integrate(y):
    for _ in range(3):
        y = step(y, 0.1)
        y = step(y, 0.1, "midpoint", damped=True)
    return np.sum(y * y)


def write(y, x, kind):
    if kind == 1:
        y[0] = x[0] * x[1]
    else:
        y[1] = np.tanh(x[0])
    return y


def writes(x):
    y = np.zeros(3)
    y = write(y, x, 1)
    y = write(y, x, 2)
    for i in range(2):
        if 3 < 2 and i > 0:
            break
        y = write(np.copy(y), x * y[0], 1)
    return np.sum(y ** 2) + y[1]


def stop_or_go(x, mode):
    s = 0.0
    for i in range(5):
        if mode == "stop":
            break
        s = s + np.sin(x[i % 2]) * x[0]
    return s
def f1(x):
    return stop_or_go(x, "go") + 2.0 * stop_or_go(x, "stop") + x[1]
def skip_some(x, mode):
    s = 0.0
    for i in range(4):
        if mode == 1:
            continue
        s = s + x[i % 2] ** 2
    return s
def f2(x):
    return skip_some(x, 1) + skip_some(x, 0) * x[0]
def loop_flag(x, flag):
    y = x * 1.0
    while flag and y[0] < 3.0:
        y = y * 1.5 + 0.1
    return np.sum(y)
def f3(x):
    return loop_flag(x, False) + loop_flag(x, True) ** 2
def ret_early(x, k):
    if k is None:
        return x * 2.0
    if k > 2:
        return np.tanh(x)
    y = np.zeros(2)
    y[0] = x[0] * k
    y[1] = x[1]
    return y
def f4(x):
    return np.sum(ret_early(x, None) * ret_early(x, 3) * ret_early(x, 1))


@pytest.mark.parametrize("f, x", [(rotations, [0.3, -0.7, 1.1]), (integrate, [0.4, -1.3]),
                                  (writes, [0.6, -0.8]), (f1, [0.7, -0.4]), (f2, [0.7, -0.4]), (f3, [0.7, -0.4]),
                                  (f4, [0.7, -0.4])])
def test_every_mode_against_finite_differences(f, x):
    check_every_mode(f, np.array(x))


@pytest.mark.parametrize("f", [rotations, integrate, writes])
def test_no_test_of_constants_is_generated(f):
    for src in (s2s.grad(f).source, s2s.jvp(f).source):
        code = "\n".join(line for line in src.splitlines() if not line.strip().startswith("#"))
        assert "if " not in code and " == " not in code and " is None" not in code and " < " not in code, src


def test_the_other_branches_are_not_generated():
    src = s2s.grad(rotations).source
    # each rot call builds its one matrix: three np.array calls, not nine
    code = [line for line in src.splitlines() if not line.strip().startswith("#")]
    assert sum(line.count("np.array(") for line in code) == 4, src  # (and the constant vector's)


def test_a_while_on_a_false_constant_is_not_generated():
    src = s2s.jvp(f3).source
    code = [line.strip() for line in src.splitlines() if not line.strip().startswith("#")]
    assert sum(line.startswith("while ") for line in code) == 1 and "while False:" not in code, src


def test_a_condition_on_data_stays():
    def f(x, axis):
        return np.sum(rot(x[0], axis) @ x)
    src = s2s.grad(f).source
    assert "if axis == 0:" in src or "axis == 0" in src, src


# ---------------------------------------------------------------- an array rebound in an if on a constant, then written
def prep(v, mode):
    out = v * 1.0
    if mode == "double":  # (a constant once inlined)
        out = out * 2.0
    out[0] = 0.0  # written after the join
    return out


def prepared(x):
    return np.sum(prep(x, "double") ** 2) + np.sum(prep(x, "same") ** 2)


def rebound_then_written(x):
    a = 1
    y = x * 1.0
    if a == 2:
        y = y + x
    y[1] = 2.0
    z = y
    z[2] = x[0] * 3.0
    return np.sum(y * y)


@pytest.mark.parametrize("f", [prepared, rebound_then_written])
def test_a_join_written_after_the_fold(f):
    """The join of an if on a constant, written in place after it, is the operand's array: its versions are
    written under the operand's name (NameError of the join's name, every mode; the regressions hunt's F0)."""
    check_every_mode(f, np.array([0.37, 0.71, 0.53]))


# ---------------------------------------------------------------- a return flag a literal decides, folded twice
def first_of(x, kind):
    for i in range(3):
        if kind == "early":
            return x * 2.0  # (an early return in a loop: a flag the loop carries)
        x = np.sin(x)
    return x


def late_and_early(x):
    return np.sum(first_of(x, "late") * first_of(x, "early"))


def test_a_return_flag_made_constant_is_folded():
    """Dropping the early return left the loop's flag `returned` the constant False on every way into the
    header, and `if False:` after the loop (and in the adjoint): the flag is that constant, and the fold runs
    again over what it made (hunt9cfg's 7a)."""
    check_every_mode(late_and_early, np.array([0.3, -0.8]))
    src = s2s.grad(lambda x: np.sum(first_of(x, "late"))).source
    code = [line.strip() for line in src.splitlines() if not line.strip().startswith("#")]
    assert not any(line.startswith("if ") for line in code), src
