"""Every program that once gave a wrong value or derivative (tests/regression_functions.py), checked
against the original function and central finite differences in both modes."""
import functools
import math

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian
from regression_functions import CASES

IDS = [f"{f.__name__}-{i}" for i, (f, _, _) in enumerate(CASES)]


def _wrt(wrt):
    return wrt if isinstance(wrt, tuple) else (wrt,)


@pytest.mark.parametrize("f, args, wrt", CASES, ids=IDS)
def test_reverse(f, args, wrt):
    value, grads = s2s.value_and_grad(f, wrt=wrt)(*args)
    assert_close(value, f(*args), rtol=1e-12, atol=1e-12, what="value")
    grads = grads if isinstance(wrt, tuple) else (grads,)
    for w, g in zip(_wrt(wrt), grads):
        assert_close(g, numeric_grad(f, args, w), what=f"d/d{f.__code__.co_varnames[w]}")


@pytest.mark.parametrize("f, args, wrt", CASES, ids=IDS)
def test_forward(f, args, wrt):
    for w in _wrt(wrt):
        tangent = 1.0 if np.ndim(args[w]) == 0 else np.ones_like(args[w])
        value, dvalue = s2s.jvp(f, wrt=w)(args, (tangent,))
        assert_close(value, f(*args), rtol=1e-12, atol=1e-12, what="value")
        assert_close(dvalue, np.sum(numeric_grad(f, args, w)), what=f"tangent along {w}")


def test_dict_entry_read_in_reversed_loop():
    from regression_functions import inplace_on_dict_entry_in_loop as f
    state = {"lr": 1.0204, "b": -0.678}
    value, (ba, bstate, by) = s2s.value_and_grad(f, wrt=(0, 1, 2))(-1.177, state, -0.8409)
    s = state["lr"] + state["b"]
    assert_close(value, -0.8409 * s ** 3, rtol=1e-12, what="value")
    assert ba == 0.0 and set(bstate) == {"lr", "b"}
    assert_close(bstate["lr"], 3 * s ** 2 * -0.8409, what="d/dstate['lr']")
    assert_close(bstate["b"], 3 * s ** 2 * -0.8409, what="d/dstate['b']")
    assert_close(by, s ** 3, what="d/dy")


def test_higher_order_through_a_runtime_helper_without_rule_is_refused_cleanly():
    """Differentiating generated code meets s2s's runtime helpers; one without a rule of its own (rt.prod_third, the
    third derivative of np.prod, met at fourth order) is refused by what it differentiates, never inlined (its
    source is s2s's, not the user's). (np.vstack's transposes, the example here before, have rules now: exact.)"""
    def f(t):
        v = np.array([t, t * t])
        return np.sum(np.vstack([v, v]) ** 3)
    assert_close(s2s.grad(s2s.grad(s2s.grad(f)))(0.7), 2 * (6 + 120 * 0.7 ** 3), rtol=1e-12)  # 2 (t^3 + t^6)

    def g(t):
        return np.prod(np.array([t, t * t, np.sin(t)]))
    with pytest.raises(s2s.NonDifferentiableError, match="fourth derivatives through np.prod are not supported"):
        s2s.grad(s2s.grad(s2s.grad(s2s.grad(g))))(0.7)


def test_a_number_written_into_a_slice_has_a_number_for_gradient():
    from regression_functions import number_written_into_a_slice as f
    g = s2s.grad(f)(1.0891)
    assert isinstance(g, float) and abs(g - (1.0 + 2 * 1.0891)) < 1e-12


def test_vjp_of_a_value_overwritten_in_a_loop_has_its_shape():
    """A loop that overwrites w with a constant leaves its adjoint 0.0: the pullback returns zeros of w's
    shape, not a bare 0.0 (fuzz seed 51866)."""
    def f(w):
        k = 0
        while k < 2 and np.sum(w) < 5.0:
            w = np.tanh(np.full(3, 0.5))
            k = k + 1
        return np.tanh(w)
    w = np.array([-0.7231, -0.0089, -1.2096])
    _, pullback = s2s.vjp(f)(w)
    g = pullback(np.array([-0.663, 0.537, -0.964]))
    assert isinstance(g, np.ndarray) and g.shape == (3,) and not g.any()


def test_dict_parameter_read_in_a_reversed_loop_before_a_later_use():
    """The adjoint of a dict read in a loop was copied with np.copy (a 0-d object array; fuzz seed 51271)."""
    def f(params):
        s = 0.0
        for v in reversed(params["b"]):
            s = s + v * params["w"]
        return s + np.dot(params["lr"], np.ones(3))
    params = {"lr": np.array([1.1386, 0.2499, 1.1194]), "b": np.array([1.0874, -1.0372, 1.4996]), "w": 0.1569}
    value, g = s2s.value_and_grad(f)(params)
    assert set(g) == {"lr", "b", "w"}
    assert_close(g["lr"], np.ones(3), what="lr")
    assert_close(g["b"], np.full(3, 0.1569), what="b")
    assert_close(g["w"], np.sum(params["b"]), what="w")


def test_hessian_through_a_loop_over_a_tuple_of_the_argument():
    """Vector-mode tangents of a helper met a bare 0.0 standing for all of them (IndexError in
    runtime_higher._each; fuzz seeds 101325, 102211)."""
    def f(x, w):
        for item in (x, x, x):
            x = item
        return np.sin(x)
    assert abs(s2s.hessian(f)(-0.3804, np.ones(2)) - (-np.sin(-0.3804))) < 1e-12


@pytest.mark.parametrize("k", [0, 1])
def test_hessian_through_a_branch_not_taken_after_a_dot(k):
    """Vector-mode helpers met a bare 0.0 for every tangent (IndexError in batch_matmul_adjoint_a; fuzz
    seeds 103886, 106762)."""
    def f(v, a):
        a += np.dot(v, v)
        if a > 100.0:
            a /= a
        for pos in range(k):
            a = np.cos(a)
        return a
    v = np.array([-1.2463, -1.4461, 0.036, -0.6828])
    h = s2s.hessian(f)(v, 1.1823)
    step = 1e-5
    expected = np.array([(s2s.grad(f)(v + step * e, 1.1823) - s2s.grad(f)(v - step * e, 1.1823)) / (2 * step)
                         for e in np.eye(4)])
    assert_close(h, expected, rtol=1e-5, atol=1e-5, what="hessian")


def test_value_overwritten_each_iteration_then_indexed():
    """The adjoint of a value overwritten in every iteration was a bare 0.0 from the second reversed
    iteration on, and rules that index or transpose it failed (fuzz seeds 300150, 301550): the earlier
    iteration now starts from zeros of the value's shape."""
    def f(p, v):
        for a, b in zip(v, p):
            v = b * np.eye(3)
            v[1:3] = 1.5 * a
        return np.sum(v * v)
    args = (np.array([-0.5722, 0.4211, -0.8646]), np.array([-0.0146, 0.315, 1.2406]))
    assert_close(s2s.grad(f, wrt=1)(*args), numeric_grad(f, args, 1), what="d/dv")


def test_hessian_of_a_value_recomputed_in_a_zip_loop():
    """Vector-mode forward over generated code with loop stacks broadcast a batch of popped scalars against
    an array the wrong way (wrong off-diagonal Hessian entries, fuzz seed 304154): such code is now
    differentiated one tangent at a time."""
    import math

    def f(q):
        for a, b in zip(q, q):
            val = math.tanh(np.sum(q ** 2))
        return val
    q = np.array([0.1556, -0.0962, -1.0856, 0.5826])
    step = 1e-5
    expected = np.array([(s2s.grad(f)(q + step * e) - s2s.grad(f)(q - step * e)) / (2 * step) for e in np.eye(4)])
    assert_close(s2s.grad(f)(q), numeric_grad(f, (q,), 0), what="gradient")
    assert_close(s2s.hessian(f)(q), expected, rtol=1e-5, atol=1e-5, what="hessian")



def test_matrix_overwritten_in_a_while_loop_with_break():
    def f(x, S):
        steps = 0
        while steps < 5:
            steps += 1
            if steps > 2:
                break
            S = np.outer(x, x).T
        return np.sum(S * S)
    x = np.array([0.3914, 1.1611, 1.4265, 0.2532])
    S = np.arange(16.0).reshape(4, 4) / 10.0
    assert_close(s2s.grad(f)(x, S), numeric_grad(f, (x, S), 0), what="d/dx")
    assert_close(s2s.grad(f, wrt=1)(x, S), numeric_grad(f, (x, S), 1), what="d/dS")


def test_vector_mode_zero_tangent_of_a_number_meets_an_array():
    """Vector mode gave a number a bare 0.0 for its zero tangents; `np.ones(4) * a` then took the array's
    axis for the batch axis (broadcast error in jacobian(mode="forward") and hessian; fuzz seeds 701429,
    600139). Zero tangents now carry the batch axis."""
    def f(x, a):
        x = a if False else 1.5
        a, x = (x, a)
        A = np.ones(4) * a
        return np.sum(A)
    jx, ja = s2s.jacobian(f, wrt=(0, 1), mode="forward")(0.5376, -0.0262)
    assert float(jx) == 0.0 and float(ja) == 0.0

    def g(a):
        A = np.ones(4) * a
        if False:
            a = A[1]
        return a * a
    assert abs(float(s2s.hessian(g)(-0.0543)) - 2.0) < 1e-12
    assert abs(float(s2s.jacobian(s2s.grad(g), mode="forward")(-0.0543)) - 2.0) < 1e-12


