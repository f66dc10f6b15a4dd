"""Lists the function grows (`xs.append(v)`, `xs.extend([...])`, `xs + [v]`) and comprehensions (issue 14):
values and derivatives against central finite differences in reverse mode, forward mode and to second order;
appends Python would make visible through another name are refused at the user's line."""
import inspect

import numpy as np
import pytest

import s2s
from conftest import numeric_grad, numeric_hessian

W0 = np.array([[0.3, -0.2, 0.1], [0.1, 0.5, -0.4], [0.2, 0.2, 0.3]])
XS = np.linspace(-1.0, 1.0, 12).reshape(4, 3)


def fd_grad(f, x):
    return numeric_grad(f, (x,), 0)


def fd_hessian(f, x):
    return numeric_hessian(f, x).reshape(x.size, x.size)


# ----------------------------------------------------------------- the user functions (of W, with xs as data)
def rnn_append(W):
    h = np.zeros(3)
    hs = []
    for t in range(XS.shape[0]):
        h = np.tanh(W @ h + XS[t])
        hs.append(h)
    H = np.stack(hs)
    return np.sum(H ** 2) + np.sum(hs[-1]) * hs[0][1]


def joined_with_plus(W):
    ys = [W[0]]
    for k in range(3):
        ys = ys + [np.sin(ys[-1]) * (k + 0.5) + W[k]]
    return np.sum(sum(ys) ** 2)


def append_in_branch(W):
    kept = []
    for t in range(XS.shape[0]):
        v = W @ XS[t]
        if np.sum(v) > 0:
            kept.append(np.exp(v))
        else:
            kept.extend([v * v, np.cos(v)])
    return np.sum(np.array(kept) * np.arange(1.0, 1.0 + 3 * len(kept)).reshape(len(kept), 3))


def helper_builds_a_list(W):
    return np.sum(_layers(W, XS[0], 3)[-1]) + np.sum(_layers(W, XS[1], 2)[0])


def _layers(W, x, n):
    out = []
    h = x
    for _ in range(n):
        h = np.tanh(W @ h)
        out.append(h)
    return out


def comprehensions(W):
    hs = [np.tanh(W @ x) for x in XS]
    total = sum(np.sum(h * h) for h in hs if np.sum(h) > -10)
    pairs = np.array([a * b for a in W[0] for b in W[1] if a > -1])
    x = 3.0  # (not the comprehension's x)
    ys = [x * w for x in XS[:2] for w in W]
    return total + np.sum(pairs) * x + np.sum(np.stack(ys) ** 2)


def comprehension_over_pairs(W):
    terms = [np.dot(w, x) ** 2 for w, x in zip(W, XS)]
    return sum(terms) + np.max(np.array([np.sum(w) for w in W]))


CASES = [rnn_append, joined_with_plus, append_in_branch, helper_builds_a_list, comprehensions,
         comprehension_over_pairs]


