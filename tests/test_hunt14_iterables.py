"""Round 14 fixes of iterators, itertools and builtins over sequences (hunt14lang C1, M2, R1, M1, P1, R2).

C1: zip() with an iterator that never ends (`zip(x, itertools.repeat(2.0))`, `zip(itertools.count(1), x)`,
`zip(x, itertools.cycle(signs))`) made generated code call list() on it, which filled the memory. zip stops at its
shortest input: the iterator's first len(x) items are taken (rt.taken), and a loop over one with nothing to stop it
is refused at the user's line.
"""
from __future__ import annotations

import itertools
import re
from itertools import count, repeat

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad

X = np.array([0.3, -1.2, 2.5, 0.7])


# ------------------------------------------------------------------ C1: zip with an iterator that never ends
def zip_repeat(x):
    return sum(a * b * b for a, b in zip(x, itertools.repeat(2.0)))


def zip_count_loop(x):
    s = 0.0
    for i, v in zip(itertools.count(1), x):
        s = s + i * v * v
    return s


def zip_cycle(x):
    return sum(s * v ** 3 for v, s in zip(x, itertools.cycle([1.0, -1.0])))


def zip_float_count(x):
    return sum(c * np.sin(v) for v, c in zip(x, count(0.5, 0.25)))


def listed_zip_count(x):
    pairs = list(zip(x, count()))
    return sum(v * v * i for v, i in pairs)


def map_with_repeat(x):
    return sum(map(np.multiply, x * x, repeat(3.0)))


def zip_three(x):
    return sum(a * b * c for a, b, c in zip(count(1), x, repeat(0.5)))


LAYERS = (np.sin, np.tanh, np.cos)


def unrolled_with_count(x):
    s = 0.0
    for layer, i in zip(LAYERS, itertools.count(2)):
        s = s + i * np.sum(layer(x))
    return s


@pytest.mark.parametrize("f", [zip_repeat, zip_count_loop, zip_cycle, zip_float_count, listed_zip_count,
                               map_with_repeat, zip_three, unrolled_with_count])
def test_zip_with_an_endless_iterator_is_exact(f):
    check_every_mode(f, X, exact=True)


def test_zip_count_gradient_is_the_analytic_one():
    assert_close(s2s.grad(zip_count_loop)(X), 2.0 * np.arange(1, 5) * X, what="zip(count(1), x)")
    assert_close(s2s.grad(zip_repeat)(X), 4.0 * np.ones(4), what="zip(x, repeat(2.0))")
    v = np.array([0.5, -1.0, 2.0, 0.25])
    assert_close(s2s.vjp(zip_count_loop)(X)[1](1.5), 1.5 * 2.0 * np.arange(1, 5) * X, what="vjp")
    assert "rt.taken(" in s2s.grad(zip_count_loop).source
    assert_close(s2s.jvp(zip_cycle)((X,), (v,))[1], np.sum(numeric_grad(zip_cycle, (X,), 0) * v), what="jvp")


def endless_alone(x):
    s = 0.0
    for i in itertools.count():
        if i >= 3:
            break
        s = s + x[i] ** 2
    return s


def endless_held_by_a_name(x):
    c = itertools.count()
    s = 0.0
    for i, v in zip(c, x):
        s = s + i * v
    return s


def endless_both(x):
    return sum(a * b for a, b in zip(itertools.count(), itertools.repeat(2.0)))


@pytest.mark.parametrize("f, said", [(endless_alone, "for i in itertools.count():"),
                                     (endless_held_by_a_name, "for i, v in zip(c, x):"),
                                     (endless_both, "zip(itertools.count(), itertools.repeat(2.0))")])
def test_an_endless_iterator_nothing_stops_is_refused_at_its_line(f, said):
    for call in (lambda: s2s.grad(f)(X), lambda: s2s.jvp(f)((X,), (X,))):
        with pytest.raises(s2s.S2SError, match="never ends") as info:
            call()
        assert said in str(info.value)


def cycle_of_differentiated_items(x):
    return sum(a * b for a, b in zip(x, itertools.cycle(x[:2])))


