"""Silent wrong derivatives found by the real-program bug hunt over ML and statistics programs, each checked
against finite differences (or refused at the user's line where s2s cannot be exact)."""
from __future__ import annotations

import numpy as np
import pytest

import s2s

from s2s.errors import NonDifferentiableError, S2SError

from conftest import assert_close, check_every_mode, module_from_text, numeric_grad, numeric_hessian


def numeric_jacobian(f, args, wrt, eps=1e-6):
    """Central differences of array-valued f with respect to args[wrt]: shape value.shape + arg.shape."""
    args = [np.asarray(a, dtype=float) for a in args]
    x = args[wrt]
    columns = []
    for idx in np.ndindex(x.shape):
        plus, minus = list(args), list(args)
        plus[wrt], minus[wrt] = x.copy(), x.copy()
        plus[wrt][idx] += eps
        minus[wrt][idx] -= eps
        columns.append((np.asarray(f(*plus)) - np.asarray(f(*minus))) / (2 * eps))
    value_shape = np.shape(f(*args))
    return np.moveaxis(np.array(columns), 0, -1).reshape(value_shape + x.shape)


# ---------------------------------------------------------------- np.correlate, every mode and every pair of lengths
# NumPy's 'same' correlates the longer operand with the shorter and reverses the result when v is the longer, so it
# is not np.convolve(a, v[::-1], 'same') when len(a) < len(v) and len(a) is even: the reverse rule was shifted by one

def correlate_valid(a, v):
    return np.correlate(a, v, mode="valid")


def correlate_same(a, v):
    return np.correlate(a, v, mode="same")


def correlate_full(a, v):
    return np.correlate(a, v, mode="full")


def sin_correlate_valid(z, n):  # a = z[:n], v = z[n:]: the Hessian in both operands at once
    return np.sum(np.sin(np.correlate(z[:n], z[n:], mode="valid")))


def sin_correlate_same(z, n):  # a = z[:n], v = z[n:]: the Hessian in both operands at once
    return np.sum(np.sin(np.correlate(z[:n], z[n:], mode="same")))


def sin_correlate_full(z, n):  # a = z[:n], v = z[n:]: the Hessian in both operands at once
    return np.sum(np.sin(np.correlate(z[:n], z[n:], mode="full")))


CORRELATES = {"valid": (correlate_valid, sin_correlate_valid), "same": (correlate_same, sin_correlate_same),
              "full": (correlate_full, sin_correlate_full)}
LENGTHS = [(n, m) for n in range(1, 7) for m in range(1, 7)]


def _operands(n, m):
    rng = np.random.default_rng(10 * n + m)
    return rng.normal(size=n), rng.normal(size=m)


def test_correlate_same_shorter_even_first_operand():
    # the hunt's reproducer: a = [1, 2], v = [1, 10, 100] gives [210, 21, 2]; d/da is [[10, 100], [1, 10], [0, 1]]
    a, v = np.array([1.0, 2.0]), np.array([1.0, 10.0, 100.0])
    expected = np.array([[10.0, 100.0], [1.0, 10.0], [0.0, 1.0]])
    assert_close(s2s.jacobian(correlate_same, wrt=0)(a, v), expected, what="reverse jacobian")
    assert_close(s2s.jacobian(correlate_same, wrt=0, mode="forward")(a, v), expected, what="forward jacobian")


@pytest.mark.parametrize("mode", sorted(CORRELATES))
@pytest.mark.parametrize("n, m", LENGTHS)
def test_correlate_every_mode_and_length(mode, n, m):
    f, _ = CORRELATES[mode]
    a, v = _operands(n, m)
    for wrt in (0, 1):
        numeric = numeric_jacobian(f, (a, v), wrt)
        assert_close(s2s.jacobian(f, wrt=wrt)(a, v), numeric, what=f"reverse jacobian wrt {wrt}")
        assert_close(s2s.jacobian(f, wrt=wrt, mode="forward")(a, v), numeric, what=f"forward jacobian wrt {wrt}")
    da, dv = np.linspace(-1.0, 1.0, n) + 0.3, np.linspace(1.0, -0.5, m)
    value, tangent = s2s.jvp(f, wrt=(0, 1))((a, v), (da, dv))
    assert np.array_equal(value, f(a, v))
    expected = numeric_jacobian(f, (a, v), 0) @ da + numeric_jacobian(f, (a, v), 1) @ dv
    assert_close(tangent, expected, what="jvp")
    cotangent = np.linspace(0.5, -1.5, np.size(value))
    _, pullback = s2s.vjp(f, wrt=(0, 1))(a, v)
    ga, gv = pullback(cotangent)
    assert_close(ga, cotangent @ numeric_jacobian(f, (a, v), 0), what="vjp wrt a")
    assert_close(gv, cotangent @ numeric_jacobian(f, (a, v), 1), what="vjp wrt v")