def test_grad_of_grad_where_the_first_adjoint_is_a_bare_zero_widened():
    """grad(grad(f)): the adjoint of rt.unbroadcast(g, x) broadcast its cotangent to g's shape, but g was a
    bare 0.0 that unbroadcast had widened to x's shape (ValueError; fuzz seeds 204503, 304202)."""
    def f(a, state):
        ws = np.ones(4) * a
        a, a, acc2 = state
        ws *= a
        if False:
            acc2 = np.dot(ws, ws)
        return acc2 + a0 * a0 * a0 if False else acc2 + np.sum(ws) * ws[0]
    a0 = 0.0
    state = (0.0163, -0.4266, -0.0275)
    # f = acc2 + 4 * (a * s1)**2: second derivative 8 * s1**2
    assert abs(s2s.grad(s2s.grad(f))(-0.4485, state) - 8 * state[1] ** 2) < 1e-12


def test_zero_adjoint_of_a_matrix_left_by_an_early_return():
    """The adjoint of `M` (shape (4, 1)) on the path that returned early was a bare 0.0, and unbroadcast of a
    0-d value to (4, 1) indexed past its shape (IndexError; fuzz seed 200886)."""
    def f(x, w):
        M = x.reshape(4, 1)
        if np.sum(w) > 0:
            return np.sum(x * x)
        return M
    x = np.array([-0.3341, 1.1907, -0.4949, -0.2592])
    value, g = s2s.value_and_grad(f)(x, np.ones(4))
    assert value == np.sum(x * x)
    assert_close(g, 2 * x, what="gradient")


def test_joining_lists_with_plus_is_differentiated_exactly():
    """`hs = hs + [h]` in a loop: the adjoint of the concatenation was unbroadcast element by element against the
    shorter list (zip), a silently wrong gradient; forward mode failed with an IndexError. It was refused, and
    is now a list the function grows (front/lists.py): exact in both modes."""
    def f(x):
        hs = []
        h = x
        for t in range(3):
            h = np.tanh(h * 1.5)
            hs = hs + [h]
        return np.sum(hs[0] * hs[2])
    x = np.array([0.3, -0.2])
    assert_close(s2s.grad(f)(x), numeric_grad(f, (x,), 0), what="grad")
    value, tangent = s2s.jvp(f)((x,), (np.ones(2),))
    assert_close(tangent, numeric_grad(f, (x,), 0) @ np.ones(2), what="jvp")

    def g(x):  # the same values written into a preallocated array: exact
        hs = np.zeros((3, 2))
        h = x
        for t in range(3):
            h = np.tanh(h * 1.5)
            hs[t] = h
        return np.sum(hs[0] * hs[2])
    assert_close(s2s.grad(g)(x), numeric_grad(g, (x,), 0), what="grad")


def test_assert_raise_and_print_are_kept_in_every_mode(capsys):
    """assert, raise and print(..., sep=...) guard and report in the generated code as in the function; the
    derivatives around them are exact, to second order."""
    def f(x, w):
        assert x > 0, "x must be positive"
        if w < 0:
            raise ValueError("w is negative", w)
        print("x", x, sep="=")
        return x * x * w
    assert s2s.grad(f)(2.0, 3.0) == 12.0 and s2s.jvp(f)((2.0, 3.0), (1.0,))[1] == 12.0
    assert s2s.grad(s2s.grad(f))(2.0, 3.0) == 6.0 and float(s2s.hessian(f)(2.0, 3.0)) == 6.0
    assert "x=2.0" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="x must be positive"):
        s2s.grad(f)(-1.0, 3.0)
    with pytest.raises(ValueError, match="w is negative"):
        s2s.jvp(f)((2.0, -1.0), (1.0,))
    source = s2s.grad(f).source
    assert "raise AssertionError('x must be positive')" in source and "raise ValueError('w is negative', w)" in source
    assert "import" not in source.split("def ")[0].replace("from s2s import runtime as rt", "")


def test_container_adjoint_of_a_loop_that_did_not_run_keeps_its_structure():
    """theta is read in a loop that runs 0 times and in a branch not taken: its adjoint stayed a bare 0.0
    through the copy the reversed loop makes, and the gradient was 0.0 instead of theta's structure (fuzz seed
    1702719)."""
    def f(q, theta, params):
        g = 0.75
        for idx in range(0):
            q = np.full((4, 4), params[-1])[2] * (theta[0] * q)
            g = np.tanh(params[2])
        else:
            if params[0] * theta[2] > 1.5:
                g = theta[0][-2]
        return g * np.sum(q)
    q = np.array([1.4214, 0.4232, 0.1134, 0.8875])
    theta = (np.array([-1.4971, 1.0858, -1.1356, -0.921]), -0.1028, -1.0224)
    params = (-0.5674, -0.3132, -1.0122)
    value, (gq, gtheta, gparams) = s2s.value_and_grad(f, wrt=(0, 1, 2))(q, theta, params)
    assert_close(gq, np.full(4, 0.75), what="d/dq")
    assert isinstance(gtheta, tuple) and len(gtheta) == 3 and np.shape(gtheta[0]) == (4,)
    assert np.all(gtheta[0] == 0.0) and gtheta[1] == 0.0 and gtheta[2] == 0.0 and gparams == (0.0, 0.0, 0.0)


def test_a_continue_in_an_inner_loops_else_clause_guards_what_follows():
    """Fuzz seed 33045 (reduced): `for ...: pass` / `else: if True: continue` left the statements after the
    inner loop outside the continue's guard, so the reverse sweep evaluated their adjoints (here x[-1.5], an
    IndexError) in iterations that had continued. A loop no break leaves now has its else clause lowered as
    the rest of the block."""
    def f(p, x, y):
        for k in range(-1, 0):
            for q in p:
                pass
            else:
                if True:
                    continue
            e = 1.5
            e += x[-1.5]
            y -= e
        return y
    p, x = np.array([0.4, 1.3, -1.0]), np.array([0.0, 0.7, -1.1])
    value, grads = s2s.value_and_grad(f, wrt=(0, 1, 2))(p, x, -1.46)
    assert value == f(p, x, -1.46)
    assert_close(grads[0], np.zeros(3), what="grad p")
    assert_close(grads[1], np.zeros(3), what="grad x")
    assert grads[2] == 1.0

    def g(xs, y):  # a guard that matters: the else clause skips the rest when the total is large
        for k in range(3):
            total = 0.0
            for v in xs:
                total = total + v * y
            else:
                if total > 2.0:
                    continue
            y = y * np.sum(xs[k:])
        return y
    xs = np.array([0.3, 0.5, 0.4])
    assert_close(s2s.grad(g, wrt=1)(xs, 1.2), numeric_grad(g, (xs, 1.2), 1), what="grad y")
    assert_close(s2s.grad(g)(xs, 1.2), numeric_grad(g, (xs, 1.2), 0), what="grad xs")


def test_a_loop_accumulating_into_a_tuple_argument_adjoint():
    """Fuzz seed 4269 (reduced): the adjoint of a tuple argument read in a loop and after it: rt.accumulator
    asked np.ndim of a tuple of ragged parts (a number and an array), a ValueError inside s2s."""
    def f(coeffs, gain=1.5):
        for pos in range(0, 1):
            cur = coeffs[0]
        return cur * coeffs[0]
    args = (-0.7721, np.array([0.7361, -0.4653, -0.0655, 0.4448]), 0.683)
    value, grad = s2s.value_and_grad(f)(args)
    assert value == f(args)
    assert isinstance(grad, tuple) and grad[0] == 2 * -0.7721
    assert_close(grad[1], np.zeros(4), what="grad of the array part")
    assert grad[2] == 0.0


def test_a_continue_in_the_else_clause_of_a_loop_with_break():
    """The same with a break in the inner loop: the else clause runs only when no break left it, and what
    follows the loop only when the clause did not continue (the adjoint read xs[7] in such iterations)."""
    def h(xs, y):
        for k in range(2):
            for v in xs:
                if v > 10:
                    break
            else:
                continue
            y = y * xs[7]
        return y

    def g(xs, y):
        for k in range(4):
            for v in xs:
                if v * y > 0.45:
                    break
            else:
                if k % 2 == 0:
                    continue
            y = y * np.sum(xs[k:]) + xs[k]
        return y
    xs = np.array([0.3, 0.5, 0.4, 0.2])
    assert s2s.value_and_grad(h, wrt=1)(xs, 1.2) == (1.2, 1.0)
    assert_close(s2s.grad(g, wrt=1)(xs, 1.2), numeric_grad(g, (xs, 1.2), 1), what="grad y")
    assert_close(s2s.grad(g)(xs, 1.2), numeric_grad(g, (xs, 1.2), 0), what="grad xs")
    assert_close(s2s.jvp(g, wrt=1)((xs, 1.2), (1.0,))[1], numeric_grad(g, (xs, 1.2), 1), what="jvp y")


