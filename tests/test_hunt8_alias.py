"""The alias stage (hunt round 8): loops that write an element of an array and then rebind its name, branches that
write one array and rebind the name in the other, and the names the refusals show. A loop whose iterations write
into the array its name holds and then rebind the name to a new array (`h[i] = v; h = np.sin(h)`) was accepted,
and computed from the array made before the loop at every iteration, where the array was written again after the
loop (`y[0] = 0.0`): it is refused like the same loop without the later write, and the advice the refusal gives
is checked to compute the function NumPy runs, in every mode, against finite differences."""
import inspect
import re

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad
from s2s.errors import UnsupportedSyntaxError

X3 = np.array([0.4, 0.2, -0.6])


def refused(f, args, line_text, match):
    """Every mode refuses `f(*args)` with a message matching `match`, located at f's line holding `line_text`."""
    lines, first = inspect.getsourcelines(f)
    line = first + next(i for i, text in enumerate(lines) if line_text in text)
    for transform in (s2s.value_and_grad, s2s.grad, s2s.hessian, lambda g: s2s.jacobian(g, mode="forward")):
        with pytest.raises(UnsupportedSyntaxError, match=match) as info:
            transform(f)(*args)
        assert info.value.lineno == line, str(info.value)
    with pytest.raises(UnsupportedSyntaxError, match=match):
        s2s.jvp(f)(tuple(args), (np.ones_like(args[0]),))
    return info.value


# ----- S2: the write after the loop made s2s accept the loop, and lose its iterations' writes
def write_after(x):
    y = x * 1.0
    for i in range(2):
        y[1] = y[1] * 0.7
        y = y * 0.5
    y[0] = 0.0
    return np.sum(y * y)


def slice_after(x):
    y = x * 1.0
    for i in range(2):
        y[1] = y[1] * 0.7
        y = y * 0.5
    y[1:] = y[:-1] * 0.5
    return np.sum(y * y)


def added_after(x):
    y = x * 1.0
    for i in range(2):
        y[1] = y[1] * 0.7
        y = y * 0.5
    y[2] += x[0]
    return np.sum(y * y)


def written_after_in_if(x):
    y = x * 1.0
    for i in range(2):
        y[1] = x[2]
        y = y * 2.0
    if x[0] > 0.0:
        y[0] = 1.0
    return np.sum(y * y)


@pytest.mark.parametrize("f", [write_after, slice_after, added_after, written_after_in_if])
def test_a_write_after_the_loop_keeps_the_refusal(f):
    error = refused(f, (X3,), "for i in range(2)", "rebinds 'y' to a new array")
    assert "y = y.copy()" in str(error)


def write_after_copied(x):
    y = x * 1.0
    for i in range(2):
        y = y.copy()
        y[1] = y[1] * x[0]
        y = y * 0.5
    y[0] = 0.0
    return np.sum(y * y)


def written_after_in_if_copied(x):
    y = x * 1.0
    for i in range(2):
        y = y.copy()
        y[1] = x[2]
        y = y * 2.0
    if x[0] > 0.0:
        y[0] = 1.0
    return np.sum(y * y)


@pytest.mark.parametrize("f", [write_after_copied, written_after_in_if_copied])
@pytest.mark.parametrize("x", [X3, -X3])
def test_the_advice_for_a_write_after_the_loop_is_right_in_every_mode(f, x):
    check_every_mode(f, x)


# ----- F1: the refusal of the same loop without the later write says what it is, and its advice works
def recurrence(x):
    h = np.zeros(3)
    for i in range(3):
        h[i] = x[0] * (i + 1)
        h = np.sin(h)
    return np.sum(h)


def recurrence_named_t(x):
    t = np.zeros(3)
    for i in range(3):
        t[i] = x[0] * i
        t = np.sin(t)
    return np.sum(t)


def recurrence_copied(x):
    h = np.zeros(3)
    for i in range(3):
        h = h.copy()
        h[i] = x[0] * (i + 1) + x[1]
        h = np.sin(h) * x[2]
    return np.sum(h)


