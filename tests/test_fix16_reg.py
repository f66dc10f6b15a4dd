"""Round 16 fixes of what the regression hunt found (fix16reg).

S1: an in-place operator whose result NumPy cannot cast back into the array by the rule 'same_kind' (`a =
np.arange(3); a -= 0.5 * x`, an item loop's `p -= 0.5 * x` over integer arrays, `v *= x` of a dict's items) raised
NumPy's UFuncTypeError in NumPy and gave a value and a derivative in s2s: the operator's result is checked as an
element write's is (rt.augmented) wherever s2s cannot tell that the array holds floats.

R1: CSE merged two equal new arrays a container holds (`[np.zeros_like(x), np.zeros_like(x)]`, an Adam state
`{'m': np.zeros(3), 'v': np.zeros(3)}`), so an in-place change of one item was refused as one array stored twice.

R4, R5: the optimizer step written as a helper (`sgd_step(params, grads, lr)`) was refused, and an append after an
item loop (`ps.append(x)`) was refused as another name holding the list: the list the loop makes anew is a version
of the one it replaces (lists.py hand_over), and a helper given a list its caller holds by one name makes it anew.

R2, R3: `params = [p.copy() for p in params]` rebinding the parameter's name, zip(..., strict=True),
`enumerate(zip(...))` and a deep copy's `.values()` were refused; zip of a shorter list silently dropped the
longer list's last items (`for p, g in zip(ps, gs)` with fewer gs: NumPy keeps them).
"""
from __future__ import annotations

import copy

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian

X = np.array([0.9, 0.2, -0.5])


def _transformations(f):
    """Each transformation of f, as a function of x."""
    return {
        "value_and_grad": lambda x: s2s.value_and_grad(f)(x),
        "grad": lambda x: s2s.grad(f)(x),
        "vjp": lambda x: s2s.vjp(f)(x)[1](1.0),
        "jvp": lambda x: s2s.jvp(f)((x,), (np.ones_like(x),)),
        "jacobian": lambda x: s2s.jacobian(f)(x),
        "jacobian forward": lambda x: s2s.jacobian(f, mode="forward")(x),
        "hessian": lambda x: s2s.hessian(f)(x),
    }


def _raises_as_numpy(f):
    with pytest.raises(TypeError) as numpy_error:
        f(X.copy())
    for name, run in _transformations(f).items():
        x = X.copy()
        with pytest.raises((TypeError, s2s.S2SError)) as ours:
            run(x)
        if isinstance(ours.value, s2s.S2SError):  # (refused: an array of integers whose elements the loop writes)
            assert "make 'a' an array of floats" in str(ours.value), name
        else:
            assert type(ours.value) is type(numpy_error.value) and "same_kind" in str(ours.value), name
        assert np.array_equal(x, X), name


# ------------------------------------------------------------------ S1: NumPy's casting check of an in-place operator
def int_plain(x):
    a = np.arange(3)
    a -= 0.5 * x
    return np.sum(a * x)


def int_item_loop(x):
    ps = [np.arange(3), np.arange(3) * 2]
    for p in ps:
        p -= 0.5 * x
    return np.sum(ps[0] * x)


def int_dict_items(x):
    q = {'a': np.arange(3), 'b': x * 1.0}
    for k, v in q.items():
        v *= x
    return np.sum(q['a'] + q['b'])


def int_dict_values(x):
    q = {'a': x * 1.0, 'b': np.arange(3)}
    for v in q.values():
        v += x
    return np.sum(q['a'] + q['b'])


def int_in_loop(x):
    a = np.ones(3, dtype=int)
    for i in range(2):
        a *= x
    return np.sum(a)


def bool_plain(x):
    b = x > 0.0
    b += x
    return np.sum(b * x)


@pytest.mark.parametrize("f", [int_plain, int_item_loop, int_dict_items, int_dict_values, int_in_loop, bool_plain])
def test_in_place_cast_refused_as_numpy(f):
    _raises_as_numpy(f)


def int_kept(x):
    a = np.arange(3)
    a += 2  # (an integer result: NumPy casts it back)
    a *= 3
    return np.sum(a * x)


def int_param(x, n):
    m = n.copy()
    m -= 1  # (of an integer array the caller passes: integers again)
    return np.sum(m * x)


