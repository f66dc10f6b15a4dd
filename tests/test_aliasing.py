"""The mutation and aliasing model (docs/semantics.md): exact as NumPy executes, or a located error."""
import inspect
import math

import numpy as np
import pytest

import s2s
from alias_functions import EXACT, INPLACE_AMBIGUOUS, REJECTED
from conftest import assert_close, numeric_grad


@pytest.mark.parametrize("f, args", EXACT, ids=[f.__name__ for f, _ in EXACT])
def test_exact_in_both_modes(f, args):
    kept = [np.copy(a) for a in args]
    for w in range(len(args)):
        value, g = s2s.value_and_grad(f, wrt=w)(*args)
        assert_close(value, f(*[np.copy(a) for a in kept]), rtol=1e-12, atol=1e-12, what="value")
        expected = numeric_grad(lambda *a: f(*[np.copy(v) for v in a]), kept, w)
        assert_close(g, expected, what=f"reverse d/d{w}")
        tangent = np.ones_like(args[w]) if np.ndim(args[w]) else 1.0
        _, d = s2s.jvp(f, wrt=w)(args, (tangent,))
        assert_close(d, np.sum(expected), what=f"forward d/d{w}")
    for a, k in zip(args, kept):
        assert np.array_equal(a, k), "an argument was changed"


@pytest.mark.parametrize("f, args, line", REJECTED, ids=[f.__name__ for f, _, _ in REJECTED])
def test_rejected_at_the_users_line(f, args, line):
    kept = [np.copy(a) for a in args]
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(f)(*args)
    first = inspect.getsourcelines(f)[1]
    assert info.value.lineno == first + line, str(info.value)
    assert info.value.filename.endswith("alias_functions.py")
    assert "in place" in str(info.value)
    for a, k in zip(args, kept):
        assert np.array_equal(a, k)


@pytest.mark.parametrize("f", INPLACE_AMBIGUOUS, ids=[f.__name__ for f in INPLACE_AMBIGUOUS])
def test_inplace_operator_numbers_rebound_arrays_refused(f):
    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(s2s.S2SError, match="would change an array in place") as info:
        s2s.grad(f)(x)
    assert np.array_equal(x, [1.0, 2.0, 3.0])
    tb = info.traceback
    assert any(str(entry.path).endswith("alias_functions.py") for entry in tb), "the traceback shows the user's line"
    if f.__name__ in ("inplace_through_view", "inplace_seen_through_other_name"):
        return  # (these index or copy their argument: numbers do not apply)
    assert_close(s2s.grad(f)(0.7), numeric_grad(f, (0.7,), 0), what=f.__name__)


def test_diagonal_view_read_after_its_matrix_changed_in_place_is_refused():
    """`np.diag(A)` of a matrix is a view of A: `A += 0.75` changed it, but s2s read it unchanged (a wrong value,
    fuzz seed 1200839). Refused now, like every view read after its base changed; a diagonal matrix made from a
    vector is a new array and may be written."""
    def f(x):
        A = np.square(np.outer(x, x))
        arr = np.diag(A)
        tmp = np.sum(arr)
        A += 0.75
        return tmp * np.sum(arr)
    x = np.array([-0.8225, -1.1327, 0.4822])
    with pytest.raises(s2s.S2SError, match="would change an array in place"):
        s2s.value_and_grad(f)(x)

    def g(v):
        D = np.diag(v)
        D[0, 1] = 3.0
        return np.sum(D * D)
    assert_close(s2s.grad(g)(np.array([1.0, 2.0])), np.array([2.0, 4.0]), what="grad")