def swapped(x):
    a = x * 1.0
    b = x * 2.0
    for i in range(2):
        a[i] = b[i] * 3.0
        a, b = b, a
    return np.sum(a * b)


def swapped_copied(x):
    a = x * 1.0
    b = x * 2.0
    for i in range(2):
        a = a.copy()
        a[i] = b[i] * b[i + 1]
        a, b = b, a
    return np.sum(a * b)


def test_a_write_then_a_rebind_in_a_loop_is_refused_by_what_it_is():
    error = refused(recurrence, (X3,), "for i in range(3)", r"writes elements of 'h' \(line \d+: h\[i\] = x\[0\] \* "
                    r"\(i \+ 1\)\) and then rebinds 'h' to a new array \(line \d+: h = np.sin\(h\)\)")
    assert "h = h.copy()" in str(error) and "swapped" not in str(error)


def test_a_users_t_is_named_t_not_as_an_ssa_temporary():
    error = refused(recurrence_named_t, (X3,), "for i in range(3)", "writes elements of 't' .* rebinds 't'")
    message = str(error).splitlines()[0]
    assert "t = t.copy()" in message and re.search(r"\bt\d", message) is None, message


def test_a_swap_keeps_its_refusal_with_advice_that_works():
    error = refused(swapped, (X3,), "for i in range(2)", r"write into 'a' .*\('b'\).*buffers swapped")
    assert "a = a.copy()" in str(error)


@pytest.mark.parametrize("f", [recurrence_copied, swapped_copied])
def test_the_copy_at_the_top_of_the_body_is_right_in_every_mode(f):
    check_every_mode(f, X3)
    check_every_mode(f, np.array([1.3, -0.4, 0.8]))


def recurrence_with_another_name(x):
    h = x * 1.0
    h0 = h
    for i in range(3):
        h[i] = x[0] * (i + 1)
        h = np.sin(h)
    return np.sum(h) + np.sum(h0)


def test_the_refusal_says_where_another_name_reads_the_array_the_loop_starts_with():
    # (a copy at the top of the body would change what h0 holds: the refusal names that read)
    error = refused(recurrence_with_another_name, (X3,), "for i in range(3)", r"read again through another name "
                    r"\(line \d+: return np.sum\(h\) \+ np.sum\(h0\)\)")
    assert "h = h.copy()" in str(error)


# ----- F0, F0b: one branch writes an element of an array (or changes it by an operator), the other rebinds the name
def written_or_rebound(x):
    h = x * 2.0
    if h[0] > 0:
        h[0] = h[0] * 3.0
    else:
        h = h * 2.0
    return np.sum(h * h)


def copied_and_written_or_rebound(x):
    h = x * 2.0
    if h[0] > 0:
        h2 = h.copy()
        h2[0] = h[0] * 3.0
    else:
        h2 = h * 2.0
    return np.sum(h2 * h2)


def rebound_or_written_then_written(x):
    y = x * 1.0
    if x[1] > 0.3:
        y = np.sin(y)
    else:
        y[1] = x[0] * x[2]
    y[2] = y[0] * x[1]
    return np.sum(y * y)


def zeros_written_or_rebound_read_by_another_name(x):
    y = np.zeros(3)
    z = y  # (NumPy's z shows the write on the first path, and is the zeros on the second)
    if x[1] > 0.3:
        y[1] = x[0]
    else:
        y = x * x[2]
    return np.sum(y * y) + np.sum(z * x)


def added_or_rebound(x):
    y = x * x[0]
    if x[0] > 0.3:
        y += x[0]
    else:
        y = y * x[0]
    return np.sum(y * y)


def written_or_rebound_then_added(x):
    y = x * x[0]
    if x[0] > 0.3:
        y[0] = x[1]
    else:
        y = y * x[0]
    y += x[2]
    return np.sum(y * y)


@pytest.mark.parametrize("f", [written_or_rebound, copied_and_written_or_rebound, rebound_or_written_then_written,
                               zeros_written_or_rebound_read_by_another_name, added_or_rebound,
                               written_or_rebound_then_added])
@pytest.mark.parametrize("x", [np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.2, 3.0]), np.array([0.5, -0.4, 1.5])])
def test_a_branch_writing_an_array_joined_with_one_rebinding_it_is_right_in_every_mode(f, x):
    check_every_mode(f, x)


