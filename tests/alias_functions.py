"""Programs where names, views and containers share arrays (docs/semantics.md).

EXACT: s2s differentiates them as NumPy executes them. REJECTED: s2s refuses them at the line
given, because NumPy's result depends on sharing that SSA values do not have.
"""
import numpy as np


def second_name_sees_element_write(x):
    y = np.copy(x)
    z = y
    z[0] = 5.0
    return np.sum(y * x)


def second_name_in_loop(x):
    y = np.zeros(3)
    z = y
    for i in range(3):
        z[i] = x[i] * x[i]
    return np.sum(y * x)


def second_name_in_branch(x):
    y = np.copy(x)
    if x[0] > 0.0:
        w = y
        w[1] = x[0] * 3.0
    return np.sum(y * y)


def copy_breaks_sharing(x):
    y = np.copy(x)
    z = y.copy()
    y[0] = 0.0
    return np.sum(z * y)


def view_read_before_write(x):
    y = np.copy(x)
    v = y[1:]
    s = np.sum(v * v)
    y[1] = 0.0
    return s + np.sum(y)


def inplace_on_own_array(x):
    y = x * 2.0
    y += x
    y *= x
    return np.sum(y)


def inplace_on_number_argument(x, a):
    a *= x
    a += 1.0
    return a * x


def inplace_number_alias(x):
    y = x * 1.0
    z = y
    y += 1.0
    return y * y


def element_write_reads_old(x):
    y = np.copy(x)
    t = y[0] * 1.0
    y[0] = t * t
    return np.sum(y) + t


EXACT = [
    (second_name_sees_element_write, (np.array([1.0, 2.0, 3.0]),)),
    (second_name_in_loop, (np.array([1.0, -2.0, 0.5]),)),
    (second_name_in_branch, (np.array([1.0, -2.0, 0.5]),)),
    (copy_breaks_sharing, (np.array([1.0, -2.0, 0.5]),)),
    (view_read_before_write, (np.array([1.0, -2.0, 0.5]),)),
    (inplace_on_own_array, (np.array([1.0, -2.0, 0.5]),)),
    (inplace_on_number_argument, (1.5, 0.7)),
    (inplace_number_alias, (1.5,)),
    (element_write_reads_old, (np.array([1.5, -2.0]),)),
]


def view_read_after_write(x):
    y = np.copy(x)
    v = y[1:]
    y[1] = 0.0
    return np.sum(v * x[1:])


def reshape_read_after_write(x):
    y = np.copy(x)
    v = y.reshape(3)
    y[0] = 2.0
    return np.sum(v * x)


def transpose_read_after_write(x):
    y = np.copy(x)
    v = y.T
    y[0, 0] = 2.0
    return np.sum(v * x)


def list_holds_written_array(x):
    y = np.copy(x)
    pair = [y, y]
    y[0] = 3.0
    return np.sum(pair[0] * x)


def row_of_loop_after_write(x):
    y = np.copy(x)
    total = 0.0
    for row in y:
        y[0] = 1.0
        total = total + np.sum(row)
    return total


def view_made_before_loop(x):
    y = np.copy(x)
    v = y[:2]
    s = 0.0
    for i in range(3):
        s = s + np.sum(v)
        y[i] = s * x[i]
    return s


def inplace_through_view(x):
    y = np.copy(x)
    v = y[1:]
    v += 1.0
    return np.sum(y)


def inplace_seen_through_other_name(x):
    y = np.copy(x)
    z = y
    y += x
    return np.sum(z * z)


def out_keyword(x):
    y = np.zeros(3)
    z = np.sin(x, out=y)
    return np.sum(y * z)


# (function, arguments, the line of the user's source the error points at, relative to the def)
REJECTED = [
    (out_keyword, (np.array([1.0, 2.0, 3.0]),), 2),
    (view_read_after_write, (np.array([1.0, 2.0, 3.0]),), 4),
    (reshape_read_after_write, (np.array([1.0, 2.0, 3.0]),), 4),
    (transpose_read_after_write, (np.array([[1.0, 2.0], [3.0, 4.0]]),), 4),
    (row_of_loop_after_write, (np.array([[1.0, 2.0], [3.0, 4.0]]),), 5),
    (view_made_before_loop, (np.array([1.0, 2.0, 3.0]),), 5),
]
# a list the function writes out is read part by part: pair[0] is y itself, so it sees the write
EXACT.append((list_holds_written_array, (np.array([1.0, 2.0, 3.0]),)))


