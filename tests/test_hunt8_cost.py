"""Round 8 cost hunt (hunt8cost): super-linear costs of generated code, fixed exactly.

C4: forward mode wrote each element write's tangent as a new array (`rt.setitem_adjoint(dy_1, i) +
rt.setitem_tangent(dt6, y, i)`): a loop writing y element by element was O(n^2) in jvp, jacobian(mode="forward")
and hessian. Now the tangent array forward mode owns is written in place (`dy[i] = dt6`; vector mode
`rt.batch_setitem_into`), copied once before the loop where it may be shared, and only where nothing else that
may share its memory is read after the write (ad/forward_writes.py). Every case checks the derivatives against
finite differences in every mode.
"""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad

R = np.random.RandomState(8)


def elementwise(x):
    n = x.shape[0]
    y = np.zeros(n)
    for i in range(n):
        y[i] = np.sin(x[i]) * x[i]
    return np.sum(y)


def euler(x):
    n = x.shape[0]
    y = np.zeros(n)
    y[0] = x[0]
    s = 0.0
    for i in range(1, n):
        y[i] = y[i - 1] + 0.1 * (np.sin(y[i - 1]) * x[i])
        s = s + y[i - 1]
    return np.sum(y ** 2) + s


def rows(X):
    n = X.shape[0]
    R = np.zeros((n, 3))
    for i in range(n):
        for k in range(3):
            R[i, k] = np.sin(X[i, k]) * X[i, (k + 1) % 3]
    return np.sum(R ** 2)


def identity_alias(x):  # u's tangent is y's own array (u = y + 0.0): y's writes must not reach it
    y = x * 2.0
    u = y + 0.0
    for i in range(x.shape[0]):
        y[i] = np.sin(y[i]) * u[i]
    return np.sum(u * y)


def parameter_copy(x):  # dy = dx.copy(): copied again as floats before the loop, never the caller's dx
    y = x.copy()
    for i in range(1, x.shape[0]):
        y[i] = y[i] * y[i - 1]
    return np.sum(np.sin(y))


def row_views(x):  # a row read as a view, then later rows written
    n = x.shape[0]
    Y = np.zeros((n, 2))
    Y[0] = x[:2]
    for i in range(1, n):
        prev = Y[i - 1]
        Y[i] = np.tanh(prev * x[i])
    return np.sum(Y ** 2)


def branches(x):
    y = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        if x[i] > 0:
            y[i] = x[i] ** 2
        else:
            y[i] = np.sin(x[i])
    return np.sum(y * x)


def while_two_writes(x):
    y = np.ones(x.shape[0] + 1)
    i = 0
    while True:
        if i >= x.shape[0]:
            break
        y[i + 1] = y[i] * np.cos(x[i])
        y[i] = y[i] + 0.5 * x[i]
        i = i + 1
    return np.sum(y ** 2)


def kept_copy(x):
    y = x ** 2
    keep = y.copy()
    for i in range(x.shape[0]):
        y[i] = keep[i] * np.cos(y[i])
    return np.sum(keep * y)


def two_arrays(x):
    n = x.shape[0]
    a = np.zeros(n)
    b = np.zeros(n)
    s = 0.0
    for i in range(n):
        a[i] = np.exp(x[i] * 0.3)
        b[i] = a[i] * x[n - 1 - i]
        s = s + a[i] * b[i]
    return s + np.sum(a * b)


def masked(x):  # a boolean-mask write in a loop over a copy of the caller's tangents (vector mode copies its batch)
    y = x * 1.5
    for k in range(2):
        y[y > 0] = np.sqrt(y[y > 0] + 1.0)
    return np.sum(y * x)


def fancy_repeats(x):  # repeated indices: the last write counts, in the tangent as in the value
    idx = np.array([0, 2, 2, 1])
    y = np.zeros(4)
    for k in range(3):
        y[idx] = x[:4] * (k + 1.0) + y[idx] * np.sin(x[k])
    return np.sum(y ** 2)


def row_broadcast(x):  # a number written over a row, then a slice of it over another
    Y = np.ones((3, 4))
    for i in range(3):
        Y[i] = np.sin(x[i]) * 2.0
        Y[i, 1:3] = Y[i, 0:2] * x[3]
    return np.sum(Y ** 2)


def identity_start(x):  # y's first tangents are dx itself (x * 1.0): copied once; y[i - 1] read after the write
    n = x.shape[0]
    y = x * 1.0
    s = 0.0
    for i in range(1, n):
        y[i] = np.sin(y[i - 1]) * x[i]
        s = s + y[i - 1] * x[i]
    return np.sum(y * y) + s


