"""Programs that once gave a wrong number or crashed, each reduced to a few lines.

Each entry of CASES is (function, arguments, wrt). tests/test_regressions.py checks the value
and the derivatives of every one against the original function and finite differences.
"""
import math

import numpy as np


def loop_value_feeds_two_phis(c):
    """Out of SSA once gave `g = g * g`: one loop value (c) also fed the phi of g."""
    g = 0.0
    for i in range(0, 3, 2):
        c *= c
        g = c
    unused = np.zeros(4)
    return g


def break_in_if_at_end_of_loop(x, y, z):
    """The adjoint of the back edge was lost when the body ended in an if holding a break."""
    loss = y
    g = loss
    for i in range(1, -1, -1):
        loss = g
        if i > loss:
            g = 4.0
        else:
            g = z
            if loss < 1.0:
                break
    return g


def while_counter_inside_branch(x, y, z):
    """A while loop's trip counter, saved inside a branch, was popped on every iteration."""
    total = 0.0
    for i in range(4):
        total *= y
        prev = total
        if prev > math.exp(y):
            prev = math.sin(0.5) * total
            while total <= 0.0:
                prev = z
        x *= prev
    return x


def while_counter_inside_branch_taken(x, y):
    total = 0.5
    for i in range(3):
        total = total * y + 0.1
        if total > 0.2:
            k = 0
            while k < i:
                x = x * total
                k = k + 1
    return x


def nested_while_counters(x, n):
    for i in range(3):
        k = 0
        while k < 2:
            j = 0
            while j < n:
                x = x * 1.1 + 0.1
                j = j + 1
            k = k + 1
    return x


def nested_loops_in_branch(x, n):
    for i in range(3):
        if x > 0.5:
            for k in range(2):
                j = 0
                while j < n:
                    x = math.sin(x) * 1.1 + 0.1
                    j = j + 1
    return x


def element_write_reads_itself(x):
    """A read of the written element was recomputed in the reverse sweep after the write."""
    y = x.copy()
    for i in range(3):
        y[i] = y[i] * y[i]
    return np.sum(y)


def row_write_reads_itself(x):
    y = x.copy()
    for i in range(2):
        y[i] = y[i] * y[i] + y[i - 1]
    return np.sum(y * y)


CASES = [
    (loop_value_feeds_two_phis, (1.5,), 0),
    (break_in_if_at_end_of_loop, (0.0486, 0.5855, -1.8212), (0, 1, 2)),
    (break_in_if_at_end_of_loop, (0.0486, 0.2, 0.3), (0, 1, 2)),
    (while_counter_inside_branch, (1.4046, -0.6350, 1.6290), (0, 1, 2)),
    (while_counter_inside_branch, (1.4046, 1.2, 1.6290), (0, 1, 2)),
    (while_counter_inside_branch_taken, (1.3, 0.9), (0, 1)),
    (nested_while_counters, (0.7, 2), 0),
    (nested_loops_in_branch, (0.7, 2), 0),
    (element_write_reads_itself, (np.array([1.0, 2.0, 3.0]),), 0),
    (row_write_reads_itself, (np.array([[0.5, -0.3], [0.2, 0.7]]),), 0),
]


def tangent_name_is_a_keyword(x, el):
    """The tangent of `el` was named `del`, of `ef` `def`: generated code did not compile."""
    ef = el * x
    for k in range(2):
        el = math.sin(el + ef)
    return el


def and_or_in_while_condition(b, a):
    """Folding `a or b` back into one expression met an if among the statements it folds."""
    n = 0
    while n < 4 and b - b > (a or b):
        n += 1
        b -= b - a
        b *= b
    a -= a
    return b + a * n + a ** 2


CASES += [
    (tangent_name_is_a_keyword, (0.3, 0.7), (0, 1)),
    (and_or_in_while_condition, (-0.1561, -0.6512), (0, 1)),
    (and_or_in_while_condition, (0.5, -0.3), (0, 1)),
]


def _force(x):
    n = x.shape[0]
    a = np.zeros(n)
    for i in range(n):
        a[i] = -np.sin(x[i])
    return a


