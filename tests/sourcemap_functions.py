"""Functions that fail at run time inside their generated gradient."""
import math

import numpy as np

import s2s


def log_of_negative(x, k):
    y = x * 2.0
    z = math.log(y - k)  # fails-here
    return z * y


def root(x):
    return math.sqrt(x)


@s2s.adjoint(root)
def _root_adjoint(g, ans, x):
    return (g / (2.0 * ans),)  # (Python's float division: ZeroDivisionError at 0, in the pullback)


def fails_in_adjoint(x):
    y = root(x)  # fails-here
    return y * 3.0


def fails_in_loop(x, n):
    s = x
    for i in range(n):
        s = s + math.log(s - i)  # fails-here
    return s


def helper_fails(v):
    return math.acos(v)  # helper-fails-here


def calls_failing_helper(x):
    return helper_fails(x * 3.0) + x
