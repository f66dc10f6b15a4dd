"""Round 16 fixes of library functions and messages (fix16lib).

1: itertools.accumulate(xs, f), filterfalse(f, xs), takewhile(f, xs) and dropwhile(f, xs) of a lambda or a function
were refused (the lambda 'used as a value'; accumulate without f as Python's own code): they are the loops Python
runs (front/library_loops.py), each value computed as the loop reaches it, read wholly where made or looped over.
statistics.fmean was refused (a try statement in its source): it is Python's math.fsum(xs) / len(xs) (with
weights, math.fsum of the products over math.fsum of the weights), with Python's StatisticsError; statistics.mean
that plus the last bit of its own rounding (rt.mean_rounding), which carries no derivative.

2: s2s.jvp of a jvp through np.max, np.min, np.amax, np.nanmax, np.ptp was refused (their tangent helpers had no
record); the tied entries keep their shares, as in the first derivative.

3: a signed distance function's norm of zeros inside its box: first derivatives exact (0), the Hessian refused
with the branch to write, which is exact.

4: messages: advice from the right statement of a line holding several, an item loop's break kept by its advice,
next(it[, default]) as the loop stopping at the first value (it was refused, advising list(filter(...))).
"""
from __future__ import annotations

import itertools
import operator
import statistics
import sys
from itertools import accumulate, dropwhile, takewhile

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad

X = np.array([0.3, 1.2, 2.5, 0.7])


# ------------------------------------------------------------------ 1: itertools with a function, statistics.fmean
def comb(a, b):
    return a * np.sin(b) + b


def small(v):
    return v < 2.0


def accumulate_lambda(x):
    out = list(itertools.accumulate(x, lambda a, b: 0.9 * a + b))
    return sum(o * o for o in out)


def accumulate_named(x):
    return sum(itertools.accumulate(x, comb))


def accumulate_plain(x):
    return sum(v * v for v in accumulate(x))


def accumulate_initial(x):
    return sum(o ** 2 for o in itertools.accumulate(x, comb, initial=0.5))


def accumulate_func_keyword(x):
    return sum(itertools.accumulate(x, func=operator.mul))


def accumulate_max(x):
    return sum(itertools.accumulate(np.sin(3.0 * x), max))


def accumulate_generator(x):
    return sum(itertools.accumulate((v * v for v in x), lambda a, b: a * b, initial=1.0))


def accumulate_array(x):
    running = np.array(list(itertools.accumulate(x, lambda a, b: a * 0.5 + b * b)))
    return np.sum(running * x)


def accumulate_loop(x):
    total = 0.0
    for r in itertools.accumulate(x, lambda a, b: a * b + 0.1):
        if r > 4.0:
            break
        total = total + r * r
    return total


def accumulate_loop_initial(x):
    total, k = 0.0, 1.0
    for r in itertools.accumulate(x, comb, initial=x[0]):
        total = total + k * r
        k = k + 1.0
    return total


def accumulate_stored(x):
    it = itertools.accumulate(x, lambda a, b: a + np.cos(b))
    return sum(it)


def accumulate_closure(x):
    rate = x[0]

    def step(a, b):
        return rate * a + b

    return sum(itertools.accumulate(x[1:], step))


def filterfalse_lambda(x):
    return sum(v ** 3 for v in itertools.filterfalse(lambda v: v > 1.0, x))


def filterfalse_none(x):
    return sum(itertools.filterfalse(None, x - x[0]))


def filterfalse_loop(x):
    total = 0.0
    for v in itertools.filterfalse(small, x):
        total = total + np.log(v)
    return total


def takewhile_lambda(x):
    return sum(v * v for v in itertools.takewhile(lambda v: v < 2.0, x))


def takewhile_list(x):
    return np.sum(np.array(list(takewhile(small, x))) ** 2)


def takewhile_else(x):
    total = 0.0
    for v in itertools.takewhile(lambda v: v < 2.0, x):
        total = total + v
    else:
        total = total * 10.0
    return total


def takewhile_break(x):
    total = 0.0
    for v in itertools.takewhile(lambda v: v < 2.0, x):
        if v > 1.0:
            break
        total = total + v
    else:
        total = total * 10.0
    return total


def dropwhile_lambda(x):
    return sum(v * v for v in itertools.dropwhile(lambda v: v < 2.0, x))


def dropwhile_loop(x):
    total = 0.0
    for v in dropwhile(small, x):
        if v > 2.0:
            continue
        total = total + np.exp(v)
    return total


