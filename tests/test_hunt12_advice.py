"""Round 12 (hunt12nn): inner transformations of functions with defaults that are data (F8, F9), an int
hyper-parameter of a differentiated dict used as a shape (F6), and an in-place operator on a view of the
function's own copy (F2). Each is checked against finite differences in every mode that applies, and every
rewrite a message advises against the original program."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad

KER = np.array([1.0, 2.0])
W0 = np.array([0.4, -0.3])


# ---- F9, F8: an inner s2s.jvp / grad / value_and_grad / vjp of a function whose default is data ----

def l_array(w, x=np.array([1.0, 2.0])):
    return np.sum(np.tanh(x * w) ** 2)


def l_module(w, x=KER):
    return np.sum(np.tanh(x * w) ** 2)


def l_list(w, x=[1.0, 2.0]):  # noqa: B006 (read, never changed)
    return np.sum(np.tanh(np.array(x) * w) ** 2)


def l_dict(w, d={"a": np.array([1.0, 2.0])}):  # noqa: B006
    return np.sum(np.tanh(d["a"] * w) ** 2)


def l_tuple(w, k=(np.array([1.0, 2.0]), 0.5)):
    return np.sum(np.tanh(k[0] * w) ** 2) * k[1]


def l_f64(w, s=np.float64(1.5)):
    return np.sum(np.tanh(s * w) ** 2)


def l_mixed(w, lam=2.0, target=np.array([0.5, -0.2])):  # a constant default before one that is data
    return np.sum((np.tanh(w) - target) ** 2) * lam


def l_kwonly(w, *, x=np.array([1.0, 2.0]), lam=0.1):
    return np.sum(np.tanh(x * w) ** 2) + lam * np.sum(w ** 2)


def l_args(w, *xs):
    return np.sum(np.tanh(xs[0] * w) ** 2) + np.sum(xs[1] * w)


def l_kwargs(w, x, **kw):
    return np.sum(np.tanh(x * w) ** 2) * kw.get("s", 1.0)


LOSSES = [l_array, l_module, l_list, l_dict, l_tuple, l_f64, l_mixed, l_kwonly]


def _jvp_meta(loss):
    def meta(w):
        v, t = s2s.jvp(loss)((w,), (np.ones(2),))  # a forward-mode directional derivative inside
        return v + t ** 2
    return meta


def _grad_meta(loss):
    def meta(w):  # one unrolled SGD step
        return loss(w - 0.1 * s2s.grad(loss)(w))
    return meta


def _vag_meta(loss):
    def meta(w):
        v, g = s2s.value_and_grad(loss)(w)
        return v + np.sum(g ** 2)
    return meta


def _vjp_meta(loss):
    def meta(w):
        v, pb = s2s.vjp(loss)(w)
        return v + np.sum(pb(1.0) ** 2)
    return meta


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("inner", [_jvp_meta, _grad_meta, _vag_meta, _vjp_meta],
                         ids=["jvp", "grad", "value_and_grad", "vjp"])
def test_inner_transform_of_a_function_whose_default_is_data(loss, inner):
    """F9: the inner jvp wrote "jvp(L)'s default argument 2" into the generated code (a SyntaxError); F8: the
    inner grad / value_and_grad / vjp claimed the defaulted argument was missing. The default is the object
    Python made when the function was defined, as a plain call reads it."""
    check_every_mode(inner(loss), W0, hessian=False)


def test_inner_jvp_of_a_function_with_a_data_default_names_it_in_the_code():
    meta = _jvp_meta(l_array)
    text = s2s.grad(meta).source
    assert "x_default * w" in text and "default argument" not in text
    assert s2s.hessian(meta)(W0) == pytest.approx(
        np.array([numeric_grad(lambda w: numeric_grad(meta, (w,), 0, 1e-5)[i], (W0,), 0, 1e-4)
                  for i in range(2)]), rel=1e-4, abs=1e-5)


def test_top_level_forward_over_reverse_of_a_module_array_default():
    """grad of a jvp (the second derivative of a function whose default is a module array) at top level."""
    def s(a, k=KER):
        return np.sum(np.sin(a * k))
    second = s2s.grad(lambda a: s2s.jvp(s)((a,), (1.0,))[1])(0.3)
    assert second == pytest.approx(-np.sum(KER ** 2 * np.sin(0.3 * KER)), rel=1e-12)


X3 = np.random.default_rng(0).normal(size=(3, 2))


def _kwonly_loss(x, w, *, lam=0.1):
    return np.sum(np.tanh(x @ w) ** 2) + lam * np.sum(w ** 2)


def jvp_kwonly(w):  # an inner jvp of a function with a keyword-only parameter (was: "takes 1 positional")
    _, t = s2s.jvp(_kwonly_loss, wrt="w")((X3, w), (np.ones(2),))
    return t ** 2


def jvp_kwonly_given(w):  # its keyword-only argument given by name
    _, t = s2s.jvp(_kwonly_loss, wrt="w")((X3, w), (np.ones(2),), lam=0.3)
    return t ** 2


def jvp_varargs(w):  # *args (was: "takes 0 positional argument(s)")
    _, t = s2s.jvp(l_args)((w, KER, np.array([0.5, -1.0])), (np.ones(2),))
    return t ** 2


def jvp_kwargs(w):  # **kwargs (was: "takes 1")
    v, t = s2s.jvp(l_kwargs)((w, KER), (np.ones(2),), s=1.5)
    return v + t ** 2


def jvp_kwonly_default(w):  # a keyword-only default that is data
    v, t = s2s.jvp(l_kwonly)((w,), (np.array([1.0, -1.0]),))
    return v * t


@pytest.mark.parametrize("meta", [jvp_kwonly, jvp_kwonly_given, jvp_varargs, jvp_kwargs, jvp_kwonly_default],
                         ids=lambda f: f.__name__)
def test_inner_jvp_keeps_the_signature(meta):
    check_every_mode(meta, W0, hessian=False)


def test_inner_jvp_without_a_required_primal_is_refused_truly():
    def meta(w):
        return s2s.jvp(_kwonly_loss, wrt="w")((w,), (np.ones(2),))[1]
    with pytest.raises(s2s.S2SError, match=r"1 primal\(s\) where the function takes 2 positional"):
        s2s.grad(meta)(W0)


def test_inner_grad_of_a_default_list_reads_the_same_object():
    """A default is made once, when the function is defined: each call reads that object (here, as it is when
    the derivative is taken)."""
    def meta(w):
        return l_list(w - 0.1 * s2s.grad(l_list)(w))
    before = list(l_list.__defaults__[0])
    assert_close(s2s.grad(meta)(W0), numeric_grad(meta, (W0,), 0), what="grad")
    assert l_list.__defaults__[0] == before


# ---- F6: an int hyper-parameter of a differentiated dict used as a shape, an axis, a count ----

XS = np.random.default_rng(1).normal(size=(3, 4))


def mha(p, x):
    t, d = x.shape
    q = (x @ p["W"]).reshape(t, p["n"], d // p["n"])
    return np.sum(np.tanh(q) ** 2)


def tiled(p, x):
    return np.sum(np.sin(np.tile(x @ p["W"], p["n"])) ** 2)


def repeated(p, x):
    return np.sum(np.sin(np.repeat(x @ p["W"], p["n"], axis=0)) ** 2)


def rolled(p, x):
    return np.sum(np.roll(x @ p["W"], p["n"]) * x)


def summed(p, x):  # an axis computed from the int: x.sum(axis=p["n"] - 2)
    return np.sum(np.tanh((x @ p["W"]).sum(axis=p["n"] - 2)) ** 2)


def expanded(p, x):
    return np.sum(np.tanh(np.expand_dims(x @ p["W"], p["n"])) ** 2)


def triangle(p, x):
    return np.sum(np.triu(x @ p["W"], p["n"] - 2) ** 2)


def spaced(p, x):
    return np.sum(np.linspace(0.0, p["W"][0, 0], p["n"] + 1) ** 2)


def broadcast(p, x):
    return np.sum(np.sin(np.broadcast_to(x @ p["W"], (p["n"], 3, 4))) ** 2)


def transposed(p, x):
    return np.sum((x @ p["W"]).transpose(p["n"] - 1, p["n"] - 2) @ x)


def split(p, x):
    return np.sum(np.tanh(np.split(x @ p["W"], p["n"], axis=1)[0]) ** 2)


@pytest.mark.parametrize("f", [mha, tiled, repeated, rolled, summed, expanded, triangle, spaced, broadcast,
                               transposed, split], ids=lambda f: f.__name__)
def test_an_int_leaf_used_as_a_shape_has_no_derivative(f):
    """F6: refused advising s2s.nondifferentiable(np.reshape), which zeroes every gradient through reshape. An
    int a NumPy function takes as a shape, an axis or a count has no derivative (JAX: a float0 tangent), as it
    has where it is a range() or a slice bound: the gradient's entry for it is 0.0, the others are exact."""
    w = np.random.default_rng(2).normal(size=(4, 4))
    p = {"W": w, "n": 2}
    kept = w.copy()
    numeric = numeric_grad(lambda v: f({"W": v, "n": 2}, XS), (w,), 0)
    value, g = s2s.value_and_grad(f)(p, XS)
    assert value == pytest.approx(f(p, XS), rel=1e-12)
    assert g["n"] == 0.0
    assert_close(g["W"], numeric, what=f"{f.__name__}: grad")
    v = np.random.default_rng(3).normal(size=(4, 4))
    primal, tangent = s2s.jvp(f)((p, XS), ({"W": v, "n": 0.0},))
    assert primal == pytest.approx(f(p, XS), rel=1e-12)
    assert_close(tangent, np.sum(numeric * v), what=f"{f.__name__}: jvp")
    _, pullback = s2s.vjp(f)(p, XS)
    assert_close(pullback(1.0)["W"], numeric, what=f"{f.__name__}: vjp")
    assert_close(s2s.jacobian(lambda v: f({"W": v, "n": 2}, XS), mode="forward")(w), numeric, what="forward jac")
    assert np.array_equal(w, kept) and p["n"] == 2


