"""Lazy iterators read as the loops Python runs (hunt6py): any()/all() of a generator expression stop at the first
true (false) element, a for loop over a generator expression or map(...) computes each value as it reaches it
(none after a break, with the names' values then); dict(p) of a dict the function or a helper built; a loop's
else clause reading names its body bound.

Before: the generator was computed wholly where it was made: wrong values where its elements have effects
(a helper appending to a list) or read names the loop changes, and math domain errors Python never meets.
Every derivative is checked against finite differences (conftest.check_every_mode)."""
import math

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad

X = np.array([1.2, -0.7, 3.1])


def record(traj, v):
    traj.append(v)
    return v


# ----- any() / all(): Python stops at the first true (false) element

def any_with_effects(x):
    traj = []
    found = any(record(traj, v * v) > 1.0 for v in x)
    return sum(traj) * (2.0 if found else 1.0)


def all_with_effects(x):
    traj = []
    ok = all(record(traj, v) > 0.0 for v in x)
    return sum(t * t for t in traj) + (1.0 if ok else 0.0)


def any_stops_before_a_domain_error(x):
    if any(math.log(v) > 0.5 for v in x):
        return x[0] * x[0]
    return x[0]


def all_stops_before_a_domain_error(x):
    if all(math.sqrt(v) < 1.5 for v in x):
        return x[0] * x[0]
    return x[0] * 3.0


def any_stops_before_an_index_error(x, n):
    return x[0] * 2.0 if any(x[i] > 1.0 for i in range(n + 1)) else x[1]


def any_two_clauses_filtered(x):
    traj = []
    hit = any(record(traj, a * b) > 2.0 for a in x for b in x if b > 0.0)
    return sum(traj) * (3.0 if hit else 1.0)


def all_two_clauses(x):
    traj = []
    ok = all(record(traj, a + b) < 4.0 for a in x for b in x)
    return sum(t * t for t in traj) * (2.0 if ok else 1.0)


def any_none_true(x):
    traj = []
    found = any(record(traj, v) > 10.0 for v in x)
    return sum(traj) + (1.0 if found else 0.0)


# ----- for loops over generator expressions and map(...)

def gen_break_log(x):
    s = 0.0
    for v in (math.log(u) for u in x):
        s = s + v
        if v > 0:
            break
    return s


def gen_break_effects(x):
    traj = []
    for v in (record(traj, u * u) for u in x):
        if v > 1.0:
            break
    return sum(traj)


def map_break_log(x):
    s = 0.0
    for v in map(math.log, x):
        s = s + v
        if v > 0:
            break
    return s


def gen_late_binding(x):
    scale = 1.0
    s = 0.0
    for v in (u * scale for u in x):
        s = s + v
        scale = scale * 2.0
    return s


def map_lambda_late_binding(x):
    scale = 1.0
    s = 0.0
    for v in map(lambda u: u * scale, x):
        s = s + v
        scale = scale * 2.0
    return s


def gen_reads_the_loop_state(x):
    s = 0.0
    for v in (u * s for u in x):
        s = s + v + 1.0
    return s


def gen_stored_then_looped(x):
    scale = 1.0
    g = (u * scale for u in x)
    s = 0.0
    for v in g:
        s = s + v
        scale = scale * 2.0
    return s


def body_reads_what_gen_appends(x):
    traj = []
    s = 0.0
    for v in (record(traj, u * u) for u in x):
        s = s + sum(traj) * v
    return s


def zip_with_a_gen(x):
    traj = []
    s = 0.0
    for a, b in zip(x, (record(traj, u) for u in x)):
        s = s + a * traj[-1] * b
    return s


def zip_gen_first_longer(x):  # (Python's zip computes the generator's third value, then finds x[:2] ended)
    traj = []
    s = 0.0
    for v, a in zip((record(traj, u) for u in x), x[:2]):
        s = s + v * a
    return s + sum(traj)


