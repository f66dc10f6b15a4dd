"""Hunt round 7 (python constructs): max/min of one iterable, lists joined with a list of run-time length,
`[np.inf] * len(x)` at second order, `.append` on a list a loop re-slices, and the advice of two refusals."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad

try:
    from scipy.spatial import cKDTree as KDTREE
except ImportError:  # (the tests of item 6 skip)
    KDTREE = None
DST = np.array([0, 2, 2, 1])
NBRS = [[1, 2], [0, 1, 2], [3]]


# ---------------------------------------------------------------- 1. max/min of one iterable
def nodes_from_edges(x, dst):
    n = max(dst) + 1  # the number of nodes: a constant int
    agg = np.zeros(n)
    np.add.at(agg, dst, x)
    return np.sum(agg ** 2)


def test_max_of_an_int_array_argument():
    x = np.arange(4.0) + 0.5
    g = s2s.grad(nodes_from_edges)(x, DST)
    assert_close(g, numeric_grad(nodes_from_edges, (x, DST), 0), what="grad")
    assert s2s.value_and_grad(nodes_from_edges)(x, DST)[0] == nodes_from_edges(x, DST)
    _, t = s2s.jvp(nodes_from_edges)((x, DST), (np.ones(4),))
    assert_close(t, np.sum(numeric_grad(nodes_from_edges, (x, DST), 0)), what="jvp")


def smaller_side(X):
    n = min(X.shape)
    return np.sum(X[:n, :n] ** 2) + max(X.shape) * np.sum(X)


def listed(x):
    n = max(DST.tolist()) + 1
    m = max(len(v) for v in NBRS)
    return np.sum(x[:n] ** 2) * m


def argmax_by_key(x):
    k = max(range(len(x)), key=lambda k: x[k])
    j = min(range(len(x)), key=lambda j: x[j] ** 2)
    return x[k] ** 2 + np.sin(x[j]) * k


def smallest_entry(x):
    return min(x) ** 2 + np.sin(max(x))


def largest_of_list(x):
    vals = [x[0] * 2.0, np.sin(x[1]), x[2] ** 2]
    return max(vals) * min(vals) + max((v for v in vals), default=0.0)


def of_a_tuple(x):
    return max((x[0], x[1] * 3.0, 1.0)) ** 2 + min(x[1], x[2], key=abs)


def keyed_rows(x):
    rows = [x[:2], x[2:4], x[1:3]]
    best = max(rows, key=np.linalg.norm)
    return np.sum(best ** 3)


@pytest.mark.parametrize("f", [smaller_side])
def test_max_min_of_a_shape(f):
    X = np.arange(6.0).reshape(2, 3) / 7.0 + 0.1
    g = s2s.grad(f)(X)
    assert_close(g, numeric_grad(f, (X,), 0), what="grad")
    assert_close(s2s.jacobian(f, mode="forward")(X), numeric_grad(f, (X,), 0), what="forward")


@pytest.mark.parametrize("f", [listed, argmax_by_key, smallest_entry, largest_of_list, of_a_tuple, keyed_rows])
def test_max_min_of_one_iterable_in_every_mode(f):
    check_every_mode(f, np.array([0.3, -1.2, 0.7, 0.45]), exact=True)


def tied(x):
    pair = [x[0], x[1]]
    return max(pair) + min(pair) + max(pair) * min(pair) * x[2]


def test_max_min_of_a_list_share_a_tie_as_np_max():
    """At a tie the derivative is shared, as np.max's and max(a, b)'s: max(xs) + min(xs) of two equal items is
    a + b, whose gradient is (1, 1) (all of it to the first item would give (2, 0))."""
    check_every_mode(tied, np.array([0.5, 0.5, 0.7]), hessian=False, exact=True)
    check_every_mode(tied, np.array([0.5, 0.25, 0.7]), exact=True)

    def pairwise(x):  # (second derivatives at the kink: the midpoint's, as max(a, b)'s; docs/limitations.md)
        return max(x[0], x[1]) + min(x[0], x[1]) + max(x[0], x[1]) * min(x[0], x[1]) * x[2]
    x = np.array([0.5, 0.5, 0.7])
    assert_close(s2s.hessian(tied)(x), s2s.hessian(pairwise)(x), what="hessian at the tie")
    x = np.array([0.25, 0.25, 0.25, -1.0])
    assert_close(s2s.grad(lambda x: max(list(x)))(x), s2s.grad(lambda x: np.max(x))(x), what="three-way tie")
    assert_close(s2s.grad(lambda x: max(x))(x), [1 / 3, 1 / 3, 1 / 3, 0.0], what="tie in an array")


def defaulted(x):
    big = [v * 2.0 for v in x if v > 10.0]
    keyed = max([v for v in x if v > 10.0], key=abs, default=x[1] ** 2)
    return max(big, default=x[0] ** 3) + keyed + min(x, default=0.0) + max(x, key=np.sin, default=x[3])


def test_max_min_with_default():
    check_every_mode(defaulted, np.array([0.3, -1.2, 0.7, 0.45]), exact=True)
    check_every_mode(defaulted, np.array([0.3, 11.2, 0.7, 12.0]), exact=True)


def test_max_of_nothing_raises_as_python_does():
    def f(x):
        return max([v for v in x if v > 10.0]) * x[0]
    with pytest.raises(ValueError, match="empty"):
        s2s.grad(f)(np.array([1.0, 2.0]))


def test_max_keeps_the_item_itself():
    """The result is the builtin's own: an int of ints (np.zeros(n) of it), the first of equal items."""
    def f(x):
        n = max([len(x), 2, 3])
        return float(n) * x[0] + min([-0.0, 0.0, x[1]])
    assert s2s.value_and_grad(f)(np.array([1.0, 2.0]))[0] == f(np.array([1.0, 2.0]))
    assert_close(s2s.grad(f)(np.array([1.0, 2.0])), [3.0, 0.0])