def test_an_endless_iterator_of_values_with_a_derivative_is_refused_not_zero():
    # (rt.taken passes the items' derivatives back as list() does: the call of cycle is then refused, where a
    # taken without a rule would have dropped them, silently, from the gradient)
    calls = (lambda: s2s.grad(cycle_of_differentiated_items)(X), lambda: s2s.jvp(cycle_of_differentiated_items)(
        (X,), (X,)), lambda: s2s.jacobian(cycle_of_differentiated_items, mode="forward")(X))
    for call in calls:
        with pytest.raises(s2s.S2SError, match="cycle"):
            call()


# ------------------------------------------------------------------ M2: advice for itertools and NumPy's iterators
# (they were told "Make accumulate a dataclass", a class of the user's, and chain.from_iterable was offered
# s2s.nondifferentiable, which would make the derivative zero: what they give carries the derivatives of x)
def uses_compress(x):  # (itertools.accumulate(x), once refused here, is the loop Python runs: test_fix16_lib)
    return sum(v * v for v in itertools.compress(x, [1, 0, 1, 1]))


def uses_pairwise(x):
    return sum((b - a) ** 2 for a, b in itertools.pairwise(x))


def uses_chain(x):
    return sum(v ** 3 for v in itertools.chain(x[:2], x[2:]))


def uses_chain_from_iterable(x):
    return sum(v * v for v in itertools.chain.from_iterable([x[:2], x[2:]]))


def uses_islice(x):
    return sum(v * v for v in itertools.islice(x, 1, 3))


def uses_product(x):
    return sum(a * b for a, b in itertools.product(x[:2], x[2:]))


def uses_combinations(x):
    return sum(a * b for a, b in itertools.combinations(x, 2))


def uses_repeat(x):
    return sum(np.sum(r * r) for r in itertools.repeat(x, 3))


def uses_ndenumerate(x):
    return sum(i * v * v for (i, j), v in np.ndenumerate(x.reshape(2, 2)))


def uses_tee(x):
    a, b = itertools.tee(x)
    return sum(v * v for v in a)


def uses_groupby(x):
    return sum(sum(g) for k, g in itertools.groupby(x, key=None))


@pytest.mark.parametrize("f, advice", [
    (uses_compress, "[v for v, keep in zip(x, mask) if keep]"), (uses_pairwise, "zip(x, x[1:])"), (uses_chain, "[*a, *b]"),
    (uses_chain_from_iterable, "[v for part in parts for v in part]"), (uses_islice, "x[start:stop:step]"),
    (uses_product, "[(a, b) for a in xs for b in ys]"), (uses_combinations, "itertools.combinations(range(len(x)), 2)"),
    (uses_repeat, "[x] * n"), (uses_ndenumerate, "np.ndindex(M.shape)"), (uses_tee, "a = b = x"),
    (uses_groupby, "a for loop over the positions"), (cycle_of_differentiated_items, "x[k % len(x)]")])
def test_an_iterator_tool_is_refused_with_what_to_write(f, advice):
    with pytest.raises(s2s.NonDifferentiableError) as info:
        s2s.grad(f)(X)
    said = str(info.value)
    assert advice in said, said
    assert "nondifferentiable" not in said and "dataclass" not in said, said


def pairs_by_zip(x):
    return sum((b - a) ** 2 for a, b in zip(x, x[1:]))


def chained_by_comprehension(x):
    return sum(v * v for v in [v for part in [x[:2], x[2:]] for v in part])


def combined_by_positions(x):
    return sum(a * b for a, b in [(x[i], x[j]) for i, j in itertools.combinations(range(len(x)), 2)])


def enumerated_by_ndindex(x):
    M = x.reshape(2, 2)
    s = 0.0
    for idx in np.ndindex(M.shape):
        s = s + idx[0] * M[idx] ** 2
    return s


@pytest.mark.parametrize("f", [pairs_by_zip, chained_by_comprehension, combined_by_positions, enumerated_by_ndindex])
def test_the_advised_forms_differentiate(f):
    check_every_mode(f, X, hessian=False)


# ------------------------------------------------------------------ R1: a running number appended to a list
# (`run += v * v` on a Python float rebinds it, as it does on a NumPy scalar: it was refused as changing in place an
# array `out` holds; it is checked when run, which refuses only an array, the rows of a matrix x)
def running_sum_of_squares(x):
    out = []
    run = 0.0
    for v in x:
        run += v * v
        out.append(run)
    return sum(out)