def dropwhile_list(x):
    rest = list(itertools.dropwhile(lambda v: v < 1.0, x))
    return rest[0] * rest[-1]


def fmean_plain(x):
    return statistics.fmean(x) ** 2


def fmean_generator(x):
    return statistics.fmean(np.sin(v) for v in x)


def fmean_list(x):
    return statistics.fmean([v * v for v in x]) * x[0]


def fmean_weights(x):
    return statistics.fmean(x, [1.0, 2.0, 3.0, 4.0]) ** 2


def fmean_weights_keyword(x):
    return statistics.fmean(data=x[:2], weights=x[2:] * x[2:])


LIBRARY = [accumulate_lambda, accumulate_named, accumulate_plain, accumulate_initial, accumulate_func_keyword,
           accumulate_max, accumulate_generator, accumulate_array, accumulate_loop, accumulate_loop_initial,
           accumulate_stored, accumulate_closure, filterfalse_lambda, filterfalse_none, filterfalse_loop,
           takewhile_lambda, takewhile_list, takewhile_else, takewhile_break, dropwhile_lambda, dropwhile_loop,
           dropwhile_list, fmean_plain, fmean_generator, fmean_list, fmean_weights, fmean_weights_keyword]


@pytest.mark.parametrize("f", LIBRARY, ids=lambda f: f.__name__)
def test_library_iterators_every_mode(f):
    if f.__name__.startswith("fmean_weights") and sys.version_info < (3, 11):
        pytest.skip("statistics.fmean takes weights from Python 3.11")
    check_every_mode(f, X, exact=True)


@pytest.mark.parametrize("f", [accumulate_lambda, accumulate_named, takewhile_else, takewhile_break,
                               dropwhile_loop, accumulate_loop], ids=lambda f: f.__name__)
def test_library_iterators_other_points(f):
    """Points where the loops stop elsewhere (takewhile's else clause runs where every value is taken)."""
    for x in (np.array([0.3, 0.2, 0.5, 0.7]), np.array([2.3, 1.2, 0.5, 1.7]), np.array([1.5, 0.4, 0.9, 3.0])):
        value, grad = s2s.value_and_grad(f)(x)
        assert value == f(x)
        assert_close(grad, numeric_grad(f, (x,), 0), what=f.__name__)


def test_library_iterators_of_lists():
    """A list of numbers: the same values, a list of gradients."""
    x = [0.3, 1.2, 2.5, 0.7]
    for f in (accumulate_lambda, accumulate_plain, takewhile_lambda, dropwhile_lambda, fmean_plain):
        value, grad = s2s.value_and_grad(f)(x)
        assert value == f(x)
        assert_close(np.array(grad), numeric_grad(lambda v: f(list(v)), (np.array(x),), 0), what=f.__name__)


def statistics_mean(x):
    return statistics.mean([v * v for v in x]) + statistics.mean(x) * x[0]


ROUNDED_TWICE = np.array([1.257302210933933, -1.3210486329130189, 6.40422650443282])


def test_statistics_mean_is_exact_in_every_mode():
    """statistics.mean rounds the exact mean once; math.fsum(xs) / len(xs) rounds twice, a bit off at ROUNDED_TWICE:
    the value is statistics.mean's bit for bit (rt.mean_rounding adds the difference), the derivative 1 / n."""
    import math
    assert math.fsum(ROUNDED_TWICE) / 3 != statistics.mean(ROUNDED_TWICE)
    check_every_mode(lambda_free_mean, ROUNDED_TWICE, exact=True)
    check_every_mode(statistics_mean, X, exact=True)
    with pytest.raises(statistics.StatisticsError, match="mean requires at least one data point"):
        s2s.grad(mean_empty)(X)


def lambda_free_mean(x):
    return statistics.mean(x) * 3.0


def mean_empty(x):
    return statistics.mean(x[:0]) + x[0]


def accumulate_empty(x):
    return len(list(itertools.accumulate(x[:0], comb))) + x[0]


def fmean_empty(x):
    return statistics.fmean(x[:0]) + x[0]


def fmean_lengths(x):
    return statistics.fmean(x, [1.0, 2.0])


def fmean_zero_weights(x):
    return statistics.fmean(x, [1.0, -1.0, 1.0, -1.0])


