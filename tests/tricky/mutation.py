"""Element and slice writes into arrays the function made, in-place operators, fancy indices."""
import numpy as np

from .case import exact, refused

X3 = np.array([0.7, -1.3, 2.1])
X4 = np.array([0.5, 1.5, -0.8, 1.1])
M23 = np.array([[0.6, -1.2, 0.9], [1.4, 0.3, -0.7]])


@exact(X3)
def write_reads_written_element(x):
    y = x * 2.0
    y[1] = y[1] * y[1] + x[0]
    return np.sum(y * x)


@exact(X3)
def augmented_element_write(x):
    y = np.copy(x)
    y[0] += y[2] * 3.0
    y[2] *= y[0]
    return np.sum(y * y)


@exact(X4)
def slice_write_from_other_slice(x):
    y = x * 1.0
    y[1:3] = y[0:2] * x[2:4]
    return np.sum(y ** 2)


@exact(X4)
def overlapping_slice_write_same_array(x):
    y = x + 0.5
    y[1:] = y[:-1] * 2.0
    return np.sum(y * x)


@exact(X4)
def buffer_filled_in_loop(x):
    out = np.zeros(4)
    for i in range(4):
        out[i] = np.sin(x[i]) * (i + 1)
    return np.sum(out * out)


@exact(X4)
def prefix_sum_in_place(x):
    c = np.copy(x)
    for i in range(1, 4):
        c[i] = c[i] + c[i - 1]
    return np.sum(c * c)


@exact(X4)
def write_in_branch_of_loop(x):
    y = x * 1.0
    for i in range(4):
        if x[i] > 0.0:
            y[i] = y[i] * x[i]
        else:
            y[i] = -y[i]
    return np.sum(y * y)


@exact(X3)
def same_element_written_twice(x):
    y = np.zeros(3)
    y[0] = x[0] * x[1]
    y[0] = y[0] + x[2]
    y[1] = y[0] * y[0]
    return np.sum(y)


@exact(M23)
def row_write_2d(x):
    y = np.copy(x)
    y[0] = y[1] * y[0]
    y[1, :] = np.cos(y[0])
    return np.sum(y)


@exact(M23)
def column_write_2d(x):
    y = x * 1.0
    y[:, 1] = y[:, 0] * y[:, 2]
    return np.sum(y * y)


@exact(M23)
def rows_in_loop_2d(x):
    y = np.zeros((2, 3))
    for i in range(2):
        y[i] = x[i] * x[1 - i]
    return np.sum(y * x)


@exact(X3)
def fancy_read_repeated_index(x):
    y = x[[0, 0, 1]]
    return np.sum(y * y * x[[2, 2, 2]])


@exact(X3, np.array([2, 0, 2, 1]))
def fancy_read_int_array_arg(x, idx):
    return np.sum(x[idx] ** 3)


@exact(X3)
def fancy_write_distinct_indices(x):
    y = np.zeros(4)
    y[[0, 2]] = x[:2] * 2.0
    return np.sum(y * y) + y[2] * x[2]


@exact(X3)
def fancy_write_repeated_index_last_wins(x):
    y = np.zeros(3)
    y[[1, 1]] = x[:2]
    return np.sum(y * x)


@exact(X3)
def fancy_augmented_repeated_index(x):
    y = np.copy(x)
    y[[0, 0]] += x[1:]
    return np.sum(y * y)


@exact(X3)
def add_at_repeated(x):
    y = np.zeros(3)
    np.add.at(y, [0, 0, 2], x)  # (the element write y[[0, 0, 2]] = rt.added_at(y, [0, 0, 2], x))
    return np.sum(y * y)


@exact(X3)
def boolean_mask_write(x):
    y = x * 1.0
    y[x < 0.0] = 0.0
    return np.sum(y * y * x)


@exact(X3)
def iadd_on_own_array(x):
    y = x * x
    y += x
    y *= 2.0
    y -= 1.0
    y /= 3.0
    return np.sum(y)


@exact(1.3, 0.6)
def iadd_on_number_arguments(x, a):
    a += x
    a *= a
    x **= 2
    return a + x


