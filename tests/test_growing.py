"""Lists grown in place (back/growing.py): `ys.append(h)` of the function is `ys_1 += [h]` in the generated code,
not `ys_1 = ys_1 + [h]` (a copy of the list per append, O(n^2) over a loop), wherever no other reference to the
list can see the difference; where one can (a stack saving the list each step), the copy stays. Every case
through every mode against finite differences (the Hessian transforms the gradient's code again)."""
import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad


def trajectory(x):
    ys = []
    h = x
    for i in range(6):
        h = np.sin(h) * 0.9 + 0.1
        ys.append(h)
    return np.sum(np.stack(ys) ** 2)


def read_each_step(x):  # the adjoint reads the list as it was at each step: saved, so copied
    ys = []
    h = x
    s = 0.0
    for i in range(4):
        h = np.sin(h) * 1.1
        ys.append(h)
        s = s + np.sum(np.stack(ys) ** 2) * (i + 1)
    return s


def nested(x):
    rows = []
    h = x
    for j in range(3):
        cols = []
        for i in range(3):
            h = np.cos(h) + 0.3 * x
            cols.append(h * (i + 1))
        rows.append(np.stack(cols))
    return np.sum(np.stack(rows) ** 2)


def keep_old(x):
    ys = [x]
    old = ys
    ys = ys + [x * 2]
    ys.append(x * 3)
    return np.sum(np.stack(ys)) + np.sum(np.stack(old) ** 2)


def copy_then_grow(x):
    ys = []
    for i in range(3):
        ys.append(np.sin(x) * i)
        snap = list(ys)
    return np.sum(np.stack(ys) ** 2) + np.sum(np.stack(snap))


def iterate_then_grow(x):
    ys = [x]
    out = []
    for y in ys:
        out.append(y * 2)
    for i in range(2):
        ys.append(ys[-1] * x)
    return np.sum(np.stack(out) ** 2) + np.sum(np.stack(ys))


def in_branches(x):
    ys = []
    h = x
    for i in range(5):
        h = np.tanh(h * 1.3)
        if i % 2 == 0:
            ys.append(h)
        else:
            ys.append(-h)
    return np.sum(np.stack(ys) ** 2)


def numbers(x):
    ys = []
    acc = 0.0
    for i in range(6):
        acc = acc * 0.5 + np.sum(np.sin(x * i))
        ys.append(acc)
    return sum(ys) + ys[-1] ** 2


def two_lists_one_start(x):
    a = []
    b = list(a)
    for i in range(3):
        a.append(x * i)
        b.append(np.sin(x) + i)
    return np.sum(np.stack(a) ** 2) + np.sum(np.stack(b) ** 3) + len(a)


def started_with_a_constant(x):  # (a transient state of the change gave Hessians of 1.2 for 1.8: hunt10fin S3)
    out = [0.0]
    for i in range(2):
        out.append(x[i] * x[i])
    return np.sum(np.array(out) * x[0])


def smoothed(x):  # an exponential moving average collected in a list, its first entry the first observation
    alpha = x[0] * 0.5
    m = x[1]
    out = [m]
    for v in x[1:]:
        m = alpha * v + (1 - alpha) * m
        out.append(m)
    return np.sum(np.array(out) ** 2)


def summed_losses(x):  # a loss per step collected and summed by the builtin sum: its adjoint rows of one array
    losses = []
    h = x
    for i in range(5):
        h = np.sin(h) * 0.8 + x * 0.1
        losses.append(np.sum(h * h) * (i + 1))
    return sum(losses)


def summed_states(x):  # arrays of one shape summed
    states = []
    h = x
    for i in range(4):
        h = np.tanh(h * 1.2 + 0.1)
        states.append(h)
    return np.sum(sum(states) ** 2)


def summed_mixed(x):  # a number and arrays summed (broadcast): the list of adjoints, each summed to its shape
    parts = [x[0]]
    for i in range(3):
        parts.append(x * (i + 1.0))
    return np.sum(sum(parts) ** 2)


CASES = [trajectory, read_each_step, nested, keep_old, copy_then_grow, iterate_then_grow, in_branches, numbers,
         two_lists_one_start, started_with_a_constant, smoothed, summed_losses, summed_states, summed_mixed]
X = np.array([0.3, -0.7, 1.1])


@pytest.mark.parametrize("f", CASES, ids=[f.__name__ for f in CASES])
def test_every_mode(f):
    check_every_mode(f, X)