def test_an_int_leaf_as_a_shape_in_a_hessian():
    w = np.random.default_rng(4).normal(size=(4, 2))

    def f(p, x):
        return np.sum(np.tanh((x @ p["W"]).reshape(p["n"], -1)) ** 2)
    h = s2s.hessian(lambda v: f({"W": v, "n": 2}, XS))(w)
    expected = np.array([numeric_grad(lambda u: numeric_grad(lambda v: f({"W": v, "n": 2}, XS), (u,), 0, 1e-5)[i],
                                      (w,), 0, 1e-4) for i in np.ndindex(w.shape)]).reshape(h.shape)
    assert_close(h, expected, 1e-4, 1e-5, what="hessian")


def _norm_in_dict(p, x):
    return np.linalg.norm(x * p["s"], p["o"])


def _norm_outside(p, x, o):  # the rewrite the refusal advises: the setting as an argument of its own
    return np.linalg.norm(x * p["s"], o)


def test_a_float_setting_in_the_dict_is_refused_with_advice_that_keeps_the_other_derivatives():
    """np.linalg.norm's ord can be any float (and its derivative in it is not zero): refused; the advice is never
    s2s.nondifferentiable(np.linalg.norm), which would zero the derivative in x too. Its advice works."""
    x = np.array([1.0, -2.0, 0.5])
    p = {"s": 1.5, "o": 3.0}
    for transform in (lambda: s2s.grad(_norm_in_dict)(p, x),
                      lambda: s2s.jvp(_norm_in_dict)((p, x), ({"s": 1.0, "o": 0.0},))):
        with pytest.raises(s2s.NonDifferentiableError) as info:
            transform()
        message = str(info.value)
        assert "nondifferentiable(" not in message and "outside wrt" in message
    g = s2s.grad(_norm_outside)(p, x, 3.0)
    assert _norm_outside(p, x, 3.0) == _norm_in_dict(p, x)
    assert g["s"] == pytest.approx(numeric_grad(lambda s: _norm_outside({"s": s}, x, 3.0), (1.5,), 0), rel=1e-7)