# ---------------------------------------------------------------- 2. lists joined, a length known only at run time
LABELS = [1, 2]


def extended_labels(x):
    ext = [0] + list(LABELS)  # CTC's extended label sequence
    blank = [0] + [l for l in LABELS]
    return np.sum(x[ext] ** 2) + np.sum(x[blank])


def joined_values(x):
    head = [x[0] * 2.0]
    rest = [np.sin(x[i]) for i in LABELS]
    both = head + rest
    both.append(x[3] ** 2)
    rest.append(1.0)
    ts = tuple(v * 3.0 for v in rest) + tuple(both)
    acc = [x[1]]
    acc += list(ts)
    acc.append(x[2])
    return np.sum(np.array(both) ** 2) + sum(ts) * len(rest) + np.prod(np.array(acc))


@pytest.mark.parametrize("f", [extended_labels, joined_values])
def test_lists_joined_whose_lengths_only_the_run_time_knows(f):
    check_every_mode(f, np.array([0.3, -1.2, 0.7, 0.45]), exact=True)


def test_joined_list_argument():
    def f(x, labels):
        ext = [0] + list(labels)
        return np.sum(x[ext] ** 3)
    x, labels = np.arange(4.0) + 0.5, [1, 2]
    assert_close(s2s.grad(f)(x, labels), numeric_grad(f, (x, labels), 0), what="grad")
    assert labels == [1, 2]


def prepended(x):
    ys = [x[0]]
    for v in x[1:]:
        ys = [v * 2.0] + ys  # (refused before as joining lists of run-time lengths)
    return ys[0] * ys[-1] + ys[1] ** 2


def test_a_list_prepended_to_in_a_loop():
    check_every_mode(prepended, np.array([0.3, -1.2, 0.7, 0.45]), exact=True)


# ---------------------------------------------------------------- 3. [np.inf] * len(x) at every order
def initialised_with_inf(x):
    d = [np.inf] * len(x)  # Dijkstra / Bellman-Ford initialisation
    d[0] = x[0] ** 2
    for i in range(1, len(x)):
        d[i] = min(d[i], d[i - 1] + x[i] ** 2)
    best = [-np.inf] * len(x)
    best[1] = max(d)
    return best[1] * x[1] + min(d) + d[0] * x[1] + max(best[:2])


def test_a_list_of_inf_repeated_at_every_order():
    """The gradient spells np.inf float('inf'), hoisted into a temporary: read again (hessian, grad of grad) it is
    the constant it was, so `t1 * len(x)` repeats a list of constants (refused before, pointing into the
    generated code)."""
    check_every_mode(initialised_with_inf, np.array([0.5, 0.8, -0.3, 1.1]), exact=True)
    f2 = lambda x: ([np.inf] * len(x))[:1][0] * 0.0 + x[0] ** 2 * x[1]  # noqa: E731
    assert_close(s2s.hessian(f2)(np.array([0.5, 0.8])), [[1.6, 1.0], [1.0, 0.0]], what="hessian")


# ---------------------------------------------------------------- 4. .append on a list the function made by slicing
def resliced_in_a_loop(x):
    vals = [x[0], x[1], x[2]]
    for i in range(2):
        vals = vals[:-1]
        vals.append(x[3] * 2.0 + i)
    return np.sum(np.array(vals) ** 2)


def sliced_copy_appended(x):
    vals = [x[0], x[1] * 3.0]
    head = vals[:1]
    head.append(x[2] ** 2)  # a new list: vals is unchanged
    for i in range(1, 3):
        tail = vals[i - 1:]
        tail.append(x[3])
        vals = tail
    return np.sum(np.array(vals) ** 2) + np.sum(np.array(head)) * len(vals)


@pytest.mark.parametrize("f", [resliced_in_a_loop, sliced_copy_appended])
def test_append_to_a_slice_of_a_list_the_function_made(f):
    check_every_mode(f, np.array([0.3, -1.2, 0.7, 0.45]), exact=True)