def inplace_on_array_argument(x):
    x += 1.0
    return np.sum(x * x)


def inplace_on_alias_of_argument(x):
    y = x
    y += 1.0
    return np.sum(x * x)


def inplace_on_argument_in_loop(x):
    for i in range(2):
        x *= 1.5
    return np.sum(x)


def inplace_on_tuple_element(x):
    pair = (x * 2.0, x)
    w = pair[0]
    w += 1.0
    return np.sum(pair[0] * w)


def inplace_in_helper(x):
    c = x * x
    d = bump(c)
    return np.sum(c * d)


def bump(weight):
    weight += 1.0
    return weight


# in-place operators where NumPy and Python differ (the caller's argument, another name, a view):
# numbers are rebound, as Python does; arrays are refused when the operator runs
INPLACE_AMBIGUOUS = [inplace_on_array_argument, inplace_on_alias_of_argument, inplace_on_argument_in_loop,
                     inplace_through_view, inplace_seen_through_other_name, inplace_on_tuple_element,
                     inplace_in_helper]


def elements_of_written_array_in_nested_loop(a):
    """zip(y, y) reads y's elements as the loop runs, after the inner loop's writes: the SSA once read the
    version from before the inner loop (a wrong derivative, fuzz seed 50891); a possible view is refused."""
    y = a * np.ones(4)
    for k in range(1):
        for b, c in zip(y, y):
            y[:] = 1.0
    return b


REJECTED.append((elements_of_written_array_in_nested_loop, (0.4653,), 5))


def element_write_through_another_name_in_a_loop(p):
    """A loop writes into h through ws; h read after the loop has no SSA version of it (it was read stale:
    a wrong value, fuzz seed 202203). Refused at the write: from the second iteration on it writes into h as the
    first left it, which no SSA value holds either (`y = y0; y[i] = v` in a loop gave wrong derivatives)."""
    h = np.abs(p)
    for i in range(2):
        ws = h
        ws[0] = p[1]
    return np.sum(h)


def inplace_operator_through_another_name_in_a_loop(p):
    h = np.abs(p) + 1.0
    for i in range(2):
        ws = h
        ws *= p
    return np.sum(h)


REJECTED.append((element_write_through_another_name_in_a_loop, (np.array([1.0, 2.0]),), 7))
INPLACE_AMBIGUOUS.append(inplace_operator_through_another_name_in_a_loop)


def inplace_operator_through_another_name_in_a_branch(p):
    """`vec = cum; vec -= 1.5` in one branch changes cum, read after the if: it was read unchanged (a wrong
    value, fuzz seed 204707); now checked to be a number when it runs."""
    cum = p * 1.5
    if np.sum(p) > 100.0:
        pass
    else:
        vec = cum
        vec -= 1.5
    return np.sum(cum)


INPLACE_AMBIGUOUS.append(inplace_operator_through_another_name_in_a_branch)


def inplace_operator_through_another_name_on_an_element_written_array(x, v):
    """`A = M2; A *= t` in a branch of a loop whose iterations write elements of M2: NumPy changes M2 itself, but
    s2s made A a new array, so the reversed loop read M2's last value for every iteration (wrong derivative,
    fuzz seed 1501442). Refused now, with the hint to write it by M2's own name."""
    M2 = np.zeros((4, 4))
    for b_i in v:
        if x < 0.0:
            M2[:, 0] = np.exp(np.sin(v))
            A = M2
            A *= np.tanh(b_i)
    return np.sum(M2)


REJECTED.append((inplace_operator_through_another_name_on_an_element_written_array,
                 (-1.0, np.array([0.5281, -1.4768, 0.9762, -0.7216])), 9))