def test_inplace_operators_in_both_branches_are_both_guarded():
    """`z = y; if c: y += 1.0 else: y *= 2.0; ... z ...`: both branches' operators counted as the same write, and
    the second branch's record replaced the first's, so `y += 1.0` went unguarded: where y is an array NumPy changes
    z with it, s2s read the old z (a silent wrong value, 1.79 for 2.49). Both are guarded now: an array is refused
    on either path, a number (rebound, z keeps the old value) is exact."""
    def f(x, a):
        y = x * 1.0
        z = y
        if a > 0.0:
            y += 1.0
        else:
            y *= 2.0
        return np.sum(z * x) + np.sum(y)
    x = np.array([0.3, -0.7, 1.1])
    for a in (0.45, -0.45):
        with pytest.raises(s2s.S2SError, match="would change an array in place"):
            s2s.value_and_grad(f, wrt=(0, 1))(x, a)
    for a in (0.45, -0.45):
        value, g = s2s.value_and_grad(f, wrt=0)(0.8, a)
        assert_close(value, f(0.8, a), rtol=1e-12, what="value")
        assert_close(g, numeric_grad(f, (0.8, a), 0), what=f"d/dx at a={a}")


def test_inplace_operators_in_branches_of_a_loop_on_a_carried_array_are_exact():
    """`buf *= ...` in one branch and `buf += ...` in the other, in a loop carrying buf: nothing else refers to
    buf, so NumPy and s2s agree. It was refused when run (the if's join of the two versions was read as an old
    version of buf at the loop's back edge, and so every operator was guarded)."""
    def f(x, a):
        buf = x * 1.0
        for i in range(3):
            if buf[i] > 0.0:
                buf *= np.tanh(a)
            else:
                buf += x[i]
        return np.sum(buf * buf)
    x = np.array([0.3, -0.7, 1.1])
    for a in (0.45, -0.6):
        value, g = s2s.value_and_grad(f, wrt=(0, 1))(x, a)
        assert_close(value, f(x, a), rtol=1e-12, what="value")
        for w in (0, 1):
            assert_close(g[w], numeric_grad(f, (x, a), w), what=f"reverse d/d{w}")
            tangent = np.ones(3) if w == 0 else 1.0
            _, d = s2s.jvp(f, wrt=w)((x, a), (tangent,))
            assert_close(d, np.sum(numeric_grad(f, (x, a), w)), what=f"forward d/d{w}")
    assert np.array_equal(x, [0.3, -0.7, 1.1])


def test_second_derivative_through_a_write_that_a_view_taken_before_it_sees():
    """`y[:2] = y[1:] * a`: the gradient reads t1 = y[1:] (a view) after writing y[:2] back (`y[:2] = y_old`).
    Differentiated again, that write-back's result was never read by name, so dead-code elimination dropped
    it from the forward sweep and the view kept the written value (d2/da2 1.727 for 3.4, found while teaching
    the fuzzer aliasing patterns). An element write is live where a view of its array is read after it."""
    def f(x, a):
        y = x * 1.0
        y[:2] = y[1:] * a
        return np.sum(y * y)
    x, a = np.array([0.3, -0.7, 1.1]), 0.45
    # f = (x1 a)^2 + (x2 a)^2 + x2^2
    assert_close(s2s.hessian(f, wrt=1)(x, a), 2.0 * (x[1] ** 2 + x[2] ** 2), what="d2/da2")
    assert_close(s2s.grad(s2s.grad(f, wrt=1), wrt=1)(x, a), 2.0 * (x[1] ** 2 + x[2] ** 2), what="grad(grad)")
    h = 1e-6
    expected = (s2s.grad(f, wrt=0)(x, a + h) - s2s.grad(f, wrt=0)(x, a - h)) / (2 * h)
    assert_close(s2s.jacobian(s2s.grad(f, wrt=0), wrt=1)(x, a), expected, what="d/da of d/dx")
    assert np.array_equal(x, [0.3, -0.7, 1.1])


