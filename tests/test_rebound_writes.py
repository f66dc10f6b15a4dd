"""Element writes into a name a loop or a branch rebinds (`cum = cum * a` in a loop, `y = a * 2.0` in one branch),
then `cum[3] = ...` after it: the name holds one of several arrays the function made, and the write changes that
one (ssa.py gives the join an array of its own). It is exact unless another name, a view or a container still
refers to one of those arrays and is read after the write (alias.py refuses that read), or one of them is the
caller's, or is made outside a loop around the write (ssa.py refuses the write). An array made before a loop and
written in it through a name the loop binds to it (`y = y0; y[i] = v`) is refused too (alias.py). Every accepted
case is checked against finite differences (gradient, jvp, Jacobians in both modes, Hessian); every refused one at
its line.
"""
import inspect

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad, numeric_hessian


# --------------------------------------------------------------------------- accepted


def loop_then_write(a):
    cum = np.zeros(4)
    for i in range(3):
        cum += a
    cum[3] -= a[0]
    return np.sum(cum * cum)


def loop_rebinds_then_write(a):
    cum = np.zeros(4)
    for i in range(3):
        cum = cum * a + np.sin(a)
    cum[3] = cum[3] * a[0]
    return np.sum(np.exp(cum) * cum)


def branch_then_write(a, flag):
    y = np.zeros(4)
    if flag > 0:
        y = a * 2.0
    y[0] = 5.0
    return np.sum(y * a)


def branch_then_write_of_its_elements(a, flag):
    y = np.sin(a)
    if flag > 0:
        y = np.exp(a)
    y[0] = y[1] * y[2]
    return np.sum(y * y)


def nested_branches(a, c):
    y = np.ones(4)
    if c > 0:
        if c > 1:
            y = a * a
        else:
            y = np.cos(a)
    y[2] = y[0] * a[1]
    return np.sum(y * y)


def two_ifs_then_two_writes(a, c, d):
    y = np.ones(4)
    if c > 0:
        y = a * 2.0
    if d > 0:
        y = np.exp(a)
    y[0] = y[1] * y[2]
    y[3] = y[0] * a[3]
    return np.sum(y * a)


def in_an_outer_loop(a):
    s = 0.0
    for j in range(3):
        cum = np.zeros(4)
        for i in range(2):
            cum = cum * a + a
        cum[j] = cum[j] * a[j]
        s = s + np.sum(cum * cum)
    return s


def branch_in_an_outer_loop(a, c):
    s = 0.0
    for j in range(3):
        y = np.ones(4) * j
        if c > 0:
            y = a * a
        y[j] = a[j]
        s = s + np.sum(y * y * a)
    return s


def while_then_write(a):
    y = a * 1.0
    k = 0
    while k < 3:
        y = np.tanh(y) + a
        k += 1
    y[0] = y[1] * y[0]
    return np.sum(y * y)


def break_then_write(a):
    y = a * 1.0
    for i in range(5):
        y = np.sin(y) * a
        if i == 2:
            break
    y[1] = y[0] ** 2
    return np.sum(y * a)


def continue_then_write(a):
    y = a * 1.0
    for i in range(4):
        if i == 1:
            continue
        y = np.cos(y) * a
    y[2] = y[1] * a[0]
    return np.sum(y * y)


def loop_that_may_not_run(a, n):
    y = a * 1.0
    for i in range(n):
        y = np.tanh(y) + a
    y[0] = y[2] * 3.0
    return np.sum(y * y)


def written_in_a_loop_after_the_branch(a, c):
    y = np.ones(4)
    if c > 0:
        y = a * 2.0
    for i in range(4):
        y[i] = y[i] * a[i] + np.sum(y)
    return np.sum(y * y)