# ---- F2: an in-place operator on a view of the function's own copy `y = x.copy()` ----

def _doubled(x):
    y = x.copy()
    a = y[:, :3]
    a *= 2.0  # NumPy: doubles y[:, :3]; the caller's x is untouched
    return np.sum(np.sin(y) ** 2)


def _doubled_advised(x):  # the refusal's first advice: write into y by its own name
    y = x.copy()
    a = y[:, :3]
    y[:, :3] = a * 2.0
    return np.sum(np.sin(y) ** 2)


def _halves(x):
    y = x.copy()
    a = y[:, :3]
    b = y[:, 3:]
    a += b  # half-split of a feature vector
    return np.sum(np.sin(y) ** 2)


def _halves_advised(x):
    y = x.copy()
    a = y[:, :3]
    b = y[:, 3:]
    y[:, :3] = a + b
    return np.sum(np.sin(y) ** 2)


def _row(x):
    y = x.copy()
    a = y[0]
    a *= 2.0
    return np.sum(np.sin(y) ** 2)


def _row_advised(x):
    y = x.copy()
    a = y[0]
    y[0] = a * 2.0
    return np.sum(np.sin(y) ** 2)


@pytest.mark.parametrize("f, advised, written", [(_doubled, _doubled_advised, "y[:, :3] = a * 2.0"),
                                                 (_halves, _halves_advised, "y[:, :3] = a + b"),
                                                 (_row, _row_advised, "y[0] = a * 2.0")], ids=["doubled", "halves", "row"])
def test_an_operator_on_a_view_of_the_functions_own_copy_names_the_copy(f, advised, written):
    """F2: `y = x.copy()` of an array is the function's own: a view of it is not the caller's x (the message said
    it was, and advised `a = a * 2.0`, which drops the change to y). It names y and advises the element write,
    which gives the original's values and derivatives."""
    x = np.linspace(-1.0, 1.0, 12).reshape(2, 6)
    kept = x.copy()
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(f)(x)
    message = str(info.value)
    assert "view of 'y'" in message and "caller passed in" not in message and written in message
    assert advised(x) == f(x) and np.array_equal(x, kept)
    check_every_mode(advised, x, hessian=False)
    assert_close(s2s.grad(advised)(x), numeric_grad(f, (x,), 0), what="the advice against the original")


def _dict_copy(p):
    q = p.copy()  # a dict's copy is shallow: q["w"] is the caller's array
    w = q["w"]
    w *= 2.0
    return np.sum(q["w"] ** 2)


def _list_copy(xs):
    q = xs.copy()
    a = q[0]
    a *= 2.0
    return np.sum(q[0] ** 2)


@pytest.mark.parametrize("f, arg", [(_dict_copy, {"w": np.array([1.0, 2.0])}), (_list_copy, [np.array([1.0, 2.0])])],
                         ids=["dict", "list"])
def test_an_operator_on_an_item_of_a_shallow_copy_is_still_the_callers(f, arg):
    with pytest.raises(s2s.S2SError, match="the caller passed in"):
        s2s.grad(f)(arg)