def zip_gen_last_longer(x):  # (here it does not)
    traj = []
    s = 0.0
    for a, v in zip(x[:2], (record(traj, u) for u in x)):
        s = s + v * a
    return s + sum(traj)


def enumerate_a_gen_break(x):
    s = 0.0
    for i, v in enumerate(math.sqrt(u) for u in x):
        s = s + v * (i + 1)
        if v > 1.0:
            break
    return s


def gen_filtered_continue_else(x):
    s = 0.0
    for v in (u * u for u in x if u > 0.0):
        if v > 5.0:
            continue
        s = s + v
    else:
        s = s * 2.0
    return s


def gen_two_clauses_break_else(x):
    traj = []
    s = 0.0
    for v in (record(traj, a * b) for a in x for b in x):
        s = s + v
        if v < 0.0:
            break
    else:
        s = s + 100.0
    return s + sum(traj)


def gen_two_clauses_no_break(x):
    s = 0.0
    for v in (a * b for a in x for b in x if a > b):
        if v > 2.0:
            continue
        s = s + v * v
    return s


def gen_return_in_loop(x):
    for v in (math.log(u) for u in x):
        if v > 0.5:
            return v * x[0]
    return x[0]


def gen_name_of_the_target(x):
    s = 0.0
    for v in (v * 2.0 for v in x):
        s = s + v * v
        if s > 5.0:
            break
    return s


def map_two_sequences_break(x):
    s = 0.0
    for v in map(lambda a, b: a * b, x, x[::-1]):
        s = s + v
        if v < 0.0:
            break
    return s


CASES = [any_with_effects, all_with_effects, any_stops_before_a_domain_error, all_stops_before_a_domain_error,
         any_two_clauses_filtered, all_two_clauses, any_none_true, gen_break_log, gen_break_effects, map_break_log,
         gen_late_binding, map_lambda_late_binding, gen_reads_the_loop_state, gen_stored_then_looped,
         body_reads_what_gen_appends, zip_with_a_gen, zip_gen_first_longer, zip_gen_last_longer,
         enumerate_a_gen_break, gen_filtered_continue_else,
         gen_two_clauses_break_else, gen_two_clauses_no_break, gen_return_in_loop, gen_name_of_the_target,
         map_two_sequences_break]

POSITIVE = {any_stops_before_a_domain_error: np.array([3.0, -1.0]),
            all_stops_before_a_domain_error: np.array([4.0, -1.0]),
            gen_break_log: np.array([3.0, -0.7, 3.1]), map_break_log: np.array([3.0, -0.7, 3.1]),
            gen_return_in_loop: np.array([3.0, -0.7, 3.1]), enumerate_a_gen_break: np.array([0.5, 2.0, -1.0])}


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_every_mode_against_finite_differences(f):
    x = POSITIVE.get(f, X)
    check_every_mode(f, x, exact=True)


def test_short_circuit_of_an_index():
    x = np.array([2.0, 0.5])
    value, grad = s2s.value_and_grad(any_stops_before_an_index_error)(x, 2)
    assert value == any_stops_before_an_index_error(x, 2)
    assert_close(grad, numeric_grad(any_stops_before_an_index_error, (x, 2), 0))


def test_short_circuit_reads_as_the_loop():
    text = s2s.grad(any_with_effects).source
    assert "found = False" in text and "found = True" in text and "break" in text


def test_map_loop_reads_as_the_loop():
    text = s2s.jvp(map_lambda_late_binding).source
    assert "for k in range(len(" in text  # (the loop Python runs, over rt.iterated(x): x, a list or array)


# ----- dict(p) of a dict the function or a helper built (crashed: rt.dict_from_pairs(rt.dict_keys(p)))

def made_params(a):
    return {"w": a * 2.0, "b": a}


def dict_of_a_display(a):
    p = {"w": a * 2.0, "b": a}
    q = dict(p)
    return q["w"] * q["b"]