def iterates_over_the_join_it_writes(a, n):
    d = a * 1.0
    k = 0
    while k < n and np.sum(d ** 2) < -1.0:  # (never runs: its body would refuse, row being a view of d)
        k += 1
        for row in d:
            d += np.sin(d[::-1]) + 0.5
    t = 0.0
    for v in d:  # (each v is read when its iteration starts: the writes of the iterations before show)
        t = t + np.sin(v)
        d[2] = d[0] + v * 0.5
    return t + np.sum(d * d)


def written_after_branch_then_in_a_loop(a, c):
    y = np.zeros(4)
    if c > 0:
        y = a * 2.0
    y[0] = a[2]
    for i in range(4):
        y[i] = y[i] * a[i] + 1.0
    return np.sum(y * y)


def read_before_the_write(a, c):
    y = np.ones(4) * a
    z = y
    s = np.sum(z * z)
    if c > 0:
        y = a * 2.0
    y[0] = 5.0
    return s + np.sum(y * y)


def _helper(y0, a, c):
    y = y0
    if c > 0:
        y = a * 3.0
    y[0] = a[1] * a[2]
    return np.sum(y * y)


def helper_in_a_loop(a, c):
    s = 0.0
    for j in range(2):
        s = s + _helper(np.ones(4), a, c)
    return s


def chosen_by_a_conditional_expression(a, c):
    y = a * 2.0 if c > 0 else np.zeros(4)  # (the join renamed after y: its phi kept under the new name)
    y[0] = 1.0
    return np.sum(y * a)


def join_read_in_its_branch(a, c):
    if c > 0:
        y = np.zeros(4) + a
        t = np.sum(y * a)  # (its adjoint reads y as it was: the write's restore stays)
    else:
        y = np.ones(4)
        t = 0.0
    y[0] = a[0] * 2.0
    y[1] = y[1] * a[1]
    return np.sum(y * y) + t


def join_with_a_view_read_before_the_write(a, c):
    b = np.zeros(4) + a * a
    v = b[1:]
    y = b if c > 0 else np.ones(4) * a
    s = np.sum(v * a[:3])
    y[1] = a[2] * 3.0
    return np.sum(y ** 2) + s


def join_of_joins_read_after_the_write(a, c):
    if c > 0:
        if c > 1:
            y = np.zeros(4)
        else:
            y = a * 2.0
    else:
        y = np.ones(4)
    y[2] = np.sin(a[2]) * y[0]
    z = y * a
    y[0] = z[1]
    return np.sum(z * y)


def join_in_a_loop(a, c):
    total = 0.0
    for i in range(3):
        if a[i] * c > 0.4:
            y = np.zeros(4)
        else:
            y = a * a
        y[i] = a[i] * a[0]
        total = total + np.sum(y * a)
    return total


X = np.array([0.3, 0.5, 0.7, 0.2])
ACCEPTED = [
    (loop_then_write, ()), (loop_rebinds_then_write, ()),
    (branch_then_write, (1.0,)), (branch_then_write, (-1.0,)),
    (branch_then_write_of_its_elements, (1.0,)), (branch_then_write_of_its_elements, (-1.0,)),
    (nested_branches, (2.0,)), (nested_branches, (1.0,)), (nested_branches, (0.0,)),
    (two_ifs_then_two_writes, (1.0, -1.0)), (two_ifs_then_two_writes, (-1.0, -1.0)),
    (two_ifs_then_two_writes, (1.0, 1.0)),
    (in_an_outer_loop, ()), (branch_in_an_outer_loop, (1.0,)), (branch_in_an_outer_loop, (-1.0,)),
    (while_then_write, ()), (break_then_write, ()), (continue_then_write, ()),
    (loop_that_may_not_run, (0,)), (loop_that_may_not_run, (2,)),
    (written_after_branch_then_in_a_loop, (1.0,)), (written_after_branch_then_in_a_loop, (-1.0,)),
    (written_in_a_loop_after_the_branch, (1.0,)), (written_in_a_loop_after_the_branch, (-1.0,)),
    (iterates_over_the_join_it_writes, (0,)), (iterates_over_the_join_it_writes, (3,)),  # (fuzz seed 952832)
    (read_before_the_write, (1.0,)), (read_before_the_write, (-1.0,)),
    (helper_in_a_loop, (1.0,)), (helper_in_a_loop, (-1.0,)),
    (chosen_by_a_conditional_expression, (1.0,)), (chosen_by_a_conditional_expression, (-1.0,)),
] + [(f, (c,)) for f in (join_read_in_its_branch, join_with_a_view_read_before_the_write,
                         join_of_joins_read_after_the_write, join_in_a_loop) for c in (2.0, 1.0, -1.0)]
