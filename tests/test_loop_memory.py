"""A loop saves per iteration only what its adjoint reads: O(n) floats, not copies of arrays."""
import math
import sys

import numpy as np

import s2s


def scalar_recurrence(x, n):
    y = 0.5
    for i in range(n):
        y = y + 0.001 * math.sin(x * y)
    return y


def with_array_in_scope(x, W, n):
    v = W @ np.ones(3)
    s = x
    for i in range(n):
        s = s * 0.999 + 0.001 * x
    return s + np.sum(v)


def _peak_saved(fn, *args):
    """Run fn, tracing its generated frame; the peak number of saved items and their types."""
    peak = [0, set()]

    def tracer(frame, event, arg):
        if not frame.f_code.co_filename.startswith("<s2s"):
            return None

        def local(frame, event, arg):
            stacks = [v for k, v in frame.f_locals.items() if k.endswith("_saved") and isinstance(v, list)]
            total = sum(len(s) for s in stacks)
            if total > peak[0]:
                peak[0] = total
                peak[1] = {type(item).__name__ for s in stacks for item in s[-1:]}
            return local
        return local

    sys.settrace(tracer)
    try:
        result = fn(*args)
    finally:
        sys.settrace(None)
    return result, peak[0], peak[1]


def test_ten_thousand_iterations_save_one_float_each():
    n = 10_000
    g = s2s.grad(scalar_recurrence)
    result, peak, kinds = _peak_saved(g, 0.3, n)
    assert peak <= n, f"saved {peak} items for {n} iterations"
    assert peak >= n  # y is read by the adjoint in every iteration: it must be saved
    assert kinds == {"float"}
    eps = 1e-6
    numeric = (scalar_recurrence(0.3 + eps, n) - scalar_recurrence(0.3 - eps, n)) / (2 * eps)
    assert abs(result - numeric) < 1e-6 * max(1.0, abs(numeric))


def test_arrays_in_scope_are_not_saved_per_iteration():
    g = s2s.grad(with_array_in_scope)
    result, peak, kinds = _peak_saved(g, 0.7, np.eye(3), 1000)
    assert peak == 0  # s * 0.999 + 0.001 * x needs no saved value at all
    assert abs(result - (0.999 ** 1000 + 0.001 * sum(0.999 ** k for k in range(1000)))) < 1e-9


def accumulate(x, n):
    y = x * 1.0
    for i in range(n):
        y = y + x
    return np.sum(y)


def test_a_loop_carried_array_read_only_for_its_shape_saves_its_shape():
    """`y = y + x` in a loop: the adjoint reads y only for its shape (rt.unbroadcast), so each iteration saves
    `rt.shape_of(y)`, a tuple, not y (bug hunt: 20,000 iterations of 1,000 elements peaked at 162 MB)."""
    x = np.array([0.5, -1.0, 2.0])
    assert np.array_equal(s2s.grad(accumulate)(x, 50), np.full(3, 51.0))
    source = s2s.grad(accumulate).source
    assert "rt.shape_of(y_1)" in source and "append(y_1)" not in source, source
    assert np.array_equal(s2s.hessian(accumulate)(x, 5), np.zeros((3, 3)))