def test_hessian_through_an_element_write_of_an_array_a_list_holds():
    """`ws = [y, y * 2.0]; y[1] = a`: the Hessian with respect to x (vector forward mode over the gradient) failed
    with "input operand has more dimensions than allowed by the axis remapping": the rank of
    `rt.setitem_adjoint(g, 1)` was taken from its index (a number) instead of g, so its batch of tangents got an
    extra axis (`dt6[:, None] + dt7`; found while teaching the fuzzer aliasing patterns)."""
    def f(x, a):
        y = x * 1.0
        ws = [y, y * 2.0]
        y[1] = a
        return np.sum(ws[0] * ws[1])
    x, a = np.array([0.3, -0.7, 1.1]), 0.45
    # f = 2 x0^2 + 2 a x1 + 2 x2^2: the list's first entry is y itself, which sees the write
    assert_close(s2s.value_and_grad(f)(x, a)[0], f(x, a), rtol=1e-12, what="value")
    assert_close(s2s.hessian(f, wrt=0)(x, a), np.diag([4.0, 0.0, 4.0]), what="hessian")
    h = 1e-6
    expected = np.stack([(s2s.grad(f, wrt=0)(x + h * e, a) - s2s.grad(f, wrt=0)(x - h * e, a)) / (2 * h)
                         for e in np.eye(3)], axis=1)
    assert_close(s2s.jacobian(s2s.grad(f, wrt=0), wrt=0, mode="forward")(x, a), expected, what="forward over reverse")


def test_inplace_operator_then_rebinding_in_a_loop_is_exact():
    """`acc -= ...; acc = math.tanh(acc)` in a loop: refused as "a loop whose iterations write into 'acc' while the
    name is rebound to another array", a rule for element writes (`a, b = b, a` around `a[i] = ...`). In-place
    operators alone make new values in the generated code, as Python does for numbers, and are guarded where
    another name still reads the old object: exact for numbers and for arrays nothing else refers to; an array
    another name holds is refused when run; element writes with the rebinding are still refused."""
    def scalar(x, a):
        acc = 1.0
        for k in range(2):
            acc -= acc * a
            acc = math.tanh(acc) + x[k]
        return acc

    def array(x, a):
        y = x * 1.0
        for k in range(2):
            y *= a
            y = np.tanh(y) + x
        return np.sum(y)

    def shared(x, a):
        y = x * 1.0
        z = y
        for k in range(2):
            y += a
            y = np.tanh(y)
        return np.sum(z) + np.sum(y)

    def element_writes(x, a):
        y = x * 1.0
        for k in range(2):
            y[k] = a
            y = np.tanh(y)
        return np.sum(y)
    x, a = np.array([0.3, -0.7, 1.1]), 0.45
    for f in (scalar, array):
        value, g = s2s.value_and_grad(f, wrt=(0, 1))(x, a)
        assert_close(value, f(x, a), rtol=1e-12, what=f"{f.__name__} value")
        for w in (0, 1):
            assert_close(g[w], numeric_grad(f, (x, a), w), what=f"{f.__name__} d/d{w}")
        _, d = s2s.jvp(f, wrt=1)((x, a), (1.0,))
        assert_close(d, numeric_grad(f, (x, a), 1), what=f"{f.__name__} forward")
    with pytest.raises(s2s.S2SError, match="would change an array in place"):
        s2s.grad(shared)(x, a)
    with pytest.raises(s2s.UnsupportedSyntaxError, match="rebinds 'y' to a new array"):
        s2s.grad(element_writes)(x, a)


