"""Functions that fail at run time inside their generated gradient."""
import math

import numpy as np


def log_of_negative(x, k):
    y = x * 2.0
    z = math.log(y - k)  # fails-here
    return z * y


def fails_in_adjoint(x):
    y = math.sqrt(x)  # fails-here
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