def test_a_product_with_ones_in_the_adjoint_is_not_an_alias_of_a_written_array():
    """`y = x * 1.0; y[2] = 0.0; return np.sum(y * x)`: the adjoint of the product for x, `1.0 * y_1`, was
    simplified to `y_1` itself and read after the reverse sweep had put y's old element back, a silently
    wrong gradient ([2, 4, 3] instead of [2, 4, 0]); the simplifier now keeps such a product a new array
    in both sweeps. The same through a tuple holding y."""
    def f(x):
        y = x * 1.0
        y[2] = 0.0
        return np.sum(y * x)

    def g(x):
        y = x * 1.0
        parts = (y, x)
        y[2] = 0.0
        return np.sum(parts[0] * parts[1])
    x = np.array([1.0, 2.0, 3.0])
    for fn in (f, g):
        assert_close(s2s.grad(fn)(x), np.array([2.0, 4.0, 0.0]), what=fn.__name__)
        assert_close(s2s.grad(fn)(x), numeric_grad(fn, (x,), 0), what=fn.__name__)


def test_the_hessian_of_a_list_grown_then_read_in_a_loop():
    """The Hessian of `parts.append(x * (i + 1.0))` then a loop over `parts` was 18, not 10: forward mode over
    the gradient turned the list adjoint into an array (rt.setitem_adjoint), which rt.appended_adjoint took for
    a bare number, so one part was counted twice. List adjoints stay lists; an array one is read by rows."""
    def f(x):
        parts = []
        for i in range(2):
            parts.append(x * (i + 1.0))
        total = 0.0
        for s in parts:
            total = total + s ** 2
        return total
    assert s2s.hessian(f)(1.0) == 10.0
    assert s2s.grad(s2s.grad(f))(1.0) == 10.0
    x = np.array([0.5, -1.5])

    def g(x):
        hs = []
        for i in range(3):
            hs.append(np.sin(x * (i + 1.0)))
        total = 0.0
        for h in hs:
            total = total + np.sum(h * h)
        return total
    eps = 1e-4
    expected = np.array([(numeric_grad(g, (x + e,), 0) - numeric_grad(g, (x - e,), 0)) / (2 * eps)
                         for e in np.eye(2) * eps])
    assert_close(s2s.hessian(g)(x), expected, rtol=1e-4, atol=1e-5, what="hessian")


def test_a_comprehension_in_a_nested_function_called_twice():
    """Fuzz seed 50018 (level 5): the comprehension's loop variables were renamed in the user's own tree, so
    the second call of the nested function that held it read `w_1`, a name the first call had made
    ("name 'w_1' is not defined"). Renaming works on a copy."""
    def f(x):
        xs = [x, 2.0 * x]

        def phi(u):
            return sum([w * u for e in xs for w in xs])
        return phi(1.5) + phi(x)
    # f(x) = 9 x + 6 x ** 2
    value, g = s2s.value_and_grad(f)(1.5)
    assert_close(value, f(1.5), rtol=1e-12, what="value")
    assert_close(g, 9.0 + 12.0 * 1.5, what="gradient")
    assert_close(s2s.jvp(f)((1.5,), (1.0,))[1], numeric_grad(f, (1.5,), 0), what="tangent")


def test_a_starred_slice_of_a_tuple_written_here_fills_parameters_with_defaults():
    """Fuzz seed 50001 (level 5): `combine3(*tup[:2])` of a helper `combine3(a, b, c=0.5)` raised
    "combine3() takes 3 more positional argument(s) from *tuple, but 2 were given": the slice's length was
    left to run time, where the defaults are not counted. A constant slice of a tuple or list written in the
    function has values known while compiling."""
    def combine3(a, b, c=0.5):
        return a * b + np.sin(c) * a - b * c

    def f(x):
        tup = (x, x * 2.0, 3.0)
        xs = [x, x * x]
        return combine3(*tup[:2]) + combine3(*xs[::-1]) + combine3(*tup[1:])
    x = 0.7
    value, g = s2s.value_and_grad(f)(x)
    assert_close(value, f(x), rtol=1e-12, what="value")
    assert_close(g, numeric_grad(f, (x,), 0), what="gradient")
    assert_close(s2s.jvp(f)((x,), (1.0,))[1], numeric_grad(f, (x,), 0), what="tangent")


def test_second_derivatives_of_a_list_grown_in_a_loop_then_after_it():
    """Fuzz seed 50075 (level 5): `trace.append(x * k)` in a loop, then `trace.append(x)` after it: grad worked,
    but hessian and grad(grad) raised "s2s does not differentiate joining lists" (the gradient's code writes
    `trace_1 = trace_1 + [x * k]`, a new list each iteration, and the loop's phi of those lists was no longer
    taken for a list, so `trace_1 + [x]` after it was differentiated as an addition). A phi of lists the
    function made is a list it made; `xs = xs + [v]` in a loop then `xs.append(w)` is no longer refused."""
    def f(x):
        trace = []
        for k in range(2):
            trace.append(x * k)
        trace.append(x)
        return sum(trace) ** 2   # (x + x) ** 2

    assert_close(s2s.hessian(f)(0.1016), 8.0, what="hessian")
    assert_close(s2s.grad(s2s.grad(f))(0.1016), 8.0, what="grad of grad")

    def g(x):
        xs = []
        for k in range(3):
            xs = xs + [x * k]
        xs.append(x * x)
        return sum(xs)           # 3 x + x ** 2

    assert_close(s2s.grad(g)(0.5), 4.0, what="gradient")
    assert_close(s2s.hessian(g)(0.5), 2.0, what="hessian")

    def shared(x):
        xs = []
        ys = xs
        for k in range(2):
            xs = xs + [x * k]
        xs.append(x)             # xs may still be ys: refused
        return sum(xs) + sum(ys)
    with pytest.raises(s2s.UnsupportedSyntaxError, match="another name"):
        s2s.grad(shared)(0.5)


def test_appending_to_the_list_a_comprehension_made():
    """Fuzz seed 50289 (level 5): `seq = [x for ii in range(2)]` then `seq.append(v)` was refused as an
    append to "a list that another name also holds": the comprehension's own (hidden) name for its list
    owned it. The name the list is bound to owns it; a second name for it is still refused."""
    def f(x):
        seq = [x * ii for ii in range(3)]
        seq.append(x * x)
        return sum(seq)          # 3 x + x ** 2

    value, g = s2s.value_and_grad(f)(0.5)
    assert_close(value, f(0.5), rtol=1e-12, what="value")
    assert_close(g, 4.0, what="gradient")
    assert_close(s2s.jvp(f)((0.5,), (1.0,))[1], 4.0, what="tangent")
    assert_close(s2s.hessian(f)(0.5), 2.0, what="hessian")

    def shared(x):
        seq = [x * ii for ii in range(3)]
        other = seq
        seq.append(x * x)        # other sees it too: refused
        return sum(seq) + sum(other)
    with pytest.raises(s2s.UnsupportedSyntaxError, match="another name"):
        s2s.grad(shared)(0.5)


def test_a_name_first_assigned_in_a_loop_then_updated_in_place():
    """Fuzz seed 50800 (reduced): `for k in range(2): gain = 2.0` then `gain += 1.0` was refused ('not defined'):
    the in-place operator after the loop reads gain, which the loop's header now carries out of the loop."""
    def f(x, n):
        for k in range(n):
            gain = 2.0 * x
        gain += 1.0
        return gain * x
    assert s2s.value_and_grad(f)(1.5, 2) == (6.0, 7.0)
    assert s2s.jvp(f)((1.5, 2), (1.0,))[1] == 7.0
    with pytest.raises(UnboundLocalError):
        s2s.grad(f)(1.5, 0)


def _bounded_potential(a):
    t = 0
    while t < 2:
        t += 1
        a = a / (1.0 + a * a)
    return a * a


_dpotential = s2s.grad(_bounded_potential)


def test_gradient_with_loop_stacks_called_inside_a_function_of_containers():
    """Fuzz seed 92019 (level 5, reduced): a function of a list and a dict that calls the gradient of a function
    with a loop (generated code with loop stacks, so the outer gradient is made by forward mode over it) raised
    TypeError ('only 0-dimensional arrays can be converted'): rt.forward_gradient took each argument for one
    array. It now sweeps the leaves of a container one by one and returns the container's structure."""
    def f(theta, pair, c):
        q = np.sum(theta[0] * pair["bias"]) + theta[1] * c
        return _dpotential(q) + q * q

    theta, pair, c = [np.array([0.3, -0.2]), 0.7], {"bias": np.array([1.5, 0.2])}, 1.3
    value, (g_theta, g_pair, g_c) = s2s.value_and_grad(f, wrt=(0, 1, 2))(theta, pair, c)
    assert_close(value, f(theta, pair, c), rtol=1e-12, what="value")
    assert_close(g_theta[0], numeric_grad(lambda v: f([v, theta[1]], pair, c), (theta[0],), 0), what="d/dtheta[0]")
    assert_close(g_theta[1], numeric_grad(lambda v: f([theta[0], v], pair, c), (theta[1],), 0), what="d/dtheta[1]")
    assert_close(g_pair["bias"], numeric_grad(lambda v: f(theta, {"bias": v}, c), (pair["bias"],), 0), what="d/dbias")
    assert_close(g_c, numeric_grad(f, (theta, pair, c), 2), what="d/dc")
    assert isinstance(g_theta, list) and isinstance(g_pair, dict)