def test_writing_an_element_or_row_of_an_array_into_another_position_is_exact():
    """`arr[0] = arr[1]`, `M[2] = M[0]`, `y[k] = y[-1]` (k of a range): refused since a1e4e40 as writing into an array a view of itself (a
    regression: exact before). Parts of one array at integer positions along the same leading axes are the same
    part or disjoint ones, and an element of a vector is a number: NumPy copies them as they were. Found by the
    fuzzer's aliasing patterns (about 15 refusals in 2,000 programs). A part that overlaps the written one is
    still refused: `M[:, 2] = M[1]` (fuzz seed 215197), `M[0] = M.T[1]`."""
    def f(x, a):
        y = x * a
        y[0] = y[1]
        y[2] = y[-1] * a
        M = np.outer(y, x)
        M[0] = M[1]
        M[1, 2] = M[2, 1]
        for k in range(3):
            y[k] = y[-1] * a + y[k]
        for i, v in enumerate(x):
            M[i] = M[0] * v
        return np.sum(M * M) + np.sum(y)

    def column_from_row(x, a):
        M = np.outer(x, x) * a
        M[:, 2] = M[1]
        return np.sum(M)

    def row_from_transposed(x, a):
        M = np.outer(x, x) * a
        M[0] = M.T[1]
        return np.sum(M)
    x, a = np.array([0.3, -0.7, 1.1]), 0.45
    value, g = s2s.value_and_grad(f, wrt=(0, 1))(x, a)
    assert_close(value, f(x, a), rtol=1e-12, what="value")
    for w in (0, 1):
        assert_close(g[w], numeric_grad(f, (x, a), w), what=f"reverse d/d{w}")
    _, d = s2s.jvp(f, wrt=1)((x, a), (1.0,))
    assert_close(d, numeric_grad(f, (x, a), 1), what="forward d/da")
    for g in (column_from_row, row_from_transposed):
        with pytest.raises(s2s.UnsupportedSyntaxError, match="a value that may be a view of 'M' itself"):
            s2s.grad(g)(x, a)


def test_shifting_an_array_along_itself_is_exact():
    """`buf[1:] = buf[:-1]` (a delay line), `A[1:, :] = A[:-1, :]`, `y[k:] = y[:-k]`: slices of one array that overlap.
    NumPy copies the part read before writing where the written part has two or more axes, and a vector's part in
    the direction that reads each element before it is written where both parts step alike, so the values
    written are the part as it was (checked against writing a copy, below). Refused as a view of the array itself
    before. A vector's parts of different steps (`y[::2] = y[:3]`) may read elements already written: refused."""
    def delay_line(x, taps):
        buf = np.zeros(4)
        out = 0.0
        for t in range(len(x)):
            buf[1:] = buf[:-1]
            buf[0] = x[t]
            out = out + np.dot(buf, taps) ** 2
        return out

    def shifts(x, k):
        A = np.outer(x, x)
        A[1:, :] = A[:-1, :]
        A[:, k:] = A[:, :-k] * 2.0
        y = x * x
        y[k:] = y[:-k]
        y[-2::-1] = y[:0:-1]
        return np.sum(A * A) + np.sum(y * x)

    def shifts_copied(x, k):
        A = np.outer(x, x)
        A[1:, :] = A[:-1, :].copy()
        A[:, k:] = A[:, :-k].copy() * 2.0
        y = x * x
        y[k:] = y[:-k].copy()
        y[-2::-1] = y[:0:-1].copy()
        return np.sum(A * A) + np.sum(y * x)

    def strides_differ(x):
        y = x * x
        y[::2] = y[:2]
        return np.sum(y)
    x, taps = np.array([0.3, -0.7, 1.1, 0.5]), np.array([0.5, 0.25, 0.125, 0.0625])
    assert shifts(x, 1) == shifts_copied(x, 1)
    for f, args in ((delay_line, (x, taps)), (shifts, (x, 1)), (shifts, (x, 2))):
        value, g = s2s.value_and_grad(f)(*args)
        assert value == f(*args)
        assert_close(g, numeric_grad(f, args, 0), what=f"{f.__name__} reverse")
        _, d = s2s.jvp(f)(args, (np.ones(4),))
        assert_close(d, np.dot(numeric_grad(f, args, 0), np.ones(4)), what=f"{f.__name__} forward")
        hessian = np.array([numeric_grad(lambda *a: s2s.grad(f)(*a)[i], args, 0) for i in range(4)])
        assert_close(s2s.hessian(f)(*args), hessian, what=f"{f.__name__} hessian")
    with pytest.raises(s2s.UnsupportedSyntaxError, match="a value that may be a view of 'y' itself"):
        s2s.grad(strides_differ)(x)