def row_copy_read_after(x):  # prev's tangent is a row of Y's tangents, read after that row is written
    n = x.shape[0]
    Y = np.ones((n, 2)) * x[0]
    s = 0.0
    for i in range(1, n):
        prev = Y[i - 1] + 0.0
        Y[i - 1] = np.sin(prev) * x[i]
        s = s + np.sum(prev * x[i])
    return np.sum(Y ** 2) + s


PROGRAMS = [(identity_start, (5,)), (row_copy_read_after, (5,)), (masked, (5,)), (fancy_repeats, (5,)), (row_broadcast, (4,)), (elementwise, (6,)), (euler, (6,)), (rows, (4, 3)), (identity_alias, (5,)), (parameter_copy, (5,)),
            (row_views, (5,)), (branches, (6,)), (while_two_writes, (5,)), (kept_copy, (5,)), (two_arrays, (5,))]


@pytest.mark.parametrize("f, shape", PROGRAMS, ids=[f.__name__ for f, _ in PROGRAMS])
def test_element_write_tangents_every_mode(f, shape):
    x = R.normal(size=shape)
    x0 = x.copy()
    g = numeric_grad(f, (x,), 0)
    v = R.normal(size=shape)
    v0 = v.copy()
    value, t = s2s.jvp(f)((x,), (v,))
    assert_close(value, f(x), what="jvp value")
    assert_close(t, np.sum(g * v), what="jvp")
    assert np.array_equal(v, v0) and np.array_equal(x, x0)  # (the caller's tangent is never written into)
    assert_close(s2s.jacobian(f, mode="forward")(x), g, what="forward jacobian")
    assert_close(s2s.grad(f)(x), g, what="grad")
    H = np.reshape(s2s.hessian(f)(x), (x.size, x.size))
    grad = s2s.grad(f)
    numeric = np.stack([numeric_grad(lambda z: grad(z).ravel()[k], (x,), 0).ravel() for k in range(x.size)])
    assert_close(H, numeric, rtol=1e-4, atol=1e-5, what="hessian")
    jf = s2s.jvp(f)

    def directional(z):  # generated forward code differentiated again (grad of jvp)
        return jf((z,), (np.ones_like(z),))[1]
    assert_close(s2s.grad(directional)(x), numeric_grad(directional, (x,), 0), rtol=1e-4, what="grad of jvp")
    assert np.array_equal(x, x0)


def test_element_write_tangent_in_place():
    """The tangent array is written in place (one array, O(1) per write), not rebuilt per element."""
    source = s2s.jvp(elementwise).source
    assert "dy[i] = dt6" in source and "setitem_adjoint" not in source
    assert "rt.batch_setitem_into(" in s2s.jacobian(elementwise, mode="forward").source
    nested = s2s.jvp(rows).source
    assert "dR[i, k] = " in nested and "setitem_adjoint" not in nested and "tangent_copy" not in nested
    # a loop starting from the caller's tangents copies them once, before the loop
    copied = s2s.jvp(parameter_copy).source
    assert copied.count("rt.tangent_copy(") == 1 and "setitem_adjoint" not in copied


def test_number_read_after_write_in_place():
    """y[i - 1] read after y[i] is written is a number (its tangent too): the writes stay in place, after one copy
    of the caller's dx (y = x * 1.0 has dx itself as its tangent)."""
    source = s2s.jvp(identity_start).source
    assert "setitem_adjoint" not in source and source.count("rt.tangent_copy(dx, y)") == 1
    # a row of the tangents (a view) read after the write: out of place, and no copy made for nothing
    assert "rt.setitem_adjoint(" in s2s.jvp(row_copy_read_after).source
    assert "tangent_copy" not in s2s.jvp(row_copy_read_after).source


def test_shared_tangent_is_copied_before_the_loop():
    """u = y + 0.0 has y's tangent array itself as its tangent, read after the writes: y's are copied once before
    the loop and written there in place; u's are left as they were (the values: test_element_write_tangents...)."""
    source = s2s.jvp(identity_alias).source
    assert source.count("rt.tangent_copy(dy, y)") == 1 and "setitem_adjoint" not in source
    assert "= dy[i]" in source  # (u[i]'s tangent, read from the array the loop does not write)


# ---------------------------------------------------------------- C11: an array grown by np.concatenate in a loop
# saved every version of itself for concatenate's adjoint (O(n^2) memory), which reads only the parts' shapes: the
# reversed loop saves rt.shapes_of(parts) now. Checked in grad, value_and_grad, hessian and grad of grad.
def grown(w, xs):
    h = np.zeros(0)
    v = 0.0
    for t in range(xs.shape[0]):
        v = np.tanh(w * v + xs[t])
        h = np.concatenate([h, [v]])
    return np.sum(h ** 2)


