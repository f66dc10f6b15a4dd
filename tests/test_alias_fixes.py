"""Sharing and mutation found by the adversarial hunt (huntflow items 4, 6, 7, 9): each case exact (checked against
finite differences or the original function's value) or refused at the user's line, and the caller's arrays left
as they were.
"""
import inspect
import re

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad

X = np.array([0.3, -0.7, 1.2])


def _line_of(f, marker: str = "# refused") -> int:
    lines, start = inspect.getsourcelines(f)
    return start + next(i for i, text in enumerate(lines) if marker in text)


def _refused_at_its_line(f, args, match):
    kept = [np.copy(a) for a in args]
    for transform in (s2s.grad, s2s.value_and_grad):
        with pytest.raises(s2s.UnsupportedSyntaxError, match=match) as info:
            transform(f)(*args)
        assert info.value.lineno == _line_of(f), str(info.value)
        assert info.value.filename == __file__
    with pytest.raises(s2s.UnsupportedSyntaxError, match=match):
        s2s.jvp(f)(tuple(args), tuple(np.ones_like(a) for a in args))
    assert all(np.array_equal(a, k) for a, k in zip(args, kept)), "the caller's arguments changed"
    return info.value


# --------------------------------------------------------------------------- helpers that change their arguments
# A helper called for its effect whose body s2s does not follow is run as it is; one that changes what it is given
# (the function's list or dict, a view of its array, the caller's array) would change values s2s does not see.


def push(lst, v):
    lst.append(v)
    return lst


def setv(a, i, v):
    a[i] = v
    return 0


def bump(a):
    a[1:] += 1.0
    return 0


def bump_through(b):
    bump(b)
    return 0


def shuffle_into(a, v):
    np.copyto(a, v)


def push_twice(x):
    ys = [x[0]]
    push(ys, x[1] * 2.0)
    return ys[-1]


def push_into_empty(x):
    ys = []
    push(ys, x[1] * 2.0)
    return ys[0]


def set_through_view(x):
    y = x * 2.0
    setv(y[1:], 0, 5.0)  # refused
    return np.sum(y)


def set_through_view_of_copy(x):
    y = x * 1.0  # (s2s folds x * 1.0 into x: the helper wrote 5.0 into the caller's x)
    setv(y[1:], 0, 5.0)  # refused
    return np.sum(y * x)


def set_row(x):
    m = np.outer(x, x)
    setv(m[1], 0, 7.0)  # refused
    return np.sum(m * x)


def set_in_rebinding_loop(x):
    y = x * 2.0
    for i in range(2):
        setv(y, i, y[i] * x[i])  # refused
        y = y * 1.5
    return np.sum(y)


def set_argument(x):
    setv(x, 0, 9.0)  # refused
    return np.sum(x * x)


def bump_reversed(x):
    y = x * 1.0
    bump_through(y[::-1])  # refused
    return np.sum(y * x)


def copy_into_view(x):
    y = np.zeros(3)
    shuffle_into(y[:2], x[1:])  # refused
    return np.sum(y * x)


# (push_twice and push_into_empty grow the function's list, exact: tests/test_hunt3_front.py; put_key writes a key
# of the function's dict display, one dict written in place as dict(p)'s copy is: tests/test_hunt10_ml.py)
# (set_in_rebinding_loop: the loop's own write-then-rebind refusal, tests/test_hunt11_loops.py)
@pytest.mark.parametrize("f", [set_through_view, set_through_view_of_copy,
                               set_row, set_argument, bump_reversed, copy_into_view],
                         ids=lambda f: f.__name__)
def test_a_helper_changing_its_argument_is_refused_at_the_call(f):
    error = _refused_at_its_line(f, (X.copy(),), r"changes its argument '\w+' in place")
    assert "own name" in error.hint


def report(a, tag):
    try:  # (a try statement: s2s does not read this body, and runs it as it is)
        print(f"{tag}: {np.sum(a):.3f}")
    except ValueError:
        pass
    return None


def reports(x):
    y = np.sin(x)
    report(y, "y")
    report(x, "x")
    return np.sum(y * x)