def view_then_written_or_rebound(x):
    y = x * 1.0
    v = y[:2]
    if x[1] > 0.3:
        y[0] = x[2]
    else:
        y = y * 2.0
    return np.sum(v * y[1:])


def test_a_view_taken_before_the_branch_is_still_refused():
    refused(view_then_written_or_rebound, (np.array([1.0, 2.0, 3.0]),), "return np.sum(v * y[1:])",
            r"reading 'v' .* after line \d+ changed 'y' in place")


def added_or_rebound_read_by_another_name(a, x):
    y = x * a
    z = y
    if a > 0.3:
        y += a
    else:
        y = y * a
    return np.sum(y * z)


def test_an_operator_on_an_array_another_name_reads_is_still_refused_when_it_runs():
    x = np.array([1.0, 2.0, 3.0])
    assert_close(s2s.grad(added_or_rebound_read_by_another_name)(0.1, x),
                 numeric_grad(added_or_rebound_read_by_another_name, (0.1, x), 0))
    with pytest.raises(s2s.S2SError, match=r"'y \+= a' would change an array in place"):
        s2s.grad(added_or_rebound_read_by_another_name)(0.5, x)


def written_or_rebound_in_a_loop(x):
    y = x * 1.0
    for i in range(3):
        if x[i] > 0.0:
            y[i] = y[i] * x[0]
        else:
            y = y * x[1]
    return np.sum(y * y)


def written_or_rebound_in_a_loop_copied(x):
    y = x * 1.0
    for i in range(3):
        y = y.copy()
        if x[i] > 0.0:
            y[i] = y[i] * x[0]
        else:
            y = y * x[1]
    return np.sum(y * y)


def test_a_branch_join_in_a_loop_is_refused_naming_the_write_and_the_rebind():
    error = refused(written_or_rebound_in_a_loop, (np.array([1.0, -2.0, 3.0]),), "for i in range(3)",
                    r"writes elements of 'y' \(line \d+: y\[i\] = y\[i\] \* x\[0\]\) and then rebinds 'y' to a new "
                    r"array \(line \d+: y = y \* x\[1\]\)")
    assert "y = y.copy()" in str(error)
    for x in (np.array([1.0, -2.0, 3.0]), np.array([-1.0, 0.2, 3.0])):
        check_every_mode(written_or_rebound_in_a_loop_copied, x)


# ----- autograd's F3: an in-place operator on a reshape or .T of a value no other name reads afterwards
X22 = np.array([[0.3, -0.2], [0.5, 0.1]])


def reshaped_temporary_changed(x):
    v = (x * 2.0).reshape(x.shape)
    v -= 0.5 * np.roll(v, 1)
    return np.sum(v ** 2)


def transposed_temporary_changed(x):
    v = (x * 2.0).T
    v -= 0.5 * np.roll(v, 1)
    return np.sum(v ** 2)


def transposed_array_changed_not_read_again(x):
    a = x * 2.0
    v = a.T
    v -= 0.5 * np.roll(v, 1)
    return np.sum(v ** 2)


def project(vx):
    vx -= 0.5 * np.roll(vx, 1, axis=0)
    return vx


def advect(f):
    flat = (f * 0.9 + 0.1 * f[0, 0]).ravel()
    return np.reshape(flat, f.shape)


def fluid_steps(x):  # (autograd's fluidsim.py: advect returns a reshape of its own array, project changes it)
    v = x
    for i in range(2):
        v = advect(v)
        v = project(v)
    return np.sum(v ** 2)


@pytest.mark.parametrize("f", [reshaped_temporary_changed, transposed_temporary_changed,
                               transposed_array_changed_not_read_again, fluid_steps])
def test_an_operator_on_a_view_of_a_value_no_one_reads_again_is_right_in_every_mode(f):
    check_every_mode(f, X22)


def view_changed_other_view_read(x):
    v = (x * 2.0).T
    w = v[:1]
    v -= 0.5
    return np.sum(v ** 2) + np.sum(w)


