"""NumPy call arguments bound to their functions' signatures (hunts hunt3opt and hunt3edge).

- dtype= of an integer or bool type rounds the result, which then carries no derivative, as x.astype(int)'s:
  s2s differentiated straight through it (np.array(capital * w / prices, dtype=int) had gradient 100 per share).
- An array given by position to write the result into (np.dot(A, x, buf), np.sin(x, y)) was ignored: wrong
  values and zero derivatives. It is refused at the user's line, as out= is.
- Arguments given by position that the rules take by name (np.interp's left and right, np.sort's kind,
  np.sum's keepdims) raised a TypeError inside s2s.
- An operand given by name (np.full(3, fill_value=v)) was refused by forward mode where reverse mode worked.

Derivatives are checked against central finite differences (the points keep away from the rounding steps).
"""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad
from s2s.errors import NonDifferentiableError, S2SError

X = np.array([0.5, 1.5, 2.5])  # (1.7 * X = 0.85, 2.55, 4.25: away from the integers)


# ----------------------------------------------------------------- 1. an integer dtype= has no derivative
def rebalance(w, prices, capital):
    shares = np.array(capital * w / prices, dtype=int)  # whole shares only
    cash = capital - np.sum(shares * prices)
    return np.sum(shares * prices * 1.1) + cash


def test_whole_shares_by_dtype_int_have_no_derivative():
    w, prices = np.array([0.313, 0.517, 0.17]), np.array([10.0, 25.0, 7.0])
    f = lambda w: rebalance(w, prices, 1000.0)  # noqa: E731
    numeric = numeric_grad(f, (w,), 0)
    assert_close(numeric, np.zeros(3), what="finite differences")
    assert_close(s2s.grad(rebalance)(w, prices, 1000.0), numeric, what="grad")  # was [100, 100, 100]
    _, t = s2s.jvp(rebalance)((w, prices, 1000.0), (np.ones(3),))
    assert t == 0.0  # was 300
    assert s2s.grad(rebalance)(w, prices, 1000.0).tolist() == [0.0, 0.0, 0.0]


def array_int_by_position(x):
    return np.sum(np.array(x * 1.7, int) * x)


def asarray_int32_string(x):
    return np.sum(np.asarray(x * 1.7, dtype="int32") * x)


def asarray_uint8(x):
    return np.sum(np.asarray(x * 1.7, dtype=np.uint8) * x)


def array_int_(x):
    return np.sum(np.array(x * 1.7, dtype=np.int_) * x)


def array_bool(x):
    return np.sum(np.array(x * 1.7, dtype=bool) * x)


def array_of_list_int(x):
    return np.sum(np.array([x[0] * 1.7, x[1] * 1.7], dtype=int) * x[:2])


def cumsum_int(x):
    return np.sum(np.cumsum(x * 1.7, dtype=int) * x)


def cumprod_int(x):
    return np.sum(np.cumprod(x * 1.7, dtype=int) * x)


def prod_int(x):
    return np.prod(x * 1.7, dtype=int) * 1.0 + np.sum(x)


def sum_int_by_position(x):
    return np.sum(np.sum(x * 1.7, 0, int) * x)


def full_int(x):
    return np.sum(np.full(3, x[0] * 1.7, dtype=int) * x) + x[0]


def full_like_int_array(x):
    return np.sum(np.full_like(np.zeros(3, dtype=int), x[1] * 1.7) * x) + x[1]


def concatenate_int(x):
    return np.sum(np.concatenate([x * 1.7, x * 0.3], dtype=int, casting="unsafe") * np.concatenate([x, x]))


def stack_int(x):
    return np.sum(np.stack([x * 1.7, x * 3.3], dtype=int, casting="unsafe") * x)


def einsum_int(x):
    return np.sum(np.einsum("i,i->i", x * 1.7, np.ones(3), dtype=int, casting="unsafe") * x)


def int32_scalar(x):
    return float(np.int32(x[0] * 1.7)) * x[1] + x[2]


def float32_still_differentiates(x):
    return np.sum(np.asarray(x * 1.7, dtype=np.float64) * x) + np.sum(np.array(x, np.float64) ** 2)


@pytest.mark.parametrize("f", [array_int_by_position, asarray_int32_string, asarray_uint8, array_int_, array_bool,
                               array_of_list_int, cumsum_int, cumprod_int, prod_int, sum_int_by_position, full_int,
                               full_like_int_array, concatenate_int, stack_int, einsum_int, int32_scalar,
                               float32_still_differentiates], ids=lambda f: f.__name__)
def test_an_integer_or_bool_dtype_rounds_and_has_no_derivative(f):
    check_every_mode(f, X)


