"""The control-flow corpus: branches, loops, break/continue, early returns."""
import math

import numpy as np

R = np.random.default_rng(7)


def piecewise(x):
    if x > 0.0:
        y = x * x
    else:
        y = -x
    return y


def elif_chain(x):
    if x < -1.0:
        y = -x
    elif x < 1.0:
        y = x * x * 0.5 + 0.5
    elif x < 2.0:
        y = math.sin(x)
    else:
        y = x ** 3
    return y


def nested_if(x, y):
    if x > 0.0:
        if y > 0.0:
            z = x * y
        else:
            z = x - y
    else:
        z = x + y * y
    return z * 2.0


def if_without_else(x):
    y = x * 2.0
    if x > 1.0:
        y = y * x
    return y + x


def conditional_expression(x):
    y = x * x if x > 0.5 else math.sin(x)
    return y + (x if x < 3.0 else 2.0 * x)


def bool_logic(x, flag=None):
    if flag is None and (x > 0.0 or x < -5.0) and not x > 10.0:
        return x * 3.0
    return x


def early_return(x):
    if x > 1.0:
        return x ** 2
    y = math.exp(x)
    if y > 2.0:
        return y * x
    return y


def several_returns(x, y):
    if x > y:
        return x * y
    elif x < 0.0:
        return -x
    return x + y * 2.0


def power_series(x, n):
    y = 1.0
    for i in range(n):
        y = y * x + 1.0
    return y


def range_three_args(x):
    s = 0.0
    for i in range(10, 2, -3):
        s = s + x ** 2 * i
    return s


def range_data_bound(x, n):
    s = x
    for k in range(1, n + 1):
        s = s * (1.0 + x / k)
    return s


def logistic_map(r):
    x = 0.3
    for i in range(50):
        x = r * x * (1.0 - x)
    return x


def euler_ode(k):
    y = 1.0
    dt = 0.01
    for i in range(100):
        y = y + dt * (-k * y + math.sin(i * dt))
    return y


def loop_over_array(w, xs):
    total = 0.0
    for x in xs:
        total = total + math.tanh(w * x)
    return total


def loop_over_active_array(xs):
    total = 0.0
    for x in xs:
        total = total + x * x * 0.5
    return total


def loop_over_rows(W, v):
    total = 0.0
    for row in W:
        total = total + np.sum(np.tanh(row * v))
    return total


def loop_over_list(x):
    total = 0.0
    for c in [1.0, 2.0, 3.0]:
        total = total + c * x ** c
    return total


def loop_over_tuple(x):
    total = x
    for c in (0.5, 1.5):
        total = total * math.cos(c * x)
    return total


def loop_enumerate(x, cs):
    total = 0.0
    for i, c in enumerate(cs):
        total = total + c * x ** i
    return total


def loop_zip(xs, ys):
    total = 0.0
    for a, b in zip(xs, ys):
        total = total + a * b
    return total


def nested_loops(x):
    s = 0.0
    for i in range(3):
        t = x
        for j in range(4):
            t = t * math.cos(t + i)
        s = s + t
    return s


def nested_loops_rows(M, v):
    s = 0.0
    for i in range(M.shape[0]):
        for j in range(M.shape[1]):
            s = s + M[i, j] * v[j] * M[i, j]
    return s


def newton_sqrt(a):
    x = a
    while abs(x * x - a) > 1e-12:
        x = 0.5 * (x + a / x)
    return x


def while_counter(x):
    i = 0
    y = x
    while i < 5:
        y = y * math.cos(y)
        i = i + 1
    return y


def while_data_termination(x):
    y = x
    while y < 10.0:
        y = y * 1.7 + 0.1
    return y


def break_on_data(x):
    y = x
    for i in range(100):
        y = y * 1.5
        if y > 10.0:
            break
    return y


def break_first(x):
    y = x
    for i in range(20):
        if y > 5.0:
            break
        y = y * y + 0.1
    return y * 2.0


def continue_loop(x):
    s = 0.0
    for i in range(8):
        if i % 3 == 0:
            continue
        s = s + math.sin(x * i)
    return s


def continue_and_break(x):
    s = x
    for i in range(30):
        if i % 2 == 1:
            continue
        s = s * 1.1 + x
        if s > 50.0:
            break
    return s


def while_break(x):
    y = x
    n = 0
    while True:
        y = math.sqrt(y + 1.0)
        n = n + 1
        if n >= 6:
            break
    return y


def for_else(x):
    s = x
    for i in range(3):
        s = s * x
    else:
        s = s + 1.0
    return s


def while_else(x):
    y = x
    while y < 3.0:
        y = y + x * 0.5
    else:
        y = y * y
    return y


def branch_in_loop(x):
    s = 0.0
    for i in range(6):
        if i % 2 == 0:
            s = s + x * i
        else:
            s = s - math.sin(x) * i
    return s