def float_from_int_number(x):
    a = 3
    a -= 0.5 * x  # (a Python number: the operator rebinds)
    s = 0
    for v in x:
        s += v * v
    return np.sum(a * x) + s


def test_in_place_integer_results_and_numbers_exact():
    for f in (int_kept, float_from_int_number):
        check_every_mode(f, X, exact=True)
    n = np.arange(3)
    value, g = s2s.value_and_grad(int_param)(X.copy(), n)
    assert value == int_param(X.copy(), np.arange(3))
    assert np.array_equal(n, np.arange(3))
    assert_close(g, np.arange(3) - 1)


def counted_sums(x):
    s, k = 0, 0
    for v in x:
        k += 1
        s += v * k
    acc = x * 0.0
    acc += np.sin(x)
    return s + np.sum(acc)


def test_no_check_where_the_operand_holds_floats_or_numbers():
    """The check costs nothing where s2s can tell the array holds floats, or the name a Python number (`k += 1`),
    or either (`s = 0` then `s += v * k`): the generated code is the operator alone."""
    assert "augmented" not in s2s.grad(counted_sums).source
    assert "augmented" not in s2s.grad(float_from_int_number).source
    check_every_mode(counted_sums, X, exact=True)


def int_param_float(x, n):
    m = n.copy()
    m -= 0.5 * x
    return np.sum(m * x)


def test_in_place_cast_of_argument_refused_as_numpy():
    with pytest.raises(TypeError, match="same_kind"):
        int_param_float(X.copy(), np.arange(3))
    with pytest.raises(TypeError, match="same_kind"):
        s2s.grad(int_param_float)(X.copy(), np.arange(3))
    assert s2s.grad(int_param_float)(X.copy(), np.arange(3.0)) == pytest.approx(
        numeric_grad(int_param_float, (X.copy(), np.arange(3.0)), 0))


# ------------------------------------------------------------------ R1: equal new arrays a container holds, kept two
def adam_state(x):
    st = {'m': np.zeros(3), 'v': np.zeros(3)}
    st['m'] += x
    st['v'] += x * x
    return np.sum(st['m'] * st['v'])


def momenta(x):
    mom = [np.zeros_like(x), np.zeros_like(x)]
    for m in mom:
        m += x
    return np.sum(mom[0] * mom[1])


def copies(x):
    ps = [x.copy(), x.copy()]
    for p in ps:
        p -= 0.1 * x
    return np.sum(ps[0] * ps[1])


def scaled(x):
    ps = [x * 1.0, x * 1.0]
    for p in ps:
        p *= x
    return np.sum(ps[0] + ps[1])


def appended_zeros(x):
    ps = []
    ps.append(np.ones(3))
    ps.append(np.ones(3))
    ps[0] *= x
    return np.sum(ps[0] * ps[1] + ps[0])


@pytest.mark.parametrize("f", [adam_state, momenta, copies, scaled, appended_zeros])
def test_equal_new_arrays_held_by_a_container_stay_two(f):
    check_every_mode(f, X, exact=True)
    assert "[t1, t1]" not in s2s.grad(f).source


# ------------------------------------------------------------------ R4, R5: the optimizer step in a helper; appends after
def sgd_step(params, grads, lr):
    for p, g in zip(params, grads):
        p -= lr * g


def sgd_returned(params, grads, lr):
    for p, g in zip(params, grads):
        p -= lr * g
    return params


def sgd_read(params, lr):
    for p in params:
        p *= lr
    return sum(np.sum(p) for p in params)


def outer_step(params, grads):
    sgd_step(params, grads, 0.1)


def step_helper(x):
    ps = [x * 1.0, x * 2.0]
    for t in range(3):
        sgd_step(ps, [np.cos(ps[0]), ps[1] * x], 0.1)
    return np.sum(ps[0] * ps[1])


def step_helper_returned(x):
    ps = [x * 1.0, x * 2.0]
    qs = sgd_returned(ps, [x * x, x], 0.1)
    return np.sum(qs[0] * ps[1])


