"""Calls to the user's own helpers: defaults, keywords, bounded recursion, helpers that write arrays."""
import numpy as np

from .case import exact, refused

X3 = np.array([0.7, -1.3, 2.1])


def scaled(v, scale=2.0, shift=0.0):
    return v * scale + shift


def fill_squares(v):
    out = np.zeros(len(v))
    for i in range(len(v)):
        out[i] = v[i] * v[i]
    return out


def power(v, n):
    if n == 0:
        return 1.0
    return v * power(v, n - 1)  # refused


def first_positive(v):
    for e in v:
        if e > 0.0:
            return e
    return 0.0


def bump(weight):
    weight += 1.0  # refused
    return weight


def pair(v):
    return v * 2.0, v + 1.0


def write_first(buf, value):
    buf[0] = value  # refused
    return buf


def early(v, limit):
    if v > limit:
        return limit
    return v * v


@exact(0.9)
def helper_with_default(x):
    return scaled(x) * scaled(x, 3.0)


@exact(0.9)
def helper_with_keywords(x):
    return scaled(x, shift=1.0) * scaled(x, shift=x, scale=0.5)


@exact(X3)
def helper_writes_its_own_array(x):
    s = fill_squares(x)
    return np.sum(s * x)


# recursion: the recursive call is a call, with the derivatives s2s makes for the function (api/recursion.py)
@exact(1.1)
def bounded_recursion(x):
    return power(x, 4) + power(x, 0)


@exact(X3)
def helper_with_early_return_in_loop(x):
    return first_positive(x) * x[1] + first_positive(x * -1.0)


@exact(X3)
def helper_called_in_loop(x):
    s = 0.0
    for i in range(3):
        s = s + scaled(x[i], scale=i + 1.0)
    return s * s


@exact(0.8)
def helper_inplace_on_number(x):
    return bump(x) * x


@refused(X3, at=bump)
def helper_inplace_on_callers_array(x):
    c = x * x
    d = bump(c)
    return np.sum(c * d)


@exact(X3)
def helper_returns_tuple(x):
    a, b = pair(x)
    return np.sum(a * b)


@exact(X3)
def helper_writes_callers_fresh_array(x):
    y = x * 3.0
    z = write_first(y, x[1] * x[2])
    return np.sum(z * x)


@refused(X3, at=write_first)
def helper_writes_into_argument(x):
    z = write_first(x, 2.0)
    return np.sum(z)


@exact(0.7, 1.5)
def helper_early_return_called_twice(x, lim):
    return early(x, lim) + early(x * 3.0, lim)


@exact(X3)
def helper_called_in_branch(x):
    if x[0] > 0.0:
        y = scaled(x, 0.5)
    else:
        y = fill_squares(x)
    return np.sum(y * y)


@exact(0.6)
def nested_helpers(x):
    return scaled(scaled(x, x), scale=scaled(x, shift=1.0))


@exact(X3)
def helper_result_written_after(x):
    s = fill_squares(x)
    s[1] = s[0] * s[2]
    return np.sum(s)


def accumulate(buf, v, i):
    out = np.copy(buf)
    out[i] = out[i] + v
    return out


def normalise(v):
    n = np.sqrt(np.sum(v * v))
    if n > 0.0:
        return v / n
    return v


@exact(X3)
def helper_copy_and_write_in_loop(x):
    buf = np.zeros(3)
    for i in range(3):
        buf = accumulate(buf, x[i] * x[(i + 1) % 3], i)
    return np.sum(buf * buf)


@exact(X3)
def helper_with_early_return_on_array(x):
    u = normalise(x)
    return np.sum(u * np.array([1.0, 2.0, 3.0]))


@exact(X3)
def helper_fills_then_caller_writes_in_loop(x):
    s = fill_squares(x)
    for i in range(2):
        s[i + 1] = s[i] * x[i]
    return np.sum(s)


@exact(X3)
def helper_twice_same_array(x):
    a = fill_squares(x)
    b = fill_squares(a)
    return np.sum(a * b)