def grown_columns(w, xs):
    H = np.ones((2, 1))
    for t in range(xs.shape[0]):
        col = np.tanh(H[:, -1:] * w + xs[t])
        H = np.concatenate([H, col], axis=1)
    return np.sum(H ** 2)


def grown_flat(w, xs):
    h = np.zeros(1)
    for t in range(xs.shape[0]):
        h = np.concatenate([h, np.sin(h[-1:] * w + xs[t])[:, None] * np.ones((1, 2))], axis=None)
    return np.sum(h * h)


def grown_and_read(w, xs):  # the parts are read by other adjoints too: saved for them, their list made again from them
    h = np.zeros(1)
    s = 0.0
    for t in range(xs.shape[0]):
        p = np.sin(h * w) + xs[t]
        h = np.concatenate([h, p])
        s = s + np.sum(p * h[:p.shape[0]])
    return s


def appended(w, xs):  # np.append's adjoint reads only the shapes of the array and the values: saved so
    ys = np.zeros(0)
    v = 0.0
    for t in range(xs.shape[0]):
        v = np.tanh(w * v + xs[t])
        ys = np.append(ys, v)
    return np.sum(ys ** 2)


def appended_rows(w, xs):
    Y = np.ones((1, 2))
    for t in range(xs.shape[0]):
        Y = np.append(Y, np.sin(Y[-1:] * w + xs[t]), axis=0)
    return np.sum(Y ** 2)


@pytest.mark.parametrize("f", [grown, grown_columns, grown_flat, grown_and_read, appended, appended_rows],
                         ids=lambda f: f.__name__)
def test_concatenate_in_a_loop_saves_shapes(f):
    w, xs = 0.7, R.normal(size=4)
    for k in (0, 1):
        expected = numeric_grad(f, (w, xs), k)
        assert_close(s2s.grad(f, wrt=k)(w, xs), expected, what="grad")
        value, g = s2s.value_and_grad(f, wrt=k)(w, xs)
        assert_close(value, f(w, xs), what="value")
        assert_close(g, expected, what="value_and_grad")
        grad = s2s.grad(f, wrt=k)
        if k == 0:
            numeric = numeric_grad(lambda w, xs: float(grad(w, xs)), (w, xs), 0)
        else:
            numeric = np.stack([numeric_grad(lambda w, xs: grad(w, xs)[j], (w, xs), 1) for j in range(xs.size)])
        assert_close(np.reshape(s2s.hessian(f, wrt=k)(w, xs), np.shape(numeric)), numeric, rtol=1e-4, atol=1e-5,
                     what="hessian")
    inner = s2s.grad(f, wrt=1)

    def norm(w, xs):  # grad of grad: generated reverse code with the saved shapes, differentiated again
        return np.sum(inner(w, xs) ** 2)
    assert_close(s2s.grad(norm, wrt=0)(w, xs), numeric_grad(norm, (w, xs), 0), rtol=1e-4, what="grad of grad")
    source = s2s.grad(f, wrt=1).source
    shapes = "[h_1, p]" in source[source.index("reversed("):] if f is grown_and_read else "rt.shapes_of(" in source
    assert (shapes and "rt.concatenate_adjoint(" in source) if "grown" in f.__name__ else \
        ("rt.shape_of(" in source and "rt.append_adjoint(" in source)


# ---------------------------------------------------------------- C3: nested loops reading a matrix by element
# made a zero array of the matrix's size and added it into the gradient at every reversed outer iteration
# (`bX = rt.accumulator(X)` ... `bX_1 = rt.add_into(bX_1, bX)`: O(n^2) for n rows). The inner loop now adds into
# one accumulator made before the outer loop. Exact in grad, hessian and grad of grad.
def logistic_rows(X, w):
    s = 0.0
    for i in range(X.shape[0]):
        z = 0.0
        for k in range(3):
            z = z + X[i, k] * w[k]
        s = s + np.log1p(np.exp(-z))
    return s


def rows_written(X, w):
    n = X.shape[0]
    R = np.zeros((n, 3))
    for i in range(n):
        for k in range(3):
            R[i, k] = np.sin(X[i, k]) * X[i, (k + 1) % 3] * w[k]
    return np.sum(R ** 2)