def test_gradient_of_a_zero_dimensional_array_written_by_element():
    """`a = np.zeros(()); a[()] = np.sin(x); return a` (a 0-d array, a scalar result): the rule of an element
    write read its adjoint at the index, `g[()]`, and the seed 1.0 is a number: TypeError while transforming.
    A number adjoint stands for an array of it, whose every part is that number."""
    def f(x):
        a = np.zeros(())
        a[()] = np.sin(x) * x
        return a
    assert_close(s2s.grad(f)(0.3), numeric_grad(f, (0.3,), 0), what="gradient")


def test_zero_dimensional_array_written_in_a_loop_and_returned():
    """`a = np.array(0.0); for i in ...: a[()] = a + x * i; return a`: grad seeded a's adjoint with the number
    1.0 and read it as `ba[()]` (TypeError), and vjp's adjoint, a 0-d array, became a NumPy scalar when added
    to, then written in place at `()` (TypeError). The seed of an array written by element is a 0-d array;
    a write of the whole array (`[()]`, `[...]`) zeroes its adjoint with rt.zero_at, which copies a number."""
    def f(x):
        a = np.array(0.0)
        for i in range(3):
            a[()] = a * x + np.sin(x * i)
        return a
    reference = numeric_grad(f, (0.7,), 0)
    assert_close(s2s.grad(f)(0.7), reference, what="gradient")
    value, pullback = s2s.vjp(f)(0.7)
    assert_close(pullback(1.0), reference, what="vjp, a number cotangent")
    assert_close(pullback(np.array(2.0)), 2.0 * reference, what="vjp, a 0-d cotangent")
    assert_close(s2s.jvp(f)((0.7,), (1.0,))[1], reference, what="jvp")
    # f(x) = x sin x + sin 2x
    assert_close(s2s.hessian(f)(0.7), 2 * np.cos(0.7) - 0.7 * np.sin(0.7) - 4 * np.sin(1.4), what="hessian")


def test_loop_over_an_array_that_an_operator_after_an_if_changes_in_place():
    """Fuzz seed 6299 (level 3), reduced: `for xi2 in feat:` reads feat's items as the loop goes, and
    `feat += 1.0` after an if whose other branch also writes feat changes that array in place. The alias
    pass followed the operator's base back through loop phis only, not the if's join, so it did not guard
    `feat += 1.0` and the items were read from the array as it was before the loop: value -0.0 for Python's
    -3.0, silently. Now the operator is guarded, and raises at the user's line, naming what to write."""
    def f(c, b):
        feat = np.zeros(4)
        for xi2 in feat:
            if True:
                m = -xi2
            else:
                feat += c
            feat += 1.0
        return m

    assert f(0.0137, 1.503) == -3.0
    with pytest.raises(s2s.S2SError, match=r"'feat \+= 1\.0' would change an array in place.*feat = feat \+ 1\.0"):
        s2s.value_and_grad(f, wrt=(0, 1))(0.0137, 1.503)

    def g(c, b):  # what the message says to write: the loop iterates over the array it started with
        feat = np.zeros(4)
        for xi2 in feat:
            if True:
                m = -xi2 * c
            else:
                feat = feat + c
            feat = feat + 1.0
        return m + b * np.sum(feat)

    value, grads = s2s.value_and_grad(g, wrt=(0, 1))(0.0137, 1.503)
    assert_close(value, g(0.0137, 1.503), what="value")
    assert_close(grads[0], numeric_grad(g, (0.0137, 1.503), 0), what="d/dc")
    assert_close(grads[1], numeric_grad(g, (0.0137, 1.503), 1), what="d/db")


def test_writing_into_an_array_a_view_of_itself_is_refused():
    """Fuzz seed 215197, reduced: `M[:, 2] = M[1]` writes row 1 into column 2, and NumPy copies element by
    element, so M[2, 2] gets the new M[1, 2] (the old M[1, 1]); the adjoint took the write as of the old row:
    d/dq[1] -16.1 where finite differences give -28.2. Refused, pointing at the line and saying to copy;
    the copy's gradient is exact."""
    def f(q):
        M = np.outer(q, q) + 0.5
        M[:, 2] = M[1]
        return np.sum(M * M)

    def g(q):
        M = np.outer(q, q) + 0.5
        M[:, 2] = M[1].copy()
        return np.sum(M * M)

    q = np.array([0.3, -1.2, 0.7])
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"a view of 'M' itself.*M\[:, 2\] = M\[1\]\.copy\(\)"):
        s2s.grad(f)(q)
    assert_close(s2s.grad(g)(q), numeric_grad(g, (q,), 0), what="gradient of the copy")
    assert_close(s2s.jvp(g)((q,), (np.array([1.0, -0.5, 2.0]),))[1],
                 numeric_grad(g, (q,), 0) @ np.array([1.0, -0.5, 2.0]), what="jvp of the copy")


def test_grad_of_an_array_result_written_in_a_loop_raises_only_the_value_error():
    """grad of a function returning an array it fills in a loop: the adjoint sweep read the seed 1.0 at an index,
    `(1.0)[i_1]`, which Python compiles with a SyntaxWarning ('float' object is not subscriptable) shown before
    the ValueError that says to use vjp. A number adjoint's part is that number."""
    import warnings

    def f(x):
        a = np.zeros(3)
        for i in range(3):
            a[i] = -np.sin(x[i])
        return a
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="vjp"):
            s2s.grad(f)(np.ones(3))


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("wrt", [0, 1])
def test_jacobian_and_hessian_of_arguments_passed_by_keyword(mode, wrt):
    """f(x, a=v): jacobian in forward mode raised TypeError ('missing a required argument') and jacobian and
    hessian with respect to the argument given by keyword raised IndexError; grad took it already."""
    def f(x, a):
        return np.sin(x) * a * a

    x, a = np.array([0.1, 0.2]), np.array([2.0, 3.0])
    J = s2s.jacobian(f, wrt=wrt, mode=mode)(x, a=a)
    expected = np.diag(np.cos(x) * a * a) if wrt == 0 else np.diag(2.0 * np.sin(x) * a)
    assert_close(J, expected, what="jacobian")

    def g(x, a):
        return np.sum(f(x, a))
    H = s2s.hessian(g, wrt=wrt)(x, a=a)
    assert_close(H, np.diag(-np.sin(x) * a * a) if wrt == 0 else np.diag(2.0 * np.sin(x)), what="hessian")


def _finite_or_replaced(x):
    z = np.log(np.abs(x)) * np.sign(x) + np.where(x < 0, np.nan, 0.0)  # NaN where x < 0
    y = np.nan_to_num(z, nan=x[0] * 3.0, neginf=-1.0)
    return np.sum(y * x)


def _replaced_by_constants(x):
    return np.sum(np.nan_to_num(np.log(x), nan=0.5, posinf=2.0) * x)


def _nan_to_num_in_place(x):
    z = np.log(x)
    y = np.nan_to_num(z, copy=False)
    return np.sum(y * z)


def _nan_to_num_in_place_positional(x):
    z = np.log(x)
    y = np.nan_to_num(z, False)
    return np.sum(y * z)


def test_nan_to_num_with_keywords():
    """np.nan_to_num's keywords (nan=, posinf=, neginf=) raised a TypeError inside its rule. The derivative in x
    is 1 where x is finite; in a replacement value passed by keyword, 1 where it replaced, in both modes (forward
    mode refused a keyword with a tangent; it takes the part of the rule's parameter of that name)."""
    x = np.array([0.5, 1.5, -2.0, 0.7])
    with np.errstate(all="ignore"):
        assert_close(s2s.grad(_finite_or_replaced)(x), numeric_grad(_finite_or_replaced, (x,), 0), what="nan=")
        xs = np.array([0.5, 1.5, -2.0])
        assert_close(s2s.grad(_replaced_by_constants)(xs), numeric_grad(_replaced_by_constants, (xs,), 0),
                     what="constant replacements")
        value, tangent = s2s.jvp(_replaced_by_constants)((xs,), (np.ones(3),))
        assert_close(tangent, numeric_grad(_replaced_by_constants, (xs,), 0).sum(), what="forward mode")
        _, tangent = s2s.jvp(_finite_or_replaced)((x,), (np.ones(4),))
        assert_close(tangent, numeric_grad(_finite_or_replaced, (x,), 0).sum(), what="forward mode, nan=")


@pytest.mark.parametrize("f", [_nan_to_num_in_place, _nan_to_num_in_place_positional])
def test_nan_to_num_writing_into_its_argument_is_refused(f):
    """np.nan_to_num(z, copy=False) writes into z, which the adjoint reads again (its NaNs): with the keywords
    accepted this was a silent wrong derivative. Refused at the line, saying to leave out copy=False."""
    with pytest.raises(s2s.UnsupportedSyntaxError, match="copy=False"):
        s2s.grad(f)(np.array([0.5, 2.0]))


