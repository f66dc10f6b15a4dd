"""Control flow: loops with else, break/continue at depth, while on data, zero-trip loops, negative steps."""
import numpy as np

from .case import exact, refused

X4 = np.array([0.5, 1.5, -0.8, 1.1])


@exact(1.3)
def for_else_without_break(x):
    for i in range(3):
        x = x * 1.1
    else:
        x = x + 1.0
    return x


@exact(1.3)
def for_else_with_break_taken(x):
    for i in range(5):
        x = x * 1.5
        if x > 3.0:
            break
    else:
        x = -x
    return x * x


@exact(X4)
def break_in_nested_loop(x):
    s = 0.0
    for i in range(4):
        for j in range(4):
            if j > i:
                break
            s = s + x[i] * x[j]
    return s


@exact(X4)
def continue_at_depth(x):
    s = 0.0
    for i in range(4):
        for j in range(3):
            if (i + j) % 2 == 0:
                continue
            if x[i] < 0.0:
                continue
            s = s + x[i] * (j + 1.0)
    return s * s


@exact(0.3)
def while_data_condition(x):
    y = x
    n = 0
    while y < 5.0:
        y = y * 1.7 + 0.1
        n = n + 1
    return y * n


@exact(0.9)
def while_with_else(x):
    k = 0
    while k < 3:
        x = np.sin(x) + x
        k += 1
    else:
        x = x * 2.0
    return x


@exact(1.2)
def zero_trip_for(x):
    for i in range(0):
        x = x * 100.0
    return x * 3.0


@exact(1.2)
def zero_trip_while(x):
    y = x * 2.0
    while y > 100.0:
        y = y * 0.5
    return y * x


@exact(X4)
def negative_range_step(x):
    s = 0.0
    for i in range(3, -1, -1):
        s = s * 0.5 + x[i] * i
    return s


@exact(X4)
def range_with_start_and_step(x):
    s = 1.0
    for i in range(1, 4, 2):
        s = s * x[i]
    return s


@exact(X4)
def reversed_range(x):
    s = 0.0
    for i in reversed(range(4)):
        s = s * x[i] + 1.0
    return s


@exact(X4, 3)
def loop_bound_from_argument(x, n):
    s = 0.0
    for i in range(n):
        s = s + x[i] * x[i + 1]
    return s


@exact(X4, 0)
def zero_trip_from_argument(x, n):
    s = x[0]
    for i in range(n):
        s = s * x[i]
    return s


@exact(0.6)
def return_inside_loop(x):
    for i in range(10):
        x = x * 1.4
        if x > 2.0:
            return x * i
    return -x


@exact(X4)
def return_inside_nested_loop(x):
    s = 0.0
    for i in range(4):
        for j in range(4):
            s = s + x[i] * x[j]
            if s > 3.0:
                return s * x[j]
    return s


@exact(0.8)
def while_true_with_return(x):
    k = 0
    while True:
        x = x * x + 0.3
        k += 1
        if k >= 3:
            return x


@exact(X4)
def loop_over_array_enumerate(x):
    s = 0.0
    for i, v in enumerate(x):
        if i == 2:
            continue
        s = s + v * (i + 1.0)
    return s * s


@exact(X4, np.array([1.0, 2.0, 3.0, 4.0]))
def loop_zip(x, w):
    s = 0.0
    for a, b in zip(x, w):
        s = s + a * b * a
    return s


@exact(0.7)
def branch_in_loop_changes_variable_kind(x):
    acc = 0
    for i in range(3):
        if i == 1:
            acc = acc + x
        else:
            acc = acc + i
    return acc * x


@exact(X4)
def loop_carried_two_variables_swap(x):
    a = x[0]
    b = x[1]
    for i in range(4):
        a, b = b, a + b * x[i]
    return a * b


@exact(0.9)
def nested_while_and_for(x):
    total = 0.0
    k = 0
    while k < 2:
        for j in range(k + 1):
            total = total + x ** (j + 1)
        k += 1
    return total


@exact(X4)
def break_with_else_not_taken(x):
    s = 0.0
    for v in x:
        if v < 0.0:
            break
        s = s + v * v
    else:
        s = 100.0
    return s


@exact(X4)
def loop_variable_used_after_loop(x):
    for i in range(3):
        y = x[i] * 2.0
    return y * i + x[i]


@exact(X4)
def loop_item_used_after_loop(x):
    for v in x:
        w = v * v
    return w * v


@exact(1.1)
def if_elif_chain(x):
    if x > 2.0:
        y = x
    elif x > 1.5:
        y = x * x
    elif x > 1.0:
        y = x * x * x
    else:
        y = 0.0
    return y
