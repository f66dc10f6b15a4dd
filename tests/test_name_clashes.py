"""No clash with user names (issue 10, item 6).

Parameters, variables, module data and helpers named like anything generated
code uses -- the modules (`np`, `math`, `rt`, `custom`), builtins (`len`,
`range`, `zip`, `reversed`, `slice`, `float`, `sum`, `list`), the vjp closure
(`pullback`, `cotangent`), the entry point (`grad_f`, `vjp_f`, `jvp_f`), saved
stacks (`x_saved`), trip counters, adjoints (`bx`) and tangents (`dx`) -- keep
their meaning. Every derivative is checked against central finite differences
of the original function, in reverse mode, forward mode and through vjp.
"""
import math

import numpy
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad


def uses_rt(x):
    rt = x * 2.0
    return np.sin(rt) * x

def uses_np(x):
    np_ = x
    return x * x

def local_np(x):
    np = x * 3.0
    return np * x

def local_math(x):
    math = x + 1.0
    return math * x

def local_len(x):
    len = x * 2.0
    return len * len

def local_range(x):
    range = x + 1.0
    return range * x

def local_zip(x):
    zip = x * x
    return zip + x

def local_reversed(x):
    reversed = x * 2.0
    return reversed * x

def local_pullback(x):
    pullback = x * x
    return pullback * x

def local_cotangent(x):
    cotangent = x * 2.0
    return cotangent * x

def local_grad_name(x):
    grad_local_grad_name = x * 3.0
    return grad_local_grad_name * x

def local_saved(x, n):
    x_saved = 0.0
    for i in range(n):
        x_saved = x_saved + x
        x = np.sin(x) * x
    return x + x_saved

def local_bx(x):
    bx = x * 2.0
    return bx * x

def param_bx(x, bx):
    return x * bx + x

def local_dx(x):
    dx = x * 3.0
    return dx * x

def param_dx(x, dx):
    return x * dx + x * x

def local_sum(x):
    sum = x * 2.0
    return sum * x

def local_list(x):
    list = x + 1.0
    return list * x

def local_float(x):
    float = x * x
    return float * 2.0

def local_trips(x, n):
    trips = 1.0
    k = 0
    while k < n:
        x = x * 1.5 * trips
        k = k + 1
    return x

def local_custom(x):
    custom = x * 2.0
    return custom * x

def local_t1(x):
    t1 = x * 2.0
    t2 = np.sin(t1)
    return t2 * x

def local_result(x):
    result = x
    returned = x * 2.0
    for i in range(3):
        result = result * 1.5
        if result > 100.0:
            return result * returned
    return result * returned

def local_underscore(x, n):
    _ = 2.0
    k = 0
    while k < n:
        x = x * _
        k = k + 1
    return x

def local_adjoints(x):
    adjoints = x * 2.0
    return adjoints * x

def local_old(x):
    y = np.zeros(2)
    y_old = x * 3.0
    y[0] = x * y_old
    return np.sum(y) * y_old

def local_bound(x, c):
    y_bound = x * 2.0
    if c:
        y = x * y_bound
    return y * y_bound

def local_abs(x):
    abs = x * 2.0
    return abs * x

def local_enumerate(xs):
    enumerate = 2.0
    s = 0.0
    for v in xs:
        s = s + v * enumerate
    return s


rt = np.array([1.0, 2.0])  # module data named like the runtime alias
custom = 3.0  # ... and like the custom-rules module

def data_rt(x):
    return np.sum(rt * x)

def data_custom(x):
    return x * custom

def loop_reversed(x, n):
    reversed = 1.5
    for i in range(n):
        x = np.sin(x) * reversed
    return x

def loop_zip(xs):
    zip = 2.0
    y = np.zeros(2)
    for i in range(2):
        y[i] = xs[i] * zip
    return np.sum(y * y)

def loop_range(x, n):
    k = 0
    range = 1.1
    while k < n:
        x = np.sin(x) * range
        k = k + 1
    return x

def loop_len(xs):
    len = 2.0
    s = 0.0
    for v in xs:
        s = s + np.sin(v) * len
    return s

def loop_float(x, n):
    float = 2
    for i in range(n):
        x = x * float
    return x * float

def int_float(x):
    float = 3
    return x * float

