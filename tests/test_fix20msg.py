"""Round 20 (fix20msg): right programs s2s refused, and refusals whose advice named the wrong thing.

1. `[P[k] for k in P] if isinstance(P, dict) else P` (and `type(P) is dict`) with P a list or tuple the function
   made (or a helper was called with) was refused as "its index has a derivative": the branch not taken indexed the
   list by its own items. isinstance and `type(P) is/==` of a container the function made are its type's, folded
   while building, as hasattr(P, 'keys') already was (front/outside.type_test).

2. `w = np.hanning(x.shape[0]); w[1] = x[1]` was refused as a write into an array the function did not create,
   where `np.hanning(len(x))` was exact (b66a0e3): an item of a shape (and x.size, x.ndim) is now a Python number
   (alias_iterations.python_number), no array the call could hand back.

3. `d[v] = d[prev[v]]` with d's number of axes unknown stays refused (prev[v] may be a tuple taking a column, which
   NumPy may read after writing part of it), but the advice now also says the exact spelling for an integer index:
   `d[v] = d[int(prev[v])]` (alias_elements.integer_read), which works when followed.

4. Messages: `params.update(b=v)` (and `.update()`, `.update({'b': v})`) advised `{k: params.update.get(k, ...)}`,
   the method where the dict given is meant: now `params = {**params, 'b': v}`; `params.update(**extra)` was "this
   expression statement", now the .update() advice with `extra`; `d[1, 0][1] = v` of a dict written by key in a
   loop was advised `d[1, 0, 1] = ...` (d was not known as a dict: a key write into a loop's dict is one, is_dict);
   `w = opt['a']; w *= 2.0` of a dict comprehension named "the container 'items'", its list of pairs: now 'opt'.

5. `theta = [np.dot(w, w), w * 2.0]; first = theta[0]; for p in theta: p += v` (fuzz level 8, seed 4310034) was
   refused as it ran ("would change an array in place that something else still refers to") though theta[0] is a
   number, which `+=` rebinds: an item read before the operators (or the value itself, read after them) is now
   given to rt.require_immutable as `held`, which refuses only where it holds the array changed
   (alias_calls.kept_item); an array item read so is still refused. The same where the loop itself reads one of
   the items (`p -= scale * g` with scale a number among them, fuzz level 9, seed 4310104: item_operators.py).

6. `[...] + theta[len(dps):]` with theta = copy.deepcopy(a list) was taken for NumPy addition and refused as it
   ran ("joining lists ... where it cannot tell them from arrays", fuzz level 9, seed 4310086): a slice and a deep
   copy of a list are lists as operands of + (expressions.joined_sequence).

7. `b = statistics.fmean(parts); parts.append(v)` in a loop was refused as "growing the list 'parts' in a loop
   whose body also gives it to 'data'" (fuzz level 8, seed 4310136): 'data' was s2s's own name for fmean's argument,
   left bound after the call; the names fmean and the spreads bind are dropped after them (library_loops._own_names).

Each program is checked against central differences (its derivatives) and NumPy (its value).
"""
import copy
import math
import statistics

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad


# ---------------------------------------------------------------- 1. isinstance / type() of a container made here
def isinstance_of_a_list(x):
    pack = [x[0] * 2.0, x[1:]]
    vals = [pack[k] for k in pack] if isinstance(pack, dict) else pack
    return np.sum(vals[0] * vals[1])


def type_is_of_a_tuple(x):
    pack = (x[0] * 2.0, x[1:])
    s = 0.0
    for q in ([pack[k] for k in pack] if type(pack) is dict else pack):
        s = s + np.sum(q * q)
    return s


def type_not_equal_of_a_list(x):
    pack = [x[0] * 2.0, x[1:]]
    vals = pack if type(pack) != dict else [pack[k] for k in pack]
    return np.sum(np.tanh(vals[0] * vals[1]))


def _values(pack):
    return [pack[k] for k in pack] if isinstance(pack, (dict,)) else pack


def helper_given_a_list_and_a_dict(x):
    a = _values([x[0] * 2.0, x[1:]])
    b = _values({'w': x[0], 'b': x[1:] * 3.0})
    return np.sum(a[0] * a[1]) + np.sum(b[0] * np.sin(b[1]))


@pytest.mark.parametrize("f", [isinstance_of_a_list, type_is_of_a_tuple, type_not_equal_of_a_list,
                               helper_given_a_list_and_a_dict], ids=lambda f: f.__name__)