def test_library_iterators_empty_and_errors():
    assert s2s.grad(accumulate_empty)(X).tolist() == [1.0, 0.0, 0.0, 0.0]
    with pytest.raises(statistics.StatisticsError, match="at least one data point"):
        s2s.grad(fmean_empty)(X)
    if sys.version_info >= (3, 11):
        with pytest.raises(statistics.StatisticsError, match="same length"):
            s2s.grad(fmean_lengths)(X)
        with pytest.raises(statistics.StatisticsError, match="non-zero"):
            s2s.grad(fmean_zero_weights)(X)


def takewhile_no_function(x):
    return sum(itertools.takewhile(x))


def test_library_iterators_wrong_arguments():
    with pytest.raises(s2s.S2SError, match=r"takewhile\(\) with these arguments"):
        s2s.grad(takewhile_no_function)(X)


def accumulate_enumerated(x):
    total = 0.0
    for k, r in enumerate(itertools.accumulate(x, lambda a, b: a * b + 0.1)):
        total = total + (k + 1) * r
    return total


def takewhile_zipped(x):
    total = 0.0
    for a, b in zip(x, itertools.takewhile(lambda v: v < 2.0, x[::-1])):
        total = total + a * b
    return total


def filter_enumerated(x):
    total = 0.0
    for k, v in enumerate(filter(lambda v: v > 0.5, x)):
        total = total + k * v * v
    return total


def accumulate_reading_what_the_loop_changes(x):
    total, c = 0.0, 1.0
    for v in itertools.accumulate(x, lambda a, b: a * c + b):  # (each value as the loop reaches it: c then)
        c = c * 0.5
        total = total + v
    return total


def accumulate_enumerated_reading_what_the_loop_changes(x):
    total, c = 0.0, 1.0
    for k, v in enumerate(itertools.accumulate(x, lambda a, b: a * c + b)):
        c = c * 0.5
        total = total + v
    return total


@pytest.mark.parametrize("f", [accumulate_enumerated, takewhile_zipped, filter_enumerated,
                               accumulate_reading_what_the_loop_changes], ids=lambda f: f.__name__)
def test_library_iterators_in_zip_and_enumerate(f):
    """Given to enumerate() or zip() in a for loop, they are computed before it (as a generator expression there
    is), refused where the loop changes what they read."""
    check_every_mode(f, X, exact=True)


def test_library_iterator_in_enumerate_reading_what_the_loop_changes_is_refused():
    with pytest.raises(s2s.S2SError, match=r"a for loop over accumulate\(\.\.\.\) that reads 'c'"):
        s2s.grad(accumulate_enumerated_reading_what_the_loop_changes)(X)


def test_library_iterators_source_readable():
    code = [line for line in s2s.grad(accumulate_lambda).source.splitlines() if not line.strip().startswith("#")]
    assert not any("itertools" in line for line in code) and any("for " in line for line in code)


# ------------------------------------------------------------------ 2: second derivatives through np.max and np.min
# in forward mode: rt.extremum_tangent (and rt.ptp_tangent), the tangent helpers, had no record, so s2s.jvp of a
# jvp (the forward Jacobian of one) was refused; the tangent is linear in d, its share held (0 in x)
def extrema(x):
    return np.max(x * x) + np.min(np.sin(x)) * np.amax(x)


def extrema_axis(x):
    m = x.reshape(2, 2)
    return np.sum(np.max(m * m, axis=0) ** 2) + np.sum(np.min(m, axis=1, keepdims=True) ** 3)


def extrema_methods(x):
    return (x ** 3).max() * x.min() + np.ptp(np.cos(x)) ** 2


def extrema_nan(x):
    return np.nanmax(np.exp(x)) * np.nanmin(x * x)


def _second_directional(f, x, v, w):
    """s2s.jvp of s2s.jvp: w' H v."""
    def tangent(y):
        return s2s.jvp(f)((y,), (v,))[1]
    return s2s.jvp(tangent)((x,), (w,))[1]