def filled_like(x, v, proto):
    return np.sum(np.full_like(proto, v) * x)


def test_full_like_takes_its_prototypes_type_when_it_runs():
    """np.full_like(a, v) rounds v where a holds integers: its derivative is then zero, decided when it runs."""
    for proto, expected in ((np.zeros(3, dtype=int), 0.0), (np.zeros(3), np.sum(X)), (np.zeros(3, dtype=bool), 0.0)):
        f = lambda v: filled_like(X, v, proto)  # noqa: E731
        assert_close(numeric_grad(f, (0.7,), 0), expected, what="finite differences")
        assert_close(s2s.grad(filled_like, wrt=1)(X, 0.7, proto), expected, what=f"grad, {proto.dtype}")
        _, t = s2s.jvp(filled_like, wrt=1)((X, 0.7, proto), (1.0,))
        assert_close(t, expected, what=f"jvp, {proto.dtype}")
    assert "rt.astype_tangent" in s2s.grad(filled_like, wrt=1).source


def cast_to_the_argument_type(x):
    return np.sum(np.asarray(x * 1.7, dtype=x.dtype) * x)


def cast_to_a_type_given(x, dt):
    return np.sum(np.asarray(x * 1.7, dtype=dt) * x)


def test_a_dtype_known_only_at_run_time():
    """dtype=x.dtype of a differentiated x is a float type; any other type known only at run time is refused at
    the user's line where a derivative would pass through it."""
    assert_close(s2s.grad(cast_to_the_argument_type)(X), 3.4 * X, what="grad")
    with pytest.raises(NonDifferentiableError, match="dtype= is a type only the run time knows") as info:
        s2s.grad(cast_to_a_type_given)(X, np.float64)
    assert info.value.lineno == cast_to_a_type_given.__code__.co_firstlineno + 1
    assert "astype" in str(info.value)
    assert s2s.grad(cast_to_a_type_given, wrt=1) is not None  # (not differentiated through: no refusal needed)


# ----------------------------------------------------------------- 2. an output array given by position
def dot_into(x, A):
    buf = np.zeros(2)
    y = np.dot(A, x, buf)
    return np.sum(buf * x[:2])


def add_into(x, r):
    buf = np.zeros_like(x)
    z = np.add(x, r, buf)
    return np.sum(buf * x)


def negate_itself(x):
    y = x * 2.0
    z = np.negative(y, y)
    return np.sum(y * x)


def sin_into(x, r):
    y = np.zeros(3)
    z = np.sin(x, y)
    return np.sum(y * x)


def clip_into(x, r):
    y = np.zeros(3)
    z = np.clip(x, 0.0, 1.0, y)
    return np.sum(y * x)


def sum_into(x, r):
    y = np.zeros(())
    z = np.sum(x, 0, None, y)
    return y * r


def cumsum_into(x, r):
    y = np.zeros(3)
    z = np.cumsum(x, 0, None, y)
    return np.sum(y * x)


def around_into(x, r):
    y = np.zeros(3)
    z = np.around(x * r, 1, y)
    return np.sum(y * x)


def method_sum_into(x, r):
    y = np.zeros(())
    z = x.sum(0, None, y)
    return y * r


def multiply_into_itself(W, r):
    W = W * 1.0
    X = np.multiply(W, np.exp(-r), W)  # (was a TypeError inside s2s)
    return np.sum(W) + np.sum(X)


@pytest.mark.parametrize("f", [dot_into, add_into, negate_itself, sin_into, clip_into, sum_into, cumsum_into,
                               around_into, method_sum_into, multiply_into_itself], ids=lambda f: f.__name__)
def test_an_output_array_given_by_position_is_refused_at_its_line(f):
    line = f.__code__.co_firstlineno + (1 if f in (dot_into, add_into, negate_itself, multiply_into_itself) else 1)
    args = (X, np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0]])) if f is dot_into else (X,) if f is negate_itself else \
        (X, 0.7)
    for transform in (lambda: s2s.grad(f)(*args), lambda: s2s.jvp(f)(args, (np.ones(3),))):
        with pytest.raises(S2SError, match="given by position as the array to write its result into") as info:
            transform()
        assert info.value.lineno in (line + 1, line + 2)
        assert "assign the result instead" in str(info.value)


def test_the_refusal_says_what_to_write():
    with pytest.raises(S2SError) as info:
        s2s.grad(dot_into)(X, np.eye(2, 3))
    assert "buf = np.dot(A, x)" in str(info.value)


def out_none_by_position(x):
    return np.sum(np.sum(x ** 2, 0, None, None) * x) + np.sum(np.add(x, 1.0, None) ** 2)


