"""Functions that s2s must reject; each offending line is marked `# error-here`."""
import math

import numpy as np


def uses_try(x):
    y = x * 2.0
    try:  # error-here
        y = y + 1.0
    except ValueError:
        pass
    return y


def uses_with(x):
    with open("f") as fh:  # error-here
        pass
    return x


def uses_yield(x):
    yield x  # error-here


async def uses_async(x):  # error-here
    return x


def uses_global(x):
    global COUNTER  # error-here
    return x


def uses_nonlocal(x):
    def inner():
        return x
    return inner()


def uses_class(x):
    class A:  # error-here
        pass
    return x


def uses_del(x):
    y = x
    del y  # error-here
    return x


def uses_import(x):
    import os  # error-here
    return x


def uses_list_comprehension(x):
    return sum([x * i for i in range(3)])  # error-here


def unknown_callee(x):
    y = x + 1.0
    return np.fft.fft(y)  # error-here


OPAQUE = np.vectorize(float)  # a library's callable object with no rule (one of your classes with __call__ is inlined)


def opaque_callee(x):
    return OPAQUE(x) * 2.0  # error-here


def no_return(x):
    y = x * 2.0  # error-here


def undefined_name(x):
    return x * not_defined_anywhere  # error-here


def non_scalar(x):
    return x * 2.0


def method_of_unknown(x):
    return x.frobnicate()  # error-here


def nested_def(x):
    def helper(v):  # error-here
        return v
    return helper(x)


def writes_into_parameter(x):
    x[0] = 1.0  # error-here
    return x[0] * 2.0