def running_over_tolist(x):
    out = []
    run = 0.0
    for v in x.tolist():
        run += v * v
        out.append(run)
    return sum(out)


def running_with_previous(x):
    run = 0.0
    prev = 0.0
    total = 0.0
    for v in x:
        prev = run
        run += np.sin(v)
        run *= 0.9
        total = total + prev * run
    return total


def running_vector(x):
    out = []
    run = 0.0
    for v in x:
        run += v * v
        out.append(run)
    return np.array(out)


@pytest.mark.parametrize("f", [running_sum_of_squares, running_over_tolist, running_with_previous])
def test_a_running_number_kept_in_a_list_is_exact(f):
    check_every_mode(f, X, exact=True)


def test_a_running_number_has_the_analytic_gradient_and_jacobian():
    assert_close(s2s.grad(running_sum_of_squares)(X), 2.0 * X * np.arange(4, 0, -1), what="grad")
    expected = np.tril(np.ones((4, 4))) * 2.0 * X
    assert_close(s2s.jacobian(running_vector)(X), expected, what="reverse jacobian")
    assert_close(s2s.jacobian(running_vector, mode="forward")(X), expected, what="forward jacobian")
    v = np.array([0.5, -1.0, 2.0, 0.25])
    assert_close(s2s.jvp(running_vector)((X,), (v,))[1], expected @ v, what="jvp")
    assert_close(s2s.vjp(running_vector)(X)[1](v), v @ expected, what="vjp")


def test_a_running_array_kept_in_a_list_is_refused_when_run():
    M = X.reshape(2, 2)  # (its rows: run becomes an array, which the next += changes in out)
    f = running_sum_of_squares
    calls = (lambda: s2s.grad(f)(M), lambda: s2s.jvp(f)((M,), (M,)), lambda: s2s.hessian(f)(M))
    for call in calls:
        with pytest.raises(s2s.S2SError, match=r"'run \+= v \* v' would change in place .* which 'out' still holds"
                                               r".*out\.append\(run\.copy\(\)\)"):
            call()


def test_a_running_array_another_loop_name_holds_is_refused_when_run():
    with pytest.raises(s2s.S2SError, match="'run [+*]= .*' would change"):
        s2s.grad(running_with_previous)(X.reshape(2, 2))


# ------------------------------------------------------------------ M1: a class as a function value, map(float, x)
# (refused as "a call of 'mapped', a value only the run time knows", an internal name, where float(v) works)
def summed_floats(x):
    return sum(map(float, x))


def squares_of_floats(x):
    s = 0.0
    for v in map(float, x):
        s = s + v ** 3
    return s


def cast_by_a_name(x):
    cast = float
    return cast(x[0]) * cast(x[1]) + sum(map(np.float64, x * x))


@pytest.mark.parametrize("f", [summed_floats, squares_of_floats, cast_by_a_name])
def test_a_class_called_through_a_name_or_map_is_differentiated(f):
    check_every_mode(f, X, exact=True)


def test_map_float_has_the_analytic_gradient():
    assert_close(s2s.grad(summed_floats)(X), np.ones(4), what="map(float, x)")
    assert_close(s2s.grad(squares_of_floats)(X), 3.0 * X ** 2, what="for v in map(float, x)")


# ------------------------------------------------------------------ P1: sorted() and lists read at computed positions
# (the adjoint of `[unsorted[i] for i in order]` added each item's adjoint into a copy of the list adjoint,
# O(n) per item: grad of sorted(x) took 1.07 s at n = 4000, of sorted(zip(x, range(n))) 83 s; rt.add_at now adds
# into a list adjoint it made itself, in place (rt.OwnParts), O(1) per item)
def sorted_weighted(x):
    return sum(v * v * i for i, v in enumerate(sorted(x)))


def sorted_by_key_reversed(x):
    s = sorted(x, key=lambda v: (v - 0.45) ** 2, reverse=True)
    return s[0] * s[1] + np.sin(s[-1]) + sum(s)


def sorted_pairs(x):
    pairs = sorted(zip(x, range(len(x))))
    return sum(p[0] * p[1] for p in pairs)