def set_whole(x):
    y = x * 2.0
    setv(y, 1, x[0] ** 2)  # (inlined: the write is y's own)
    return np.sum(y * x)


def test_a_helper_that_only_reads_its_arguments_still_runs_as_it_is(capsys):
    check_every_mode(reports, X, hessian=False)
    assert "y: " in capsys.readouterr().out
    assert "report(y, 'y')" in s2s.grad(reports).source


def test_a_helper_writing_into_the_functions_own_array_is_followed():
    check_every_mode(set_whole, X)


# --------------------------------------------------------------------------- list(z), tuple(z): rows are views
# Iterating a 2-D array gives views of its rows: list(z), tuple(z), list(enumerate(z)), list(zip(z, x)),
# list(map(f, z)), list(r for r in z) hold them, and a later write into z shows through them (NumPy).


def rows_then_write(x):
    z = np.outer(x, x)
    rows = list(z)
    z[0, 0] = 5.0
    return np.sum(rows[0] * x)  # refused


def tuple_rows_then_write(x):
    z = np.outer(x, x)
    rows = tuple(z)
    z[0, 0] = 5.0
    return np.sum(rows[0] * x)  # refused


def enumerated_rows_then_write(x):
    z = np.outer(x, x)
    pairs = list(enumerate(z))
    z[0, 0] = 5.0
    return np.sum(pairs[0][1] * x)  # refused


def zipped_rows_then_write(x):
    z = np.outer(x, x)
    pairs = list(zip(z, x))
    z[0, 0] = 5.0
    return np.sum(pairs[0][0] * x)  # refused


def mapped_rows_then_write(x):
    z = np.outer(x, x)
    rows = list(map(np.ravel, z))
    z[0, 0] = 5.0
    return np.sum(rows[0] * x)  # refused


def generated_rows_then_write(x):
    z = np.outer(x, x)
    rows = list(r for r in z)
    z[0, 0] = 5.0
    return np.sum(rows[0] * x)  # refused


def matrices_then_write(x):
    z = np.ones((2, 2, 3)) * x
    mats = list(z)
    z[0, 0, 0] = 5.0
    return np.sum(mats[0] ** 2)  # refused


@pytest.mark.parametrize("f", [rows_then_write, tuple_rows_then_write, enumerated_rows_then_write,
                               zipped_rows_then_write, mapped_rows_then_write, generated_rows_then_write,
                               matrices_then_write], ids=lambda f: f.__name__)
def test_rows_taken_by_iterating_are_views(f):
    _refused_at_its_line(f, (X.copy(),), "a view of 'z' or a container holding it")


def test_the_hint_for_rows_taken_by_list_is_valid_code():
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(rows_then_write)
        s2s.grad(rows_then_write)(X)
    assert "rows = list(v.copy() for v in z)" in info.value.hint  # (each row copied, a list's items too)

    def copied(x):
        z = np.outer(x, x)
        rows = list(v.copy() for v in z)
        z[0, 0] = 5.0
        return np.sum(rows[0] * x) + np.sum(z * x)
    check_every_mode(copied, X)


def rows_read_before_the_write(x):
    z = np.outer(x, x)
    rows = list(z)
    first = np.sum(rows[0] * x) + np.sum(rows[2] ** 2)
    z[0, 0] = 5.0
    return first + np.sum(z * x)


def test_rows_read_before_the_write_are_exact():
    check_every_mode(rows_read_before_the_write, X)


def scaled_row_of_argument(m):
    rows = list(m)
    rows[0] *= 2.0  # (NumPy doubles the caller's row m[0] in place)
    return np.sum(m * m)


def scaled_row_of_own(x):
    z = np.outer(x, x)
    rows = list(z)
    rows[0] *= 2.0  # (NumPy doubles z[0])
    return np.sum(z * x)


@pytest.mark.parametrize("f, arg", [(scaled_row_of_argument, np.array([[0.3, -0.7], [1.2, 0.4]])),
                                    (scaled_row_of_own, X)], ids=["argument", "own"])