def test_isinstance_of_a_container_made_here_is_its_types(f):
    x = np.array([0.3, -0.7, 1.1, 0.4])
    value, g = s2s.value_and_grad(f)(x)
    assert value == f(x)
    check_every_mode(f, x)


# ---------------------------------------------------------------- 2. a window of a shape's length, written by element
def window_of_shape_length(x):
    w = np.hanning(x.shape[0])
    w[1] = x[1]
    return np.sum(w * x)


def window_of_size_and_ndim(x):
    w = np.hamming(x.size + x.ndim - 1)
    w[1:3] = np.sin(x[1:3])
    n = x.shape[-1]
    n += 1
    return np.sum(w * x) * n


@pytest.mark.parametrize("f", [window_of_shape_length, window_of_size_and_ndim], ids=lambda f: f.__name__)
def test_window_of_a_shapes_length_written_by_element(f):
    x = np.array([0.3, -0.7, 1.1, 0.4])
    value, g = s2s.value_and_grad(f)(x)
    assert value == f(x)
    check_every_mode(f, x)


# ---------------------------------------------------------------- 3. d[v] = d[prev[v]], d's axes unknown
def copy_along_parents(x, prev):
    d = np.zeros_like(x)
    d[0] = x[0]
    for v in range(1, 4):
        d[v] = d[prev[v]]
    return np.sum(d * x)


def copy_along_parents_int(x, prev):
    d = np.zeros_like(x)
    d[0] = x[0]
    for v in range(1, 4):
        d[v] = d[int(prev[v])]
    return np.sum(d * x)


def copy_along_parents_copied(x, prev):
    d = np.zeros_like(x)
    d[0] = x[0]
    for v in range(1, 4):
        d[v] = d[prev[v]].copy()
    return np.sum(d * x)


def test_view_of_itself_at_an_unknown_index_advises_an_integer_that_works():
    x, prev = np.array([0.3, -0.7, 1.1, 0.4]), [0, 0, 1, 2]
    with pytest.raises(s2s.UnsupportedSyntaxError) as e:
        s2s.grad(copy_along_parents)(x, prev)
    message = str(e.value)
    assert "d[v] = d[prev[v]]" in message and "test_fix20msg.py" in message
    assert "d[v] = d[int(prev[v])]" in message and "d[v] = d[prev[v]].copy()" in message
    for followed in (copy_along_parents_int, copy_along_parents_copied):
        value, g = s2s.value_and_grad(followed)(x, prev)
        assert value == copy_along_parents(x, prev)
        assert_close(g, numeric_grad(lambda x: copy_along_parents(x, prev), (x,), 0))


# ---------------------------------------------------------------- 4. messages naming the user's names
def update_by_keyword(x):
    params = {'w': x[0], 'b': x[1]}
    params.update(b=x[2])
    return params['w'] * params['b']


def update_by_display(x):
    params = {'w': x[0], 'b': x[1]}
    params.update({'b': x[2]})
    return params['w'] * params['b']


def update_as_advised(x):
    params = {'w': x[0], 'b': x[1]}
    params = {**params, 'b': x[2]}
    return params['w'] * params['b']


def update_by_double_star(x, extra):
    params = {'w': x[0], 'b': x[1]}
    params.update(**extra)
    return params['w'] * params['b']


def update_by_double_star_as_advised(x, extra):
    params = {'w': x[0], 'b': x[1]}
    params = {k: extra.get(k, params[k]) for k in params}
    return params['w'] * params['b']


@pytest.mark.parametrize("f", [update_by_keyword, update_by_display], ids=lambda f: f.__name__)
def test_update_advice_spells_the_keys_written(f):
    x = np.array([0.3, -0.7, 1.1, 0.4])
    with pytest.raises(s2s.UnsupportedSyntaxError) as e:
        s2s.grad(f)(x)
    message = str(e.value)
    assert "params.update(" in message and "test_fix20msg.py" in message
    assert "params = {**params, 'b': x[2]}" in message and ".update.get" not in message
    value, g = s2s.value_and_grad(update_as_advised)(x)
    assert value == f(x)
    assert_close(g, numeric_grad(f, (x,), 0))