@exact(X3)
def inplace_in_loop_own_array(x):
    acc = np.zeros(3)
    for i in range(3):
        acc += x * (i + 1.0)
        acc *= 0.5
    return np.sum(acc * acc)


@refused(X3)
def inplace_on_argument(x):
    x *= 1.5  # refused
    return np.sum(x)


@refused(X3)
def element_write_into_argument(x):
    x[0] = 1.0  # refused
    return np.sum(x * x)


@refused(M23)
def element_write_into_a_view(x):
    y = np.copy(x)
    r = y[0]
    r[1] = 2.0  # refused
    return np.sum(y)


@exact(X3)
def write_then_read_whole(x):
    y = np.ones(3)
    y[2] = x[0]
    s = np.sum(y * x)
    y[0] = s
    return np.prod(y)


@exact(X4)
def negative_index_writes(x):
    y = x * 1.0
    y[-1] = y[-2] * y[0]
    y[-4] = 2.0
    return np.sum(y * y)


@exact(X4)
def strided_slice_write(x):
    y = np.copy(x)
    y[::2] = y[1::2] ** 2
    return np.sum(y * x)


@exact(X4)
def write_in_while_loop(x):
    y = np.copy(x)
    i = 0
    while i < 3:
        y[i + 1] = y[i] * 0.5 + y[i + 1]
        i += 1
    return np.sum(y)


@exact(M23)
def element_2d_write_reads_row(x):
    y = np.copy(x)
    y[1, 2] = np.sum(y[1]) * y[0, 0]
    return np.sum(y ** 2)


@exact(X3)
def write_0d_target_via_ellipsis(x):
    y = np.copy(x)
    y[...] = y * x
    return np.sum(y)


@exact(X4)
def write_then_break(x):
    y = np.zeros(4)
    for i in range(4):
        y[i] = x[i] * x[i]
        if y[i] > 2.0:
            break
    return np.sum(y * x)


@exact(X4)
def write_with_continue(x):
    y = np.ones(4)
    for i in range(4):
        if x[i] < 0.0:
            continue
        y[i] = y[i - 1] * x[i] + 1.0
    return np.sum(y * y)


@exact(X4)
def write_in_while_data_condition(x):
    y = np.copy(x)
    k = 0
    while y[0] < 3.0:
        y[0] = y[0] * 1.5 + y[k % 4] * 0.1
        k += 1
    return np.sum(y) * k


@exact(M23)
def write_rows_reverse_order(x):
    y = np.copy(x)
    for i in range(1, -1, -1):
        y[i] = y[i] * y[1 - i] + 0.5
    return np.sum(y * y)


@exact(X4)
def same_slot_overwritten_in_loop(x):
    y = np.zeros(2)
    for i in range(4):
        y[0] = y[0] * 0.5 + x[i]
        y[1] = y[0] * x[i]
    return y[0] * y[1]


@exact(X4)
def write_depends_on_loop_read_of_other_array(x):
    a = np.copy(x)
    b = np.zeros(4)
    for i in range(4):
        b[i] = a[i] * a[(i + 1) % 4]
        a[(i + 1) % 4] = b[i] - a[i]
    return np.sum(a * b)


@exact(X4)
def nested_loop_writes_2d(x):
    g = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            g[i, j] = x[i] * x[j + 1] + g[i - 1, j]
    return np.sum(g * g)


@exact(X4)
def write_then_return_in_loop(x):
    y = np.copy(x)
    for i in range(4):
        y[i] = y[i] * 2.0
        if y[i] > 2.5:
            return np.sum(y * x)
    return np.sum(y)


@exact(X4)
def write_loop_then_whole_array_op(x):
    y = np.zeros(4)
    for i in range(4):
        y[i] = x[i] ** 2
    y = y * x + np.roll(y, 1)
    return np.sum(y * y)


@exact(X4)
def array_element_accumulator_in_while(x):
    acc = np.zeros(1)
    i = 0
    while i < 4:
        acc[0] += x[i] * acc[0] + x[i]
        i += 1
    return acc[0] * acc[0]