def verlet_with_element_force(x0, v0):
    """A helper filling a fresh array element by element, called twice per step: the loop-carried `a`
    was taken for a version of the helper's array (values and derivatives ~10% off in both modes)."""
    x = x0
    v = v0
    dt = 0.1
    a = _force(x)
    for step in range(5):
        x = x + v * dt + 0.5 * a * dt * dt
        a_new = _force(x)
        v = v + 0.5 * (a + a_new) * dt
        a = a_new
    return np.sum(x * x) + np.sum(v * v)


def array_made_in_loop_body(x):
    """An array made and written anew in each iteration is saved per iteration (the reverse sweep read
    the last iteration's array in every iteration)."""
    s = 0.0
    for k in range(3):
        a = np.zeros(3)
        for i in range(3):
            a[i] = np.sin(x[i] * (k + 1))
        s = s + np.sum(a * a * x)
    return s


CASES += [
    (verlet_with_element_force, (np.array([0.3, -0.2, 0.5]), np.array([0.1, 0.0, -0.1])), (0, 1)),
    (array_made_in_loop_body, (np.array([0.3, -0.2, 0.5]),), 0),
]


def inplace_operator_in_loop_in_branch(z, y):
    """The alias pass merged an in-place operator's versions at a join after a loop, with a phi
    reading a value from inside the loop (found by the fuzzer, seed 1025 level 2)."""
    if y * y <= 0.2:
        pass
    elif not y > 1.0:
        tries = 0
        while tries < 2:
            tries += 1
            y = 0.5 * math.cos(z)
            if y >= 0.0:
                y /= 1.0 + y * y
    return y


def inplace_on_dict_entry_in_loop(a, state, y):
    """A dict parameter's entry read in a reversed loop: its adjoint was added as if into an array."""
    for k in range(3):
        y *= state["lr"] + state["b"]
    return y


CASES += [
    (inplace_operator_in_loop_in_branch, (-1.2347, -0.9), (0, 1)),
]


def inplace_operator_or_slice_write_in_branches(b):
    """Out of SSA renamed a slice write's target to the join's name: the write kept the array's name and
    the join's name was never bound (UnboundLocalError; fuzzer seeds 96, 171, 279)."""
    hist = np.ones(4)
    if b > 1.0:
        hist *= b
    else:
        hist[0:3] = b
    return np.sum(hist * hist)


CASES += [
    (inplace_operator_or_slice_write_in_branches, (0.5,), 0),
    (inplace_operator_or_slice_write_in_branches, (1.5,), 0),
]


def hypot_at_the_origin(b):
    """hypot's derivative x / hypot(x, y) divided by zero at the origin (ZeroDivisionError; fuzzer seeds
    193, 245, 31157): s2s takes 0 there, as at other kinks."""
    b = b - b
    return math.hypot(b, b) + math.hypot(b, 2.0) * b


CASES += [(hypot_at_the_origin, (0.5,), 0)]


def array_written_in_inner_loop_read_before(xs):
    """The adjoint of an array written in an inner loop entered that loop as a bare 0.0 and was indexed
    (IndexError on a 0-d array; fuzzer seed 1058 level 3)."""
    W2 = np.full((3, 3), 1.5)
    for k in range(2):
        total = np.sum(W2 * W2, axis=1)[0]
        for i in range(1):
            W2[0] = xs * total
    return total


CASES += [(array_written_in_inner_loop_read_before, (np.array([-1.3546, -0.0051, -0.8493]),), 0)]


def number_written_into_a_slice(c):
    """A number written into a slice is broadcast: its adjoint is summed back to a number (it came back as
    an array of shape (1,); fuzz seed 50078)."""
    ws = np.zeros(3)
    ws[0:2] = c
    arr = ws[::1]
    return c + arr[1] * arr[0]


def number_written_into_a_row(c):
    y = np.zeros((2, 3))
    y[0] = c
    return c + np.sum(y * y)


CASES += [(number_written_into_a_slice, (1.0891,), 0), (number_written_into_a_row, (0.7,), 0)]