def test_update_of_double_star_names_the_dict_given():
    x, extra = np.array([0.3, -0.7, 1.1, 0.4]), {'b': 1.7}
    with pytest.raises(s2s.UnsupportedSyntaxError) as e:
        s2s.grad(update_by_double_star)(x, extra)
    message = str(e.value)
    assert "params.update(**extra)" in message and ".update()" in message
    assert "{k: extra.get(k, params[k]) for k in params}" in message
    value, g = s2s.value_and_grad(update_by_double_star_as_advised)(x, extra)
    assert value == update_by_double_star(x, extra)
    assert_close(g, numeric_grad(lambda x: update_by_double_star(x, extra), (x,), 0))


def item_of_a_dict_by_pair_keys(x):
    d = {}
    for i in range(2):
        d[i, 0] = x[i:i + 2] * 1.0
    d[1, 0][1] = x[3]
    return np.sum(d[0, 0] * d[1, 0])


def item_of_a_dict_by_pair_keys_as_advised(x):
    d = {}
    for i in range(2):
        d[i, 0] = x[i:i + 2] * 1.0
    a = d[(1, 0)].copy(); a[1] = x[3]; d = {k: a if k == (1, 0) else item for k, item in d.items()}  # noqa: E702
    return np.sum(d[0, 0] * d[1, 0])


def test_element_of_a_dicts_item_is_advised_for_a_dict():
    x = np.array([0.3, -0.7, 1.1, 0.4])
    with pytest.raises(s2s.UnsupportedSyntaxError) as e:
        s2s.grad(item_of_a_dict_by_pair_keys)(x)
    message = str(e.value)
    assert "d[1, 0][1] = x[3]" in message and "test_fix20msg.py" in message
    assert "d[1, 0, 1]" not in message and "enumerate(d)" not in message
    assert "a = d[(1, 0)].copy(); a[1] = x[3]; d = {k: a if k == (1, 0) else item for k, item in d.items()}" in message
    value, g = s2s.value_and_grad(item_of_a_dict_by_pair_keys_as_advised)(x)
    assert value == item_of_a_dict_by_pair_keys(x)
    assert_close(g, numeric_grad(item_of_a_dict_by_pair_keys, (x,), 0))


def item_of_a_dict_comprehension_changed(x):
    opt = {k: x[i:i + 2] * 2.0 for i, k in enumerate(['a', 'b'])}
    keep = opt
    w = opt['a']
    w *= 2.0
    return np.sum(keep['a'] * opt['b'])


def test_item_of_a_dict_comprehension_names_the_dict():
    x = np.array([0.3, -0.7, 1.1, 0.4])
    with pytest.raises(s2s.S2SError) as e:
        s2s.grad(item_of_a_dict_comprehension_changed)(x)
    message = str(e.value)
    assert "the container 'opt'" in message and "'items'" not in message
    assert "w *= 2.0" in message and "test_fix20msg.py" in message


def element_of_an_item_of_a_dict(x):
    opt = {k: x[i:i + 2] * 2.0 for i, k in enumerate(['a', 'b'])}
    a = opt['a']
    a[0] = x[3]
    return np.sum(opt['a'] * opt['b'])


def element_of_an_item_of_a_dict_as_advised(x):
    opt = {k: x[i:i + 2] * 2.0 for i, k in enumerate(['a', 'b'])}
    a = opt['a'].copy(); a[0] = x[3]; opt = {**opt, 'a': a}  # noqa: E702
    return np.sum(opt['a'] * opt['b'])


def test_element_of_an_item_taken_from_a_dict_is_advised_for_the_dict():
    x = np.array([0.3, -0.7, 1.1, 0.4])
    with pytest.raises(s2s.UnsupportedSyntaxError) as e:
        s2s.grad(element_of_an_item_of_a_dict)(x)
    message = str(e.value)
    assert "a[0] = x[3]" in message and "test_fix20msg.py" in message and "opt[...]" not in message
    assert "a = opt['a'].copy(); a[0] = ...; opt = {**opt, 'a': a}" in message
    value, g = s2s.value_and_grad(element_of_an_item_of_a_dict_as_advised)(x)
    assert value == element_of_an_item_of_a_dict(x)
    assert_close(g, numeric_grad(element_of_an_item_of_a_dict, (x,), 0))



# ---------------------------------------------------------------- 5. an item read before a loop's in-place operators
def number_item_read_before(x, w):
    theta = [np.dot(w, w), w * 2.0]
    first = theta[0]
    grads = [p * x for p in theta]
    for p, dp in zip(theta, grads):
        p += 0.3 * dp
    return np.sum(theta[1]) + first


