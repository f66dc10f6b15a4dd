"""Front-end evaluation order and iteration: each expression evaluated once and where Python evaluates it,
dicts iterated by key, generators and stored iterators consumed as Python consumes them, sequences repeated
and joined as sequences. Each case checked against the original function and finite differences (or an
analytic value), or refused at the user's line."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad


# ---------------------------------------------------------------- a = b = v: v evaluated once, one object

def chained_zeros(x):
    a = b = np.zeros(2)
    a[0] = x
    return np.sum(b) * x  # x * x: b is a


def chained_random(x):
    a = b = np.random.normal(size=3)
    return np.sum((a - b) ** 2) + x  # x: a and b are one draw


def chained_in_loop(x):
    a = b = np.zeros(3)
    for i in range(3):
        a[i] = x[i] ** 2
    return np.sum(b * x)


def test_chained_assignment_binds_one_object():
    value, grad = s2s.value_and_grad(chained_zeros)(3.0)
    assert_close(value, 9.0, rtol=1e-12, what="value")
    assert_close(grad, 6.0, what="d/dx")


def test_chained_assignment_evaluates_once():
    np.random.seed(1)
    value, grad = s2s.value_and_grad(chained_random)(1.5)
    assert value == 1.5 and grad == 1.0


def test_chained_assignment_written_in_a_loop():
    x = np.array([0.3, -0.7, 1.2])
    value, grad = s2s.value_and_grad(chained_in_loop)(x)
    assert_close(value, chained_in_loop(x), rtol=1e-12, what="value")
    assert_close(grad, 3 * x ** 2, what="d/dx")


# ---------------------------------------------------------------- y[i] += v: y and i evaluated once

def random_index_iadd(x):
    y = np.zeros(50)
    for k in range(20):
        y[np.random.randint(50)] += x
    return np.sum(y) * x  # 20 x**2 whatever the indices


def _pick():
    return np.random.randint(3)


def helper_index_iadd(x):
    y = np.array([1.0, 2.0, 3.0])
    y[_pick()] += x
    return np.sum(y * y)


def test_augmented_element_index_evaluated_once():
    np.random.seed(0)
    value, grad = s2s.value_and_grad(random_index_iadd)(1.5)
    assert_close(value, 20 * 1.5 ** 2, rtol=1e-12, what="value")
    assert_close(grad, 40 * 1.5, what="d/dx")


def test_augmented_element_helper_index_called_once():
    for seed in range(6):
        np.random.seed(seed)
        i = np.random.randint(3)
        np.random.seed(seed)
        value, grad = s2s.value_and_grad(helper_index_iadd)(1.5)
        assert_close(value, 14.0 - (i + 1.0) ** 2 + (i + 2.5) ** 2, rtol=1e-12, what="value")
        assert_close(grad, 2 * (i + 2.5), what="d/dx")


# ---------------------------------------------------------------- xs * n, xs + ys on lists and tuples: sequences

def list_repeated(x):
    ys = [x[0], x[1]] * 2
    return ys[0] + ys[3] * ys[2]  # x0 + x1 x0


def list_repeated_left(x):
    ys = 2 * [x[0], x[1]]
    return ys[0] * ys[3]  # x0 x1


def list_repeated_in_place(x):
    ys = [x[0]]
    ys *= 3
    return sum(ys) * ys[1]  # 3 x0**2


def tuples_joined(x):
    t = (x[0],) + (x[1],)
    return t[1] ** 3  # x1**3


def tuple_joined_in_place(x):
    t = (x[0],)
    t += (x[1],)
    t *= 2
    return t[3] * t[0] ** 2  # x1 x0**2


def lists_joined(x):
    a = [x[0], x[1]]
    t = a + [x[1]]
    return t[2] ** 3 * t[0]  # x1**3 x0


def grown_list_extended(x):
    ys = [x[0]]
    ys.append(x[1])
    ys += [x[0], x[1]]
    return ys[3] * ys[0] + ys[2]  # x1 x0 + x0


def repeated_in_loop(x):
    ys = [x[0]] * 3
    s = 0.0
    for i in range(3):
        s = s + ys[i] * (i + 1)
    return s * x[1]  # 6 x0 x1


SEQUENCES = [list_repeated, list_repeated_left, list_repeated_in_place, tuples_joined, tuple_joined_in_place,
             lists_joined, grown_list_extended, repeated_in_loop]


@pytest.mark.parametrize("f", SEQUENCES, ids=[f.__name__ for f in SEQUENCES])
def test_sequence_repeated_and_joined(f):
    x = np.array([0.3, -0.7])
    value, grad = s2s.value_and_grad(f)(x)
    assert_close(value, f(x), rtol=1e-12, what="value")
    reference = numeric_grad(f, (x,), 0)
    assert_close(grad, reference, what="grad")
    assert_close(s2s.jacobian(f, mode="forward")(x), reference, what="forward jacobian")
    assert_close(s2s.jacobian(f)(x), reference, what="reverse jacobian")
    hessian = np.array([numeric_grad(lambda v: numeric_grad(f, (v,), 0)[i], (x,), 0, 1e-4) for i in range(2)])
    assert_close(s2s.hessian(f)(x), hessian, rtol=1e-4, atol=1e-5, what="hessian")


def repeated_by_argument(x, n):
    return sum([x] * n)


def grown_list_repeated(x):
    ys = []
    for v in x:
        ys.append(v)
    zs = ys * 2
    return zs[0]


def extended_by_array(x):
    ys = [x[0]]
    ys += x
    return ys[1]


def extended_while_shared(x):
    ys = [x[0]]
    zs = ys
    ys += [x[1]]
    return zs[-1]


@pytest.mark.parametrize("f, args, match, line", [
    (repeated_by_argument, (0.5, 3), "times a value known only at run time", "return sum([x] * n)"),
    (grown_list_repeated, (np.ones(2),), "repeating a list or tuple whose length", "zs = ys * 2"),
    (extended_by_array, (np.ones(2),), "with a value known only at run time", "ys += x"),
    (extended_while_shared, (np.ones(2),), "another name or a container", "ys += [x[1]]"),
])
def test_sequence_of_unknown_length_refused_at_its_line(f, args, match, line):
    with pytest.raises(s2s.UnsupportedSyntaxError, match=match) as info:
        s2s.grad(f)(*args)
    assert line in str(info.value)


# ---------------------------------------------------------------- iterators: read where Python reads them, once

def generator_late_binding(x):
    g = (v * x for v in [1.0, 2.0, 3.0])
    x = x * 10.0
    return sum(g)  # 60 x: the generator reads x when sum reads it


def generator_summed_twice(x):
    g = (v * x for v in [1.0, 2.0, 3.0])
    return sum(g) + sum(g)  # 6 x in Python: the second sum finds it used up


def generator_kept(x):
    g = (v * x for v in [1.0, 2.0])
    ys = [g]
    return x * len(ys)


def generator_in_loop_changing_it(x):
    s = 0.0
    for i, v in zip([0, 1], (u * x for u in [1.0, 2.0] if u > 0.0)):
        x = x * 2.0
        s = s + v
    return s


def map_kept(x):
    m = map(np.sin, x)
    return sum(m) + sum(m)


def zip_stored(x, w):
    pairs = zip(x, w)
    s = 0.0
    for a, b in pairs:
        s = s + a * b
    return s  # x . w


def enumerate_stored(x):
    e = enumerate(x)
    s = 0.0
    for i, a in e:
        s = s + a * a * i
    return s


def zip_listed(x, w):
    pairs = list(zip(x, w))
    return pairs[1][0] * pairs[2][1] + pairs[0][0] ** 2


def enumerate_listed(x):
    ps = list(enumerate(x))
    return ps[1][1] * ps[2][0] * ps[2][1]


def dict_of_zip(x):
    d = dict(zip(["a", "b"], [x[0], x[1]]))
    return d["a"] * d["b"]


def reversed_summed(x):
    return sum(reversed(x)) * x[0]


def sorted_zip(x, w):
    return sorted(zip(w, x))[0][1] * x[0]


def zip_summed_later(x, w):
    z = zip(x, w)
    return sum(a * b for a, b in z)


def zip_enumerated_stored(x, w):
    p = zip(x, w)
    q = enumerate(p)
    s = 0.0
    for i, (u, v) in q:
        s = s + u * v * i
    return s


ITERATORS = [(generator_late_binding, (1.5,)), (zip_enumerated_stored, "xw"), (zip_stored, "xw"), (enumerate_stored, "x"), (zip_listed, "xw"),
             (enumerate_listed, "x"), (dict_of_zip, "x"), (reversed_summed, "x"), (sorted_zip, "xw"),
             (zip_summed_later, "xw")]


@pytest.mark.parametrize("f, args", ITERATORS, ids=[f.__name__ for f, _ in ITERATORS])
def test_iterator_read_as_python_reads_it(f, args):
    x, w = np.array([0.3, -0.7, 1.2]), np.array([1.0, 2.0, 3.0])
    args = tuple({"x": x, "w": w}[a] for a in args) if isinstance(args, str) else args
    value, grad = s2s.value_and_grad(f)(*args)
    assert_close(value, f(*args), rtol=1e-12, what="value")
    reference = numeric_grad(f, args, 0)
    assert_close(grad, reference, what="grad")
    assert_close(s2s.jvp(f)(args, (np.ones_like(args[0]),))[1], np.sum(reference), what="jvp")


def test_generator_late_binding_value():
    assert s2s.value_and_grad(generator_late_binding)(1.5) == (90.0, 60.0)


def zip_stored_then_changed(x):
    y = x * 1.0
    pairs = zip(y, x)
    y += 1.0
    return sum(a * b for a, b in pairs)


@pytest.mark.parametrize("f, match, line", [
    (zip_stored_then_changed, "read after line .*, which may change what it reads",
     "return sum(a * b for a, b in pairs)"),
    (generator_summed_twice, "read a second time", "return sum(g) + sum(g)"),
    (generator_kept, "not read wholly where it is made", "ys = [g]"),
    (generator_in_loop_changing_it, "reads 'x', which the loop changes",
     "for i, v in zip([0, 1], (u * x for u in [1.0, 2.0] if u > 0.0)):"),
    (map_kept, "read a second time", "return sum(m) + sum(m)"),
])
def test_iterator_python_reads_differently_refused_at_its_line(f, match, line):
    x = np.array([0.3, -0.7]) if f in (map_kept, zip_stored_then_changed) else 1.5
    with pytest.raises(s2s.UnsupportedSyntaxError, match=match) as info:
        s2s.grad(f)(x)
    assert line in str(info.value)


# ---------------------------------------------------------------- iterating a dict gives its keys

CONFIG = {"a": 2.0, "bb": 3.0}


def dict_int_keys(x):
    d = {0: x, 1: x * 2.0}
    s = 0.0
    for k in d:
        s = s + d[k] * k
    return s  # 2 x


def dict_str_keys(x):
    p = {"w": x * 2.0, "b": x * x}
    out = 0.0
    for k in p:
        out = out + p[k] ** 2
    return out


def dict_listed(x):
    p = {"w": x * 2.0, "b": x * x}
    ks = list(p)
    return p[ks[0]] * p[ks[1]] + len(ks)


def dict_sorted(x):
    p = {"w": x * 2.0, "b": x * x}
    ks = sorted(p)
    return p[ks[0]] * 3.0 + p[ks[1]]


def dict_enumerated(x):
    p = {"w": x * 2.0, "b": x * x}
    out = 0.0
    for i, k in enumerate(p):
        out = out + p[k] * (i + 1)
    return out


def dict_zipped(x):
    p = {"w": x * 2.0, "b": x * x}
    out = 0.0
    for k, c in zip(p, [2.0, 3.0]):
        out = out + p[k] * c
    return out


def dict_comprehended(x):
    p = {"w": x * 2.0, "b": x * x}
    q = {k: p[k] * 2.0 for k in p}
    return sum(q[k] * x for k in q) + sum([p[k] for k in p])


def module_dict_iterated(x):
    s = 0.0
    for k in CONFIG:
        s = s + CONFIG[k] * x * len(k)
    return s


def dict_tested(x):
    p = {"w": x * 2.0}
    return p["w"] * 2.0 if "w" in p else x


DICTS = [dict_int_keys, dict_str_keys, dict_listed, dict_sorted, dict_enumerated, dict_zipped, dict_comprehended,
         module_dict_iterated, dict_tested]


@pytest.mark.parametrize("f", DICTS, ids=[f.__name__ for f in DICTS])
def test_dict_iterated_by_key(f):
    value, grad = s2s.value_and_grad(f)(1.5)
    assert_close(value, f(1.5), rtol=1e-12, what="value")
    reference = numeric_grad(f, (1.5,), 0)
    assert_close(grad, reference, what="grad")
    assert_close(s2s.jvp(f)((1.5,), (1.0,))[1], reference, what="jvp")


def params_loss(p):
    out = 0.0
    for k in p:
        out = out + np.sum(p[k] ** 2) * 1.5
    return out


def params_scaled(p):
    q = {k: p[k] * 2.0 for k in p}
    return np.sum(q["w"] ** 3) + q["b"] ** 2


def keys_of_argument(x, d):
    s = 0.0
    for k in d:
        s = s + d[k] * k * x
    return s


def permutation_argument(x, perm):
    s = 0.0
    for k in perm:
        s = s + x[perm[k]] * (k + 1)
    return s


def test_dict_argument_iterated_by_key():
    p = {"w": np.array([0.3, -0.7]), "b": 1.5}
    grad = s2s.grad(params_loss)(p)
    assert_close(grad["w"], 3.0 * p["w"], what="d/dw")
    assert_close(grad["b"], 3.0 * p["b"], what="d/db")
    assert_close(s2s.jvp(params_loss)((p,), (p,))[1], 3.0 * (np.sum(p["w"] ** 2) + p["b"] ** 2), what="jvp")
    grad = s2s.grad(params_scaled)(p)
    assert_close(grad["w"], 24.0 * p["w"] ** 2, what="d/dw")
    assert_close(grad["b"], 8.0 * p["b"], what="d/db")


def test_argument_iterated_and_indexed_by_its_items():
    d = {3: 1.0, 1: 2.0}
    assert s2s.value_and_grad(keys_of_argument)(1.5, d) == (7.5, 5.0)
    assert s2s.jvp(keys_of_argument)((1.5, d), (1.0,)) == (7.5, 5.0)
    x, perm = np.array([0.3, -0.7, 1.2]), [2, 0, 1]
    value, grad = s2s.value_and_grad(permutation_argument)(x, perm)
    assert_close(value, permutation_argument(x, perm), rtol=1e-12, what="value")
    assert_close(grad, numeric_grad(permutation_argument, (x, perm), 0), what="grad")


def _tree_sum(t):
    if isinstance(t, tuple):
        return _tree_sum(t[0]) + _tree_sum(t[1])
    return t * t


def _tree_loss(a, b, c):
    return _tree_sum(((a, b), c))


def test_a_product_of_a_name_that_is_a_tuple_on_a_path_not_taken_is_arithmetic():
    """`t * t` where t is a tuple only on the path a branch leaves early (a recursion over a nested tuple): a
    tuple times a tuple is Python's TypeError, never a repetition, so it stays the product (refused as a
    repetition for a while, where grad had worked)."""
    assert s2s.grad(_tree_loss, wrt=(0, 1, 2))(1.3, 0.7, 0.2) == (2.6, 1.4, 0.4)


def _inserted(r, gamma):
    g = 0.0
    out = []
    for t in range(len(r) - 1, -1, -1):
        g = r[t] + gamma * g
        out.insert(0, g)
    return np.sum(np.array(out) ** 2)


def _reversed_in_place(x):
    out = [x, 2 * x]
    out.reverse()
    return out[0]


def _popped(x):
    out = [x, 2 * x]
    last = out.pop()
    return last


@pytest.mark.parametrize("f, method, fix", [(_reversed_in_place, "reverse", "out = out[::-1]"),
                                            (_popped, "pop", "out = out[:-1]")])
def test_a_list_method_that_changes_the_list_says_what_to_write(f, method, fix):
    """xs.reverse, xs.pop (and remove, sort, clear) change the list in place, which s2s does not
    follow: refused with what to write instead, where the message said 'assign the result to a name' (wrong:
    they return None) or 'call the NumPy function instead' (real-program bug hunt r4). (xs.insert is followed
    since round 14: test_hunt14_messages.)"""
    with pytest.raises(s2s.UnsupportedSyntaxError, match=rf"\.{method}\(\), which changes its list") as info:
        s2s.grad(f)(1.5)
    assert fix in str(info.value)


def test_a_list_inserted_into_at_the_front_is_followed():
    r = np.array([1.0, 0.5])
    assert_close(s2s.grad(_inserted)(r, 0.9), numeric_grad(_inserted, (r, 0.9), 0))


# ---------------------------------------------------------------- +x is a new array, as np.positive makes

def positive(x):
    return +x


def positive_written(x):
    y = +x
    y[0] = 5.0
    return np.sum(y * x)  # 5 x0 + x1^2


def test_plus_x_is_a_new_array():
    # `+x` was read as x itself: the value jvp and vjp returned was the caller's array (a write into it changed the
    # argument), and `y = +x; y[0] = v` was refused as a write into a parameter (bug hunt, 2026-12-05)
    x = np.array([1.0, 2.0])
    value, tangent = s2s.jvp(positive)((x,), (np.ones(2),))
    value[0] = 100.0
    value, _ = s2s.vjp(positive)(x)
    value[1] = 100.0
    np.testing.assert_array_equal(x, [1.0, 2.0])
    value, grad = s2s.value_and_grad(positive_written)(x)
    assert value == 9.0
    np.testing.assert_allclose(grad, [5.0, 4.0])
    np.testing.assert_array_equal(x, [1.0, 2.0])