def matrix_product_returned_on_a_path_not_taken(y, W):
    """The adjoint of W @ W was a bare 0.0 on the path taken and reached a matmul rule (ValueError;
    fuzz seed 51842)."""
    hist2 = W @ W
    if y > 5.0:
        return np.sum(hist2)
    return y * 2.0


def slice_write_returned_on_a_path_not_taken(c):
    """The same for a slice write's adjoint ('float' object is not subscriptable; fuzz seed 51235)."""
    v = np.eye(4)
    v[1:2] = c
    if c > 5.0:
        return np.mean(v)
    return c * c


CASES += [
    (matrix_product_returned_on_a_path_not_taken, (0.5, np.array([[0.3, -0.2], [0.1, 0.4]])), (0, 1)),
    (slice_write_returned_on_a_path_not_taken, (0.72,), 0),
]


def element_write_before_a_zero_trip_loop(x):
    """The adjoint of an array leaving a reversed loop that ran no iteration was a bare 0.0, indexed by an
    earlier element write's rule (fuzz seed 52306)."""
    x = x * 1.5
    x[-4] = x[0] * x[1]
    norm2 = 1.5 + x[2]
    for pos in range(0):
        norm2 -= x[1]
        for k, el in enumerate(x):
            x[k] = el * 2.0
    return norm2 * x[3]


CASES += [(element_write_before_a_zero_trip_loop, (np.array([0.1526, -0.584, 0.2663, 1.4098]),), 0)]


def _bump(a, weight):
    weight += 1.5
    return math.sqrt(1.0 + weight * weight) + a


def same_check_twice_in_a_while_condition(c):
    """The second of two identical run-time checks in a while loop's condition was emptied but not removed
    (AttributeError in dead-code elimination; fuzz seed 100059)."""
    tries = 0
    d = c * 1.0
    while tries < 2 and _bump(d, d) + _bump(d, d) >= 100.0:
        tries += 1
    return c * _bump(d, d)


CASES += [(same_check_twice_in_a_while_condition, (0.3,), 0)]


def norm_of_a_zero_vector(c, x):
    """The adjoint of np.linalg.norm was x / norm: nan at a zero vector (fuzz seed 102155); s2s takes the
    subgradient 0 there, as at other kinks."""
    vec = np.zeros(4) * c
    return np.linalg.norm(vec * x) + c * np.linalg.norm(x)


CASES += [(norm_of_a_zero_vector, (0.3, np.array([0.5, -0.2, 0.1, 0.4])), (0, 1))]


def return_in_loop_then_accumulate(x, c):
    """An adjoint that is 0.0 on the early-return path entered a reversed loop's accumulator, which then
    was not known to be possibly 0.0: the array parameter's gradient came back as a float (fuzz 102630)."""
    cur = 0.5
    for xi in [c]:
        if abs(xi) >= 1.0:
            return cur - xi
        k = 0
        while k < 2 and np.sum(x) > 1.0:
            cur += np.dot(x, c * np.ones(3))
            k += 1
    return cur + np.sum(x)


CASES += [(return_in_loop_then_accumulate, (np.array([1.1996, 0.9253, -0.7154]), -1.1766), (0, 1)),
          (return_in_loop_then_accumulate, (np.array([1.1996, 0.9253, -0.7154]), 0.3), (0, 1))]


def break_in_the_middle_of_a_loop_body(a, w, y):
    """A break in an if that is not the last statement of the loop body: the adjoint of what follows the
    if was added on the breaking path too (fuzz seed 105549)."""
    tries = 0
    while tries < 1:
        tries += 1
        for el in w:
            a = math.tanh(np.sin(w[tries]))
        else:
            if a - 0.75 < -0.5:
                break
        y = y * a
    return math.hypot(a, 0.5) + np.sum(w) + y


CASES += [(break_in_the_middle_of_a_loop_body, (0.4366, np.array([1.0708, -0.6222, -0.4618, -0.8173]), -1.17),
           (0, 1, 2)),
          (break_in_the_middle_of_a_loop_body, (0.4366, np.array([1.0708, 0.9, -0.4618, -0.8173]), -1.17),
           (0, 1, 2))]


