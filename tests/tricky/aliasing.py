"""Names bound to the same array, views before/after writes, containers holding arrays, loop rows."""
import numpy as np

from .case import exact, refused

X3 = np.array([0.7, -1.3, 2.1])
X4 = np.array([0.5, 1.5, -0.8, 1.1])
M23 = np.array([[0.6, -1.2, 0.9], [1.4, 0.3, -0.7]])
M22 = np.array([[1.1, -0.4], [0.8, 1.7]])


@exact(X3)
def alias_then_write_through_alias(x):
    buf = x * 2.0
    other = buf
    other[1] = x[0] * x[2]
    return np.sum(buf * x)


@exact(X3)
def alias_chain_three_names(x):
    a = np.copy(x)
    b = a
    c = b
    c[0] = np.sin(x[1])
    b[2] = a[0] * x[2]
    return np.sum(a * a)


@exact(X3)
def alias_rebind_breaks_sharing(x):
    a = np.copy(x)
    b = a
    a = a * 3.0
    b[0] = 10.0
    return np.sum(a * x) + np.sum(b * x)


@exact(X3)
def copy_method_before_write(x):
    y = x * 1.5
    snap = y.copy()
    y[0] = y[1] * y[2]
    return np.sum(snap * y)


@exact(X4)
def slice_view_read_before_write(x):
    y = x * x
    head = y[:2]
    s = np.sum(head * x[2:])
    y[0] = s
    return np.sum(y) + s


@refused(X4)
def slice_view_read_after_write(x):
    y = x * x
    head = y[:2]
    y[0] = 3.0
    return np.sum(head * x[2:])  # refused


@exact(M22)
def transpose_read_before_write(x):
    y = x + 1.0
    t = y.T
    s = np.sum(t * x)
    y[0, 1] = s
    return np.sum(y * y)


@refused(M22)
def transpose_read_after_write(x):
    y = x + 1.0
    t = y.T
    y[0, 1] = 5.0
    return np.sum(t * x)  # refused


@refused(M23)
def reshape_view_read_after_write(x):
    y = x * 2.0
    flat = y.reshape(6)
    y[1, 2] = 0.5
    return np.sum(flat * flat)  # refused


@refused(M23)
def ravel_view_read_after_write(x):
    y = np.copy(x)
    r = y.ravel()
    y[0, 0] = 1.0
    return np.dot(r, r)  # refused


@exact(M23)
def ravel_copy_after_write(x):
    y = np.copy(x)
    r = y.ravel().copy()
    y[0, 0] = 1.0
    return np.dot(r, r) + np.sum(y)


@exact(M23)
def reshape_then_write_the_reshape_copy(x):
    y = np.copy(x).reshape(3, 2).copy()
    y[2, 1] = y[0, 0] * y[1, 1]
    return np.sum(y ** 2)


@exact(X3)
def list_holds_array_read_after_write(x):
    y = x * 1.0
    parts = [y, x]
    y[2] = 0.0
    return np.sum(parts[0] * parts[1])  # parts[0] is y: it sees the write


@exact(X3)
def tuple_holds_array_read_before_write(x):
    y = x * 1.0
    pair = (y, x)
    s = np.sum(pair[0] * pair[1])
    y[2] = s
    return np.sum(y) * s


@exact(X3)
def tuple_of_copies_then_write(x):
    y = x * 2.0
    pair = (y.copy(), x)
    y[0] = 7.0
    return np.sum(pair[0] * pair[1]) + np.sum(y)


@exact(M23)
def loop_rows_no_write(x):
    total = 0.0
    for row in x:
        total = total + np.sum(row * row) * row[0]
    return total


@refused(M22)
def loop_rows_while_writing(x):
    y = x * 1.0
    total = 0.0
    for row in y:
        y[1, 0] = total
        total = total + np.sum(row)  # refused
    return total


@exact(M22)
def loop_rows_of_copy_write_original(x):
    y = x * 1.0
    src = y.copy()
    total = 0.0
    for row in src:
        y[0, 0] = total + 1.0
        total = total + np.sum(row * y[0])
    return total