def test_an_operator_on_a_row_held_in_a_list_is_refused_where_it_runs(f, arg):
    kept = arg.copy()
    for transform in (s2s.grad, s2s.value_and_grad):
        with pytest.raises(s2s.S2SError, match=r"'rows\[0\] \*= 2.0' would change an array in place"):
            transform(f)(arg)
    assert np.array_equal(arg, kept)


def rebound_row(m):
    rows = list(m)
    rows[0] = rows[0] * 2.0  # (a new array: m stays as it is)
    return np.sum(m * m) + np.sum(rows[0] * rows[1])


def scaled_number_in_list(x):
    ys = list(x)  # (a vector's items are numbers)
    ys[0] *= 2.0
    return ys[0] * ys[1] + x[0]


def test_a_new_value_written_into_a_list_of_rows_is_exact():
    check_every_mode(rebound_row, np.array([[0.3, -0.7], [1.2, 0.4]]))
    check_every_mode(scaled_number_in_list, X)


# --------------------------------------------------------------------------- a dict's key written in a loop


def key_scaled_in_loop(x):
    params = {"w": x, "b": 1.0}
    for k in ["w", "b"]:
        params[k] = params[k] * 2.0  # (the one dict, written in place: exact since fix18dictw)
    return params["w"] + params["b"]


def key_set_in_loop(x):
    params = {}
    for k in ["w", "b"]:
        params[k] = x * 2.0
    return params["w"] + params["b"]


def test_a_dict_key_written_in_a_loop_is_exact():
    assert s2s.value_and_grad(key_scaled_in_loop)(1.5) == (key_scaled_in_loop(1.5), pytest.approx(2.0))
    assert s2s.value_and_grad(key_set_in_loop)(1.5) == (key_set_in_loop(1.5), pytest.approx(4.0))
    check_every_mode(lambda x: np.sum(key_scaled_in_loop(x) * x), X)
    check_every_mode(lambda x: np.sum(key_set_in_loop(x) * x), X)


def key_set_in_branch(x):
    params = dict(w=x, b=1.0)
    if x > 0:
        params = dict(w=x * 2.0, b=3.0)
    for k in ["w"]:
        params[k] = params[k] * 2.0  # refused
    return params["w"] + params["b"]


@pytest.mark.parametrize("f", [key_set_in_branch], ids=lambda f: f.__name__)
def test_a_dict_key_written_in_a_loop_is_refused_as_outside_one(f):
    error = _refused_at_its_line(f, (1.5,), "assignment to a key of the dict 'params'")
    assert "for k in keys" in error.hint


def keys_rebuilt(x):
    params = {"w": x, "b": 1.0}
    params = {k: params[k] * 2.0 for k in ["w", "b"]}
    return params["w"] * x + params["b"] * x


def test_the_dict_the_hint_suggests_is_exact():
    assert s2s.value_and_grad(keys_rebuilt)(1.5) == (keys_rebuilt(1.5), pytest.approx(4.0 * 1.5 + 2.0))


# --------------------------------------------------------------------------- false refusals: shifts, swaps, copies


def shifted_in_loop(x):
    y = x * 2.0
    for j in range(2):
        y[j] = y[j + 1] * x[j]  # (an element of a vector is a number)
    return np.sum(y * x)


def rows_shifted_in_loop(x):
    m = np.outer(x, x)
    for j in range(2):
        m[j] = m[j + 1]  # (a row at another integer position: disjoint, or the same row)
    return np.sum(m * x)


def sorted_by_swaps_with_copies(x):
    y = x * 1.0
    for j in range(2):
        if y[j] > y[j + 1]:
            y[j], y[j + 1] = y[j + 1].copy(), y[j].copy()
    return np.sum(y * np.arange(3.0))


def rows_swapped_by_fancy_index(x):
    m = np.outer(x, x + 1.0)
    m[[0, 1]] = m[[1, 0]]
    return np.sum(m * x)


def fancy_rows_read_then_write(x):
    m = np.outer(x, x)
    r = m[np.array([0, 2])]
    m[0, 0] = 5.0
    return np.sum(r * x[:2, None]) + np.sum(m * x)


def masked_then_write(x):
    y = x * 2.0
    m = y[y > 0]
    y[0] = 7.0
    return np.sum(m * m) + np.sum(y * x)