def step_helpers_two_lists(x):
    ps = [x * 1.0, x * 2.0]
    ms = [x * 0.5]
    sgd_step(ps, [x, x], 0.1)
    sgd_step(ms, [np.sin(x)], 0.2)
    return np.sum(ps[0] * ps[1] * ms[0])


def step_nested_then_append(x):
    ps = [x * 1.0, x * 2.0]
    outer_step(ps, [x, x * x])
    ps.append(x)
    return np.sum(ps[0] * ps[1] * ps[2])


def step_helper_reads(x):
    ps = [x * 1.0, x * 2.0]
    s = sgd_read(ps, 0.5)
    return s * np.sum(ps[0])


def step_helper_training(x):
    ps = [x * 1.0, x * 2.0]
    losses = []
    for t in range(3):
        losses.append(np.sum(ps[0] * ps[1]))
        sgd_step(ps, [ps[1] * x, np.cos(ps[0])], 0.1)
    return sum(losses) + np.sum(ps[0])


def append_after_item_loop(x):
    ps = [x * 1.0, x * 2.0]
    for p in ps:
        p -= 0.1 * p
    ps.append(x)
    return np.sum(ps[0] * ps[1] * ps[2])


def append_after_item_loop_in_loop(x):
    ps = [x * 1.0, x * 2.0]
    for t in range(3):
        for p in ps:
            p -= 0.1 * p
        ps.append(x * t)
    return sum(np.sum(q * q) for q in ps)


@pytest.mark.parametrize("f", [step_helper, step_helper_returned, step_helpers_two_lists, step_nested_then_append,
                               step_helper_reads, step_helper_training, append_after_item_loop,
                               append_after_item_loop_in_loop])
def test_item_loop_in_a_helper_and_appends_after_exact(f):
    check_every_mode(f, X, exact=True)


def held_by_another_name(x):
    ps = [x * 1.0, x * 2.0]
    qs = ps
    for p in ps:
        p -= 0.1 * p
    ps.append(x)
    return sum(np.sum(q) for q in qs)


def held_by_a_dict(x):
    ps = [x * 1.0, x * 2.0]
    d = {'ps': ps}
    for p in ps:
        p -= 0.1 * p
    ps.append(x)
    return sum(np.sum(q) for q in d['ps'])


def helper_list_held_by_another_name(x):
    ps = [x * 1.0, x * 2.0]
    qs = ps
    sgd_step(ps, [x, x], 0.1)
    return np.sum(qs[0] * qs[1])


def helper_item_held(x):
    ps = [x * 1.0, x * 2.0]
    a = ps[0]
    sgd_step(ps, [x, x], 0.1)
    return np.sum(a * ps[1])


def helper_list_in_a_dict(x):
    ps = [x * 1.0, x * 2.0]
    d = {'ps': ps}
    sgd_step(ps, [x, x], 0.1)
    return np.sum(d['ps'][0])


def helper_steps_then_swapped(x):  # (the second step's grads hold ps's items, which it changes)
    ps = [x * 1.0, x * 2.0]
    sgd_step(ps, [x, x], 0.1)
    sgd_step(ps, [ps[1], ps[0]], 0.2)
    return np.sum(ps[0] * ps[1])


@pytest.mark.parametrize("f", [held_by_another_name, held_by_a_dict, helper_list_held_by_another_name,
                               helper_item_held, helper_list_in_a_dict, helper_steps_then_swapped])
def test_a_list_another_name_holds_still_refused(f):
    with pytest.raises(s2s.S2SError):
        s2s.grad(f)(X.copy())


# ------------------------------------------------------------------ R2, R3: more forms of the optimizer item loop
def short_zip(x):  # (zip stops at the shorter list: ps's last item stays as it was, and in ps)
    ps = [x * 1.0, x * 2.0, x * 3.0]
    gs = [x, x]
    for p, g in zip(ps, gs):
        p -= 0.1 * g
    return sum(np.sum(p * p) for p in ps)


def short_zip_read(x):
    ps = [x * 1.0, x * 2.0, x * 3.0]
    for p, g in zip(ps, [x, x]):
        p -= 0.1 * g * p
    ps.append(x)
    return np.sum(ps[2] * ps[0] * ps[3])