def number_item_itself(x, w):
    a = np.dot(w, w)
    theta = [a, w * 2.0]
    for p in theta:
        p += 0.3
    return np.sum(theta[1]) + np.sum(a)


def element_of_an_item_read_before(x, w):
    theta = [w * 3.0, w * 2.0]
    first = theta[0][0]
    for p in theta:
        p += 0.3 * x
    return np.sum(theta[1]) + first


@pytest.mark.parametrize("f", [number_item_read_before, number_item_itself, element_of_an_item_read_before],
                         ids=lambda f: f.__name__)
def test_number_read_before_a_loops_in_place_operators(f):
    x, w = 0.5, np.array([0.3, -0.7, 1.1, 0.4])
    value, (gx, gw) = s2s.value_and_grad(f, wrt=(0, 1))(x, w)
    assert value == f(x, w.copy())
    assert_close(gx, numeric_grad(lambda x: f(x, w.copy()), (x,), 0))
    assert_close(gw, numeric_grad(lambda w: f(x, w.copy()), (w,), 0))


def array_item_read_before(x, w):
    theta = [w * 3.0, w * 2.0]
    first = theta[0]
    for p in theta:
        p += 0.3
    return np.sum(theta[1]) + np.sum(first)


def array_itself(x, w):
    a = w * 3.0
    theta = [a, w * 2.0]
    for p in theta:
        p += 0.3
    return np.sum(theta[1]) + np.sum(a)


@pytest.mark.parametrize("f", [array_item_read_before, array_itself], ids=lambda f: f.__name__)
def test_array_read_before_a_loops_in_place_operators_still_refused(f):
    with pytest.raises(s2s.S2SError) as e:
        s2s.value_and_grad(f, wrt=(0, 1))(0.5, np.array([0.3, -0.7, 1.1, 0.4]))
    assert "p += 0.3" in str(e.value) and "test_fix20msg.py" in str(e.value)


def fuzz_4310034(x, params, W):  # (tests.fuzz level 8, seed 4310034, reduced by hand)
    z0 = np.copy(np.array(x))
    weights_ = [np.mean(W, axis=0), z0 * (params[1] > -0.2), np.einsum('ij,j->i', W, params[0]).copy()]
    theta_ = [np.dot(weights_[2], weights_[-1]), weights_[2][[2, 2, 0, 3]] * 1.0, np.tanh(weights_[-1])]
    first8 = theta_[0]
    g_list = [par * z0 for par in theta_]
    for par, dp_ in zip(theta_, g_list, strict=True):
        par += 0.3 * dp_
    y, u, feat = weights_
    return u + math.log(1.0 + first8 * first8) + np.sum(y)


def test_fuzz_4310034():
    W = np.array([[-0.1259, 0.1368, 0.0614, -0.9227], [-1.4004, 1.016, 0.3775, -1.2313],
                  [-0.2918, 1.3176, 1.1807, -1.4608], [-1.4129, -1.4035, -1.1103, 0.1504]])
    x, params = -0.4825, (np.array([0.9407, 0.3091, -0.6681, -0.9242]), 0.7835, 2)
    value, (gx, gW) = s2s.value_and_grad(fuzz_4310034, wrt=(0, 2))(x, params, W)
    assert value == fuzz_4310034(x, params, W)
    assert_close(gx, numeric_grad(lambda x: fuzz_4310034(x, params, W), (x,), 0))
    assert_close(gW, numeric_grad(lambda W: fuzz_4310034(x, params, W), (W,), 0))


def number_item_read_by_the_loop(c):  # (tests.fuzz level 9, seed 4310104, reduced by hand)
    vec = np.linspace(-1.0, 1.0, 3) * -0.5
    ws = c * np.ones(3) * 0.5
    scale = np.sum(ws)
    params_ = [vec.copy(), ws * 1.0, scale]
    dps = [np.sin(p + c) * 0.5 for p in params_]
    for p, g_ in zip(params_, dps):
        p -= scale * g_
    return np.sum(params_[1]) + scale + np.sum(params_[0]) + params_[2]


def array_item_read_by_the_loop(c):
    ws = c * np.ones(3) * 0.5
    scale = ws * 2.0
    params_ = [ws * 1.0, scale]
    dps = [np.sin(p + c) * 0.5 for p in params_]
    for p, g_ in zip(params_, dps):
        p -= scale * g_
    return np.sum(params_[0]) + np.sum(scale)