def transposed_array_changed_then_read(x):
    a = x * 2.0
    v = a.T
    v -= 0.5
    return np.sum(a ** 2) + np.sum(v)


def transposed_in_a_loop(x):
    a = x * 2.0
    for i in range(2):
        v = a.T
        v -= 0.5
    return np.sum(a ** 2)


@pytest.mark.parametrize("f, match", [
    (view_changed_other_view_read, "something else still refers to"),
    (transposed_array_changed_then_read, r"a view of 'a' .*a\[\.\.\.\] -= \.\.\."),
    (transposed_in_a_loop, r"a view of 'a' .*a\[\.\.\.\] -= \.\.\."),
])
def test_an_operator_on_a_view_whose_change_is_read_is_still_refused_when_it_runs(f, match):
    with pytest.raises(s2s.S2SError, match=match):
        s2s.grad(f)(X22)


def test_the_refusal_names_no_internal_temporary():
    def changed_then_viewed_again(x):
        v = (x * 2.0).T
        w = v.T
        v -= 0.5
        return np.sum(w)
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(changed_then_viewed_again)(X22)
    assert re.search(r"\bt\d", str(info.value).splitlines()[0]) is None, str(info.value)


def written_or_rebound_in_a_loop_then_written(x):  # (hunt8tangent's fuzzer, seed 1021)
    y = x * 1.0
    if x[0] > 0.0:
        y[-1] = x[1] * y[0]
    else:
        for i in range(2):
            y = y * np.tanh(x[1])
    y[2] = x[2] * y[0]
    return np.sum(y * y)


def view_then_written_on_the_other_path(x):
    y = x * 1.0
    v = y[:2]
    if x[0] > 0.0:
        y[0] = x[1]
        w = x * 2.0
    else:
        w = v
    return np.sum(w * x[:2 if x[0] <= 0.0 else 3]) + np.sum(y)


@pytest.mark.parametrize("f", [written_or_rebound_in_a_loop_then_written, view_then_written_on_the_other_path])
@pytest.mark.parametrize("x", [np.array([0.4, 0.2, -0.6]), np.array([-0.4, 0.2, -0.6])])
def test_a_join_counts_each_paths_writes_as_that_path_made_them(f, x):
    check_every_mode(f, x)


def view_then_written_and_joined(x):
    y = x * 1.0
    v = y[:2]
    if x[0] > 0.0:
        w = v
        y[0] = x[1]
    else:
        w = y[1:] * 2.0
    return np.sum(w) + np.sum(y)


def test_a_view_joined_after_its_array_was_written_on_its_path_is_refused():
    refused(view_then_written_and_joined, (np.array([0.4, 0.2, -0.6]),), "return np.sum(w) + np.sum(y)",
            r"reading 'w' .* changed 'y' in place")


def written_through_another_name_or_rebound(x):  # (hunt8tangent's fuzzer, seeds 3147, 3163)
    y = x * 1.0
    if x[0] > 0.0:
        z = y
        z[0] = x[1] * 0.3  # (y's own array written: the join's y on this path is that array, as written)
    else:
        y = y * x[1]
    z = y
    z[1] = x[2] * 0.3
    return np.sum(y * y)


def test_a_join_of_an_older_version_of_a_written_array_is_refused():
    refused(written_through_another_name_or_rebound, (np.array([0.4, 0.2, -0.6]),), "z[1] = x[2] * 0.3",
            r"reading 'y' .* changed 'y' in place")


# ----- a loop's in-place operator on a name it rebinds to a view of another array (a wrong gradient before)
def changed_then_rebound_to_a_view(a, x):
    y = x * 1.0
    z = x * 2.0
    for k in range(2):
        z += a
        y = x * a
        z = y[::-1]  # (after the loop, z views y, which the next line writes: NumPy's z shows it)
    y[1:] = y[:-1] * a
    return np.sum(y * y) + np.sum(z)


def changed_or_rebound_to_a_view(a, x):
    y = x * 1.0
    z = x * 2.0
    for k in range(2):
        if a > -0.3:
            y = x * a
            z += a
            z = y[::-1]
        else:
            y = y * a
    y[1:] = y[:-1] * a
    return np.sum(y * y) + np.sum(z)