def inplace_operator_on_an_element_written_array_in_a_loop(p):
    """`B *= t` on an array whose elements the loop writes made a new object each iteration, while the
    reverse sweep read the old one by the array's name (wrong derivative; fuzz seed 106387). Now it is
    `B[...] = B * t`, one object, saved and put back like any element write."""
    best = np.sum(p * p)
    B = np.outer(p, p)
    n = 0
    while n < 2:
        n += 1
        B[n, 0] = best
        B *= np.tanh(best)
    return np.sum(B * B)


CASES += [(inplace_operator_on_an_element_written_array_in_a_loop, (np.array([0.1778, -0.851, 1.055, 0.5109]),), 0)]


def array_made_anew_each_iteration_and_sliced(q, p, v):
    """The adjoint of `v`, overwritten in every iteration, was a bare 0.0 in the next reversed iteration and
    reached setitem_adjoint (IndexError; fuzz seed 301182)."""
    for a, b in zip(v, p):
        v = b * np.eye(3)
        v[1:3] = 1.5
    return np.sum(v * v) * a


CASES += [(array_made_anew_each_iteration_and_sliced,
           (np.array([0.9707, -0.2199, -1.1502]), np.array([-0.5722, 0.4211, -0.8646]),
            np.array([-0.0146, 0.315, 1.2406])), (1, 2))]


def abs_of_a_comparison_or_a_value(b, c):
    """abs of `b <= -1.5 and c`, which is the bool False here: the derivative `np.sign(False)` raised
    (numpy's sign has no bool loop; fuzz seed 601581). That path carries no derivative: rt.sign gives 0."""
    return abs(b <= -1.5 and c) + np.abs(b > 0.0 or c * c)


CASES += [(abs_of_a_comparison_or_a_value, (0.0843, 1.0513), 1),
          (abs_of_a_comparison_or_a_value, (-2.0, -1.0513), 1)]


def view_of_an_array_written_in_each_iteration(x):
    """`x[2:]` (a view) was saved each iteration, but the array it views was recomputed in the reversed
    loop, so the restores went to the new object and the view kept the written elements (wrong derivative;
    fuzz seed 702194). An array written in place is never recomputed: its one object is saved."""
    for it2 in range(len(x)):
        x = np.tanh(x)
        x[2:3] = x[2:] * np.sum(x)
    return np.sum(x)


CASES += [(view_of_an_array_written_in_each_iteration, (np.array([-1.0538, -1.3758, 0.08]),), 0)]


def copy_by_times_one_of_an_array_written_later(a):
    """`B = A * 1.0` was simplified to `B = A`, so the write into A showed in B (wrong value and derivative in
    both modes; fuzz seed 702423). A product is a new array: it is kept where A is written in place."""
    A = np.full(3, a)
    B = A * 1.0
    A[0] = 5.0
    out = B.reshape(3, 1)[:, 0]
    return np.sum(B * B) + np.sum(A) + np.sum(out)


CASES += [(copy_by_times_one_of_an_array_written_later, (0.5,), 0)]


def array_rebound_in_a_loop_after_a_value_read_it(a, c):
    """`grid2` is written, read by a norm, then rebound in a loop to arrays that the loop writes: the loop's phi
    was taken for a version of the first array, so after the loop the name held the last new array and the
    norm's adjoint read that one (wrong derivative; fuzz seed 901907)."""
    grid2 = np.zeros(4)
    grid2[-1] = c
    m2 = np.linalg.norm(grid2)
    tries = 0
    while a >= 0.5:
        tries += 1
        if tries > 3:
            break
        grid2 = np.tanh(grid2)
        grid2[tries] = grid2[1] + a
    return m2 + np.sum(grid2)


CASES += [(array_rebound_in_a_loop_after_a_value_read_it, (0.6339, 0.5627), (0, 1))]