def _written_into_integers(x):
    cum = np.zeros(3, dtype=int)
    cum[1] = x[0] * 2.5  # truncated to an int: no derivative flows
    return np.sum(cum * x)


def _written_into_a_copy_of_integers(x, b):
    cum = b.copy()
    for i, v in enumerate(cum):
        cum[i] = v * 0.5 + np.tanh(np.linalg.norm(x))
    return np.sum(np.linspace(-1.0, 1.0, 4) * cum)


def _counts_beside_floats(x):
    c = np.zeros(3, dtype=int)
    c[1] = 2  # no derivative written: the integer array is fine
    y = np.zeros(3)
    y[0] = x[0] * 2.0
    return np.sum(c * x) + np.sum(y)


@pytest.mark.parametrize("f, args", [(_written_into_integers, (np.array([0.3, 1.2, -0.4]),)),
                                     (_written_into_a_copy_of_integers, (np.array([-1.3, -1.4, 1.4, -0.9]),
                                                                         np.array([8, 8, 8, 8])))])
def test_a_value_written_into_an_integer_array(f, args):
    """NumPy truncates a value written into an array of integers, so no derivative flows through the write
    (fuzz seed 340209: s2s passed it through, a silent wrong derivative). Forward mode gives the exact zero;
    reverse mode refuses, naming the array and its line, and saying to make it an array of floats."""
    x = args[0]
    jac = s2s.jacobian(f, mode="forward")(*args)
    assert_close(jac, numeric_grad(f, args, 0), what="forward mode through an integer array")
    with pytest.raises(s2s.S2SError, match="an array of int64: NumPy truncates them") as info:
        s2s.grad(f)(*args)
    assert "astype(float)" in str(info.value) and f"test_regressions.py:{f.__code__.co_firstlineno + 1}" in \
        str(info.value)
    assert_close(s2s.grad(_counts_beside_floats)(x[:3]), numeric_grad(_counts_beside_floats, (x[:3],), 0),
                 what="integers written without a derivative")


# Several lambdas on one line taking the same parameters: s2s read the first for every one of them, a silent wrong
# derivative (found by hand, 2026-12-05).
SCALED = (lambda x: x * 2.0, lambda x: x * 3.0)
POWERS = [lambda x: x ** 2, lambda x: x ** 3]
TRIG = {"sin": lambda x: np.sin(x), "cos": lambda x: np.cos(x)}
SAME = (lambda x: x * x, lambda x: x * x)
LOSSES = {
    "square": (lambda x: np.sum(x * x), 1.0),
    "cube": (lambda x: np.sum(x ** 3), 2.0),  # (a line that does not parse on its own)
}


def closures(a):
    return lambda x: a * x * x, lambda x: a * np.sin(x)


def test_each_lambda_of_a_line_is_the_one_differentiated():
    assert s2s.grad(SCALED[0])(1.0) == 2.0 and s2s.grad(SCALED[1])(1.0) == 3.0
    assert s2s.grad(POWERS[0])(2.0) == pytest.approx(4.0) and s2s.grad(POWERS[1])(2.0) == pytest.approx(12.0)
    assert s2s.grad(TRIG["sin"])(0.5) == pytest.approx(np.cos(0.5))
    assert s2s.grad(TRIG["cos"])(0.5) == pytest.approx(-np.sin(0.5))
    assert s2s.grad(SAME[1])(3.0) == pytest.approx(6.0)
    square, cube = closures(1.5)
    assert s2s.grad(square)(2.0) == pytest.approx(1.5 * 2.0 * 2.0)
    assert s2s.grad(cube)(2.0) == pytest.approx(1.5 * np.cos(2.0))
    x = np.array([0.5, -1.0])
    assert_close(s2s.grad(LOSSES["square"][0])(x), 2.0 * x, what="d square")
    assert_close(s2s.grad(LOSSES["cube"][0])(x), 3.0 * x ** 2, what="d cube")


SIGNS = (lambda x, y: x + y * y, lambda x, y: x - y * y)


def test_lambdas_of_a_line_told_apart_only_by_their_operators():
    """Python 3.11+ knows where each instruction comes from; on 3.10 the two read the same names and constants,
    and s2s refuses rather than guess."""
    import sys
    if sys.version_info >= (3, 11):
        assert s2s.grad(SIGNS[1], wrt=1)(1.0, 2.0) == pytest.approx(-4.0)
        assert s2s.grad(SIGNS[0], wrt=1)(1.0, 2.0) == pytest.approx(4.0)
    else:
        with pytest.raises(s2s.SourceUnavailableError, match="several lambdas taking the same parameters"):
            s2s.grad(SIGNS[1], wrt=1)(1.0, 2.0)


def scaled_by_ten(fn):
    @functools.wraps(fn)
    def wrapper(x):
        return 10.0 * fn(x)
    return wrapper