IDS = [f"{f.__name__}{list(args)}" for f, args in ACCEPTED]
# where the gradient's own code writes into an array it pushed onto a stack, differentiating it again is refused
# (ssa.py: "a write into ... after this gradient saved it on a stack"): the loop's name is not surely a new array
# at the end of every iteration (an array a join makes and the iteration then writes is pushed where the iteration
# ends since hunt round 9, as one an assignment makes: in_an_outer_loop, branch_in_an_outer_loop, helper_in_a_loop
# and join_in_a_loop differentiate twice)
SECOND_ORDER_REFUSED = {"continue_then_write"}


def _fresh(args):
    return [np.copy(a) if isinstance(a, np.ndarray) else a for a in args]


@pytest.mark.parametrize("f, args", ACCEPTED, ids=IDS)
def test_accepted_against_finite_differences(f, args):
    x = X.copy()
    value = f(X.copy(), *args)
    expected = numeric_grad(lambda y: f(np.copy(y), *args), (X,), 0)
    v, g = s2s.value_and_grad(f)(x, *args)
    assert_close(v, value, rtol=1e-12, atol=1e-12, what="value")
    assert_close(g, expected, what="reverse")
    v, pullback = s2s.vjp(f)(x, *args)
    assert_close(pullback(1.0), expected, what="vjp")
    t = np.array([0.4, -1.3, 0.8, 2.1])
    v, d = s2s.jvp(f)((x,) + args, (t,))
    assert_close(v, value, rtol=1e-12, atol=1e-12, what="jvp value")
    assert_close(d, expected @ t, what="forward")
    for mode in ("reverse", "forward"):
        assert_close(s2s.jacobian(f, mode=mode)(x, *args), expected, what=f"jacobian ({mode})")
    assert np.array_equal(x, X), "the caller's argument changed"


@pytest.mark.parametrize("f, args", ACCEPTED, ids=IDS)
def test_accepted_hessian_against_finite_differences(f, args):
    x = X.copy()
    if f.__name__ in SECOND_ORDER_REFUSED:
        with pytest.raises(s2s.S2SError, match="after this gradient saved it on a stack"):
            s2s.hessian(f)(x, *args)
        return
    expected = numeric_hessian(lambda y: f(np.copy(y), *args), X)
    assert_close(s2s.hessian(f)(x, *args), expected, rtol=1e-4, atol=1e-4, what="hessian")
    assert np.array_equal(x, X), "the caller's argument changed"


def test_generated_code_writes_into_the_join():
    """The gradient writes into the array the join holds (no copy of it). The element it overwrites is kept and
    put back in the reverse sweep where an adjoint reads the array as it was (`read_before_the_write`), and not
    where none does (`branch_then_write`: the adjoint of a * 2.0 reads no array; np.zeros(4) is read by none)."""
    src = s2s.grad(branch_then_write).source
    assert "    else:\n        y_2 = y\n" in src, src
    assert "    y_2[0] = 5.0\n" in src and "y_old" not in src, src
    assert "require_float_array" not in src, src  # (both arrays the join may hold are floats)
    src = s2s.grad(read_before_the_write).source
    assert "y_old = rt.copy_saved(" in src and "] = y_old\n" in src, src
    src = s2s.grad(loop_then_write).source
    assert "        cum_1 = cum_1 + a\n" in src and "    cum_1[3] = t4\n" in src, src
    assert "rt.require_float_array(cum_1, 'cum')" in src, src  # (an array of integers truncates: see below)