@refused(X4)
def view_made_before_loop_read_each_iteration(x):
    y = x * 1.0
    v = y[1:3]
    s = 0.0
    for i in range(3):
        s = s + np.sum(v)  # refused
        y[i] = s * x[i]
    return s


@exact(X4)
def view_made_inside_loop_before_write(x):
    y = x * 1.0
    s = 0.0
    for i in range(3):
        v = y[1:3]
        s = s + np.sum(v * v)
        y[i] = s * x[i]
    return s + np.sum(y)


@refused(X3)
def scalar_read_then_used_after_write(x):
    y = x * 2.0
    first = y[0]
    y[0] = 0.0
    return first * x[1]  # refused


@exact(X3)
def scalar_read_as_float_then_write(x):
    y = x * 2.0
    first = float(y[0])
    y[0] = 0.0
    return first * x[1] + np.sum(y)


@exact(M23)
def row_copy_then_write_row(x):
    y = x * 1.0
    r = y[0].copy()
    y[0] = y[1] * 2.0
    return np.sum(r * y[0]) + np.sum(y)


@refused(M23)
def row_view_then_write_row(x):
    y = x * 1.0
    r = y[0]
    y[0] = y[1] * 2.0
    return np.sum(r * y[1])  # refused


@exact(X3)
def same_array_both_operands(x):
    y = np.copy(x)
    z = y
    y[1] = y[0] * z[2]
    return np.sum(y * z)


@exact(X3)
def write_then_take_view(x):
    y = x * 1.0
    y[0] = x[1] * x[2]
    v = y[:2]
    return np.sum(v * v)


@refused(X3)
def inplace_op_through_alias_then_read_old_name(x):
    y = x * 1.0
    z = y
    y += x  # refused
    return np.sum(z * z)


@exact(X3)
def rebinding_plus_instead_of_inplace(x):
    y = x * 1.0
    z = y
    y = y + x
    return np.sum(z * y)


@refused(X3)
def alias_of_argument_inplace(x):
    y = x
    y *= 2.0  # refused
    return np.sum(y)


@exact(X3)
def alias_of_argument_rebound(x):
    y = x
    y = y * 2.0
    return np.sum(y * x)


# the name `a` holds the other array in every other iteration: s2s follows one array per name
@refused(X4)
def alias_swapped_in_loop(x):
    a = x * 1.0
    b = x * 2.0
    for i in range(3):  # refused
        a[i] = b[i + 1] * a[i]
        a, b = b, a
    return np.sum(a * b)


# c is a or b, both made by the function: the write is exact, but NumPy shows it in a or in b, by the branch
# taken, and the read of a after it is refused (tests/test_rebound_writes.py has the write without such reads)
@refused(X4)
def alias_assigned_in_branch_then_written(x):
    a = x * 1.0
    b = x * 2.0
    if x[0] > 0.0:
        c = a
    else:
        c = b
    c[1] = x[3] * x[2]
    return np.sum(a * x) + np.sum(b)  # refused


@exact(X4)
def alias_in_loop_written_each_iteration(x):
    y = np.zeros(4)
    z = y
    s = 0.0
    for i in range(4):
        z[i] = x[i] + s
        s = s + y[i] * x[i]
    return s + np.sum(y)


@exact(M23)
def row_read_copied_in_loop_then_written(x):
    y = np.copy(x)
    s = 0.0
    for i in range(2):
        r = y[i].copy()
        y[i] = r * r
        s = s + np.sum(r * y[i])
    return s


@exact(X4)
def view_of_fresh_result_after_original_rebound(x):
    y = x * 1.0
    v = y[1:]
    y = y * 2.0
    y[0] = 5.0
    return np.sum(v * y[1:])


@exact(X4)
def list_of_arrays_written_after_copy(x):
    y = x * 1.0
    parts = [y.copy(), x * 3.0]
    y[0] = parts[1][1]
    return np.sum(parts[0] * y)


@exact(M23)
def transpose_of_copy_written(x):
    y = x.T.copy()
    y[0, 1] = y[2, 0] * y[1, 1]
    return np.sum(y * x.T)