@pytest.mark.parametrize("mode", sorted(CORRELATES))
@pytest.mark.parametrize("n, m", LENGTHS)
def test_correlate_hessian_every_mode_and_length(mode, n, m):
    _, f = CORRELATES[mode]
    z = np.concatenate(_operands(n, m))
    assert_close(s2s.hessian(f)(z, n), numeric_hessian(lambda z: f(z, n), z), 1e-4, 1e-5, what="hessian")


# ---------------------------------------------------------------- np.pad: reflect_type=, stat_length=, every linear mode
# reflect_type='odd' (2 * edge - mirror) was read as a plain mirror in both modes, and the tangent of 'mean' with
# stat_length= (and of 'maximum', 'minimum', 'median') was the tangent's own statistic

def pad_odd(x):
    return np.pad(x, 1, mode="reflect", reflect_type="odd")


def pad_mean_of_one(x):
    return np.pad(x, 1, mode="mean", stat_length=1)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_pad_reflect_odd_and_mean_stat_length(mode):
    x = np.array([1.0, 3.0, 2.0])
    odd = np.array([[2.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 2.0]])
    assert_close(s2s.jacobian(pad_odd, mode=mode)(x), odd, what="reflect_type='odd'")
    mean = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    assert_close(s2s.jacobian(pad_mean_of_one, mode=mode)(x), mean, what="mode='mean', stat_length=1")


PAD_CALLS = [
    ("1, mode='reflect', reflect_type='odd'", (5,)),
    ("(2, 7), mode='reflect', reflect_type='odd'", (4,)),  # (wider than x: reflected again, about the new edge)
    ("((1, 2), (3, 1)), mode='symmetric', reflect_type='odd'", (3, 4)),
    ("(6, 5), mode='symmetric', reflect_type='odd'", (3,)),
    ("((2, 1), (1, 4)), mode='reflect', reflect_type='odd'", (3, 3)),
    ("2, mode='mean', stat_length=2", (5,)),
    ("((1, 2), (2, 1)), mode='mean', stat_length=((1, 3), (2, 2))", (4, 3)),
    ("3, mode='mean'", (3, 4)),
    ("(2, 3), mode='linear_ramp', end_values=(1.5, -2.0)", (4,)),
    ("((1, 2), (2, 0)), mode='linear_ramp'", (3, 3)),
    ("(1, 3), 'reflect'", (4,)),
    ("((1, 2), (2, 3)), mode='wrap'", (2, 3)),
    ("2, mode='edge'", (2, 2)),
    ("(1, 2), constant_values=4.0", (3,)),
]


@pytest.mark.parametrize("k", range(len(PAD_CALLS)))
def test_pad_every_linear_mode(tmp_path, k):
    call, shape = PAD_CALLS[k]
    text = ("import numpy as np\n\n\ndef f(x):\n"
            f"    y = np.pad(x, {call})\n"
            "    return np.sum(np.cos(y) * np.arange(1.0, y.size + 1.0).reshape(y.shape)) / y.size\n")
    f = module_from_text(tmp_path, f"pad_case_{k}", text).f
    x = np.linspace(-1.0, 1.3, np.prod(shape)).reshape(shape) ** 3 + 0.2
    check_every_mode(f, x)


def pad_maximum(x):
    return np.pad(x, 1, mode="maximum")


def pad_median(x):
    return np.pad(x, (1, 2), "median", stat_length=2)


def pad_minimum(x):
    return np.pad(x, 1, mode="minimum")


def pad_empty(x):
    return np.pad(x, 1, mode="empty")


def pad_mode_given(x, mode):
    return np.pad(x, 1, mode=mode)