def passed_through(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


@scaled_by_ten
def cube_scaled(x):
    return x ** 3


@passed_through
def cube_passed(x):
    return x ** 3


def first_cubed(t):
    return tuple(t)[0] ** 3 + t[1]


def test_a_decorated_function_is_differentiated_as_the_wrapper_python_calls():
    """functools.wraps points __wrapped__ at the original; the function called is the wrapper, whose source s2s
    could not find (it looked in the original's lines)."""
    assert s2s.grad(cube_scaled)(2.0) == pytest.approx(10.0 * 3.0 * 4.0)
    assert s2s.grad(cube_passed)(2.0) == pytest.approx(12.0)  # wrt=0 is x, the parameter cube_passed shows
    assert s2s.grad(first_cubed)((2.0, 5.0)) == (pytest.approx(12.0), pytest.approx(1.0))  # a tuple's: a tuple
    assert isinstance(s2s.grad(first_cubed)((2.0, 5.0)), tuple) and isinstance(s2s.grad(first_cubed)([2.0, 5.0]), list)


def std_of_equal_entries(pair):
    """Fuzz seed 600538 (level 6), reduced: np.std of entries that are all equal."""
    return np.arcsin(0.5 * np.tanh(pair[1])) + np.sin(np.std(np.full(3, pair[-1])))


def std_of_equal_entries_along_axes(a):
    """Fuzz seed 600233 (level 6): np.std(np.full(3, c), axis=0, keepdims=True), and more axes."""
    m = np.full((3, 4), a)
    return np.sum(np.std(m, axis=0)) + np.sum(np.std(m, axis=1, keepdims=True)) + np.std(m[0], ddof=1) + a


def p_norm_of_zeros(a):
    return np.linalg.norm(np.zeros(3) * a, 3) + np.sum(np.linalg.norm(np.zeros((2, 3)) * a, ord=4, axis=1)) + a


def cumprod_through_a_mask(v):
    return np.sum(np.sin(np.cumprod(v * (v > 0.0))))


def cumprod_of_rows_with_zeros(m):
    return np.sum(np.cumprod(np.maximum(m, 0.0), axis=1) * np.arange(1.0, 4.0)) + np.sum(np.cumprod(m * (m > 0.0)))


@pytest.mark.parametrize("f, args", [
    (std_of_equal_entries, [(-0.3676, 0.7)]),      # 0.7: the mean's rounding leaves x - mean 1e-16, not 0
    (std_of_equal_entries, [(-0.3676, 0.5)]),      # 0.5: the mean is exact, the std 0 (was 0 / 0: nan)
    (std_of_equal_entries_along_axes, [0.7]),
    (std_of_equal_entries_along_axes, [0.5]),
    (p_norm_of_zeros, [0.7]),                      # |x| ** 2 / ||x||_3 ** 2 at x = 0 was 0 / 0: nan
    (cumprod_through_a_mask, [np.array([0.5, -0.3, 0.8, 1.1])]),
    (cumprod_through_a_mask, [np.array([-0.5, 0.3, -0.8, 1.1, -0.2])]),
    (cumprod_of_rows_with_zeros, [np.array([[0.5, -0.3, 0.8], [1.1, 0.4, -0.2], [-0.3, 0.6, 0.9]])]),
])
def test_std_norms_and_cumprod_at_zeros(f, args):
    """np.std where all entries are equal and a p-norm of zeros (kinks: s2s takes the derivative 0 there,
    docs/limitations.md, as for the 2-norm; these programs are constant along them, so finite differences
    give 0): s2s gave nan (0 / 0), or an O(1) gradient along the ones that the mean's rounding left in
    x - mean (np.std(np.full(3, 0.7)) is 1e-16). np.cumprod of entries with a zero (after a mask or
    np.maximum): its derivative divided by the entries, nan in every mode (found writing level 6)."""
    x = args[0]
    call = (lambda t: f(tuple(t))) if isinstance(x, tuple) else f
    ref = numeric_grad(call, [np.asarray(x, dtype=float)], 0)
    value, grad = s2s.value_and_grad(f)(*args)
    assert value == pytest.approx(f(*args), abs=1e-12)
    assert_close(np.asarray(grad, dtype=float), ref, what="reverse")
    tangent = tuple(np.ones(len(x))) if isinstance(x, tuple) else np.ones_like(x)
    _, dvalue = s2s.jvp(f)(tuple(args), (tangent,))
    assert_close(dvalue, np.sum(ref), what="forward")
    if not isinstance(x, tuple):
        assert_close(s2s.jacobian(f, mode="forward")(*args), ref, what="vector forward")


def array_of_a_tuple_parameter(pair):
    return np.sum(np.array(pair) ** 2 * np.array([0.7, 1.0]))


def test_the_gradient_of_a_tuple_made_an_array_is_a_tuple():
    """np.array(pair) of a tuple parameter: its gradient came back a list (found reducing fuzz seed 600538);
    a gradient has its argument's structure (spec/API.md). f = 0.7 p0 ** 2 + p1 ** 2."""
    pair = (0.4, -0.3)
    grad = s2s.grad(array_of_a_tuple_parameter)(pair)
    assert isinstance(grad, tuple) and not isinstance(grad, list)
    assert_close(np.array(grad, dtype=float), [1.4 * 0.4, 2 * -0.3], what="d/dpair")
    _, pullback = s2s.vjp(array_of_a_tuple_parameter)(pair)
    assert isinstance(pullback(1.0), tuple) and not isinstance(pullback(1.0), list)
    hess = s2s.hessian(array_of_a_tuple_parameter)(pair)
    assert isinstance(hess, tuple) and all(isinstance(row, tuple) for row in hess)
    assert_close(np.array(hess, dtype=float), [[1.4, 0.0], [0.0, 2.0]], what="Hessian")


def weighted_cumprod(v):
    return np.sum(np.cumprod(v) * np.arange(1.0, v.size + 1.0))


def weighted_cumprod_of_columns(m):
    return np.sum(np.cumprod(m, axis=0) * np.arange(1.0, m.shape[0] + 1.0)[:, None])


def _cumprod_hessian(x, w):
    """The Hessian of sum(w * cumprod(x)) of a vector, written out: sum over k >= max(i, m) of w[k] times the
    product of x[j], j <= k, j not i or m (0 on the diagonal)."""
    n = len(x)
    return np.array([[0.0 if i == m else sum(w[k] * np.prod([x[j] for j in range(k + 1) if j not in (i, m)])
                                             for k in range(max(i, m), n)) for m in range(n)] for i in range(n)])


@pytest.mark.parametrize("v", [np.array([0.5, 0.0, 0.8, -1.1]), np.array([0.0, 0.7, -0.4, 1.2]),
                               np.array([0.6, -0.9, 0.0, 0.0, 1.3]), np.array([1.2, 0.4, -0.7, 0.0])])
def test_second_derivatives_of_cumprod_where_entries_are_zero(v):
    """np.cumprod's second derivatives divided by the entries (nan at a zero, every mode); with the first
    derivatives fixed, the Hessian of a weighted cumulative product against the one written out."""
    w = np.arange(1.0, v.size + 1.0)
    expected = _cumprod_hessian(v, w)
    assert_close(s2s.hessian(weighted_cumprod)(v), expected, what="hessian")
    assert_close(s2s.jacobian(s2s.grad(weighted_cumprod))(v), expected, what="reverse over reverse")
    assert_close(s2s.jacobian(s2s.grad(weighted_cumprod), mode="forward")(v), expected, what="forward over reverse")
    m = np.stack([v, v[::-1]], axis=1)
    got = s2s.hessian(weighted_cumprod_of_columns)(m)
    for c in range(2):
        assert_close(got[:, c, :, c], _cumprod_hessian(m[:, c], w), what=f"column {c}")
        assert_close(got[:, c, :, 1 - c], np.zeros((v.size, v.size)), what=f"column {c} by the other")


def eigenvalue_sum(a):
    return np.sum(np.linalg.eigvalsh(a * np.eye(3)))


slope_of_eigenvalue_sum = s2s.grad(eigenvalue_sum)


def through_the_slope_of_an_eigenvalue_sum(coeffs):
    """Fuzz seed 600422 (level 6), reduced: the gradient of a sum of eigenvalues, inside the function."""
    return slope_of_eigenvalue_sum(coeffs[-1])


def trace_by_eigenvalues(m):
    return np.sum(np.linalg.eigvalsh(m + m.T))


def squares_of_eigenvalues(m):
    return np.sum(np.linalg.eigvalsh(m) ** 2)


def squares_of_singular_values(m):
    return np.sum(np.linalg.svd(m, compute_uv=False) ** 2)


def nuclear_norm_of_an_outer_product(q):
    return np.sum(np.linalg.svd(np.outer(q, q), compute_uv=False))


@pytest.mark.parametrize("point", [np.zeros((3, 3)), np.diag([1.0, 1.0, 2.0]), 0.5 * np.eye(3)])
def test_second_derivatives_at_a_repeated_eigenvalue_are_refused(point):
    """A second derivative at a repeated eigenvalue or singular value is the Daleckii-Krein divided difference of
    the function's slope, whose limit is the function's own curvature in them, which the rule cannot see: 0 (taken
    since the fuzz seed 600422 gave nan) was exact for a sum (2 trace(m)) but silently wrong for a sum of squares
    (the Hessian of ||m||_F^2 at diag(1, 1, 2) had 0 for 4), and np.linalg.svd gave nan (fuzz seed 1010555). Both
    are refused now, at the user's line; first derivatives there stay exact, and away from ties the second ones
    match finite differences."""
    for f in (trace_by_eigenvalues, squares_of_eigenvalues, squares_of_singular_values):
        with pytest.raises(s2s.S2SError, match=r"a second derivative at a repeated (eigenvalue|singular value)") as info:
            s2s.hessian(f)(point)
        assert f"test_regressions.py:{f.__code__.co_firstlineno + 1}" in str(info.value)
    with pytest.raises(s2s.S2SError, match="repeated eigenvalue"):
        s2s.grad(through_the_slope_of_an_eigenvalue_sum)([-1.229])
    with pytest.raises(s2s.S2SError, match="repeated singular value"):  # fuzz seed 972065: 0, 0 as 5e-17, 3e-17
        s2s.hessian(nuclear_norm_of_an_outer_product)(np.array([0.3, -0.5, 0.8]))
    assert_close(s2s.grad(trace_by_eigenvalues)(point), 2.0 * np.eye(3), what="gradient")
    m = point + np.diag([0.0, 0.3, 1.1]) + 0.05 * np.arange(9.0).reshape(3, 3) / 9.0
    assert_close(s2s.hessian(squares_of_singular_values)(m), 2.0 * np.eye(9).reshape(3, 3, 3, 3), what="svd")
    expected = np.zeros((3, 3, 3, 3))  # ||m_sym||^2 of the lower triangle: 2 on the diagonal, 4 below it, 0 above
    for i in range(3):
        for j in range(i + 1):
            expected[i, j, i, j] = 2.0 if i == j else 4.0
    assert_close(s2s.hessian(squares_of_eigenvalues)(m), expected, what="eigvalsh")


def appends_with_numpy_in_a_loop(x):
    total = 0.0
    for j in range(2):
        y = np.append(np.ones(2), x)  # np.append: a module's function, not a list's append
        total = total + np.sum(np.tanh(y) * (j + 1.0))
    return total


def test_np_append_in_a_loop_is_a_call_not_a_list_append():
    """`np.append(...)` in a loop made `np` a loop variable (as `xs.append` makes xs one), and the next
    `np.tanh` was refused as a method call (found by fuzz level 6)."""
    x = np.array([0.3, -0.2])
    assert_close(s2s.grad(appends_with_numpy_in_a_loop)(x), 3.0 * (1.0 - np.tanh(x) ** 2), what="d/dx")


def spectral_norm_of_rows(x):
    m = np.stack([x, np.sin(x), x * x])
    return np.linalg.norm(m, 2)


def test_second_derivative_of_a_spectral_norm_is_a_refusal_at_the_line():
    """Fuzz seed 470239 (level 6): the Hessian through np.linalg.norm(m, 2) raised a bare ValueError from a runtime
    helper (the fuzzer's internal error); it is an S2SError naming the user's line. The gradient is exact (against
    finite differences)."""
    x = np.array([-1.334, 0.0354, 0.2545])
    assert_close(s2s.grad(spectral_norm_of_rows)(x), numeric_grad(spectral_norm_of_rows, (x,), 0), what="d/dx")
    with pytest.raises(s2s.S2SError, match=r"second derivative of the matrix norm ord=2 .* not supported") as info:
        s2s.hessian(spectral_norm_of_rows)(x)
    assert "return np.linalg.norm(m, 2)" in str(info.value)


def padded_with_a_mode(x, mode):
    return np.sum(np.pad(x, 1, mode=mode)[1:-1] ** 2)


def test_a_derivative_s2s_has_no_rule_for_raises_its_own_error():
    """API.md: every error s2s raises derives from S2SError. The runtime helpers refused a pad mode, a matrix norm,
    forward mode of an upper Cholesky factor and the like with a bare ValueError."""
    x = np.array([0.5, -1.0, 2.0])
    with pytest.raises(s2s.S2SError, match=r"np.pad: the derivative for mode='empty' is not supported"):
        s2s.grad(padded_with_a_mode)(x, "empty")  # (a mode known when it runs: the runtime helper's refusal)


def copysign_of_a_square(x):
    return math.copysign(x * x, x - 1.0) + math.copysign(x, -1.0) * x


def hypot_of_three(x):
    return math.hypot(x, 2.0 * x, 1.0)


@pytest.mark.parametrize("x", [0.7, -1.3, 1.6])
def test_math_copysign_and_hypot_of_three_coordinates(x):
    """math.copysign was listed as having no derivative: d/dx copysign(x, -1) gave 0, not -sign(x), a silent wrong
    derivative. math.hypot of three coordinates (Python 3.8+) failed inside its rule with a TypeError. Both against
    analytic derivatives, first and second, in both modes."""
    s = math.copysign(1.0, x - 1.0)
    expected = s * 2.0 * x - 2.0 * abs(x)  # d/dx [s x^2 - |x| x]
    second = 2.0 * s - 2.0 * math.copysign(1.0, x)
    assert s2s.grad(copysign_of_a_square)(x) == pytest.approx(expected)
    assert s2s.jvp(copysign_of_a_square)((x,), (1.0,))[1] == pytest.approx(expected)
    assert s2s.grad(s2s.grad(copysign_of_a_square))(x) == pytest.approx(second)
    r = math.sqrt(5.0 * x * x + 1.0)
    assert s2s.grad(hypot_of_three)(x) == pytest.approx(5.0 * x / r)
    assert s2s.jvp(hypot_of_three)((x,), (1.0,))[1] == pytest.approx(5.0 * x / r)
    assert s2s.grad(s2s.grad(hypot_of_three))(x) == pytest.approx(5.0 / r - 25.0 * x * x / r ** 3)


def smooth_through_abs(u):
    # fuzz seed 710989 (level 1), reduced: sqrt(1 + abs(2u) ** 2) is sqrt(1 + 4 u ** 2), smooth at u = 0
    return math.sqrt(1.0 + abs(2.0 * u) ** 2)


def squares_through_np_abs(x):
    return np.sum(np.abs(x) ** 2) + np.sum(np.fabs(x) ** 2)


def test_second_derivatives_through_abs_at_zero_are_refused():
    """abs' (0) was 0, then 1 (ae3b7a2, fuzz seed 710989: the Hessian of sqrt(1 + abs(2u) ** 2), a smooth function,
    was 0 at u = 0, exactly 4: d2/du2 sqrt(1 + 4u^2) = 4 / (1 + 4u^2) ** 1.5). It is the midpoint 0 again, which
    makes symmetric compositions exact to first order (tests/test_hunt5_ties.py); a second derivative at the kink
    then depends on the function's own curvature (it needs abs' (0) ** 2 = 1), which the rule does not see: refused
    at the user's line, in both modes and by both routes to a second derivative. Away from 0 the second
    derivatives are the analytic ones, and at 0 the first ones are."""
    for second in (s2s.hessian(smooth_through_abs), s2s.grad(s2s.grad(smooth_through_abs))):
        with pytest.raises(s2s.S2SError, match="a second derivative at 0, the kink of abs") as info:
            second(0.0)
        assert f"test_regressions.py:{smooth_through_abs.__code__.co_firstlineno + 2}" in str(info.value)
    assert s2s.hessian(smooth_through_abs)(0.3) == pytest.approx(4.0 / (1.0 + 4.0 * 0.09) ** 1.5)
    assert s2s.grad(s2s.grad(smooth_through_abs))(-0.3) == pytest.approx(4.0 / (1.0 + 4.0 * 0.09) ** 1.5)
    assert s2s.grad(smooth_through_abs)(0.0) == 0.0
    x = np.array([0.0, -1.5, 2.0])
    with pytest.raises(s2s.S2SError, match="the kink of abs"):
        s2s.hessian(squares_through_np_abs)(x)
    np.testing.assert_allclose(s2s.hessian(squares_through_np_abs)(x + 0.25), 4.0 * np.eye(3))
    np.testing.assert_allclose(s2s.grad(squares_through_np_abs)(x), 4.0 * x)
    np.testing.assert_allclose(s2s.jvp(squares_through_np_abs)((x,), (np.ones(3),))[1], 4.0 * np.sum(x))


def test_abs_at_zero_takes_the_midpoint_derivative():
    """The convention itself (docs/limitations.md, Kinks): 0 at 0, the midpoint of -1 and 1 (also at -0.0 and for
    an int), -1 left of it, nan stays nan; softplus written with abs gets its exact derivative 0.5 at 0. (It was 1,
    the right side: a convention, not an error; the midpoint is the one that composes, tests/test_hunt5_ties.py.)"""
    for x, slope in ((0.0, 0.0), (-0.0, 0.0), (0, 0.0), (-2.0, -1.0), (3.0, 1.0)):
        assert s2s.grad(absolute)(x) == slope
        assert s2s.jvp(absolute)((x,), (1.0,))[1] == slope
    np.testing.assert_array_equal(s2s.grad(total_absolute)(np.array([0.0, -0.0, -2.0, 5.0])), [0.0, 0.0, -1.0, 1.0])
    assert np.isnan(s2s.grad(absolute)(float("nan")))
    assert s2s.grad(softplus)(0.0) == pytest.approx(0.5)
    assert s2s.grad(math_copysign_of)(0.0) == 0.0  # |x| with -1's sign: -|x|, the midpoint of 1 and -1 at 0


def absolute(x):
    return abs(x)


def total_absolute(x):
    return np.sum(np.abs(x))


def softplus(z):
    return np.maximum(z, 0.0) + np.log(1.0 + np.exp(-np.abs(z)))


def math_copysign_of(x):
    return math.copysign(x, -1.0)


OFFSETS = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]])


