"""Round 16's mends of round 15 that change what a caller can see: a forward Jacobian or a Hessian called by two
threads at once, each call's result in its own argument's precision (whether the entry point of `.source` made it
is kept with the call, not on the shared object), checked against finite differences; the second derivative
through a rule whose tuple leaves a list argument's adjoint None (the adjoint of the rule's tuple adds 0.0 and a
list part by part: rt.adjoint_part_adjoint makes the list Parts, where Parts' + retried on a TypeError before).
"""
import sys
import threading

import numpy as np

import pytest

import s2s
from conftest import assert_close, numeric_grad, numeric_hessian

X = np.array([0.3, 0.7, 1.1])


def wave(x):
    return np.sin(x) * x ** 2


def wave_sum(x):
    return np.sum(np.sin(x) * x ** 2)


def wave_pair(x, y):
    return np.sum(np.sin(x) * y ** 2)


def numeric_jacobian(f, x):
    """Central differences of a vector-valued f at x: shape f(x).shape + x.shape."""
    rows = [numeric_grad(lambda x, i=i: f(x)[i], (x,), 0) for i in range(np.size(f(x)))]
    return np.array(rows)


def concurrently(call, arguments: list, calls: int = 1500) -> list:
    """`call(*a)` `calls` times in one thread per entry `a` of `arguments`, all at once, switching threads as
    often as Python allows: [(a, its results)] per thread."""
    results = [[] for _ in arguments]
    errors = []
    barrier = threading.Barrier(len(arguments))

    def work(k):
        try:
            barrier.wait()
            for _ in range(calls):
                results[k].append(call(*arguments[k]))
        except Exception as exc:  # (reported below, from the test's own thread)
            errors.append(exc)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(k,)) for k in range(len(arguments))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors[:1]
    return list(zip(arguments, results))


def test_a_forward_jacobian_two_threads_call_at_once_gives_each_its_precision():
    jac = s2s.jacobian(wave, mode="forward")
    expected = numeric_jacobian(wave, X)
    for args, outs in concurrently(jac, [(X,), (X.astype(np.float32),)]):
        for out in outs:
            assert out.dtype == args[0].dtype  # (float32 for a float32 argument, as NumPy's value is)
            assert_close(out, expected, rtol=1e-4, atol=1e-5, what="jacobian forward")
    assert_close(wave(X), np.sin(X) * X ** 2, what="value")


def test_a_hessian_two_threads_call_at_once_gives_each_its_precision():
    hess = s2s.hessian(wave_sum)
    expected = numeric_hessian(wave_sum, X)
    for args, outs in concurrently(hess, [(X,), (X.astype(np.float32),)]):
        for out in outs:
            assert out.dtype == args[0].dtype
            assert_close(out, expected, rtol=1e-4, atol=1e-4, what="hessian")


def test_a_hessian_of_two_arguments_two_threads_call_at_once():
    hess = s2s.hessian(wave_pair, wrt=(0, 1))
    y = np.array([1.5, -0.5, 2.0])
    xy = np.concatenate([X, y])
    full = numeric_hessian(lambda v: wave_pair(v[:3], v[3:]), xy)
    for args, outs in concurrently(hess, [(X, y), (X.astype(np.float32), y)], calls=500):
        for out in outs:
            for a in range(2):
                for b in range(2):
                    assert out[a][b].dtype == args[a].dtype  # (H[a][b] in the precision of argument a)
                    assert_close(out[a][b], full[3 * a:3 * a + 3, 3 * b:3 * b + 3], rtol=1e-4, atol=1e-4,
                                 what=f"hessian H[{a}][{b}]")


def weigh(y, cfs):
    return y * 2.0 + len(cfs)


@s2s.adjoint(weigh)
def _weigh_adjoint(g, ans, y, cfs):
    return g * 2.0, None  # (no adjoint for the list cfs)


def weighed(y, cfs):
    return weigh(y, cfs[1:]) * y + weigh(y * y, cfs) + cfs[0] * y


def weighed_gradient(y, cfs):
    gy, gc = s2s.grad(weighed, wrt=(0, 1))(y, cfs)
    return gy * y + gc[0] * y


@pytest.mark.parametrize("cfs", [[3.0, 2.0], [3.0]], ids=["two", "one: the rule gets an empty list"])
def test_second_derivative_through_a_rule_leaving_a_list_adjoint_none(cfs):
    y, n = 0.5, len(cfs)
    # weighed' = 8y + n - 1 + c0 (the rule's) and the gradient in cfs[0] is y: weighed_gradient = 9y^2 + (n - 1 + c0)y
    assert_close(weighed_gradient(y, cfs), 9 * y * y + (n - 1 + cfs[0]) * y, what="value")
    expected = 18 * y + n - 1 + cfs[0]
    assert_close(expected, numeric_grad(weighed_gradient, (y, cfs), 0), what="the analytic derivative")
    assert_close(s2s.grad(weighed_gradient)(y, cfs), expected, what="grad")
    value, pullback = s2s.vjp(weighed_gradient)(y, cfs)
    assert_close(value, weighed_gradient(y, cfs), what="vjp value")
    assert_close(pullback(1.0), expected, what="vjp")
    assert_close(s2s.jacobian(weighed_gradient)(y, cfs), expected, what="jacobian reverse")


def halved_items(x, n):
    ps = [x * (1.0 + i) for i in range(n)]
    for p in ps:
        p *= 0.5
    return sum(np.sum(p ** 2) for p in ps)


def halved_shared(x, n):
    a = x * 1.0
    ps = [a[i % 2:i % 2 + 2] for i in range(n)]  # (views of one array: NumPy halves its middle twice, s2s refuses)
    for p in ps:
        p *= 0.5
    return sum(np.sum(p ** 2) for p in ps)


def test_a_loop_over_a_long_list_checked_from_two_threads_holds_no_container_after():
    """rt.require_unshared indexes a list of 16 or more items once per loop (runtime/items.py): each thread its own
    index, gone when the loop has checked the last item."""
    from s2s.runtime import items
    x = np.array([0.3, -0.7, 1.1])
    n = 40
    grad, shared = s2s.grad(halved_items), s2s.grad(halved_shared)
    expected = sum(0.5 * (1.0 + i) ** 2 for i in range(n)) * x  # (d/dx sum((x (1 + i) / 2)^2))
    assert_close(expected, numeric_grad(halved_items, (x, n), 0), what="the analytic gradient")

    def call(kind):
        if kind == "shared":
            with pytest.raises(s2s.S2SError, match="another item of a list"):
                shared(x, n)
            return None
        return grad(x, n)
    for (kind,), outs in concurrently(call, [("items",), ("shared",), ("items",)], calls=40):
        for out in outs:
            if kind == "items":
                assert_close(out, expected, what="grad")
    grad(x, n)
    assert items._INDEXES.kept == {}
