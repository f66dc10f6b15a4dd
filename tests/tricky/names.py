"""User names that clash with what generated code uses: modules, builtins, adjoint/tangent/saved names."""
import math

import numpy as np

from .case import exact

X3 = np.array([0.7, -1.3, 2.1])


@exact(0.8)
def local_rt(x):
    rt = x * 2.0
    return np.sin(rt) * rt


@exact(X3)
def local_np_after_numpy_use(x):
    s = np.sum(x * x)
    np_ = s
    return np_ * s


@exact(1.1)
def local_math_shadows_module(x):
    y = math.sin(x)
    math_ = y
    return math_ * x


@exact(X3)
def local_len_and_range(x):
    n = len(x)
    total = 0.0
    for k in range(n):
        total = total + x[k] * k
    length = total
    return length * length


@exact(X3)
def names_bx_dx_next_to_x(x):
    bx = x * 2.0
    dx = bx + x
    bbx = dx * bx
    return np.sum(bbx * x)


@exact(0.9, 1.2)
def params_named_like_adjoints(x, bx):
    dx = x * bx
    return dx * x + bx


@exact(0.9, 1.2)
def params_named_like_tangents(dx, x):
    return dx * x * x + np.sin(dx)


@exact(X3)
def saved_stack_names(x):
    x_saved = 0.0
    x_old = 1.0
    for i in range(3):
        x_saved = x_saved + x[i] * x_old
        x_old = x_old * x[i]
    return x_saved


@exact(0.8)
def temp_names_t1_t2(x):
    t1 = x * 2.0
    t2 = t1 * t1
    t3 = np.exp(t2 - t1)
    return t3 + t1


@exact(X3)
def underscore_names(x):
    _ = x * 2.0
    a, _ = x[0], x[1]
    __ = _ * a
    return __ + np.sum(x)


@exact(0.6, 1.4)
def names_el_ef(el, ef):
    return el * ef + np.exp(el)


@exact(0.6)
def names_el_local(x):
    el = x * 3.0
    ef = el + x
    return el * ef


@exact(0.6, 1.3)
def param_named_pullback(x, pullback):
    return pullback * x * x


@exact(0.6)
def local_grad_f_vjp_f(x):
    grad_f = x * 2.0
    vjp_f = grad_f * x
    jvp_f = vjp_f + grad_f
    return jvp_f * x


@exact(0.7, 1.2)
def params_named_g_and_ans(g, ans):
    return g * ans * g


@exact(X3)
def local_zip_reversed_sum(x):
    zip_ = x[::-1]
    s = 0.0
    for a, b in zip(x, zip_):
        s = s + a * b
    summ = sum(x)
    return s * summ


@exact(0.7)
def names_result_and_broke(x):
    result = x * 2.0
    broke = 0.0
    for i in range(3):
        result = result * x
        if result > 10.0:
            broke = 1.0
            break
    return result + broke


@exact(0.7)
def name_cotangent_and_tangent(x):
    cotangent = x * x
    tangent = cotangent + 1.0
    return cotangent * tangent


@exact(0.7)
def names_y_bound_and_numbered(x):
    y = x * 1.1
    y_1 = y * 2.0
    y_2 = y_1 + y
    y_bound = y_2 * y_1
    return y_bound


@exact(X3)
def local_named_float_and_list(x):
    fl = float(x[0])
    lst = [x[1], x[2]]
    return fl * lst[0] * lst[1]


@exact(0.8)
def local_named_custom(x):
    custom = x * 2.0
    slice_ = custom * x
    return slice_ + custom


@exact(0.8)
def param_named_np_like(x, npx=2.0):
    return npx * x * x


@exact(X3)
def names_i_and_trip_counter(x):
    n_iter = 0.0
    i = 0
    s = 0.0
    while i < 3:
        s = s + x[i] * (n_iter + 1.0)
        n_iter = n_iter + 1.0
        i = i + 1
    return s