def loop_in_branch(x):
    if x > 0.0:
        y = 1.0
        for i in range(4):
            y = y * x
    else:
        y = -x
    return y


def swap_in_loop(x, y):
    a = x
    b = y
    for i in range(3):
        a, b = b, a * b
    return a + b


def two_carried(x):
    a = x
    b = 1.0
    for i in range(5):
        a = a * 0.9 + b
        b = b * x
    return a * b


def loop_reads_index(x):
    s = 0.0
    for i in range(5):
        s = s + x ** 2 * i + s * 0.1
    return s


def array_loop_accumulate(W, x):
    h = x
    for i in range(3):
        h = np.tanh(W @ h)
    return np.sum(h)


def loop_max_tracking(xs):
    best = xs[0]
    for x in xs:
        if x > best:
            best = x
    return best * 2.0


def recurrence_with_array(a, xs):
    h = 0.0
    for x in xs:
        h = math.tanh(a * h + x)
    return h


def early_return_after_loop(x):
    y = x
    for i in range(4):
        y = y * 1.2
    if y > 2.0:
        return y * y
    return y


CONTROL = [
    (piecewise, (1.5,), 0), (piecewise, (-1.5,), 0),
    (elif_chain, (-2.0,), 0), (elif_chain, (0.3,), 0), (elif_chain, (1.5,), 0), (elif_chain, (2.5,), 0),
    (nested_if, (1.0, 2.0), (0, 1)), (nested_if, (1.0, -2.0), (0, 1)), (nested_if, (-1.0, 2.0), (0, 1)),
    (if_without_else, (2.0,), 0), (if_without_else, (0.5,), 0),
    (conditional_expression, (1.0,), 0), (conditional_expression, (0.2,), 0),
    (bool_logic, (2.0,), 0), (bool_logic, (-2.0,), 0),
    (early_return, (1.5,), 0), (early_return, (0.9,), 0), (early_return, (0.2,), 0),
    (several_returns, (2.0, 1.0), (0, 1)), (several_returns, (-2.0, 1.0), (0, 1)), (several_returns, (0.5, 1.0), (0, 1)),
    (power_series, (0.7, 6), 0), (power_series, (0.7, 0), 0),
    (range_three_args, (1.3,), 0),
    (range_data_bound, (0.4, 5), 0),
    (logistic_map, (3.2,), 0),
    (euler_ode, (0.8,), 0),
    (loop_over_array, (0.9, R.normal(size=6)), 0),
    (loop_over_active_array, (R.normal(size=5),), 0),
    (loop_over_rows, (R.normal(size=(4, 3)), R.normal(size=3)), (0, 1)),
    (loop_over_list, (1.3,), 0),
    (loop_over_tuple, (0.8,), 0),
    (loop_enumerate, (0.9, R.normal(size=4)), (0, 1)),
    (loop_zip, (R.normal(size=4), R.normal(size=5)), (0, 1)),
    (nested_loops, (0.4,), 0),
    (nested_loops_rows, (R.normal(size=(3, 2)), R.normal(size=2)), (0, 1)),
    (newton_sqrt, (2.0,), 0),
    (while_counter, (0.7,), 0),
    (while_data_termination, (0.5,), 0),
    (break_on_data, (0.3,), 0),
    (break_first, (1.2,), 0), (break_first, (6.0,), 0),
    (continue_loop, (0.6,), 0),
    (continue_and_break, (1.0,), 0), (continue_and_break, (0.1,), 0),
    (while_break, (0.9,), 0),
    (for_else, (1.3,), 0),
    (while_else, (0.7,), 0),
    (branch_in_loop, (0.8,), 0),
    (loop_in_branch, (1.1,), 0), (loop_in_branch, (-1.1,), 0),
    (swap_in_loop, (1.1, 0.9), (0, 1)),
    (two_carried, (0.8,), 0),
    (loop_reads_index, (0.6,), 0),
    (array_loop_accumulate, (R.normal(size=(3, 3)) * 0.5, R.normal(size=3)), (0, 1)),
    (loop_max_tracking, (np.array([0.3, 1.7, -0.2, 0.9]),), 0),
    (recurrence_with_array, (0.7, R.normal(size=5)), (0, 1)),
    (early_return_after_loop, (1.5,), 0), (early_return_after_loop, (0.5,), 0),
]


def return_inside_loop(x):
    y = x
    for i in range(10):
        y = y * 1.3 + 0.1
        if y > 3.0:
            return y * x
    return -y


def return_inside_nested_loops(x):
    s = x
    for i in range(4):
        for j in range(4):
            s = s * math.cos(s) + 0.5
            if s > 1.2:
                return s * s
    return s


def return_inside_while(x):
    y = x
    while True:
        y = math.sqrt(y + 2.0)
        if abs(y - 2.0) < 1e-3:
            return y * 3.0