@pytest.mark.parametrize("f", [shifted_in_loop, rows_shifted_in_loop, sorted_by_swaps_with_copies,
                               rows_swapped_by_fancy_index, fancy_rows_read_then_write, masked_then_write],
                         ids=lambda f: f.__name__)
def test_writes_reading_other_parts_or_copies_are_exact(f):
    check_every_mode(f, np.array([1.2, 0.3, -0.7]), hessian=f is not sorted_by_swaps_with_copies)


def swapped_in_place(x):
    y = x * 1.0
    for j in range(2):
        if y[j] > y[j + 1]:
            y[j], y[j + 1] = y[j + 1], y[j]  # refused
    return np.sum(y * np.arange(3.0))


def test_a_swap_through_views_is_refused_with_a_hint_that_is_code():
    error = _refused_at_its_line(swapped_in_place, (np.array([1.2, 0.3, -0.7]),), "a view of 'y'")
    fix = error.hint.split("write copies: ")[1]
    assert fix == "y[j], y[j + 1] = y[j + 1].copy(), y[j].copy()"
    compile(fix, "<hint>", "exec")


# --------------------------------------------------------------------------- element writes into a list


def list_written_in_loop(x):
    ys = list(x)
    for i in range(2):
        ys[i] = x[i] * (i + 2.0)
    return ys[0] + ys[1] * x[0]


def rows_written_in_loop(x):
    ys = list(np.outer(x, x))
    for i in range(2):
        ys[i] = ys[i] * x[i]
    return np.sum(ys[0] + ys[1] * x[0])


def list_written_in_branch(x):
    ys = list(x)
    if x[0] > 0:
        ys[1] = x[0] * 5.0
    return ys[0] + ys[1] * x[0]


@pytest.mark.parametrize("f", [list_written_in_loop, rows_written_in_loop, list_written_in_branch],
                         ids=lambda f: f.__name__)
def test_a_list_element_written_in_a_loop_or_branch_is_exact(f):
    """The reverse sweep put back and added up the list's elements as an array's: ValueError inside the gradient
    (and the Hessian of the branch); refused then, exact since fix16listw (tests/test_fix16_list_writes.py)."""
    for x in (np.array([0.3, 1.2]), np.array([-0.3, 1.2])):
        check_every_mode(f, x)


def array_written_in_loop(x):
    ys = np.array(list(x))
    for i in range(2):
        ys[i] = x[i] * (i + 2.0)
    return ys[0] + ys[1] * x[0]


def list_written_once(x):
    ys = list(x * 1.0)
    zs = ys
    ys[1] = ys[0] * x[1]
    return zs[1] * ys[0]


def test_the_array_the_hint_suggests_and_a_straight_line_list_write_are_exact():
    check_every_mode(array_written_in_loop, np.array([0.3, 1.2]))
    check_every_mode(list_written_once, np.array([0.3, 1.2]))


# --------------------------------------------------------------------------- a list a dict holds, then grown


def grown_in_dict(x):
    hist = [x[0]]
    state = {"h": hist}
    hist.append(x[1])  # refused
    return state["h"][-1]


def grown_in_dict_in_loop(x):
    hist = [x[0]]
    state = {"h": hist}
    for i in range(1, 3):
        hist += [x[i] * hist[-1]]  # refused
    return state["h"][-1]


@pytest.mark.parametrize("f", [grown_in_dict, grown_in_dict_in_loop], ids=lambda f: f.__name__)
def test_a_list_a_dict_holds_is_not_grown(f):
    """The dict's "h" was read as the list it was made with (x[0]: 0.3 for -0.252)."""
    _refused_at_its_line(f, (X.copy(),), "a list that another name or a container also holds")


def dict_of_grown_list(x):
    hist = []
    for v in x:
        hist.append(v * 2.0)
    state = {"h": hist}
    return state["h"][-1] * x[1]


def test_a_list_grown_before_a_dict_holds_it_is_exact():
    check_every_mode(dict_of_grown_list, X)


def _copied_into(x):
    r = np.zeros(2)
    _ = np.copyto(r, x * 2.0)
    return np.sum(r * x)