def loop_leaves_the_copy_of_an_argument(a, n):
    y = a * 1.0
    for i in range(n):
        y = np.tanh(y) + a
    y[0] = 5.0
    return np.sum(y * y)


def test_a_copy_the_write_may_go_into_stays_a_copy():
    """`y = a * 1.0` is the array written when the loop runs no iteration: simplification must not make it `a`
    itself (the forward mode wrote 5.0 into the caller's argument)."""
    a = np.array([0.3, 0.5, 0.7])
    for n in (0, 2):
        expected = numeric_grad(lambda y: loop_leaves_the_copy_of_an_argument(np.copy(y), n), (a,), 0)
        assert_close(s2s.grad(loop_leaves_the_copy_of_an_argument)(a, n), expected, what=f"reverse, n={n}")
        _, d = s2s.jvp(loop_leaves_the_copy_of_an_argument)((a, n), (np.ones(3),))
        assert_close(d, np.sum(expected), what=f"forward, n={n}")
        assert np.array_equal(a, [0.3, 0.5, 0.7]), "the caller's argument changed"


def integers_on_one_path(a, flag):
    y = np.arange(4)
    if flag > 0:
        y = a * 2.0
    y[0] = a[0] * 3.0
    return np.sum(y * a)


def test_integer_array_on_one_path_is_refused_where_it_is_taken():
    """NumPy truncates a value written into an array of integers: no derivative flows through the write. Where the
    branch leaves the integers, reverse mode refuses when it runs; on the other path it is exact."""
    x = X.copy()
    with pytest.raises(s2s.S2SError, match="an array of int"):
        s2s.grad(integers_on_one_path)(x, -1.0)
    expected = numeric_grad(lambda y: integers_on_one_path(np.copy(y), 1.0), (X,), 0)
    assert_close(s2s.grad(integers_on_one_path)(x, 1.0), expected, what="reverse")
    assert np.array_equal(x, X)


def unbound_when_the_loop_does_not_run(a, n):
    for i in range(n):
        y = a * 2.0
    y[0] = a[1]
    return np.sum(y * a)


def test_name_bound_only_in_the_loop():
    expected = numeric_grad(lambda y: unbound_when_the_loop_does_not_run(np.copy(y), 2), (X,), 0)
    assert_close(s2s.grad(unbound_when_the_loop_does_not_run)(X.copy(), 2), expected, what="reverse")
    with pytest.raises(UnboundLocalError):
        unbound_when_the_loop_does_not_run(X.copy(), 0)
    with pytest.raises(UnboundLocalError):
        s2s.grad(unbound_when_the_loop_does_not_run)(X.copy(), 0)


# --------------------------------------------------------------------------- refused


def another_name_before_the_loop(a, n):
    c0 = np.zeros(4)
    cum = c0
    for i in range(n):
        cum = cum + a
    cum[0] = 1.0
    return np.sum(c0 * a) + np.sum(cum * a)  # refused: c0 is cum when n == 0


def another_name_before_the_branch(a, flag):
    y = np.zeros(4)
    z = y
    if flag > 0:
        y = a * 2.0
    y[0] = 5.0
    return np.sum(z * a) + np.sum(y * a)  # refused


def a_view_before_the_branch(a, flag):
    y = np.ones(4)
    v = y[1:]
    if flag > 0:
        y = a * 2.0
    y[1] = 5.0
    return np.sum(v * v * a[1:]) + np.sum(y * a)  # refused


def a_tuple_before_the_branch(a, flag):
    y = np.zeros(4)
    t = (y, 1.0)
    if flag > 0:
        y = a * 2.0
    y[0] = 5.0
    return np.sum(t[0] * a)  # refused