@pytest.mark.parametrize("f", [extrema, extrema_axis, extrema_methods, extrema_nan], ids=lambda f: f.__name__)
def test_extrema_second_derivatives_in_forward_mode(f):
    from tests.conftest import numeric_hessian
    x = np.array([0.3, -1.2, 2.5, 0.7])
    v, w = np.array([1.0, -0.5, 0.25, 2.0]), np.array([0.5, 1.5, -1.0, 0.3])
    expected = numeric_hessian(f, x)
    assert_close(_second_directional(f, x, v, w), w @ expected @ v, 1e-4, 1e-5, what="jvp of jvp")

    def tangent(y):
        return s2s.jvp(f)((y,), (v,))[1]

    assert_close(s2s.jacobian(tangent, mode="forward")(x), expected @ v, 1e-4, 1e-5, what="forward jacobian")
    assert_close(s2s.jacobian(tangent)(x), expected @ v, 1e-4, 1e-5, what="reverse jacobian of a jvp")
    assert_close(s2s.grad(tangent)(x), expected @ v, 1e-4, 1e-5, what="grad of a jvp")
    assert_close(s2s.hessian(f)(x), expected, 1e-4, 1e-5, what="hessian")


def tied_extrema(x):
    return np.max(x * x) * x[2] + np.min(x[2:] ** 3)


def test_extrema_second_derivatives_at_a_tie_share_as_the_first():
    """At a tie (x * x equal at +-1, x ** 3 at the last two), each tied entry keeps its share of the first
    derivative, constant: every route gives the Hessian of that convention (the shares 0.5: 0.5 * 2 on the
    diagonal of the max, 0.5 * 6 x of the min's)."""
    x = np.array([1.0, -1.0, 0.5, 0.5])
    H = np.array([[0.5, 0.0, 1.0, 0.0], [0.0, 0.5, -1.0, 0.0], [1.0, -1.0, 1.5, 0.0], [0.0, 0.0, 0.0, 1.5]])
    assert_close(s2s.grad(tied_extrema)(x), [0.5, -0.5, 1.375, 0.375], what="grad")
    assert_close(s2s.hessian(tied_extrema)(x), H, what="hessian")
    assert_close(s2s.jacobian(s2s.grad(tied_extrema))(x), H, what="reverse jacobian of grad")
    eye = np.eye(4)
    forward = np.array([[_second_directional(tied_extrema, x, eye[i], eye[j]) for j in range(4)] for i in range(4)])
    assert_close(forward, H, what="jvp of jvp")


# ------------------------------------------------------------------ 3: a norm of zeros in a signed distance function
# Inside the box, q < 0 everywhere, so np.linalg.norm(np.maximum(q, 0.0)) is 0 all around: its first derivative is
# 0 (s2s's convention for a norm at 0, which is right here; JAX's is nan), its second is refused, as at any root
# (0 would be wrong for np.linalg.norm(x ** 2) at 0, whose Hessian is 2 I, and the rule cannot tell the two apart):
# the refusal says to branch around the root, which is exact in every mode on both sides.
BOX = np.array([1.0, 0.5, 0.8])


def sdf_box(p):
    q = np.abs(p) - BOX
    return np.linalg.norm(np.maximum(q, 0.0)) + min(np.max(q), 0.0)


def sdf_box_branched(p):
    q = np.abs(p) - BOX
    r = np.maximum(q, 0.0)
    outside = np.linalg.norm(r) if np.any(r) else 0.0
    return outside + min(np.max(q), 0.0)


def norm_of_squares(x):
    return np.linalg.norm(x ** 2)


INSIDE = np.array([0.2, 0.1, -0.3])


def test_sdf_norm_of_zeros_first_derivatives_are_exact():
    check_every_mode(sdf_box, INSIDE, hessian=False, exact=True)
    check_every_mode(sdf_box, np.array([1.5, 0.9, -0.3]), exact=True)


def test_sdf_norm_of_zeros_second_derivative_is_refused_with_the_branch_to_write():
    for derived in (s2s.hessian(sdf_box), s2s.jacobian(s2s.grad(sdf_box)),
                    s2s.jacobian(s2s.grad(sdf_box), mode="forward")):
        with pytest.raises(s2s.S2SError, match=r"np.linalg.norm\(r\) if np.any\(r\) else 0.0") as info:
            derived(INSIDE)
        assert f"test_fix16_lib.py:{sdf_box.__code__.co_firstlineno + 2}" in str(info.value)
    with pytest.raises(s2s.S2SError, match="a second derivative at the kink"):  # (2 I, not the 0 the rule sees)
        s2s.hessian(norm_of_squares)(np.zeros(2))


@pytest.mark.parametrize("x", [INSIDE, np.array([1.5, 0.1, 0.3]), np.array([1.5, 0.9, -0.3]),
                               np.array([1.5, 0.9, 1.3])], ids=["inside", "face", "edge", "corner"])
def test_sdf_branched_is_exact_in_every_mode(x):
    check_every_mode(sdf_box_branched, x, exact=True)