def _diagonal_filled(x):
    r = np.outer(x, x)
    res = np.fill_diagonal(r, 0.0)
    return np.sum(r) + 0.0 * (res is None)


def _seeded(x):
    _ = np.random.seed(3)
    return x * np.random.normal()


def _put_into(x):
    r = x * 1.0
    np.put(r, [0], 5.0)
    return np.sum(r * x)


@pytest.mark.parametrize("f, line", [(_copied_into, "np.copyto(dst, src)"), (_diagonal_filled, "np.fill_diagonal"),
                                     (_seeded, "np.random.seed(s)"), (_put_into, "np.put(a, ind, v)")])
def test_a_library_call_that_changes_its_argument_is_refused_assigned_or_not(f, line):
    """np.copyto, np.fill_diagonal, np.put, np.putmask, np.place, np.put_along_axis, np.random.seed and
    np.random.shuffle change their argument (or NumPy's random state) and return None: with the None assigned to
    a name, s2s dropped the call (real-program bug hunt: np.copyto's sum 0 for 10, np.fill_diagonal's 9 for 4).
    Refused at the call, saying what to write instead."""
    x = np.array([1.0, 2.0])
    with pytest.raises(s2s.UnsupportedSyntaxError, match=re.escape(line)) as info:
        s2s.value_and_grad(f)(x)
    assert "which changes" in str(info.value) or "which shuffles" in str(info.value)


def _previous_end(x0):
    y = x0.copy()
    prev = x0
    s = 0.0
    for i in range(2):
        y += 1.0
        s += prev[0]
        prev = y
    return s * x0[0]


def _history(x0):
    x = x0.copy()
    hist = []
    for i in range(2):
        x += 1.0
        hist.append(x)
    return np.sum(np.array(hist) * x0)


def _history_of_elements(x0):
    x = x0.copy()
    hist = []
    for i in range(2):
        x[0] = x[0] * 2.0
        hist.append(x)
    return hist[0][0]


def _history_copied(x0):
    x = x0.copy()
    hist = []
    for i in range(2):
        x += 1.0
        hist.append(x.copy())
    return np.sum(np.array(hist) * x0)


@pytest.mark.parametrize("f", [_previous_end, _history, _history_of_elements])
def test_an_array_changed_in_place_and_kept_from_one_iteration_to_the_next_is_refused(f):
    """`prev = y` or `hist.append(x)` in a loop that changes the array in place (`y += 1.0`, `x[0] = ...`): the
    next iteration's change shows through what was kept (NumPy's hist holds one x twice). s2s gave the values as
    they were (real-program bug hunt: 3.0 for 4.0, a symplectic Euler trajectory 2.010 for 1.783). Refused at the
    loop, saying to keep a copy; with the copy the derivative is exact."""
    x0 = np.array([1.0, 2.0])
    with pytest.raises(s2s.UnsupportedSyntaxError, match="from one iteration to the next"):
        s2s.value_and_grad(f)(x0)
    value, g = s2s.value_and_grad(_history_copied)(x0)
    assert value == _history_copied(x0.copy())
    assert_close(g, numeric_grad(_history_copied, (x0,), 0), what="copied history")


def _dict_copied(p, x):
    w = p.copy()
    return np.sum(w["a"] * x)


def _list_copied(p, x):
    w = p.copy()
    return np.sum(w[0] * x) + np.sum(w[1] ** 2)


def test_a_dict_or_list_copied_by_its_method_stays_a_dict_or_list():
    """`p.copy()` of a dict or a list argument is the method as written, a dict or a list (it was np.copy(p): an
    IndexError for a dict, a ValueError for parts of two shapes, one stacked array for parts of one)."""
    x = np.array([1.0, 2.0, 3.0])
    g = s2s.grad(_dict_copied)({"a": x}, x)
    assert isinstance(g, dict) and np.array_equal(g["a"], x)
    for p in ([x, np.ones(2)], [x, x]):
        g = s2s.grad(_list_copied)(p, x)
        assert isinstance(g, list) and np.array_equal(g[0], x) and np.array_equal(g[1], 2 * p[1])
    assert "w = p.copy()" in s2s.grad(_list_copied).source