def strict_zip(x):
    ps = [x * 1.0, x * 2.0]
    for p, g in zip(ps, [x, x * x], strict=True):
        p -= 0.3 * g * p
    return np.sum(ps[0] * ps[1])


def enumerated_zip(x):
    ps = [x * 1.0, x * 2.0]
    for i, (p, g) in enumerate(zip(ps, [x, x * x])):
        p -= 0.3 * (i + 1) * g * p
    return np.sum(ps[0] * ps[1])


def deep_copy_values(x):
    q = copy.deepcopy({'w': x * 1.0, 'b': x * 0.5})
    for v in q.values():
        v -= 0.5 * v * v
    return np.sum(q['w'] * q['b'])


def reversed_items(x):
    ps = [x * 1.0, x * 2.0, x * 3.0]
    c = 1.0
    for p in reversed(ps):
        p -= 0.3 * x * p * c
        c = c + np.sum(p)
    ps.append(x)
    return np.sum(ps[0] * ps[1] + ps[2] * ps[3])


def enumerated_short_zip(x):
    ps = [x * 1.0, x * 2.0, x * 3.0]
    ms = [x * 0.5, x * 0.1]
    for i, (g, p, m) in enumerate(zip([x, x * x], ps, ms)):
        p -= 0.1 * g * m
        m *= 0.9
    return sum(np.sum(p * p) for p in ps) + np.sum(ms[1]) * len(ps)


@pytest.mark.parametrize("f", [short_zip, short_zip_read, strict_zip, enumerated_zip, deep_copy_values,
                               reversed_items, enumerated_short_zip])
def test_item_loop_forms_exact(f):
    check_every_mode(f, X, exact=True)


def zip_then_swapped(x):  # (the second loop's gs hold ps's items, which it changes: NumPy reads them changed)
    ps = [x * 1.0, x * 2.0]
    for p, g in zip(ps, [x, x]):
        p -= 0.1 * g
    for p, g in zip(ps, [ps[1], ps[0]]):
        p -= 0.2 * g
    return np.sum(ps[0] * ps[1])


def short_zip_then_swapped(x):
    ps = [x * 1.0, x * 2.0, x * 3.0]
    for p, g in zip(ps, [x, x]):
        p -= 0.1 * g
    for p, g in zip(ps, [ps[2], ps[1], ps[0]]):
        p -= 0.2 * g
    return np.sum(ps[0] * ps[1] * ps[2])


def reversed_then_swapped(x):
    ps = [x * 1.0, x * 2.0]
    for p in reversed(ps):
        p -= 0.1 * x
    for p, g in zip(ps, [ps[1], ps[0]]):
        p -= 0.2 * g
    return np.sum(ps[0] * ps[1])


@pytest.mark.parametrize("f", [zip_then_swapped, short_zip_then_swapped, reversed_then_swapped])
def test_items_read_by_another_list_after_an_item_loop_refused(f):
    with pytest.raises(s2s.S2SError, match="something else still refers to"):
        s2s.value_and_grad(f)(X.copy())


def strict_zip_unequal(x):
    ps = [x * 1.0, x * 2.0]
    for p, g in zip(ps, [x], strict=True):
        p -= 0.3 * g * p
    return np.sum(ps[0] * ps[1])


def test_strict_zip_of_unequal_lists_raises_as_python():
    with pytest.raises(ValueError, match="shorter"):
        strict_zip_unequal(X.copy())
    with pytest.raises(ValueError, match="shorter"):
        s2s.grad(strict_zip_unequal)(X.copy())


def rebound_list(params, x):
    params = [p.copy() for p in params]
    for p in params:
        p -= 0.1 * x * p
    return np.sum(params[0] * params[1])


def rebound_dict(p, x):
    p = {k: v.copy() for k, v in p.items()}
    for k, v in p.items():
        v -= 0.5 * v * x
    return np.sum(p['w'] * p['b'])


def rebound_shallow(params, x):  # (the caller's arrays: NumPy changes them)
    params = [p for p in params]
    for p in params:
        p -= 0.1 * x * p
    return np.sum(params[0] * params[1])


def loop_before_rebinding(params, x):  # (the loop changes the caller's arrays)
    for p in params:
        p -= 0.1 * x * p
    params = [p.copy() for p in params]
    return np.sum(params[0] * params[1])