def test_append_to_a_slice_of_an_argument_list_changes_no_argument():
    def f(x, xs):
        ys = xs[:1]
        ys.append(x[0] * 2.0)
        return ys[0] * ys[1]
    xs = [1.5, 2.5]
    # (an argument's slice, appended to: a list, a new one, as Python's (hunt12reg F8); an array's has no append)
    value, gradient = s2s.value_and_grad(f)(np.array([0.5]), xs)
    assert value == f(np.array([0.5]), xs) and gradient == pytest.approx([3.0]) and xs == [1.5, 2.5]
    with pytest.raises(AttributeError):
        s2s.grad(f)(np.array([0.5]), np.array([1.5, 2.5]))


# ---------------------------------------------------------------- 6. ids from a call without a rule used as an index
def nearest_sum(p, q):
    from_tree = KDTREE(q)
    d, idx = from_tree.query(p, k=2)
    return np.sum(q[idx] ** 2) + np.sum(p)


def test_ids_from_a_call_without_a_rule_used_only_as_an_index_carry_no_derivative():
    """The index is integer ids that `.query()` (no rule, on an active p) computed: used only as an index, they
    carry no derivative (5249058; was refused, pointing at the call), and the gradient is the finite differences'
    (the ids are constant between the points where they jump)."""
    if KDTREE is None:
        pytest.skip("scipy is not installed")
    rng = np.random.default_rng(0)
    p, q = rng.random((5, 2)), rng.random((6, 2))
    assert_close(s2s.grad(nearest_sum)(p, q), numeric_grad(nearest_sum, (p, q), 0))
    assert_close(s2s.grad(nearest_sum, wrt=1)(p, q), numeric_grad(nearest_sum, (p, q), 1))


def query(obj, *args, **kw):
    return obj.query(*args, **kw)


def nearest_distances(p, q):
    d, idx = query(KDTREE(q), p, k=2)
    return np.sum(np.linalg.norm(p[:, None] - q[idx], axis=-1) ** 2)


def test_the_advice_for_ids_works():
    if KDTREE is None:
        pytest.skip("scipy is not installed")
    s2s.nondifferentiable(query)
    rng = np.random.default_rng(1)
    p, q = rng.random((5, 2)), rng.random((6, 2))
    assert_close(s2s.grad(nearest_distances)(p, q), numeric_grad(nearest_distances, (p, q), 0), what="grad")


# ---------------------------------------------------------------- sorted / max / min of a dict: its keys
INT_KEYED = {1: 5.0, 0: 3.0}
NAMED = {"a": 2.0, "b": 1.0}


def of_a_dict(x):
    first = sorted(INT_KEYED)[0]  # the smallest key, 0 (the lowering read INT_KEYED[position]: the value 5.0)
    return x * first + x * max(INT_KEYED) + x * max(INT_KEYED, key=lambda k: -k) + \
        x * NAMED[sorted(NAMED, key=NAMED.get)[0]] + x ** 2 * NAMED[max(NAMED, key=NAMED.get)]


def test_sorted_max_min_of_a_dict_take_its_keys():
    """sorted(d) indexed the dict by the positions of the sorted keys, a wrong value without error where the keys
    are ints; key=d.get (refused before, at a name of s2s's own) is d.get(k)."""
    assert s2s.value_and_grad(of_a_dict)(1.5) == (of_a_dict(1.5), pytest.approx(numeric_grad(of_a_dict, (1.5,), 0)))
    assert s2s.jvp(of_a_dict)((1.5,), (1.0,)) == (of_a_dict(1.5), pytest.approx(numeric_grad(of_a_dict, (1.5,), 0)))
    assert s2s.hessian(of_a_dict)(1.5) == pytest.approx(4.0)


def but_the_first_key(d):
    return sum(d[k] ** 2 for k in list(d)[1:])


def from_the_nth_key_down(d, n):
    total = 0.0
    for k in sorted(d)[::-1][n:]:
        total = total + np.sin(d[k]) * d[k]
    return total


def test_the_keys_of_a_slice_of_a_dicts_keys_carry_no_derivative():
    """`list(d)[1:]` of a dict argument's keys (and `sorted(d)[::-1][n:]`) was taken for a value with a derivative:
    `d[k]` refused ('its index has a derivative'); a slice of its keys is keys, as an item of them is."""
    d = {"a": 1.0, "b": 2.0, "c": 3.0}
    assert s2s.grad(but_the_first_key)(d) == {"a": 0.0, "b": pytest.approx(4.0), "c": pytest.approx(6.0)}
    assert s2s.jvp(but_the_first_key)((d,), ({"a": 1.0, "b": 1.0, "c": 1.0},)) == (13.0, pytest.approx(10.0))
    want = {"a": np.cos(1.0) + np.sin(1.0), "b": np.cos(2.0) * 2.0 + np.sin(2.0), "c": 0.0}
    got = s2s.grad(from_the_nth_key_down)(d, 1)
    assert got == {k: pytest.approx(v) for k, v in want.items()}
    for k in d:  # (against differences)
        up, down = dict(d), dict(d)
        up[k] += 1e-6
        down[k] -= 1e-6
        assert got[k] == pytest.approx((from_the_nth_key_down(up, 1) - from_the_nth_key_down(down, 1)) / 2e-6, abs=1e-6)