# ------------------------------------------------------------------ 4: messages
# (a) advice built from a line's first statement: on a line holding more (`s = 1.0; hist.append(v)`), the copy to
# store was not found ('hist = ....copy()'), the slot written was 'xs[i]' for xs[t], a dict's loop lost its
# comprehension, and the statements quoted were the whole line (front/line_statements.py picks the one meant)
def held_after_another(x):
    hist = []
    v = x.copy()
    for t in range(3):
        s = 1.0; hist.append(v)  # noqa: E702
        v += x * 0.5
    return sum(np.sum(h) for h in hist) * s


def held_before_another(x):
    hist = []
    v = x.copy()
    for t in range(3):
        hist.append(v); s = 2.0  # noqa: E702
        v += x * 0.5
    return sum(np.sum(h) for h in hist) * s


def slot_after_another(x):
    xs = [None] * 3
    v = x.copy()
    for t in range(3):
        c = 1.0; xs[t] = v  # noqa: E702
        v *= 2.0
    return np.sum(xs[0]) * c


def dict_after_another(x):
    p = {'a': x[0], 'b': x[1]}
    g = {'a': 1.0, 'b': 2.0}
    for k in p:
        lr = 0.1; p[k] = p[k] - lr * g[k]  # noqa: E702
    return p['a'] * p['b']


def parameter_dict_after_another(p):
    g = {'a': 1.0, 'b': 2.0}
    for k in p:
        lr = 0.1; p[k] = p[k] - lr * g[k]  # noqa: E702
    return p['a'] * p['b']


def written_then_rebound(x):
    h = x.copy()
    traj = []
    for t in range(3):
        h[0] = 1.0 * t; h = h * 2.0  # noqa: E702
        traj.append(h)
    return np.sum(traj[0])


def bound_after_another(x):
    traj = []
    y = x * 1.0
    for t in range(3):
        y += 1.0
        c = 2.0; y = y * c  # noqa: E702
        traj.append(y)
    return sum(np.sum(v) for v in traj)


@pytest.mark.parametrize("f, said", [
    (bound_after_another, "'y' was bound to in the iteration before (y = y * c)"),
    (held_after_another, "hist.append(v.copy())"), (held_before_another, "hist.append(v.copy())"),
    (slot_after_another, "(xs[t] = v.copy())"),
    (written_then_rebound, "(line {0}: h[0] = 1.0 * t) and then rebinds 'h' to a new array (line {0}: h = h * 2.0)")],
    ids=lambda v: getattr(v, "__name__", ""))
def test_advice_names_the_statement_of_a_line_of_several(f, said):
    line = f.__code__.co_firstlineno + 4
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(f)(X)
    assert said.format(line) in str(info.value), str(info.value)
    assert "....copy()" not in str(info.value)


def test_a_dict_the_function_made_written_by_key_in_a_loop_is_exact():
    # (refused with advice until a912ece made a dict the function made, written by key in a loop, exact)
    value, slope = s2s.value_and_grad(dict_after_another)(X)
    assert value == dict_after_another(X)
    expected = np.zeros_like(X)
    expected[:2] = [X[1] - 0.2, X[0] - 0.1]  # (p['a'] * p['b'], p['a'] = x0 - 0.1, p['b'] = x1 - 0.2)
    assert_close(slope, expected)


def test_advice_for_a_parameter_dict_names_the_statement_of_a_line_of_several():
    with pytest.raises(s2s.S2SError, match=r"p = \{k: p\[k\] - lr \* g\[k\] for k in p\}"):
        s2s.grad(parameter_dict_after_another)({'a': 0.5, 'b': 1.5})


# (b) an in-place operator on a container's item in a loop that leaves by break was advised the comprehension making
# every item anew (ws = [w * 2.0 for w in ws]), which drops the break: the advice makes the one item of the
# iteration anew, keeping the break, checked exact
def scaled_until(x):
    ws = [x[:2] * 1.0, x[2:] * 1.0]
    for w in ws:
        w *= 2.0
        if np.sum(w) > 3.0:
            break
    return sum(np.sum(w ** 2) for w in ws)


def scaled_until_advised(x):
    ws = [x[:2] * 1.0, x[2:] * 1.0]
    for i, w in enumerate(ws):
        ws = [w * 2.0 if j == i else other for j, other in enumerate(ws)]
        w = ws[i]
        if np.sum(w) > 3.0:
            break
    return sum(np.sum(w ** 2) for w in ws)