@pytest.mark.parametrize("fn", CASES, ids=[c.__name__ for c in CASES])
def test_reverse_mode(fn):
    value, g = s2s.value_and_grad(fn)(W0)
    assert np.isclose(value, fn(W0))
    np.testing.assert_allclose(g, fd_grad(fn, W0), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("fn", CASES, ids=[c.__name__ for c in CASES])
def test_forward_mode(fn):
    np.testing.assert_allclose(s2s.jacobian(fn, mode="forward")(W0), fd_grad(fn, W0), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("fn", CASES, ids=[c.__name__ for c in CASES])
def test_second_order(fn):
    expected = fd_hessian(fn, W0)
    H = s2s.hessian(fn)(W0).reshape(9, 9)
    np.testing.assert_allclose(H, expected, rtol=1e-4, atol=1e-5 * max(1.0, np.abs(expected).max()))


def test_the_generated_loop_reads_as_written():
    text = s2s.grad(rnn_append).source
    assert "hs_1 += [h_1]" in text, text  # (grown in place: back/growing.py)
    text = s2s.grad(comprehensions).source
    assert "# line " in text and "for " in text
    assert "ListComp" not in text and "<listcomp>" not in text


# ----------------------------------------------------------------- refused: Python would show the change elsewhere
def appends_to_the_callers_list(xs):
    xs.append(1.0)  # error-here
    return sum(xs)


def appends_to_a_second_name(x):
    ys = [x]
    zs = ys
    zs.append(2.0 * x)  # error-here
    return sum(ys)


def appends_after_storing_in_a_tuple(x):
    ys = [x]
    pair = (ys, 1.0)
    ys.append(x * x)  # error-here
    return sum(pair[0])


def appends_in_a_helper_to_its_argument(x):
    ys = [x]
    _ = _push(ys, x)
    return sum(ys)


def _push(zs, v):
    zs.append(v * v)
    return 0.0


def appends_to_the_list_it_iterates(x):
    ys = [x, 2.0 * x]
    for y in ys:
        if y < 1.0:
            ys.append(y + 1.0)  # error-here
    return sum(ys)


REFUSED = [appends_to_the_list_it_iterates, appends_to_the_callers_list, appends_to_a_second_name, appends_after_storing_in_a_tuple]
# (appends_in_a_helper_to_its_argument grows the caller's list: exact, tests/test_hunt3_front.py)


@pytest.mark.parametrize("fn", REFUSED, ids=[f.__name__ for f in REFUSED])
def test_refused_at_the_users_line(fn):
    lines, start = inspect.getsourcelines(fn)
    line = start + next(i for i, text in enumerate(lines) if "error-here" in text)
    arg = [1.0, 2.0] if fn is appends_to_the_callers_list else 0.5
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(fn)(arg)
    assert f"test_lists.py:{line}" in str(info.value), str(info.value)
    assert "append" in str(info.value)


# ----------------------------------------------------------------- a list holding an array that changes in place
# (found by fuzz seed 100287, reduced): xs.append(view or array) and then an in-place change of that array;
# NumPy's list shows the change. These were silently wrong (the list was taken to hold the old values).
V0 = np.array([-1.4226, -0.5016, 0.6712])


def appends_a_view_then_writes_its_array(y):
    delta = V0 * y
    saved = []
    saved.append(delta[::-1])
    delta[0] = 3.0 * y  # error-here
    return np.sum(saved[0])


def appends_the_array_then_updates_it(y):
    delta = V0 * y
    saved = []
    saved.append(delta)
    delta[1:] = np.sin(delta[1:])  # error-here
    return np.sum(saved[0] * saved[0])


def appends_views_in_a_loop(y):
    delta = V0 * y
    saved = []
    for n in range(2):
        view = delta[::-1]
        saved.append(view)
        delta[...] = delta * view  # error-here
    total = 0.0
    for s in saved:
        total = total + np.sum(s * s)
    return total


STALE = [appends_a_view_then_writes_its_array, appends_the_array_then_updates_it, appends_views_in_a_loop]


@pytest.mark.parametrize("fn", STALE, ids=[f.__name__ for f in STALE])
def test_a_list_holding_an_array_written_in_place_is_refused(fn):
    lines, start = inspect.getsourcelines(fn)
    line = start + next(i for i, text in enumerate(lines) if "error-here" in text)
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(fn)(-0.6927)
    message = str(info.value)
    assert f"after line {line} changed 'delta' in place" in message, message
    assert ".copy()" in message


def appends_a_copy_then_writes(y):
    delta = V0 * y
    saved = []
    for n in range(2):
        saved.append(delta[::-1].copy())
        delta[...] = delta * saved[-1]
    total = 0.0
    for s in saved:
        total = total + np.sum(s * s)
    return total


def test_a_list_holding_copies_is_differentiated():
    y = np.array(-0.6927)
    g = s2s.grad(appends_a_copy_then_writes)(-0.6927)
    assert np.allclose(g, numeric_grad(appends_a_copy_then_writes, (y,), 0), rtol=1e-6, atol=1e-8)
    h = s2s.hessian(appends_a_copy_then_writes)(-0.6927)
    assert np.allclose(h, numeric_hessian(appends_a_copy_then_writes, y), rtol=1e-4, atol=1e-6)


# ----------------------------------------------------------------- sorted(xs, key=f, reverse=r)
def _score(v):
    return np.sum(v * v)


def sorted_rows_by_a_helper(x):
    rows = [x[0:2] * 1.5, x[2:4], np.sin(x[4:6])]
    ranked = sorted(rows, key=_score, reverse=True)
    return np.sum(ranked[0] * 2.0 + ranked[1] * ranked[2])


def sorted_generator_by_a_builtin(x):
    vals = sorted((x[i] ** 2 for i in range(len(x))), key=abs)
    return vals[0] + 2.0 * vals[-1] * vals[1]


def sorted_pairs_by_a_lambda(x):
    pairs = sorted([(x[0], 1.0), (x[1] * x[2], 2.0)], key=lambda p: p[0])
    return pairs[0][0] * pairs[1][1] + pairs[1][0]


def sorted_numbers(x):
    ys = sorted([x[0], 2.0 * x[1], x[2] - x[3], x[4] * x[5]])
    return ys[0] * 3.0 + ys[2] * ys[3]


SORTED = [sorted_rows_by_a_helper, sorted_generator_by_a_builtin, sorted_pairs_by_a_lambda, sorted_numbers]
X6 = np.array([0.3, -1.1, 0.7, 0.2, -0.4, 0.9])


@pytest.mark.parametrize("fn", SORTED, ids=[f.__name__ for f in SORTED])
def test_sorted_in_both_modes_and_to_second_order(fn):
    expected = fd_grad(fn, X6)
    assert np.allclose(s2s.grad(fn)(X6), expected, rtol=1e-6, atol=1e-8)
    assert np.allclose(s2s.jacobian(fn, mode="forward")(X6), expected, rtol=1e-6, atol=1e-8)
    assert np.allclose(s2s.hessian(fn)(X6), fd_hessian(fn, X6), rtol=1e-4, atol=1e-5)


def test_sorted_keeps_pythons_stable_order():
    def f(x):
        tied = sorted([x[0], x[1], x[2]], key=lambda v: 1.0, reverse=True)  # all equal keys: the input order
        return tied[0] * 1.0 + tied[1] * 2.0 + tied[2] * 3.0
    assert np.allclose(s2s.grad(f)(X6[:3]), [1.0, 2.0, 3.0])


def test_sorted_with_other_arguments_is_refused_at_the_users_line():
    def f(x):
        return sorted([x[0], x[1]], lambda v: v)[0]  # error-here
    line = inspect.getsourcelines(f)[1] + 1
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(f)(X6)
    assert f"test_lists.py:{line}" in str(info.value) and "key=" in str(info.value)