def list_of_arrays_plus_array(a):
    xs = [a, 2.0 * a]  # NumPy reads the list as a (2, 3) array
    return np.sum((xs + OFFSETS) ** 2)


def list_summed_twice(c):
    # fuzz seed 913156 (level 5), reduced
    xs = [c, c]
    return np.sum(xs) * sum(xs)


def test_a_list_that_numpy_reads_as_an_array_gets_each_row_of_the_adjoint():
    """The adjoint of a list that NumPy reads as an array (`xs + a`, `np.sum(xs)`) was given whole to each part,
    which then summed it: d/da of sum(([a, 2a] + W) ** 2) was wrong (a silent wrong first derivative), and
    grad(grad) of np.sum(xs) * sum(xs) with xs = [c, c] was 12 (exactly 8, as the Hessian said). Each part gets
    its own row now. Against the analytic derivatives."""
    a = np.array([0.3, -0.2, 0.9])
    expected = 2 * (a + OFFSETS[0]) + 4 * (2 * a + OFFSETS[1])
    np.testing.assert_allclose(s2s.grad(list_of_arrays_plus_array)(a), expected)
    np.testing.assert_allclose(s2s.vjp(list_of_arrays_plus_array)(a)[1](1.0), expected)
    assert s2s.grad(list_summed_twice)(0.7) == pytest.approx(8 * 0.7)
    assert s2s.grad(s2s.grad(list_summed_twice))(0.7) == pytest.approx(8.0)
    assert s2s.hessian(list_summed_twice)(0.7) == pytest.approx(8.0)


def sines_of_a_list_plus_array(a):
    xs = [a, 2.0 * a]
    return np.sum(np.sin(xs + OFFSETS))


def test_tangents_of_a_list_that_numpy_reads_as_an_array():
    """Forward mode: the tangents of `[a, 2a] + W` were the list of the parts' tangents, so the forward Jacobian
    failed inside NumPy (batch axis second: (2, 3, 3) against (2, 2, 3)) and the jvp of the gradient joined the
    list with itself (`2 * d`) and refused it as joining lists. They are the array NumPy makes of the list now.
    Against the analytic first and second derivatives."""
    a = np.array([0.3, -0.2, 0.9])
    grad = np.cos(a + OFFSETS[0]) + 2 * np.cos(2 * a + OFFSETS[1])
    hessian = np.diag(-np.sin(a + OFFSETS[0]) - 4 * np.sin(2 * a + OFFSETS[1]))
    np.testing.assert_allclose(s2s.jacobian(sines_of_a_list_plus_array, mode="forward")(a), grad)
    np.testing.assert_allclose(s2s.jvp(sines_of_a_list_plus_array)((a,), (np.ones(3),))[1], np.sum(grad))
    np.testing.assert_allclose(s2s.jvp(s2s.grad(sines_of_a_list_plus_array))((a,), (np.ones(3),))[1],
                               hessian @ np.ones(3))
    np.testing.assert_allclose(s2s.hessian(sines_of_a_list_plus_array)(a), hessian, atol=1e-12)
    np.testing.assert_allclose(s2s.hessian(list_of_arrays_plus_array)(a), 10.0 * np.eye(3))


def ones_minus_a_quotient(z):
    # fuzz seed 955860 (found by the rebound-writes helper), reduced
    prod = np.ones(3)
    prod -= 1.5 / z
    return np.sum(prod)


def halves_minus_a_quotient(z):
    return np.ones(3) * 0.5 - 1.5 / z