@pytest.mark.parametrize("f", CASES, ids=[f.__name__ for f in CASES])
def test_vjp_pullback_runs_twice(f):
    value, pullback = s2s.vjp(f)(X)
    assert value == pytest.approx(f(X), rel=1e-12)
    expected = numeric_grad(f, (X,), 0)
    for _ in range(2):
        g = pullback(1.0)
        assert_close(g[0] if isinstance(g, tuple) else g, expected, what=f.__name__)


def _copies_per_append(text: str) -> bool:
    return "+ [" in text.replace("+= [", "")


def test_a_list_nothing_else_holds_is_extended_in_place():
    text = s2s.grad(trajectory).source
    assert "ys_1 = []" in text and "ys_1 += [h]" in text and not _copies_per_append(text), text
    assert "rt.stack_adjoint_rows(" in text, text  # (its adjoint cut back by views of one array)
    text = s2s.jvp(trajectory).source  # (its tangents grow with it: rt.appended_tangent, below)
    assert "ys_1 += [h]" in text, text
    for f in (in_branches, numbers, two_lists_one_start, nested):
        text = s2s.grad(f).source
        assert not _copies_per_append(text.split("# adjoint of")[0]) or f is nested, text


def test_a_list_the_sweep_saves_at_each_step_is_copied():
    # (np.stack's adjoint reads only the shapes of the list's parts: those are saved at each step, not the list,
    # since f295256; the list grows by a copy, which a saved list would need)
    text = s2s.grad(read_each_step).source
    assert "ys_1 = ys_1 + [h]" in text and "rt.shapes_of(ys_1)" in text, text
    assert_close(s2s.grad(read_each_step)(X), numeric_grad(read_each_step, (X,), 0))



def test_a_summed_list_s_adjoint_is_rows_of_one_array():
    """sum(losses) of a list grown in a loop: its adjoint was a list cut back by a copy per append in the reversed
    loop (O(n^2): 1.37 s for the 0.13 s function at 16,000 steps); now the rows of one array, cut by views."""
    for f in (summed_losses, summed_states):
        text = s2s.grad(f).source
        assert "rt.sum_adjoint_rows(" in text and "rt.sum_builtin_adjoint(" not in text, text
    assert_close(s2s.grad(summed_losses)(X), numeric_grad(summed_losses, (X,), 0))


def test_the_tangents_of_a_list_grown_in_place_grow_in_place():
    """Forward mode: `dys_1 = rt.appended_tangent(dys_1, dh, ys_1)` copied the tangents' list per append (O(n^2):
    0.27 s for the 0.03 s function at 8,000 appends). Where the list itself grew in place (the same list, one item
    longer) nothing reads the old tangents: they grow in place too; a new list (`ys = xs + [v]` kept apart) gets a
    new list of tangents, the old one left as it was."""
    from s2s import runtime as rt
    ys = [1.0]
    d1 = rt.appended_tangent(None, 0.5, ys)
    ys.append(2.0)
    d2 = rt.appended_tangent(d1, 0.25, ys)
    assert d2 is d1 and list(d2) == [0.5, 0.25]
    other = ys + [3.0]
    d3 = rt.appended_tangent(d2, None, other)
    assert d3 is not d2 and list(d2) == [0.5, 0.25] and list(d3) == [0.5, 0.25, 0.0]
    # through the generated code, against finite differences (a long loop: the value at every step)
    value, tangent = s2s.jvp(summed_states)((X,), (np.array([1.0, -2.0, 0.5]),))
    assert value == pytest.approx(summed_states(X), rel=1e-12)
    assert tangent == pytest.approx(numeric_grad(summed_states, (X,), 0) @ np.array([1.0, -2.0, 0.5]), rel=1e-6)
    assert "rt.appended_tangent(" in s2s.jvp(trajectory).source


def read_last(x):  # the trajectory idiom: each step reads the list's last item (its adjoint a list per step)
    ys = [x]
    for i in range(5):
        ys.append(np.sin(ys[-1]) * 0.5 + x)
    return np.sum(np.stack(ys) ** 2)


def test_read_last_every_mode():
    check_every_mode(read_last, X)


def test_zeros_of_a_list_of_arrays_are_rows_of_one_buffer_each_its_own():
    from s2s import runtime as rt
    xs = [np.ones(3), np.ones(3) * 2.0, np.ones(3)]
    z = rt.zeros_like(xs)
    assert [p.shape for p in z] == [(3,)] * 3 and all(np.all(p == 0.0) for p in z)
    z[1] += 5.0  # (a part written in place: the others are not)
    assert np.all(z[0] == 0.0) and np.all(z[2] == 0.0) and np.all(xs[1] == 2.0)
    mixed = rt.zeros_like([np.ones(3), np.ones(2)])
    assert [p.shape for p in mixed] == [(3,), (2,)]