def read_outside_too(X, w):  # X's rows also read in the outer body: contributions of both kinds
    s = 0.0
    for i in range(X.shape[0]):
        z = X[i, 0] * 0.5
        for k in range(3):
            z = z + np.sin(X[i, k]) * w[k]
        s = s + z ** 2 + X[i, 1] * z
    return s


def three_levels(X, w):
    s = 0.0
    for a in range(2):
        for i in range(X.shape[0]):
            for k in range(3):
                s = s + np.cos(X[i, k] * w[k] + a)
    return s


def inner_while(X, w):
    s = 0.0
    for i in range(X.shape[0]):
        k = 0
        while k < 3:
            if X[i, k] > 1.5:
                break
            s = s + X[i, k] * w[k] ** 2
            k = k + 1
    return s


def read_whole_after(X, w):
    s = 0.0
    for i in range(X.shape[0]):
        for k in range(3):
            s = s + X[i, k] ** 2 * w[k]
    return s * np.sum(X)


NESTED = [logistic_rows, rows_written, read_outside_too, three_levels, inner_while, read_whole_after]


@pytest.mark.parametrize("f", NESTED, ids=lambda f: f.__name__)
def test_nested_loops_every_mode(f):
    X, w = R.normal(size=(4, 3)), R.normal(size=3)
    X0 = X.copy()
    for k in (0, 1):
        args = (X, w)
        assert_close(s2s.grad(f, wrt=k)(X, w), numeric_grad(f, args, k), what="grad")
        grad = s2s.grad(f, wrt=k)
        size = np.size(args[k])
        numeric = np.stack([numeric_grad(lambda *a: grad(*a).ravel()[j], args, k).ravel() for j in range(size)])
        assert_close(np.reshape(s2s.hessian(f, wrt=k)(X, w), (size, size)), numeric, rtol=1e-4, atol=1e-5,
                     what="hessian")

        def norm(X, w):
            return np.sum(grad(X, w) ** 2)
        assert_close(s2s.grad(norm, wrt=1 - k)(X, w), numeric_grad(norm, args, 1 - k), rtol=1e-4, what="grad of grad")
    assert np.array_equal(X, X0)


def test_nested_loops_accumulate_once():
    source = s2s.grad(logistic_rows).source
    assert source.count("rt.accumulator(X)") == 1 and "rt.add_into(" not in source
    # (the accumulator is made before the outer reversed loop, not in it)
    assert source.index("rt.accumulator(X)") < source.index("for i_1")
    # an array written in the inner loop: its adjoint copied once, before the outer reversed loop (rt.reused: the
    # outer loop's own copy, written in place by the inner loop), not once per outer iteration
    written = s2s.grad(rows_written).source
    assert written.count("bR_1_1 = np.copy(") == 1 and "np.copy(bR" not in written
    assert written.index("bR_1_1 = np.copy(") < written.index("for i_1") < written.index("rt.reused(bR_1_1)")


def heat_stepper(X, w):
    nt, nx = X.shape
    U = np.zeros((nt + 1, nx))
    U[0] = X[0] * w[0]
    for t in range(nt):
        for i in range(nx):
            U[t + 1, i] = U[t, i] + 0.2 * (U[t, (i + 1) % nx] - 2 * U[t, i] + U[t, i - 1]) + 0.01 * X[t, i] * w[1]
    return np.sum(U ** 2)


def dtw(X, w):
    n, m = X.shape
    D = np.zeros((n + 1, m + 1)) + 1e3
    D[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            c = (X[i - 1, j - 1] - w[j % 3]) ** 2
            D[i, j] = c + min(D[i - 1, j], D[i, j - 1], D[i - 1, j - 1])
    return D[n, m]


@pytest.mark.parametrize("f", [heat_stepper, dtw], ids=lambda f: f.__name__)
def test_nested_writes_grad_and_hessian(f):
    """A table written row by row in nested loops: the reversed inner loop writes into the outer loop's copy of its
    adjoint (rt.reused). Gradient and Hessian exact (grad of grad refuses generated code's writes, as before)."""
    X, w = R.normal(size=(4, 3)), R.normal(size=3)
    for k in (0, 1):
        args = (X, w)
        assert_close(s2s.grad(f, wrt=k)(X, w), numeric_grad(f, args, k), what="grad")
        grad = s2s.grad(f, wrt=k)
        size = np.size(args[k])
        numeric = np.stack([numeric_grad(lambda *a: grad(*a).ravel()[j], args, k).ravel() for j in range(size)])
        assert_close(np.reshape(s2s.hessian(f, wrt=k)(X, w), (size, size)), numeric, rtol=1e-4, atol=1e-5,
                     what="hessian")
    assert "rt.reused(" in s2s.grad(f).source
