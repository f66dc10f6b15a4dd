"""Functions with the mistakes users make; tests/test_mistakes.py checks the error each one gets.

The line each error must name is marked `# mistake-here`. Nothing here is registered with s2s at
import: the custom rules with a mistake are registered by the tests that need them.
"""
import math

import numpy as np


# ---------------------------------------------------------------- typos

def numpy_typo(x):
    return np.summ(x * x)  # mistake-here


def math_typo(x):
    return math.sinn(x) * 2.0  # mistake-here


def name_typo(x):
    total = x * x
    return totl + 1.0  # mistake-here


def helper(x):
    return x * x


def helper_typo(x):
    return helpr(x) * 2.0  # mistake-here


def unknown_method(x):
    return x.frobnicate()  # mistake-here


# ---------------------------------------------------------------- wrt and arguments

def loss(weights, x):  # mistake-here
    return np.sum((x @ weights) ** 2)


def scaled(x, label):
    return x * 2.0


def two_args(x, y):
    return x * y


class Model:
    def __init__(self):
        self.bias = 1.0

    def energy(self, x):  # used as @s2s.grad in the tests: wrt=0 is then `self`
        return x * x


# ---------------------------------------------------------------- results

def vector_result(x):
    return np.sin(x) * 2.0  # mistake-here


def tuple_result(x):
    return x * 2.0, np.sin(x)  # mistake-here


def list_result(x):
    return [x * 2.0, x * 3.0]  # mistake-here


def none_on_a_path(x):
    if x > 0.0:  # mistake-here
        return x * x
    return None


def comparison_result(x):
    return x * x > 1.0  # mistake-here


def square_elements(x):
    return x * x  # mistake-here


# ---------------------------------------------------------------- unsupported constructs

def uses_try(x):
    try:  # mistake-here
        return math.log(x)
    except ValueError:
        return 0.0


def reads_a_file(x):
    with open("weights.txt") as f:  # mistake-here
        scale = float(f.read())
    return x * scale


def generator(x):
    for i in range(3):
        yield x * i  # mistake-here


COUNTER = 0


def uses_global(x):
    global COUNTER  # mistake-here
    COUNTER = COUNTER + 1
    return x * x


def class_inside(x):
    class Point:  # mistake-here
        pass
    return x


def uses_del(x):
    y = x * 2.0
    del y  # mistake-here
    return x


def imports_inside(x):
    import math as m  # mistake-here
    return m.sin(x)


async def async_function(x):  # mistake-here
    return x * x


def walrus(x):
    return (y := x * x) + y  # mistake-here


def uses_match(x):
    match x:  # mistake-here
        case 0.0:
            return 0.0
    return x * x


def uses_nonlocal(x):
    total = x

    def add_one():
        nonlocal total  # mistake-here
        total = total + 1.0

    add_one()
    return total * total


def missing_return(x):
    if x > 0.0:  # mistake-here
        return x * x


def writes_into_argument(x):
    x[0] = 0.0  # mistake-here
    return np.sum(x * x)


def discarded_result(x):
    np.sort(x)  # mistake-here
    return np.sum(x * x)


# ---------------------------------------------------------------- errors while the derivative runs

def index_past_the_end(A):
    total = 0.0
    for i in range(3):
        for j in range(4):
            v = A[i, j]  # mistake-here
            total = total + v * v
    return total


def index_in_while(xs, n):
    total = 0.0
    i = 0
    while i < n:
        total = total + np.sin(xs[i]) * xs[i]  # mistake-here
        i = i + 1
    return total


def matmul_shapes_in_loop(W, h):
    for step in range(3):
        h = np.tanh(W @ h)  # mistake-here
    return np.sum(h)


def divides_by_zero(x, y):
    z = x * x
    return z / y  # mistake-here


def sqrt_of_negative_in_loop(x, n):
    total = 0.0
    for k in range(n):
        total = total + math.sqrt(x - k)  # mistake-here
    return total


def adds_in_place(x):
    x += 1.0  # mistake-here
    return np.sum(x * x)


# ---------------------------------------------------------------- custom rules with mistakes

def softclip(x):
    return np.tanh(x)


def softclip_adjoint_not_a_tuple(g, ans, x):
    return g * (1.0 - ans * ans)  # (the mistake: the rule returns a bare value)


def uses_softclip(x):
    return softclip(x) * 2.0  # mistake-here


def weighted(x, w):
    return x * w


def weighted_adjoint_too_few(g, ans, x, w):
    return (g * w,)  # (the mistake: one adjoint for two arguments)


def uses_weighted(x, w):
    return weighted(x, w) + 1.0  # mistake-here


def cube(x):
    return x * x * x


def cube_tangent_without_ans(tangents, x):  # mistake-here
    return 3.0 * x * x * tangents[0]


def quartic(x):
    return x ** 4


def quartic_adjoint_without_g(ans, x):  # mistake-here
    return (4.0 * x ** 3,)


def square(x):
    return x * x


def square_adjoint_wrong(g, ans, x):
    return (g * x,)  # (the mistake: the derivative of x * x is 2 * x)


def square_tangent(tangents, ans, x):
    return 2.0 * x * tangents[0]


def uses_square(x):
    return square(x) + 1.0


def halve(x):
    return x / 2.0


def halve_adjoint(g, ans, x):
    return (g / 2.0,)


def uses_halve(x):
    return halve(x) * 3.0  # mistake-here


ERF = np.vectorize(math.erf)


def smooth_step(x):
    return np.sum(ERF(x / 2.0))  # mistake-here