def another_name_in_the_loop(a):
    cum = np.zeros(4)
    keep = cum
    for i in range(2):
        cum = cum * a + a
        keep = cum
    cum[0] = 7.0
    return np.sum(keep * a)  # refused


def a_list_in_the_loop(a):
    cum = np.zeros(4)
    xs = []
    for i in range(2):
        cum = cum * a + a
        xs.append(cum)
    cum[0] = 7.0
    return np.sum(xs[1] * a)  # refused


def another_name_in_the_branch(a, flag):
    y = np.zeros(4)
    w = np.ones(4)
    if flag > 0:
        y = a * 2.0
        w = y
    y[0] = 5.0
    return np.sum(w * a)  # refused


def in_place_and_rebound_with_another_name(a, c):
    c0 = np.zeros(4)
    cum = c0
    for i in range(3):
        if c > 0:
            cum += a
        else:
            cum = cum * a + 1.0
    cum[0] = 2.0 * a[1]
    return np.sum(cum * a) + np.sum(c0 * a)  # refused


def a_parameter_in_the_loop(a, b):
    delta = np.zeros(4)
    for i in range(2):
        delta = b
    delta[0] = a[0]  # refused: delta is the caller's b
    return np.sum(delta * a)


def a_parameter_in_a_loop_that_never_runs(a, b):
    delta = a * 1.0
    while False:
        delta = b
    delta[::1] = b  # refused (fuzz seed 800524)
    return np.sum(delta * a)


def a_parameter_in_the_branch(a, flag):
    y = np.zeros(4)
    if flag > 0:
        y = a
    y[0] = 5.0  # refused
    return np.sum(y * a)


def a_parameter_by_a_conditional_expression(a, c):
    y = a if c > 0 else np.zeros(4)
    y[0] = 1.0  # refused
    return np.sum(y)


def a_view_in_the_branch(a, flag):
    m = np.ones(5)
    y = np.zeros(4)
    if flag > 0:
        y = m[1:]
    y[0] = 5.0  # refused: y may be a view of m
    return np.sum(y * a) + np.sum(m)


def made_before_the_outer_loop(a, flag):
    y0 = np.zeros(4)
    s = 0.0
    for j in range(3):
        y = y0
        if flag > 0:
            y = a * 2.0
        y[0] = y[0] + a[0]  # refused: the next iteration would read y0 as written
        s = s + np.sum(y * a)
    return s


def made_before_the_outer_loop_inner_loop(a):
    y0 = np.zeros(4)
    s = 0.0
    for j in range(3):
        y = y0
        for i in range(j):
            y = y * a + a
        y[0] = y[0] + a[0]  # refused
        s = s + np.sum(y * a)
    return s


def first_written_in_a_loop_after_the_branch(a, c):
    y = np.zeros(4)
    z = y
    if c > 0:
        y = a * 2.0
    for i in range(4):
        y[i] = y[i] * a[i] + np.sum(z)  # refused: z is y on one path, and the next iteration reads it
    return np.sum(y)


def a_parameter_in_the_branch_then_a_loop(a, flag):
    y = np.zeros(4)
    if flag > 0:
        y = a
    for i in range(4):
        y[i] = y[i] * 2.0  # refused
    return np.sum(y * a)


def written_through_a_name_bound_in_the_loop(a):
    y0 = np.zeros(4)
    s = 0.0
    for i in range(4):
        y = y0
        y[i] = a[i] * (i + 1.0)  # refused: the second iteration writes into y0 as the first left it
        s = s + np.sum(y * y)
    return s


def read_in_the_loop_before_a_write_through_another_name(a):
    y0 = np.zeros(4)
    s = 0.0
    for i in range(3):
        s = s + np.sum(y0 * y0)  # refused: from the second iteration on, y0 holds the writes
        y = y0
        y[0] = s + a[0]
    return s