def break_in_the_else_clause_of_an_inner_loop(b, z):
    """A `break` in the `else` clause of an inner loop leaves the outer loop, whose own `else` must then not
    run: s2s ran it (wrong value; fuzz seed 1700709). The else clauses of nested loops are this loop's level."""
    m = b
    for k in range(3):
        for i in range(0):
            pass
        else:
            if b * b > z:
                break
        m = m * z
    else:
        m = m + 100.0
    return m * z + b


CASES += [(break_in_the_else_clause_of_an_inner_loop, (-1.0, 0.5), (0, 1)),
          (break_in_the_else_clause_of_an_inner_loop, (0.1, 0.5), (0, 1))]


def array_written_then_scaled_in_place_in_an_inner_loop(q, w):
    """`prod[idx] = 1.5`, then `prod *= w` in an inner loop: the inner loop did not count `*=` as a write into
    the array, so its phi was not a version of `prod` and `prod *= w` made a new array, while codegen still named
    every version after the first array: the next element write went into the wrong one (wrong value; fuzz seed
    7086). An augmented assignment to an array whose elements the function writes is a write in every loop."""
    prod = np.outer(q, w)
    for idx in range(len(q)):
        prod[idx, 1] = 1.5
        for it in range(2):
            prod *= w
    return np.sum(prod)


CASES += [(array_written_then_scaled_in_place_in_an_inner_loop,
           (np.array([0.0135, 0.0888, 0.7553]), np.array([1.1084, 0.2199, -0.1709])), (0, 1))]


def view_saved_in_a_loop_that_writes_its_array(y, v):
    """A view of an array (`delta[::-1]`) taken in a loop that writes the array, then by element and as a whole:
    the gradient saved the view itself on its stack, and its reverse sweep read it when the array held other
    values (a wrong gradient, found by hand while reducing fuzz seed 100287). The view's copy is saved."""
    delta = v * 1.0
    for n in range(3):
        delta[0] = y * delta[1]
        delta *= np.sin(delta[::-1]) + y
    return np.sum(delta * delta)


def view_saved_in_nested_loops(y, v):
    delta = v * 1.0
    for k in range(2):
        for j in range(2):
            delta[j] = y * delta[j + 1]
            delta *= np.sin(delta[::-1]) + y
    return np.sum(delta * delta)


_V = np.array([-1.4226, -0.5016, 0.6712])
CASES += [(view_saved_in_a_loop_that_writes_its_array, (-0.6927, _V), (0, 1)),
          (view_saved_in_nested_loops, (-0.6927, _V), (0, 1))]


def accumulated_by_two_loops_one_nested(x, pair):
    """Fuzz seed 170009 (level 5, reduced): a loop reads pair[0], a later nested loop pair[1]. Both reversed
    loops add into an accumulator of pair's adjoint, `rt.accumulator(pair)`, and CSE merged the two identical
    calls: the nested loop's accumulator, new in each outer iteration, was the first loop's array, whose sum
    was added again on every outer iteration (d/dpair[0] 8 for 2; before this session too). Accumulators are
    never merged now."""
    val = 0.0
    for b in x:
        for c in x:
            val = val + b * pair[1]
    s = 0.0
    for jj in range(2):
        s = s + pair[0]
    return val * 0.5 + s


CASES += [(accumulated_by_two_loops_one_nested, (np.array([0.1136, 1.2946, -1.4458]), [-0.7555, -0.0966, 2.0]), (0, 1))]


def joins_a_list_with_itself(x, w):
    """A list joined with itself, `ys + ys`: simplify's `a + a -> 2.0 * a` (for numbers and arrays) made it
    `2.0 * ys`, a TypeError in the forward sweep of every derivative. `a + a` is `2.0 * a` now only where a
    is an adjoint or a value a sequence cannot be (`x * x` reads it, NumPy's elementwise functions make it)."""
    ys = [x, 2.0]
    zs = ys + ys
    return x * len(zs) + np.sum(w * w) * len(ys + ys)


CASES += [(joins_a_list_with_itself, (0.7, np.array([0.3, -1.2])), (0, 1))]