def dict_of_a_helpers_dict(a):
    p = made_params(a)
    q = dict(p)
    q["w"] = q["w"] * a
    q["c"] = q["b"] * 3.0
    return q["w"] * q["b"] + q["c"]


def dict_of_a_display_then_a_key(a):
    p = {"w": np.array([a, 1.0]), "b": a * 0.5}
    new = dict(p)
    new["w"] = p["w"] * p["b"]
    return np.sum(new["w"] ** 2) + new["b"] + p["b"]


@pytest.mark.parametrize("f", [dict_of_a_display, dict_of_a_helpers_dict, dict_of_a_display_then_a_key],
                         ids=lambda f: f.__name__)
def test_dict_of_a_built_dict(f):
    a = 1.5
    value, grad = s2s.value_and_grad(f)(a)
    assert value == f(a)
    assert_close(grad, numeric_grad(f, (a,), 0))
    assert_close(s2s.jvp(f)((a,), (1.0,))[1], numeric_grad(f, (a,), 0))
    second = (numeric_grad(f, (a + 1e-4,), 0, 1e-5) - numeric_grad(f, (a - 1e-4,), 0, 1e-5)) / 2e-4
    assert_close(s2s.grad(s2s.grad(f))(a), second, 1e-4, 1e-5)
    assert_close(s2s.hessian(f)(a), second, 1e-4, 1e-5)


# ----- a loop's else clause reads names its body bound (refused: "name 'y' is not defined")

def else_reads_body_name(x):
    for i in range(3):
        y = x[i]
    else:
        z = y * 2.0
    return z


def else_reads_range_target(x):
    for i in range(3):
        y = x[i]
    else:
        z = i * 2.0
    return z * x[0] + y


def else_reads_element_target(x):
    s = 0.0
    for v in x:
        s = s + v
    else:
        s = s * v
    return s


def while_else_returns_body_name(x):
    k = 0
    while k < 3:
        y = x[k] * x[k]
        k += 1
    else:
        return y * 2.0


@pytest.mark.parametrize("f", [else_reads_body_name, else_reads_range_target, else_reads_element_target,
                               while_else_returns_body_name], ids=lambda f: f.__name__)
def test_loop_else_reads_body_names(f):
    check_every_mode(f, X, exact=True)


def gen_reads_a_name_the_loop_changes(x):  # (was refused: tests/test_front_fixes.py now refuses only a filtered
    s = 0.0                                # generator inside zip(), which s2s still computes before the loop)
    for v in (u * x for u in [1.0, 2.0]):
        x = x * 2.0
        s = s + v
    return s


def test_generator_reads_names_as_the_loop_reaches_it():
    assert s2s.value_and_grad(gen_reads_a_name_the_loop_changes)(1.5) == (7.5, 5.0)  # s = 1*x + 2*(2x)
    assert s2s.jvp(gen_reads_a_name_the_loop_changes)((1.5,), (1.0,)) == (7.5, 5.0)


# ----- a display of one starred iterator reads it wholly, as list(...) does (was "not read wholly")

def starred_map(x):
    ys = [*map(np.sin, x)]
    return ys[0] * ys[2] + len(ys)


def starred_generator_tuple(x):
    t = (*(v * v for v in x if v > 0.0),)
    return t[0] + t[-1] * x[1]


@pytest.mark.parametrize("f", [starred_map, starred_generator_tuple], ids=lambda f: f.__name__)
def test_display_of_one_starred_iterator(f):
    check_every_mode(f, X, exact=True)


# ----- math.fsum reads an iterable wholly, at once, as sum() does (was "not read wholly where it is made")

def fsum_of_iterators(x):
    return math.fsum(v * v for v in x if v > 0.0) + math.fsum(map(math.sin, x))


def test_fsum_of_a_generator_and_a_map():
    check_every_mode(fsum_of_iterators, X, exact=True)