def rebound_in_an_if(params, x):
    if x[0] > 0:
        params = [p.copy() for p in params]
    for p in params:
        p -= 0.1 * x * p
    return np.sum(params[0] * params[1])


W = [np.array([0.5, -1.2, 0.3]), np.array([0.3, 0.8, -0.4])]


@pytest.mark.parametrize("f, arg", [(rebound_list, W), (rebound_dict, {'w': W[0], 'b': W[1]})])
def test_copy_first_rebinding_the_parameter_exact(f, arg):
    kept = copy.deepcopy(arg)
    of_x = lambda x: f(copy.deepcopy(kept), x)  # noqa: E731
    value, g = s2s.value_and_grad(f, wrt=1)(arg, X.copy())
    assert value == of_x(X.copy())
    assert_close(g, numeric_grad(of_x, (X.copy(),), 0))
    assert_close(s2s.vjp(f, wrt=1)(arg, X.copy())[1](1.0), g)
    primal, tangent = s2s.jvp(f, wrt=1)((arg, X.copy()), (np.ones(3),))
    assert primal == value
    assert_close(tangent, np.sum(g))
    assert_close(s2s.jacobian(f, wrt=1)(arg, X.copy()), g)
    assert_close(s2s.jacobian(f, wrt=1, mode="forward")(arg, X.copy()), g)
    assert_close(s2s.hessian(f, wrt=1)(arg, X.copy()), numeric_hessian(of_x, X.copy()), 1e-4, 1e-5)
    leaves = lambda t: list(t.values()) if isinstance(t, dict) else list(t)  # noqa: E731
    assert all(np.array_equal(a, b) for a, b in zip(leaves(arg), leaves(kept)))


@pytest.mark.parametrize("f", [rebound_shallow, loop_before_rebinding, rebound_in_an_if])
def test_caller_arrays_changed_through_the_parameter_still_refused(f):
    arg = copy.deepcopy(W)
    with pytest.raises(s2s.S2SError, match="caller passed in"):
        s2s.grad(f, wrt=1)(arg, X.copy())
    assert all(np.array_equal(a, b) for a, b in zip(arg, W))


def zero_d_item_steps(x):  # (fuzz seed 9090, level 8: a 0-d array item changed on every step)
    st = {'scale': np.array(1.5), 'b': x * 1.0}
    for _ in range(3):
        for name, p in st.items():
            p -= 0.1 * np.sin(p) * np.sum(x)
    return np.sum(st['scale'] * st['b'])


def zero_d_list_item_steps(x):
    ps = [np.array(1.5), x * 1.0]
    for _ in range(3):
        for p in ps:
            p -= 0.1 * np.sin(p) * x[0]
    return np.sum(ps[0] * ps[1])


@pytest.mark.parametrize("f", [zero_d_item_steps, zero_d_list_item_steps])
def test_zero_d_array_item_changed_on_every_step(f):
    check_every_mode(f, X, exact=True)


# ------------------------------------------------------------------ M: np.fromiter of iter(...)
def fromiter_iter(x):
    y = np.fromiter(iter(x * 2.0), float)
    z = np.fromiter(iter(v * v for v in x), dtype=float, count=2)
    return np.sum(y * np.sin(x)) + np.sum(z)


def test_fromiter_of_an_iterator_exact():
    check_every_mode(fromiter_iter, X, exact=True)


def clip_items_out(x):
    ps = [x * 1.0, x * 2.0]
    for p in ps:
        np.clip(p, -0.3, 0.3, out=p)
    return np.sum(ps[0] * ps[1] * x)


def clip_items_advised(x):
    ps = [x * 1.0, x * 2.0]
    ps = [np.clip(p, -0.3, 0.3) for p in ps]
    return np.sum(ps[0] * ps[1] * x)


def test_out_into_an_item_advises_the_list_made_anew():
    with pytest.raises(s2s.S2SError, match=r"ps = \[np\.clip\(p, -0\.3, 0\.3\) for p in ps\]"):
        s2s.grad(clip_items_out)(X.copy())
    assert clip_items_advised(X.copy()) == clip_items_out(X.copy())
    check_every_mode(clip_items_advised, X, hessian=False, exact=True)