def loop_list(x, n):
    list = 1.5
    for i in range(n):
        x = np.cos(x) * list
    return x

def param_np(x, np):
    return x * np + math.sin(x)

def param_math(x, math):
    return np.sin(x) * math

def param_rt(x, rt):
    return np.sum(x * rt)

def loop_saved_param(x, x_saved):
    for i in range(3):
        x = np.sin(x) * x_saved
    return x

def loop_trips(x, trips):
    k = 0
    while k < trips:
        x = x * 1.5
        k = k + 1
    return x

def loop_sum(x, n):
    sum = 0.5
    for i in range(n):
        x = np.sin(x) + sum
    return x

def param_pullback(x, pullback):
    return x * pullback

def param_cotangent(x, cotangent):
    return x * cotangent * x

def param_custom(x, custom):
    return x * custom

def param_grad(x, grad_param_grad):
    return x * grad_param_grad

def vjp_param_vjp(x, vjp_vjp_param_vjp):
    return x * vjp_vjp_param_vjp

def param_jvp(x, jvp_param_jvp):
    return x * jvp_param_jvp


def var_reversed(x, n):
    reversed = x * 0.5
    for i in range(n):
        x = np.sin(x) * reversed
    return x

def var_range(x, n):
    k = 0
    range = x * 0.1
    while k < n:
        x = np.sin(x) * range
        k = k + 1
    return x

def var_len(xs):
    len = xs[0] * 2.0
    s = 0.0
    for v in xs:
        s = s + np.sin(v) * len
    return s

def var_float(x):
    float = x * 2
    return x * float

def var_list(x, n):
    list = x * 0.5
    for i in range(n):
        x = np.cos(x) * list
    return x

def var_sum(x, n):
    sum = x * 0.5
    for i in range(n):
        x = np.sin(x) + sum
    return x

def var_slice(x):
    slice = x[0]
    return np.sum(x[1:] * slice)

def var_np(x):
    np = x * 2.0
    return math.sin(np) * x

def var_underscore(x, n):
    _ = x * 2.0
    k = 0
    while k < n:
        x = x * 1.5
        k = k + 1
    return x * _

def var_enumerate(xs):
    enumerate = xs[0] * 1.0
    s = 0.0
    for i in range(2):
        s = s + xs[i] * enumerate * i
    return s

def var_trips(x, n):
    trips = x * 1.0
    k = 0
    while k < n:
        x = np.sin(x) * trips
        k = k + 1
    return x

def var_cotangent(x, n):
    cotangent = x * 1.0
    for i in range(n):
        x = np.sin(x) * cotangent
    return x

def var_pullback_loop(x, n):
    pullback = x * 1.0
    for i in range(n):
        x = np.sin(x) * pullback
    return x

def param_pullback_f(x, pullback_param_pullback_f):
    y = np.zeros(2)
    y[0] = x * pullback_param_pullback_f
    return np.sum(y)

def param_f_name(x, param_f_name):
    y = np.zeros(2)
    y[0] = x * param_f_name
    return np.sum(y * y)

def param_jvp_name(x, jvp_grad_param_jvp_name):
    return x * jvp_grad_param_jvp_name


def var_zip(x, n):
    zip = x * 0.5
    y = x
    for i in range(n):
        x = np.sin(x) * zip
        y = np.cos(y) * x
    return x + y


def param_np_numpy(x, np):
    return numpy.sin(x) * np


def param_math_numpy(x, math):
    return numpy.cos(x) * math + numpy.sum(numpy.tanh(x))


def var_builtins(x, n):
    builtins = x * 0.5
    reversed = x * 0.25
    for i in range(n):
        x = np.sin(x) * builtins + reversed
    return x


def pullback(v):  # a helper named like the vjp closure, inlined
    return v * v


def reversed_helper(v):
    return np.sin(v)


def calls_helpers(x, n):
    for i in range(n):
        x = pullback(x) * 0.5 + reversed_helper(x)
    return x


def param_x_saved(x, x_saved):
    for i in range(3):
        x = np.sin(x) * x_saved
    return x * x_saved


