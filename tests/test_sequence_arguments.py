"""A list or tuple *argument* repeated (`xs * 2`): its value is Python's repetition, but the generated code is
one text for every type of argument and differentiates `xs * 2` as an array's arithmetic. The derivative then
has the parts of the longer sequence; every reverse-mode transformation refuses it rather than return it (the
grad of `sum((xs * 2) ** 2)` at (1, 2) came out (4, 8, 4, 8); the Hessian of a weighted sum took the first
two parts: diag(12, 48) for diag(24, 72)). Forward mode refuses it too: its tangent `dxs * 2` is also the
tangent of np.multiply(xs, 2), whose numbers are doubled, not repeated."""
import numpy as np
import pytest

import s2s

WEIGHTS = np.array([1.0, 2.0, 3.0, 4.0])


def repeated_squares(xs):
    y = xs * 2
    return np.sum(np.asarray(y) ** 2)


def repeated_scaled(xs):
    y = xs * 2
    return np.asarray(y) * 3.0


def repeated_weighted_cubes(xs):
    z = np.asarray(xs * 2)
    return np.sum(WEIGHTS * z ** 3)


REPEATED = "argument was repeated or joined"


@pytest.mark.parametrize("xs", [(1.0, 2.0), [1.0, 2.0]])
@pytest.mark.parametrize("transform", [
    lambda xs: s2s.grad(repeated_squares)(xs),
    lambda xs: s2s.value_and_grad(repeated_squares)(xs),
    lambda xs: s2s.grad(repeated_squares, wrt=("xs",))(xs),
    lambda xs: s2s.vjp(repeated_scaled)(xs)[1](np.ones(4)),
    lambda xs: s2s.jacobian(repeated_scaled)(xs),
    lambda xs: s2s.hessian(repeated_weighted_cubes)(xs),
], ids=["grad", "value_and_grad", "grad-tuple-wrt", "vjp", "jacobian-reverse", "hessian"])
def test_reverse_modes_refuse_a_repeated_sequence_argument(transform, xs):
    with pytest.raises(s2s.S2SError, match=REPEATED) as info:
        transform(xs)
    assert "np.asarray(xs) * 2" in str(info.value)
    assert f"a {type(xs).__name__} of 2" in str(info.value)


def multiplied_by_int(xs):
    return np.multiply(xs, 3)[1]


def test_forward_mode_refuses_a_sequence_times_an_int():
    # the tangent `dxs * 2` is the same text for xs * 2 (the tuple repeated) and np.multiply(xs, 2) (its numbers
    # doubled): forward mode repeated the tangent tuple, right for the first, wrong for the second (the jvp of
    # np.multiply(xs, 3)[1] was 1.0, not 3.0); both are refused now, as reverse mode refuses the first
    for run in [lambda: s2s.jacobian(repeated_scaled, mode="forward")((1.0, 2.0)),
                lambda: s2s.jvp(repeated_scaled)(((1.0, 2.0),), ((1.0, 0.5),)),
                lambda: s2s.jvp(multiplied_by_int)(((1.0, 2.0),), ((0.0, 1.0),))]:
        with pytest.raises(s2s.S2SError, match=REPEATED) as info:
            run()
        assert "np.asarray(xs) * " in str(info.value)
    # converted first, as advised: d(3 * (x0, x1, x0, x1)) / dx, analytic
    j0, j1 = s2s.jacobian(joined_scaled, mode="forward")((1.0, 2.0))
    np.testing.assert_array_equal(j0, [3.0, 0.0, 3.0, 0.0])
    np.testing.assert_array_equal(j1, [0.0, 3.0, 0.0, 3.0])


def joined_scaled(xs):
    y = list(xs) + list(xs)
    return np.asarray(y) * 3.0


def test_an_array_argument_is_multiplied():
    # sum((2 x)^2) = 4 (x0^2 + x1^2)
    x = np.array([1.0, 2.0])
    np.testing.assert_array_equal(s2s.grad(repeated_squares)(x), 8.0 * x)
    with pytest.raises(ValueError):  # (the function itself: 4 weights against 2 values)
        repeated_weighted_cubes(x)


def test_a_tuple_not_repeated_keeps_its_derivative():
    def halves(xs):
        return np.sum(np.asarray(xs * 1) ** 2)  # (repetition once is the tuple itself)
    np.testing.assert_allclose(s2s.grad(halves)((1.0, 2.0)), (2.0, 4.0))