def test_number_item_the_loop_reads():
    value, g = s2s.value_and_grad(number_item_read_by_the_loop)(0.3)
    assert value == number_item_read_by_the_loop(0.3)
    check_every_mode(number_item_read_by_the_loop, 0.3)
    with pytest.raises(s2s.S2SError) as e:
        s2s.grad(array_item_read_by_the_loop)(0.3)
    assert "p -= scale * g_" in str(e.value) and "test_fix20msg.py" in str(e.value)


# ---------------------------------------------------------------- 6. a slice of a deep copy of a list, joined with +
def joined_with_a_slice_of_a_deep_copy(x):  # (tests.fuzz level 9, seed 4310086, reduced by hand)
    xs, v = x[:4], x[4:]
    init_ = [np.logaddexp(v, xs), xs, v]
    theta_ = copy.deepcopy(init_)
    dps = [w_i * 2 for w_i in theta_[:-1]]
    theta_ = [w_i - 0.1 * gi for w_i, gi in zip(theta_, dps)] + theta_[len(dps):]
    return sum(np.sum(w_i ** 2) for w_i in theta_)


def joined_with_a_deep_copy(x):
    theta_ = copy.deepcopy([np.sin(x[:2]), x[2:4]])
    theta_ = [w_i * 0.1 for w_i in theta_[:1]] + copy.deepcopy(theta_)
    return sum(np.sum(w_i ** 3) for w_i in theta_)


@pytest.mark.parametrize("f", [joined_with_a_slice_of_a_deep_copy, joined_with_a_deep_copy], ids=lambda f: f.__name__)
def test_list_joined_with_a_slice_of_a_deep_copy(f):
    x = np.array([-0.8805, -0.9372, 1.0512, -1.2764, 1.3829, 0.5297, -0.5541, -1.4658])
    value, g = s2s.value_and_grad(f)(x)
    assert value == f(x)
    check_every_mode(f, x)


# ---------------------------------------------------------------- 7. statistics.fmean of a list a loop grows
def fmean_of_a_list_the_loop_grows(z):  # (tests.fuzz level 8, seed 4310136, reduced by hand)
    parts = [z * 2.0]
    for i in range(2):
        b = statistics.fmean(parts)
        parts.append(math.atan(parts[0]) * b)
    return sum(parts)


def variance_of_a_list_the_loop_grows(z):
    parts = [z * 2.0, z * z]
    for i in range(2):
        b = statistics.pvariance(parts) + statistics.mean(parts)
        parts.append(math.atan(parts[0]) * b)
    return sum(parts)


@pytest.mark.parametrize("f", [fmean_of_a_list_the_loop_grows, variance_of_a_list_the_loop_grows],
                         ids=lambda f: f.__name__)
def test_statistics_of_a_list_the_loop_grows(f):
    value, g = s2s.value_and_grad(f)(0.3)
    assert value == f(0.3)
    check_every_mode(f, 0.3)


def element_of_an_item_through_another_name(x):
    opt = {k: x[i:i + 2] * 2.0 for i, k in enumerate(['a', 'b'])}
    keep = opt
    keep['a'][0] = x[3]
    return np.sum(opt['a'] * opt['b'])


def element_of_an_item_through_another_name_as_advised(x):
    opt = {k: x[i:i + 2] * 2.0 for i, k in enumerate(['a', 'b'])}
    keep = opt
    a = keep['a'].copy(); a[0] = x[3]; keep = opt = {**keep, 'a': a}  # noqa: E702
    return np.sum(opt['a'] * opt['b'])


def test_element_of_an_item_through_another_name_rebinds_both_names():
    x = np.array([0.3, -0.7, 1.1, 0.4])
    with pytest.raises(s2s.UnsupportedSyntaxError) as e:
        s2s.grad(element_of_an_item_through_another_name)(x)
    message = str(e.value)
    assert "keep['a'][0] = x[3]" in message and "test_fix20msg.py" in message
    assert "a = keep['a'].copy(); a[0] = ...; keep = opt = {**keep, 'a': a}" in message
    value, g = s2s.value_and_grad(element_of_an_item_through_another_name_as_advised)(x)
    assert value == element_of_an_item_through_another_name(x)
    assert_close(g, numeric_grad(element_of_an_item_through_another_name, (x,), 0))