# (function, arguments); the derivative is taken with respect to the first argument
CASES = [(f, (0.7,)) for f in (uses_rt, uses_np, local_np, local_math, local_len, local_range, local_zip,
                              local_reversed, local_pullback, local_cotangent, local_grad_name, local_bx, local_dx,
                              local_sum, local_list, local_float, local_custom, local_t1, local_result,
                              local_adjoints, local_old, local_abs, data_rt, data_custom, int_float, var_float,
                              var_np)]
CASES += [(f, (0.7, 3)) for f in (local_saved, local_trips, local_underscore, loop_reversed, loop_range,
                                  loop_float, loop_list, loop_trips, loop_sum, var_reversed, var_range, var_list,
                                  var_sum, var_underscore, var_trips, var_cotangent, var_pullback_loop, var_zip,
                                  var_builtins, calls_helpers)]
CASES += [(f, (0.7, 1.3)) for f in (param_bx, param_dx, param_np, param_math, param_rt, loop_saved_param,
                                    param_pullback, param_cotangent, param_custom, param_grad, vjp_param_vjp,
                                    param_jvp, param_pullback_f, param_f_name, param_jvp_name, param_np_numpy,
                                    param_math_numpy, param_x_saved)]
CASES += [(local_bound, (0.7, True)), (local_enumerate, (np.array([1.0, 2.0]),)),
          (loop_zip, (np.array([1.0, 2.0]),)), (loop_len, (np.array([1.0, 2.0]),)),
          (var_len, (np.array([1.0, 2.0]),)), (var_slice, (np.array([1.0, 2.0, 3.0]),)),
          (var_enumerate, (np.array([1.0, 2.0]),))]


@pytest.mark.parametrize("f, args", CASES, ids=lambda v: getattr(v, "__name__", None))
def test_user_names_keep_their_meaning(f, args):
    numeric = numeric_grad(f, args, 0)
    value, g = s2s.value_and_grad(f)(*args)
    assert np.all(value == f(*args))
    assert_close(g, numeric, what="grad")
    seed = np.ones(np.shape(args[0])) if np.ndim(args[0]) else 1.0
    value, tangent = s2s.jvp(f)(args, (seed,))
    assert np.all(value == f(*args))
    assert_close(tangent, np.sum(numeric * seed), what="jvp")
    value, pull = s2s.vjp(f)(*args)
    assert np.all(value == f(*args))
    assert_close(pull(1.0), numeric, what="vjp")
    assert_close(pull(2.0), 2.0 * numeric, what="vjp, called again")


def test_second_order_with_clashing_names():
    for f, x in ((local_bx, 0.7), (param_rt, 0.7), (var_np, 0.7)):
        args = (x, 1.3) if f is param_rt else (x,)
        first = s2s.grad(f)
        assert_close(s2s.grad(first)(*args), numeric_grad(first, args, 0), what=f.__name__)


# --------------------------------------------------------------------------- what the generated code looks like

def test_a_taken_module_alias_gets_a_numbered_one():
    text = s2s.grad(param_rt).source
    assert "from s2s import runtime as rt_1\n" in text
    assert "def grad_param_rt(x, rt):" in text
    assert "bx = rt_1.unbroadcast(bt1 * rt, x)" in text
    text = s2s.grad(param_np_numpy).source
    assert "import numpy as np_1\n" in text and "bx = np * np_1.cos(x)" in text


def test_a_shadowed_builtin_is_spelled_through_builtins():
    text = s2s.grad(var_reversed).source
    assert "import builtins\n" in text
    assert "in builtins.reversed(" in text
    assert "reversed = x * 0.5" in text


def test_names_still_derive_from_the_users():
    text = s2s.grad(local_bx).source
    assert "bx = x * 2.0" in text and "bx_1 = 2.0 * bx" in text  # the adjoint of x, bx being taken
    text = s2s.jvp(local_dx).source
    assert "def jvp_local_dx(x, dx_1):" in text and "ddx = dx_1 * 3.0" in text
    text = s2s.vjp(param_pullback).source
    assert "def pullback_1(cotangent):" in text and "return t1, pullback_1" in text
    text = s2s.vjp(param_f_name).source
    assert "return param_f_name_1(x, param_f_name)" in text


def test_no_alias_where_nothing_clashes():
    text = s2s.grad(uses_rt).source
    assert "import numpy as np\n" in text and "from s2s import runtime as rt\n" in text
    assert "builtins" not in s2s.grad(loop_reversed).source