def gathered_in_nested_loops(x):
    xs = list(x)
    idx = [2, 0, 3, 3, 1, -1, -4]
    s = 0.0
    for j in range(2):
        for i in idx:
            if i % 2 == 0:
                s = s + xs[i] * xs[i] * (j + 1)
            else:
                s = s + np.sin(xs[i]) * s
    return s


@pytest.mark.parametrize("f", [sorted_weighted, sorted_by_key_reversed, sorted_pairs, gathered_in_nested_loops])
def test_lists_read_at_computed_positions_are_exact(f):
    check_every_mode(f, X, exact=True)


def test_sorted_has_the_analytic_gradient():
    x = np.random.default_rng(3).normal(size=40)
    rank = np.argsort(np.argsort(x))
    assert_close(s2s.grad(sorted_weighted)(x), 2.0 * x * rank, what="sorted(x)")
    assert_close(s2s.grad(sorted_pairs)(x), np.arange(40.0), what="sorted(zip(x, range(n)))")


def test_add_at_adds_into_a_list_adjoint_of_its_own_in_place():
    from s2s.runtime.core import Parts
    from s2s.runtime.indexing import OwnParts, add_at
    xs = [np.array([1.0, 2.0]), 3.0, np.array([4.0, 5.0])]
    given = Parts([np.ones(2), 1.0, np.ones(2)])
    acc = add_at(given, np.array([0.5, 0.5]), xs, 0)
    assert type(acc) is OwnParts and acc is not given and given[0][0] == 1.0  # (a new one, given unchanged)
    again = add_at(acc, 2.0, xs, 1)
    assert again is acc and acc[1] == 3.0  # (in place: O(1) per read)
    last = add_at(acc, np.array([1.0, 1.0]), xs, -1)
    assert last is acc and np.array_equal(acc[2], [2.0, 2.0])
    total = acc + Parts([0.0, 1.0, 0.0])
    assert total is not acc and type(total) is Parts and acc[1] == 3.0  # (arithmetic: a new list adjoint)
    assert type(2.0 * acc) is Parts and type(-acc) is Parts


# ------------------------------------------------------------------ R2: NumPy 1.x's names (np.trapz, np.product...)
# (no rule on NumPy 1.25, where np.trapz is the only name of the trapezoidal rule: rules/numpy1.py gives each the
# record of the function it is; NumPy 2 has none of these names)
def trapz_of_squares(x):
    return np.trapz(x ** 2, dx=0.5) + np.trapz(np.sin(x), x * x)


def product_and_cumproduct(x):
    return np.product(x) + np.sum(np.cumproduct(x)) + np.sum(np.round_(x, 1) * x)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("f, names", [(trapz_of_squares, ("trapz",)),
                                      (product_and_cumproduct, ("product", "cumproduct", "round_"))])
def test_numpy_1_names_have_the_rules_of_the_functions_they_are(f, names):
    for name in names:
        if not hasattr(np, name):
            pytest.skip(f"np.{name} is not in NumPy {np.__version__}")
    check_every_mode(f, X, exact=True)


# ------------------------------------------------------------------ R2: zip(..., strict=True)
# (refused, with advice to leave out the keyword, which drops the check the user asked for: the lengths are now
# checked by rt.zip_lengths, which raises Python's ValueError)
Y = np.array([1.0, 2.0, -0.5, 0.25])


def strict_loop(x, y=Y):
    s = 0.0
    for a, b in zip(x, y, strict=True):
        s = s + a * b * a
    return s


def strict_generator(x, y=Y):
    return sum(a * np.sin(b * a) for a, b in zip(reversed(x), y, strict=True))


def strict_list(x, y=Y):
    return sum(a * b * c for a, b, c in list(zip(x, y, x, strict=True)))


@pytest.mark.parametrize("f", [strict_loop, strict_generator, strict_list])
def test_zip_strict_is_exact(f):
    check_every_mode(f, X, exact=True)


@pytest.mark.parametrize("f", [strict_loop, strict_generator, strict_list])
def test_zip_strict_raises_pythons_error_where_the_lengths_differ(f):
    with pytest.raises(ValueError) as python:
        f(X, Y[:3])
    for call in (lambda: s2s.grad(f)(X, Y[:3]), lambda: s2s.jvp(f)((X, Y[:3]), (X,))):
        with pytest.raises(ValueError, match=re.escape(str(python.value))):
            call()