def test_a_cast_told_not_to_copy_may_be_the_array_itself():
    """`z = y.astype(np.float64, copy=False)` (and `np.array(y, copy=False)`) is y itself where no conversion is
    needed: a write through z changed y, a write into y changed z, `z += a` changed y. s2s took z for a copy: four
    silent wrong values (0.315 for 0.63; found while probing the fuzzer's aliasing patterns). z is now a possible
    view of y: reading it after y changed and element writes into it are refused at the user's line, an in-place
    operator on it when run; a plain `astype` (a copy) and reads alone stay exact."""
    def write_through(x, a):
        y = x * a
        z = y.astype(np.float64, copy=False)
        z[0] = a
        return np.sum(y)

    def read_after(x, a):
        y = x * a
        z = y.astype(np.float64, copy=False)
        y[0] = a
        return np.sum(z)

    def array_of(x, a):
        y = x * a
        z = np.array(y, copy=False)
        z[0] = a
        return np.sum(y)

    def operator(x, a):
        y = x * a
        z = y.astype(np.float64, copy=False)
        z += a
        return np.sum(y)

    def copy(x, a):
        y = x * a
        z = y.astype(np.float64)
        z[0] = a
        w = y.astype(np.float64, copy=False)
        return np.sum(y) + np.sum(z) * np.sum(w)
    x, a = np.array([0.3, -0.7, 1.1]), 0.45
    for f, line in ((write_through, 3), (read_after, 4), (array_of, 3)):
        with pytest.raises(s2s.UnsupportedSyntaxError) as info:
            s2s.grad(f, wrt=1)(x, a)
        assert info.value.lineno == inspect.getsourcelines(f)[1] + line, str(info.value)
    with pytest.raises(s2s.S2SError, match="would change an array in place"):
        s2s.grad(operator, wrt=1)(x, a)
    value, g = s2s.value_and_grad(copy, wrt=(0, 1))(x, a)
    assert_close(value, copy(x, a), rtol=1e-12, what="value")
    for w in (0, 1):
        assert_close(g[w], numeric_grad(copy, (x, a), w), what=f"d/d{w}")


def test_element_writes_into_every_writable_view_are_refused():
    """`z = np.asanyarray(y); z[0] = v` and `z = np.rot90(M); z[0, 1] = v` write into y and M, but s2s took z for
    an array of its own (prims.WRITE_THROUGH lacked them): silent wrong derivatives (found while probing the fuzzer's
    aliasing patterns). Each NumPy call below returns a writable view of its operand (checked with NumPy itself),
    and s2s refuses the element write at the user's line."""
    from s2s.prims import WRITE_THROUGH
    calls = {"numpy.asanyarray": lambda m: np.asanyarray(m), "numpy.rot90": lambda m: np.rot90(m),
             "numpy.asarray": lambda m: np.asarray(m), "numpy.flip": lambda m: np.flip(m),
             "numpy.transpose": lambda m: np.transpose(m), "numpy.reshape": lambda m: np.reshape(m, (9,)),
             "numpy.ravel": lambda m: np.ravel(m), "numpy.squeeze": lambda m: np.squeeze(m),
             "numpy.swapaxes": lambda m: np.swapaxes(m, 0, 1), "numpy.fliplr": lambda m: np.fliplr(m),
             "numpy.atleast_2d": lambda m: np.atleast_2d(m), "numpy.moveaxis": lambda m: np.moveaxis(m, 0, 1)}
    for key, call in calls.items():
        m = np.ones((3, 3))
        z = call(m)
        assert np.shares_memory(z, m) and z.flags.writeable, key
        assert key in WRITE_THROUGH, key

    def asany(x, a):
        y = x * a
        z = np.asanyarray(y)
        z[0] = a * 2.0
        return np.sum(y * y) + np.sum(z)

    def rot(x, a):
        M = np.outer(x, x) * a
        z = np.rot90(M)
        z[0, 1] = a * 2.0
        return np.sum(M * M) + np.sum(z)
    x, a = np.array([0.3, -0.7, 1.1]), 0.45
    for f in (asany, rot):
        with pytest.raises(s2s.UnsupportedSyntaxError, match="a view of another array") as info:
            s2s.grad(f, wrt=1)(x, a)
        assert info.value.lineno == inspect.getsourcelines(f)[1] + 3, str(info.value)