CONTROL += [
    (return_inside_loop, (0.9,), 0), (return_inside_loop, (0.05,), 0),
    (return_inside_nested_loops, (0.3,), 0), (return_inside_nested_loops, (-3.0,), 0),
    (return_inside_while, (1.0,), 0),
]


# ---------------------------------------------------------------- array element writes

def fill_in_loop(x, w):
    y = np.zeros(len(x))
    for i in range(len(x)):
        y[i] = math.sin(x[i]) * w
    return np.sum(y * y)


def write_then_read(x):
    y = np.ones(3)
    y[0] = x * 2.0
    t = y * x
    y[1] += x ** 2
    y[0] = 5.0
    return np.sum(t) + np.sum(y * y)


def recurrence_in_array(x, n):
    y = np.zeros(n)
    y[0] = x
    for i in range(1, n):
        y[i] = math.cos(y[i - 1]) * x
    return np.sum(y)


def write_rows(W, v):
    out = np.zeros((W.shape[0], 2))
    for i in range(W.shape[0]):
        out[i, 0] = np.dot(W[i], v)
        out[i, 1] = np.sum(W[i] ** 2)
    return np.sum(np.tanh(out))


def conditional_write(x):
    y = np.zeros(4)
    for i in range(4):
        if x[i] > 0.0:
            y[i] = x[i] ** 2
        else:
            y[i] = -x[i]
    return np.sum(y * np.arange(4.0))


CONTROL += [
    (fill_in_loop, (R.normal(size=5), 1.3), (0, 1)),
    (write_then_read, (0.7,), 0),
    (recurrence_in_array, (0.6, 6), 0),
    (write_rows, (R.normal(size=(3, 4)), R.normal(size=4)), (0, 1)),
    (conditional_write, (np.array([0.5, -1.0, 2.0, -0.3]),), 0),
]


def defined_in_loop_used_after(x):
    for i in range(3):
        y = x * (i + 1.0)
    return y * y


CONTROL += [(defined_in_loop_used_after, (0.8,), 0)]


def write_whole_rows(W, v):
    out = np.zeros((3, 4))
    for i in range(3):
        out[i] = W[i] * v + out[i - 1] * 0.5
    return np.sum(out * out) + np.sum(out)


def written_array_used_twice(x):
    y = np.zeros(4)
    for i in range(4):
        y[i] = x[i] * x[i]
    z = y * 2.0
    return np.sum(z * y) + np.sum(y)


CONTROL += [
    (write_whole_rows, (R.normal(size=(3, 4)), R.normal(size=4)), (0, 1)),
    (written_array_used_twice, (R.normal(size=4),), 0),
]


def return_in_loop_with_else(x):
    for i in range(3):
        if x[i] > 0.5:
            return x[i] ** 2 * np.sum(x)
    else:
        return np.sum(np.sin(x))


def returns_in_nested_loops_and_their_else(x):
    total = 0.0
    for i in range(3):
        for j in range(3):
            if x[i] * x[j] > 0.8:
                return total + x[i] * x[j]
            total += x[j]
        else:
            if total > 2.0:
                return total * x[i]
    else:
        return total * 3.0
    return total


def return_in_while_with_else(x):
    k = 0
    s = x[0]
    while k < 4:
        s = s * x[1]
        if s > 3.0:
            return s
        k += 1
    else:
        s = s + 1.0
    return s * x[2]


def only_the_else_returns(x, y):
    for v in x:
        pass
    else:
        return y * np.sum(x)


def return_and_break_in_loop_with_else(x):
    for i in range(3):
        if x[i] > 1.0:
            return x[i] * 3.0
        if x[i] < 0.0:
            break
    else:
        return np.sum(x ** 2)
    return x[0] * x[1]


# (each function at arguments that take each of its exits: the loop's return, the else clause's, the end)
CONTROL += [(return_in_loop_with_else, (np.array(x),), 0) for x in ([0.1, 0.9, 0.3], [0.1, 0.2, 0.3])]
CONTROL += [(returns_in_nested_loops_and_their_else, (np.array(x),), 0)
            for x in ([0.1, 0.9, 0.3], [0.1, 0.2, 0.3], [0.9, 1.2, 0.4], [0.3, 0.4, 1.0])]
CONTROL += [(return_in_while_with_else, (np.array(x),), 0) for x in ([0.1, 0.9, 0.3], [1.5, 1.1, 2.0])]
CONTROL += [(only_the_else_returns, (np.array([0.5, -1.2]), 0.7), (0, 1))]
CONTROL += [(return_and_break_in_loop_with_else, (np.array(x),), 0)
            for x in ([0.1, 1.9, 0.3], [0.1, 0.2, 0.3], [0.5, -0.2, 0.3])]