def scaled_dict_until(x):
    d = {'a': x[:2] * 1.0, 'b': x[2:] * 1.0}
    for k in d:
        w = d[k]
        w *= 2.0
        if np.sum(w) > 3.0:
            break
    return np.sum(d['a'] ** 2) + np.sum(d['b'])


def scaled_dict_until_advised(x):
    d = {'a': x[:2] * 1.0, 'b': x[2:] * 1.0}
    for k in d:
        w = d[k]
        d = {j: (d[k] * 2.0 if j == k else other) for j, other in d.items()}
        w = d[k]
        if np.sum(w) > 3.0:
            break
    return np.sum(d['a'] ** 2) + np.sum(d['b'])


@pytest.mark.parametrize("f, advised, said", [
    (scaled_until, scaled_until_advised, "ws = [w * 2.0 if j == i else other for j, other in enumerate(ws)]; w = "
                                         "ws[i], the loop over the positions keeping its break: for i, w in "
                                         "enumerate(ws)"),
    (scaled_dict_until, scaled_dict_until_advised, "d = {j: (d[k] * 2.0 if j == k else other) for j, other in "
                                                   "d.items()}; w = d[k]")], ids=["list", "dict"])
def test_advice_for_an_item_loop_with_a_break_keeps_the_break(f, advised, said):
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(f)(X)
    assert said in str(info.value), str(info.value)
    for x in (np.array([0.3, 1.1, 2.5, 0.7]), np.array([0.3, 0.2, 0.5, 0.7])):  # (the break taken or not)
        kept = x.copy()
        assert advised(x) == f(kept)
        check_every_mode(advised, x, exact=True)


# (c) next(filter(f, xs)) was refused as filter not read wholly, advising list(filter(...)), which computes f of every
# value and raises IndexError for none: next(it[, default]) is the loop that stops at the first value (folds.py)
def first_kept(x):
    return next(filter(lambda v: v > 1.0, x)) ** 2


def first_generated(x):
    return next(np.sin(v) * v for v in x if v > 1.0) ** 2


def first_mapped(x):
    return next(map(np.exp, x)) * x[1]


def first_or_default(x):
    return next(filter(lambda v: v > 10.0, x), x[3] * 2.0) + x[0]


def first_pair(x):
    a, b = next(zip(x, x[::-1]))
    return a * b


def first_of_iter(x):
    return next(iter([v * v for v in x]))


def first_stored(x):
    big = filter(lambda v: v > 2.0, x)
    return next(big) * x[0]


def first_dropped(x):
    return next(itertools.dropwhile(lambda v: v < 2.0, x)) ** 3


def first_missing(x):
    return next(filter(lambda v: v > 10.0, x)) + x[0]


@pytest.mark.parametrize("f", [first_kept, first_generated, first_mapped, first_or_default, first_pair,
                               first_of_iter, first_stored, first_dropped], ids=lambda f: f.__name__)
def test_next_is_the_loop_stopping_at_the_first_value(f):
    check_every_mode(f, X, exact=True)


def test_next_of_none_raises_stop_iteration():
    with pytest.raises(StopIteration):
        s2s.grad(first_missing)(X)


# (d) a value of an argument that leaves a loop by a break (`for W in Ws: first = W; break`, and next(iter(Ws)),
# the loop next is) was not checked where it is read: an np.matrix's ** is its matrix power, which s2s's rule for
# arrays does not follow (the data check followed a loop's phi, not what its break gives it: ad/data_uses.py)
B3 = np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0], [0.1, 0.2, 0.3]])


def first_by_break(x, Ws):
    first = None
    for W in Ws:
        first = W
        break
    return np.sum((first ** 2) @ x)


def first_by_next(x, Ws):
    return np.sum((next(iter(Ws)) ** 2) @ x)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # (np.matrix)
@pytest.mark.parametrize("f", [first_by_break, first_by_next], ids=lambda f: f.__name__)
def test_an_argument_item_leaving_a_loop_by_break_is_checked_where_read(f):
    x = np.array([0.3, 1.2, 2.5])
    with pytest.raises(s2s.S2SError, match="is a matrix"):
        s2s.grad(f)(x, [np.matrix(B3), np.eye(3)])
    value, grad = s2s.value_and_grad(f)(x, [B3, np.eye(3)])
    assert value == f(x, [B3, np.eye(3)])
    assert_close(grad, np.ones(3) @ (B3 * B3), what=f.__name__)