B = np.array([1.0, 2.0, 3.0, 4.0])
REFUSED = [
    (another_name_before_the_loop, (0,), "may have left bound to that same array"),
    (another_name_before_the_loop, (2,), "may have left bound to that same array"),
    (another_name_before_the_branch, (1.0,), "may have left bound to that same array"),
    (another_name_before_the_branch, (-1.0,), "may have left bound to that same array"),
    (a_view_before_the_branch, (-1.0,), "a view of 'y' or a container holding it"),
    (a_tuple_before_the_branch, (-1.0,), "may have left bound to that same array"),
    (another_name_in_the_loop, (), "a view of 'cum' or a container holding it"),
    (a_list_in_the_loop, (), "a view of 'cum' or a container holding it"),
    (another_name_in_the_branch, (1.0,), "a view of 'y' or a container holding it"),
    (in_place_and_rebound_with_another_name, (1.0,), "may have left bound to that same array"),
    (in_place_and_rebound_with_another_name, (-1.0,), "may have left bound to that same array"),
    (a_parameter_in_the_loop, (B,), "may leave bound to 'b', an array the function did not create"),
    (a_parameter_in_a_loop_that_never_runs, (B,), "may leave bound to 'b', an array the function did not create"),
    (a_parameter_in_the_branch, (1.0,), "may leave bound to 'a', an array the function did not create"),
    (a_view_in_the_branch, (1.0,), "may leave bound to 'y', a view of another array"),
    (a_parameter_by_a_conditional_expression, (1.0,), "may leave bound to 'a', an array the function did not create"),
    (made_before_the_outer_loop, (-1.0,), "'y0', an array made before the loop around this line"),
    (made_before_the_outer_loop_inner_loop, (), "'y0', an array made before the loop around this line"),
    (first_written_in_a_loop_after_the_branch, (-1.0,), "may have left bound to that same array"),
    (a_parameter_in_the_branch_then_a_loop, (1.0,), "may leave bound to 'a', an array the function did not create"),
    # (both were silent wrong derivatives: SSA read y0 as it was made in every iteration)
    (written_through_a_name_bound_in_the_loop, (), "of a loop wrote into it in place through another name"),
    (read_in_the_loop_before_a_write_through_another_name, (), "of a loop wrote into it in place through another"),
]


def _refused_line(f) -> int:
    lines, first = inspect.getsourcelines(f)
    return first + next(i for i, text in enumerate(lines) if "# refused" in text)


@pytest.mark.parametrize("f, args, match", REFUSED, ids=[f"{f.__name__}{list(a)}" for f, a, _ in REFUSED])
def test_refused_at_the_users_line(f, args, match):
    x, kept = X.copy(), _fresh(args)
    f(X.copy(), *_fresh(args))  # (Python runs it)
    for transform in (s2s.grad, s2s.jvp):
        with pytest.raises(s2s.UnsupportedSyntaxError, match=match) as info:
            if transform is s2s.grad:
                transform(f)(x, *args)
            else:
                transform(f)((x,) + args, (np.ones(4),))
        assert info.value.lineno == _refused_line(f), str(info.value)
        assert info.value.filename == __file__
        assert "copy" in str(info.value), "the message says what to write"
    assert np.array_equal(x, X) and all(np.array_equal(a, k) for a, k in zip(args, kept))


def test_python_and_s2s_agree_where_a_refused_pattern_is_avoided():
    """Copying where the message says makes each refused program exact (the copy is the user's decision: NumPy's
    own value depended on the path)."""
    def copied(a, n):
        c0 = np.zeros(4)
        cum = c0
        for i in range(n):
            cum = cum + a
        cum = np.copy(cum)
        cum[0] = 1.0
        return np.sum(c0 * a) + np.sum(cum * cum * a)
    for n in (0, 2):
        expected = numeric_grad(lambda y: copied(np.copy(y), n), (X,), 0)
        assert_close(s2s.grad(copied)(X.copy(), n), expected, what=f"n={n}")