@pytest.mark.parametrize("f", [changed_then_rebound_to_a_view, changed_or_rebound_to_a_view])
def test_a_name_changed_in_place_and_rebound_to_a_view_in_a_loop_is_refused(f):
    error = refused(f, (0.7, X3), "return np.sum(y * y) + np.sum(z)", r"reading 'z' .* changed 'y' in place")
    assert "z = y[::-1].copy()" in error.hint  # (the view taken in the loop, through the branch's join)


def changed_or_rebound_to_a_new_array(x):
    z = x * 2.0
    for k in range(3):
        if x[0] > 0.0:
            z += x[1]
        else:
            z = z * x[1]
        z = np.tanh(z)
    return np.sum(z)


@pytest.mark.parametrize("x", [X3, -X3])
def test_a_name_changed_in_place_and_rebound_to_a_new_array_in_a_loop_is_right(x):
    check_every_mode(changed_or_rebound_to_a_new_array, x)


def written_after_a_join_then_rebound_in_a_loop(a, x):  # (the loop enters with a join: y_3 = phi(y_2, y))
    y = x * 1.0
    if a > -0.3:
        y = y.copy()
        y[1:] = y[:-1] * a
    for k in range(2):
        y[0] = a * 1.5
        y = y * a
    return np.sum(y * y)


def test_a_loop_entered_with_a_join_that_writes_then_rebinds_is_refused():
    refused(written_after_a_join_then_rebound_in_a_loop, (0.7, X3), "for k in range(2)",
            r"writes elements of 'y' .* then rebinds 'y' to a new array")


def changed_through_a_view_or_written(a, x):  # (one path changes y through a view, the other writes it: no version)
    y = x * 1.0
    if a > 0.3:
        z = y[::-1]
        z += a
    else:
        y[1:] = y[:-1] * a
    return np.sum(y * y)


def test_a_join_of_a_change_through_a_view_and_a_write_is_refused_not_a_crash():
    error = refused(changed_through_a_view_or_written, (0.7, X3), "return np.sum(y * y)", "reading 'y' after line")
    assert "loop" not in str(error), str(error)  # (no loop here)


def copied_in_a_loop_or_changed_through_another_name(a, x):  # (a wrong value before, on the path a < -0.3)
    y = x * 1.0
    w = x * 0.5
    z = y
    for k in range(2):
        if a > -0.3:
            y = y.copy()
        else:
            w += a
    if a > 0.3:
        y[1:] = y[:-1] * a
    else:
        z += a  # (y is still the array z names where no iteration copied it)
    return np.sum(w * y)


def test_a_join_that_may_be_an_array_changed_on_the_other_path_is_refused():
    refused(copied_in_a_loop_or_changed_through_another_name, (-0.5, X3), "return np.sum(w * y)",
            "reading the array that 'y' was bound to, after line .* wrote into 'z'")


def viewed_or_written_then_changed(a, x):
    z = x * 2.0
    v = x[:2] * 1.0
    y = x * 1.0
    if a > 0.0:
        y = x * a
    if a > 0.0:
        v = y[:2]
    else:
        y[1:] = y[:-1] * a
    y += a * 1.5  # (NumPy's v, a view of y on the first path, shows it)
    return np.sum(y * z) + np.sum(v)


def test_a_view_joined_with_a_path_writing_through_a_join_is_refused():
    refused(viewed_or_written_then_changed, (0.7, X3), "return np.sum(y * z) + np.sum(v)", r"reading 'v' .* changed 'y'")


def changed_through_a_name_an_inner_loop_bound(a, x):  # (a wrong value, or generated code that did not compile)
    y = x * 1.0
    for k in range(2):
        if a > 0.0:
            y[2] = a * 1.5
        for j in range(2):
            z = y
        if a > 0.3:
            z += a
    return np.sum(y * x)


def test_a_loop_changing_an_array_through_a_name_an_inner_loop_bound_is_refused():
    refused(changed_through_a_name_an_inner_loop_bound, (0.7, X3), "for k in range(2)",
            "reading 'y' after line .* wrote into it in place through another name")