def test_an_output_given_as_none_by_position_is_no_output():
    check_every_mode(out_none_by_position, X)


# ----------------------------------------------------------------- 3. arguments by position that rules take by name
XP = np.array([0.0, 1.0, 2.0])
XS = np.array([-5.0, 0.2, 1.5, 9.0])


def interp_ends_by_position(x):
    return np.sum(np.interp(x, XP, np.array([1.0, 2.0, 0.5]), 0.3, 0.7) ** 2)


def interp_ends_in_fp(fp):
    return np.sum(np.interp(XS, XP, fp, 0.3, 0.7) ** 2)


def sort_kind_by_position(x):
    return np.sum(np.sort(x, 0, "stable") * np.arange(3.0))


def mean_keepdims_by_position(x):
    return np.sum(np.mean(x, 0, None, None, True) ** 2)


def sum_keepdims_by_position(x):
    return np.sum(np.sum(x, 0, None, None, True) ** 2)


@pytest.mark.parametrize("f", [sort_kind_by_position, mean_keepdims_by_position, sum_keepdims_by_position],
                         ids=lambda f: f.__name__)
def test_arguments_by_position_that_rules_take_by_name(f):
    check_every_mode(f, np.array([0.5, -1.0, 2.0]))


def test_interp_left_and_right_by_position():
    """The slope in x is 0 outside the sample points whatever left and right are; fp's derivative with them
    skips the points outside (they take left and right there, not fp's first and last values)."""
    check_every_mode(interp_ends_by_position, XS)
    assert "0.3, 0.7)" in s2s.grad(interp_ends_by_position).source
    check_every_mode(interp_ends_in_fp, np.array([1.0, 2.0, 0.5]))


# ----------------------------------------------------------------- 4. operands given by name, in forward mode too
def k_full(x, lo):
    return np.sum(np.full(3, fill_value=lo) * x)


def k_full_like(x, lo):
    return np.sum(np.full_like(x, fill_value=lo) * x)


def k_linspace(x, lo):
    return np.sum(np.linspace(start=lo, stop=3.0, num=3) * x)


def k_select(x, lo):
    return np.sum(np.select([x > 1.0], [x], default=lo) ** 2)


def k_interp(x, lo):
    return np.sum(np.interp(x, [0.0, 1.0, 2.0], fp=[0.0, lo, 1.0]) ** 2)


def k_dot(x, lo):
    return np.dot(x, b=x * lo)


def k_quantile(x, lo):
    return np.quantile(a=x * lo, q=0.5)


def k_nan_to_num(x, lo):
    return np.sum(np.nan_to_num(np.log(x - 1.0), nan=lo, neginf=lo) ** 2)


def k_append(x, lo):
    return np.sum(np.append(x, values=lo) ** 2)


def k_insert(x, lo):
    return np.sum(np.insert(x, 1, values=lo) ** 2)


def k_polyval(x, lo):
    return np.sum(np.polyval(p=[lo, 1.0, 2.0], x=x))


def k_cumsum(x, lo):
    return np.sum(np.cumsum(a=x * lo) ** 2)


@pytest.mark.parametrize("f", [k_full, k_full_like, k_linspace, k_select, k_interp, k_dot, k_quantile, k_nan_to_num,
                               k_append, k_insert, k_polyval, k_cumsum], ids=lambda f: f.__name__)
def test_an_operand_given_by_name_in_every_mode(f):
    lo = 0.7
    with np.errstate(all="ignore"):
        numeric = numeric_grad(f, (X, lo), 1)
        assert_close(s2s.grad(f, wrt=1)(X, lo), numeric, what="grad")
        _, t = s2s.jvp(f, wrt=1)((X, lo), (1.0,))
        assert_close(t, numeric, what="jvp")
        assert_close(s2s.jacobian(f, wrt=1, mode="forward")(X, lo), numeric, what="forward jacobian")
        second = (numeric_grad(f, (X, lo + 1e-4), 1) - numeric_grad(f, (X, lo - 1e-4), 1)) / 2e-4
        assert_close(s2s.hessian(f, wrt=1)(X, lo), second, 1e-4, 1e-4, what="hessian")
        assert_close(s2s.grad(f)(X, lo), numeric_grad(f, (X, lo), 0), what="grad in x")


def test_an_operand_by_name_keeps_its_keyword_where_defaults_lie_between():
    """np.nan_to_num(z, nan=v) is not spelled np.nan_to_num(z, True, v): its tangent is the part of nan's name."""
    source = s2s.jvp(k_nan_to_num, wrt=1).source
    assert "np.nan_to_num(t2, nan=lo, neginf=lo)" in source, source
    assert "np.full(3, lo)" in s2s.jvp(k_full, wrt=1).source
