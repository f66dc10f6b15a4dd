"""Python's semantics: and/or operands, chained comparisons, ternaries, int vs float, powers, builtins."""
import math

import numpy as np

from .case import exact

X3 = np.array([0.7, -1.3, 2.1])


@exact(1.7)
def and_returns_second_operand(x):
    return (x > 0.0 and x * 3.0) or -1.0


@exact(-0.8)
def or_returns_fallback(x):
    y = (x > 0.0 and x * 3.0) or x * x
    return y


@exact(0.9, 0.0, wrt=(0,))
def or_with_zero_number(x, w):
    return (w or x) * x


@exact(0.9, 0.4)
def and_with_number_operands(x, w):
    return (w and x * x) + x


@exact(1.4)
def chained_comparison_true(x):
    if 0.0 < x < 2.0 <= x * 2.0:
        return x * x * x
    return x


@exact(2.6)
def chained_comparison_short_circuit(x):
    if 0.0 < x < 2.0 < 1.0 / 0.0 * 0.0 + x:
        return x
    return math.sin(x)


@exact(0.3, 2.0)
def nested_ternary(x, y):
    return x * y if x > 1.0 else (y * y if y > 1.0 else x)


@exact(1.5)
def int_division_and_floor(x):
    n = 7 // 2
    r = 7 % 3
    return x * n + x / n + r * x ** 2


@exact(1.5)
def floor_division_of_float(x):
    return x // 1.0 * x + x % 1.0


@exact(1.3)
def pow_zero_and_one(x):
    return x ** 0 + x ** 1 + x ** 0.0 * x ** 2


@exact(X3)
def array_pow_zero(x):
    return np.sum(x ** 0 * x + x ** 1)


@exact(-1.6)
def abs_builtin(x):
    return abs(x) * x + abs(x * 2.0)


@exact(X3)
def abs_on_array(x):
    return np.sum(abs(x) * x)


@exact(1.2, 0.3)
def min_max_builtins(x, y):
    return max(x, y) * min(x, y)


@exact(1.2, 0.3)
def max_of_three(x, y):
    return max(x * x, 3.0 * y, 0.1)


@exact(X3)
def max_of_array_elements(x):
    return max(x[0], x[2]) * min(x[1], x[0])


@exact(X3)
def negated_max_of_array_elements(x):
    return 1.0 - max(x[0], x[2])


@exact(0.5, 0.7)
def negated_min_of_numbers(x, y):
    return 2.0 - min(x, y)


@exact(X3)
def builtin_sum_of_array(x):
    return sum(x * x) + sum(x[:2])


@exact(0.8)
def name_bound_in_one_branch(x):
    if x > 0.5:
        y = x * x
    else:
        y = x
    if x > 0.6:
        z = y * 3.0
    else:
        z = 1.0
    return z


@exact(0.4)
def early_return_in_if(x):
    if x < 0.5:
        return x * 10.0
    y = x * x
    return y


@exact(X3)
def bool_arithmetic(x):
    flag = x[0] > 0.0
    return np.sum(x * flag) + (x[1] < 0.0) * x[2]


@exact(2, wrt=(0,))
def int_argument_as_float(n):
    return n * n * 0.5 + n / 3


@exact(3, 0.7, wrt=(0, 1))
def int_argument_pow(n, x):
    return x ** n + n ** 2 * x


@exact(1.1)
def not_operator(x):
    if not x > 2.0:
        return x * 2.0
    return x


@exact(0.6)
def comparison_result_as_number(x):
    return (x > 0.5) * x + (x < 0.5) * x * x


@exact(1.25)
def unary_minus_and_plus(x):
    return -(-x) * +x - -x


@exact(X3)
def float_of_element(x):
    return float(x[0]) * x[1] + float(np.sum(x))


@exact(0.7)
def math_functions(x):
    return math.exp(x) * math.log(1.0 + x) + math.sqrt(x) - math.atan2(x, 2.0)


@exact(0.73)
def round_trip_through_int(x):
    k = int(x * 10.0)
    return x * k