def test_a_tangent_negated_twice_is_still_broadcast():
    """Forward mode: the tangent of `ones(3) - 1.5 / z` is -d(1.5 / z), itself `-(1.5 / z) * dz / z`; the two
    negations cancelled, and the cancelled form was not recognised as the number's tangent that the array
    broadcasts, so it was not widened: the jvp of np.sum of it was a third of the right value (silently).
    Against the analytic derivatives, every forward route."""
    z = 1.0827
    assert s2s.jvp(ones_minus_a_quotient)((z,), (1.0,))[1] == pytest.approx(4.5 / z ** 2)
    assert s2s.jacobian(ones_minus_a_quotient, mode="forward")(z) == pytest.approx(4.5 / z ** 2)
    assert s2s.hessian(ones_minus_a_quotient)(z) == pytest.approx(-9.0 / z ** 3)
    np.testing.assert_allclose(s2s.jvp(halves_minus_a_quotient)((z,), (1.0,))[1], np.full(3, 1.5 / z ** 2))
    np.testing.assert_allclose(s2s.jacobian(halves_minus_a_quotient, mode="forward")(z), np.full(3, 1.5 / z ** 2))


def doubled_then_written(S):
    # fuzz seed 954865 (found by the rebound-writes helper), reduced
    S = np.square(S)
    S = S + S
    S[2, 2] = 1.5
    return np.sum(S)


def test_an_element_writes_buffer_read_twice_by_one_sum_counts_twice():
    """`S + S` gives S the same adjoint twice; where that adjoint is the buffer an element write's adjoint owns,
    the sum dropped both copies but one, so reverse mode silently lost the factor 2 (2 S instead of 4 S). Against
    the analytic gradient, in reverse and forward mode."""
    S = np.array([[1.4645, 1.1586, 0.9121], [-0.8838, -0.3274, -0.3894], [0.1322, -1.4843, 0.2386]])
    expected = 4.0 * S
    expected[2, 2] = 0.0
    np.testing.assert_allclose(s2s.grad(doubled_then_written)(S), expected)
    np.testing.assert_allclose(s2s.vjp(doubled_then_written)(S)[1](1.0), expected)
    np.testing.assert_allclose(s2s.jacobian(doubled_then_written, mode="forward")(S), expected)


def matrix_vector_after_an_element_write(x, z):
    # fuzz seed 956749 (found by the rebound-writes helper), reduced
    res = x * 1.0
    for i in range(3):
        res[1] = z
        z += x @ res
    return z


def test_a_gathered_outer_product_reads_its_vectors_before_the_restore():
    """optimize/outer_sums.py put `rt.add_outer(bx, bz, x, res)` where the loop's sum was added, after the
    reversed iteration put res's old element back in place (`res[1] = res_old`), so the outer product read the
    restored res: a silent wrong gradient. It goes where the product was now. Against finite differences."""
    x = np.array([-1.299, 0.1506, -0.0434])
    got = s2s.grad(matrix_vector_after_an_element_write)(x, -1.0)
    assert_close(got, numeric_grad(matrix_vector_after_an_element_write, (x, -1.0), 0), what="d/dx")
    assert_close(s2s.grad(matrix_vector_after_an_element_write, wrt=1)(x, -1.0),
                 numeric_grad(matrix_vector_after_an_element_write, (x, -1.0), 1), what="d/dz")


def assigned_in_the_first_iteration_only(x):
    total = 0.0
    for i in range(3):
        if i == 0:
            y = x * 2.0
        total = total + y * x
    return total


def kept_from_the_iteration_before(x):
    k = 0
    total = 0.0
    while k < 4:
        if k > 0:
            total = total + prev * x  # noqa: F821 (bound by the iteration before: k > 0)
        prev = np.sin(x * k)
        k += 1
    return total


def read_before_any_iteration_assigns_it(x):
    for i in range(2):
        z = y * x  # noqa: F821 (unbound in the first iteration: Python raises)
        y = x
    return z


def test_a_name_a_loop_assigns_is_read_in_a_later_iteration():
    """A name first assigned in a loop, under a branch, and read in a later iteration before that iteration
    assigns it: s2s gave it no loop-carried value, and its code raised UnboundLocalError where Python reads the
    value of the iteration before (found by the rebound-writes helper). Against the analytic derivatives; a
    read before any iteration assigned the name still raises as in Python."""
    x = 1.5
    assert s2s.grad(assigned_in_the_first_iteration_only)(x) == pytest.approx(12.0 * x)
    assert s2s.jvp(assigned_in_the_first_iteration_only)((x,), (1.0,))[1] == pytest.approx(12.0 * x)
    assert s2s.hessian(assigned_in_the_first_iteration_only)(x) == pytest.approx(12.0)
    expected = sum(np.sin(k * x) + k * x * np.cos(k * x) for k in range(3))  # d/dx sum_k sin(k x) x, k = 0..2
    assert s2s.grad(kept_from_the_iteration_before)(x) == pytest.approx(expected)
    assert s2s.jvp(kept_from_the_iteration_before)((x,), (1.0,))[1] == pytest.approx(expected)
    with pytest.raises(UnboundLocalError):
        read_before_any_iteration_assigns_it(x)
    with pytest.raises(UnboundLocalError):
        s2s.grad(read_before_any_iteration_assigns_it)(x)


def products_of_a_written_matrix_in_a_generator(x):
    # fuzz seed 1031025 (level 6), reduced
    prod = np.outer(x, x)
    prod[1] = x
    return sum((np.sum(np.linalg.multi_dot([prod, prod, x])) for jj in range(3)))


def test_a_saved_list_holding_a_written_array_is_copied_as_a_list():
    """A reversed loop saves a copy of a value holding an array the function writes in place; a list holding it
    (`[prod, prod, x]`) was copied with np.copy, which made one array of it, or failed inside s2s on parts of
    different shapes (ValueError: an inhomogeneous shape). Its arrays are copied and the list kept. Against finite
    differences, to second order."""
    x = np.array([-1.4916, -0.4822, -0.8088])
    f = products_of_a_written_matrix_in_a_generator
    assert_close(s2s.grad(f)(x), numeric_grad(f, (x,), 0), what="grad")
    assert_close(s2s.jacobian(f, mode="forward")(x), numeric_grad(f, (x,), 0), what="forward")
    assert_close(s2s.hessian(f)(x), numeric_hessian(f, x), 1e-4, 1e-4, what="hessian")


ONE = np.float64(1.0)
ZERO = np.float64(0.0)


def _scaled_by_a_numpy_one(x):
    y = x * ONE
    return np.sum(y * 0.1) + np.sum(np.sqrt(y))


def _shifted_by_a_numpy_zero(x, shift=np.float64(0.0)):
    y = x + ZERO + shift
    return np.sum(y / 3.0)


@pytest.mark.parametrize("f", [_scaled_by_a_numpy_one, _shifted_by_a_numpy_zero])
def test_a_numpy_float64_constant_keeps_its_promotion(f):
    """np.float64(1.0), a module constant or a default, was written into generated code as the literal 1.0 (and
    `x * 1.0` simplified to x): NumPy 2 promotes float32 * np.float64 to float64, but not float32 * 1.0, so the
    value and derivatives of a float32 argument came out in float32, unlike the function's."""
    x = np.array([0.3, 0.7, 1.9], dtype=np.float32)
    expected = f(x)
    value, g = s2s.value_and_grad(f)(x)
    assert value == expected and type(value) is type(expected)
    primal, _ = s2s.jvp(f)((x,), (np.ones(3, dtype=np.float32),))
    assert primal == expected and type(primal) is type(expected)
    assert_close(g, numeric_grad(f, (x.astype(float),), 0), what="grad")


def _written_through_a_tuple_index(x):
    K = np.zeros((3, 3))
    ij = (np.array([0, 1]), np.array([1, 2]))
    K[ij] = x[:2] * 2.0
    return np.sum(K * K) + np.sum(K[ij] * x[1:])


def test_an_index_held_in_a_tuple_in_vector_mode():
    """K[ij] with ij = (rows, cols) is K[rows, cols]; vector mode put the batch axis before the tuple, which
    NumPy then read as one fancy index: the forward Jacobian and the Hessian raised a shape mismatch."""
    check_every_mode(_written_through_a_tuple_index, [0.3, 0.5, 0.7])


def _rebound_in_a_loop_then_reshaped(W, xs):
    for r in W:
        xs = np.sum(W, axis=1, keepdims=True).ravel() * 1.5
    return np.sum(xs * xs)


def test_a_value_rebound_each_iteration_reaches_a_reshape_as_zeros_of_its_shape():
    """Fuzz seed 1090698: xs is overwritten on every iteration, so the reversed loop carries a bare 0.0 as its
    adjoint into the iteration before; through `g * 1.5` it reached np.reshape(g, (3, 1)), which cannot reshape
    a number (ValueError inside the gradient). The back edge is made zeros of xs's shape where any operation
    that needs an array reads it, through elementwise ones too."""
    W = np.array([[-1.1, 0.8, -1.2], [0.8, -0.7, -0.9], [1.4, 1.3, -1.5]])
    check_every_mode(lambda w: _rebound_in_a_loop_then_reshaped(w.reshape(3, 3), np.zeros(3)), W.ravel())
    g = s2s.grad(_rebound_in_a_loop_then_reshaped, wrt=(0, 1))(W, np.ones(3))
    assert_close(g[0], numeric_grad(_rebound_in_a_loop_then_reshaped, (W, np.ones(3)), 0), what="d/dW")
    assert np.array_equal(g[1], np.zeros(3))