@pytest.mark.parametrize("f", [pad_empty])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_pad_by_value_refused_at_the_line(f, mode):
    # ('maximum', 'minimum' and 'median' have derivatives since round 20: tests/test_fix20hess.py)
    with pytest.raises(NonDifferentiableError) as caught:
        s2s.jacobian(f, mode=mode)(np.array([1.0, 3.0, 2.0]))
    assert caught.value.lineno == f.__code__.co_firstlineno + 1
    assert "np.concatenate" in str(caught.value)


@pytest.mark.parametrize("f", [pad_maximum, pad_median, pad_minimum])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_pad_by_value_differentiated(f, mode):
    x = np.array([1.0, 3.0, 2.0])
    assert_close(s2s.jacobian(f, mode=mode)(x), numeric_jacobian(f, (x,), 0), what=f.__name__)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_pad_by_value_known_at_run_time(mode):
    x = np.array([1.0, 3.0, 2.0])
    assert_close(s2s.jacobian(pad_mode_given, mode=mode)(x, "maximum"), numeric_jacobian(
        lambda x: pad_mode_given(x, "maximum"), (x,), 0), what="mode='maximum' given at run time")
    with pytest.raises(S2SError, match="mode='empty'"):
        s2s.jacobian(pad_mode_given, mode=mode)(x, "empty")
    assert_close(s2s.jacobian(pad_mode_given, mode=mode)(x, "reflect"), numeric_jacobian(
        lambda x: pad_mode_given(x, "reflect"), (x,), 0), what="mode='reflect' given at run time")


# ---------------------------------------------------------------- np.split with indices that decrease or are negative
# np.split(x, [2, 1]) is [x[:2], x[2:1], x[1:]]: pieces that overlap, whose adjoints were joined by np.concatenate
# into 7 entries for x's 6

def split_decreasing(x):
    parts = np.split(x, [2, 1])
    return np.sum(parts[2] * np.arange(5.0))


def test_split_decreasing_indices_gradient():
    x = np.arange(6.0)
    assert_close(s2s.grad(split_decreasing)(x), [0.0, 0.0, 1.0, 2.0, 3.0, 4.0], what="np.split(x, [2, 1])")


SPLIT_CALLS = [
    ("np.split(x, [2, 1])", (6,)),
    ("np.split(x, (4, 2, 5))", (6,)),  # (a tuple: a constant)
    ("np.split(x, [-2, 3])", (6,)),
    ("np.split(x, [1, 9, 4])", (6,)),
    ("np.split(x, [3, 1], axis=1)", (2, 4)),
    ("np.array_split(x, [3, 1], axis=-1)", (2, 4)),
    ("np.split(x, [1, 3])", (5,)),
    ("np.split(x, (1, 3), axis=1)", (2, 4)),
    ("np.array_split(x, 3)", (7,)),
    ("np.hsplit(x, [3, 1])", (2, 4)),
    ("np.hsplit(x, [3, 1])", (5,)),
    ("np.vsplit(x, [2, 1])", (3, 2)),
    ("np.dsplit(x, [2, 1])", (1, 2, 3)),
]


@pytest.mark.parametrize("k", range(len(SPLIT_CALLS)))
def test_split_every_form(tmp_path, k):
    call, shape = SPLIT_CALLS[k]
    x = np.linspace(-1.0, 1.3, np.prod(shape)).reshape(shape) ** 3 + 0.2
    count = len(eval(call, {"np": np, "x": x}))
    terms = " + ".join(f"np.sum(np.sin(parts[{i}]) * {i + 1.0} * np.arange(1.0, parts[{i}].size + 1.0)"
                       f".reshape(parts[{i}].shape))" for i in range(count))
    text = f"import numpy as np\n\n\ndef f(x):\n    parts = {call}\n    return {terms}\n"
    f = module_from_text(tmp_path, f"split_case_{k}", text).f
    check_every_mode(f, x)


def split_given(x, indices):
    a, b, c = np.split(x, indices)
    return np.sum(a * 1.0) + np.sum(b * 2.0) + np.sum(c ** 2)


@pytest.mark.parametrize("indices", [[2, 1], [1, 3], np.array([-2, 3])])
def test_split_indices_known_at_run_time(indices):
    x = np.linspace(0.5, 2.0, 6)
    assert_close(s2s.grad(split_given)(x, indices), numeric_grad(split_given, (x, indices), 0), what=str(indices))
    _, tangent = s2s.jvp(split_given)((x, indices), (np.ones(6),))
    assert_close(tangent, np.sum(numeric_grad(split_given, (x, indices), 0)), what=f"jvp {indices}")
