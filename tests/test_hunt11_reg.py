"""Findings of the round-11 regression hunt (hunt11reg) fixed by fix11reg.

7. An in-place operator on an array reached through a container or a choice, whose arrays have no names of their
   own (`w = d[k]; w *= 2.0` over a dict's values, `for w in ws: w *= x[0]`) or are one of several
   (`m = a if c else b; m += 1.0`), was refused advising `w = w * 2.0`, which leaves the container's arrays (or a
   and b) unchanged: another program. The advice now keeps NumPy's meaning: the container made anew with the new
   arrays (`ws = [w * x[0] for w in ws]`, `d = {k: d[k] * 2.0 for k in d}`), or each array written by its own name.
"""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad

X3 = np.array([0.4, 1.3, 0.7])
KEYS = ['p', 'q']


# ------------------------------------------------------------------ 7. in-place operators through a container
def dict_values_doubled(x):
    d = {'p': x * 1.0, 'q': np.sin(x), 'r': x + 1.0}
    for k in ['p', 'q']:
        w = d[k]
        w *= 2.0
    return np.sum(d['p'] * d['q'] * np.arange(3.0) * d['r'])


def dict_values_doubled_as_advised(x):
    d = {'p': x * 1.0, 'q': np.sin(x), 'r': x + 1.0}
    d = {k: (d[k] * 2.0 if k in ['p', 'q'] else d[k]) for k in d}
    return np.sum(d['p'] * d['q'] * np.arange(3.0) * d['r'])


def every_dict_value_normalised(x):
    d = {'p': x * 1.0 + 2.0, 'q': np.exp(x)}
    for k in d:
        w = d[k]
        w /= np.sum(w)
    return np.sum(d['p'] * d['q'] * np.arange(3.0))


def every_dict_value_normalised_as_advised(x):
    d = {'p': x * 1.0 + 2.0, 'q': np.exp(x)}
    d = {k: d[k] / np.sum(d[k]) for k in d}
    return np.sum(d['p'] * d['q'] * np.arange(3.0))


def list_items_scaled(x):
    ws = [x * 1.0, x ** 2]
    for w in ws:
        w *= x[0]
    return np.sum(ws[0] * ws[1])


def list_items_scaled_as_advised(x):
    ws = [x * 1.0, x ** 2]
    ws = [w * x[0] for w in ws]
    return np.sum(ws[0] * ws[1])


def tuple_items_shifted(x):
    ws = (np.sin(x), x ** 2)
    for w in ws:
        w += x
    return np.sum(ws[0] * ws[1])


def tuple_items_shifted_as_advised(x):
    ws = (np.sin(x), x ** 2)
    ws = tuple(w + x for w in ws)
    return np.sum(ws[0] * ws[1])


def list_items_by_index(x):
    ws = [x * 1.0, x ** 2]
    for i in range(len(ws)):
        w = ws[i]
        w *= x[i]
    return np.sum(ws[0] * ws[1])


def list_items_by_index_as_advised(x):
    ws = [x * 1.0, x ** 2]
    ws = [ws[i] * x[i] for i in range(len(ws))]
    return np.sum(ws[0] * ws[1])


def one_of_two_by_a_choice(x):
    a = x * 1.0
    b = x ** 2
    m = a if x[0] > 0 else b
    m += 1.0
    return np.sum(a * np.arange(3.0) + b ** 2)


def one_of_two_by_a_choice_as_advised(x):
    a = x * 1.0
    b = x ** 2
    if x[0] > 0:
        a[:] = a + 1.0
    else:
        b[:] = b + 1.0
    return np.sum(a * np.arange(3.0) + b ** 2)


@pytest.mark.parametrize("f, advised, advice", [
    (dict_values_doubled, dict_values_doubled_as_advised,
     "make 'd' anew with the new arrays, in place of the loop's in-place change "
     "(d = {k: (d[k] * 2.0 if k in ['p', 'q'] else d[k]) for k in d})"),
    (every_dict_value_normalised, every_dict_value_normalised_as_advised,
     "(d = {k: d[k] / np.sum(d[k]) for k in d})"),
    (tuple_items_shifted, tuple_items_shifted_as_advised, "(ws = tuple(w + x for w in ws))"),
    (list_items_by_index, list_items_by_index_as_advised, "(ws = [ws[i] * x[i] for i in range(len(ws))])"),
    (one_of_two_by_a_choice, one_of_two_by_a_choice_as_advised,
     "(a[:] = a + 1.0 where it is 'a'; b[:] = b + 1.0 where it is 'b')")])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_an_operator_through_a_container_or_a_choice_advises_what_keeps_the_meaning(f, advised, advice, sign):
    x = sign * X3
    for transform in (s2s.grad, lambda g: (lambda x: s2s.jvp(g)((x,), (x,)))):
        with pytest.raises(s2s.S2SError) as info:
            transform(f)(x)
        assert advice in str(info.value), str(info.value)
    assert advised(x.copy()) == pytest.approx(f(x.copy()), rel=1e-14)  # (the advice is the same program)
    assert_close(check_every_mode(advised, x), numeric_grad(f, (x,), 0))


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_list_items_scaled_by_the_loops_name_are_exact(sign):
    """(round 15, front/item_loops.py: the loop over a list the function made, changing its items in place by the
    loop's name, is the list made anew, as advised above; refused before)"""
    x = sign * X3
    assert s2s.grad(list_items_scaled)(x.copy()) == pytest.approx(s2s.grad(list_items_scaled_as_advised)(x.copy()))
    assert_close(check_every_mode(list_items_scaled, x), numeric_grad(list_items_scaled, (x,), 0))


# ------------------------------------------------------------------ 6. the text of a loop over a module's layers
# `for layer in LAYERS: x = layer.apply(x[0], x)` runs once per entry of the module's tuple; the generated text read
# the entries as `layer`, `layer_2` and asked whoever runs it to give them (names the user's program does not have),
# so the text copied to a file and imported raised. It now imports the module and reads LAYERS[0], LAYERS[2].

LAYERS_MODULE = '''
import numpy as np

class Dense:
    def __init__(self, act, k):
        self.act = act
        self.k = k

    def apply(self, p, x):
        return self.act(p * x * self.k)

class Shift:
    def apply(self, p, x):
        return p * x + np.sin(x)

class Scaled:
    def __init__(self, k):
        self.k = k

    def __call__(self, x):
        return np.tanh(x * self.k)

LAYERS = (Dense(np.tanh, 2.0), Shift(), Dense(np.sin, 0.5))
CALLED = (Scaled(2.0), Scaled(0.5))

def through_layers(x):
    for layer in LAYERS:
        x = layer.apply(x[0], x)
    return np.sum(x ** 2)

def through_called_layers(x):
    for layer in CALLED:
        x = layer(x)
    return np.sum(x ** 2)
'''


@pytest.mark.parametrize("name", ["through_layers", "through_called_layers"])
def test_the_text_of_a_loop_over_a_modules_layers_runs_when_imported(tmp_path, name):
    import importlib
    import sys
    from conftest import module_from_text
    module = module_from_text(tmp_path, "hunt11reg_layers", LAYERS_MODULE)
    f = getattr(module, name)
    text = s2s.grad(f).source
    assert "exec(text" not in text and "RuntimeError" not in text, text
    assert "import hunt11reg_layers\n" in text and ("LAYERS[0]" in text or "CALLED[0]" in text), text
    for transform in (s2s.hessian, s2s.jvp, s2s.value_and_grad):  # (a transformation of one too)
        assert "exec(text" not in transform(f).source and "import hunt11reg_layers\n" in transform(f).source
    (tmp_path / "hunt11reg_layers_grad.py").write_text(text)
    sys.path.insert(0, str(tmp_path))
    try:
        importlib.invalidate_caches()
        sys.modules.pop("hunt11reg_layers_grad", None)
        generated = importlib.import_module("hunt11reg_layers_grad")
    finally:
        sys.path.remove(str(tmp_path))
    x = X3.copy()
    assert_close(getattr(generated, f"grad_{name}")(x), numeric_grad(f, (x,), 0))
    assert_close(check_every_mode(f, x), numeric_grad(f, (x,), 0))


# ------------------------------------------------------------------ 8. the reversed indices of a write through .T
# `B.T[0:2, [1, 2]] = v` (a slice and a list of indices: a 2 x 2 block, axes in B.T's order) was advised
# `B[[1, 2], 0:2] = ...`, another program (25.58 vs 28.01): the block's value is transposed there, as for two slices.

M33 = np.array([[0.52, -1.03, 2.07], [1.51, 0.34, -0.72], [0.23, 0.91, 1.12]])


def block_through_transpose(A):
    B = A * 1.0
    B.T[0:2, [1, 2]] = A[:2, :2] ** 2
    return np.sum(B * np.arange(9.0).reshape(3, 3))


def block_through_transpose_as_advised(A):
    B = A * 1.0
    B[[1, 2], 0:2] = (A[:2, :2] ** 2).T
    return np.sum(B * np.arange(9.0).reshape(3, 3))


def array_block_through_transpose(A):
    B = A * 1.0
    B.T[np.array([0, 1]), 1:3] = A[:2, :2] ** 2
    return np.sum(B * np.arange(9.0).reshape(3, 3))


def array_block_through_transpose_as_advised(A):
    B = A * 1.0
    B[1:3, np.array([0, 1])] = (A[:2, :2] ** 2).T
    return np.sum(B * np.arange(9.0).reshape(3, 3))


def rows_through_transpose(A):
    B = A * 1.0
    for i in range(2):
        B.T[i, 0:2] = A[i, :2] ** 2
    return np.sum(B * np.arange(9.0).reshape(3, 3))


def rows_through_transpose_as_advised(A):
    B = A * 1.0
    for i in range(2):
        B[0:2, i] = A[i, :2] ** 2
    return np.sum(B * np.arange(9.0).reshape(3, 3))


@pytest.mark.parametrize("f, advised, advice", [
    (block_through_transpose, block_through_transpose_as_advised, "B[[1, 2], 0:2] = (...).T for B.T[0:2, [1, 2]]"),
    (array_block_through_transpose, array_block_through_transpose_as_advised,
     "B[1:3, np.array([0, 1])] = (...).T for"),
    (rows_through_transpose, rows_through_transpose_as_advised,
     "B[0:2, i] = ... where i is an integer (the value transposed, (...).T, where it is an array of indices)")])
def test_a_write_through_the_transpose_of_a_block_advises_the_value_transposed(f, advised, advice):
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(f)(M33)
    assert advice in str(info.value), str(info.value)
    assert advised(M33.copy()) == pytest.approx(f(M33.copy()), rel=1e-14)  # (the advice is the same program)
    assert_close(check_every_mode(advised, M33, hessian=False), numeric_grad(f, (M33,), 0))


# ------------------------------------------------------------------ 9a. a C function with no signature
# s2s.jacobian(math.hypot) and s2s.hessian(max) raised inspect's plain ValueError ('no signature found for builtin')
# where s2s.grad of the same says it has no Python source and what to transform instead.

@pytest.mark.parametrize("transform", [s2s.jacobian, s2s.hessian, lambda f: s2s.jacobian(f, mode="forward"),
                                       s2s.grad, s2s.value_and_grad, s2s.vjp])
@pytest.mark.parametrize("builtin", [__import__("math").hypot, max])
def test_a_transformation_of_a_c_function_without_a_signature_says_it_has_no_source(transform, builtin):
    with pytest.raises(s2s.S2SError, match=f"cannot read the source of {builtin.__name__}: it is a "
                                           f"builtin_function_or_method written in C, with no Python source; "
                                           f"transform a Python function that calls it"):
        transform(builtin)(0.3, 0.4)


def test_a_python_function_calling_hypot_is_differentiated_as_advised():
    import math

    def f(x, y):
        return math.hypot(x, y)
    assert_close(s2s.jacobian(f)(0.3, 0.4), 0.6)
    assert_close(s2s.hessian(f)(0.3, 0.4), 0.4 ** 2 / 0.5 ** 3)


# ------------------------------------------------------------------ 2. a NumPy-named method of a record joined or carried
# `w = v if c else V2(...); w.mean()`, a record rebuilt by a loop then `v.mean()`, `(v if c else w).dot(w)` crashed
# (TypeError: V2.mean() got an unexpected keyword argument 'axis', or AttributeError of an ndarray): the class of a
# record a join or a loop holds was known (`built_class`) but its NumPy-named methods went to NumPy's.

from typing import NamedTuple  # noqa: E402


class V2(NamedTuple):
    x: float
    y: float

    def dot(self, o):
        return self.x * o.x - self.y * o.y

    def mean(self):
        return self.x + 10.0 * self.y


def record_chosen_by_an_if(x):
    v = V2(x[0], x[1])
    w = v if x[0] > 0 else V2(x[1], x[0])
    return w.mean()


def record_carried_by_a_loop(x):
    v = V2(x[0], x[1])
    for i in range(2):
        v = V2(v.x * 2, v.y * x[2])
    return v.mean()


def record_chosen_inline(x):
    v = V2(x[0], x[1])
    w = V2(x[1], x[2])
    return (v if x[0] > 0 else w).mean()


def record_chosen_inline_dotted(x):
    v = V2(x[0], x[1])
    w = V2(x[1], x[2])
    return (v if x[0] > 0 else w).dot(w)


@pytest.mark.parametrize("f", [record_chosen_by_an_if, record_carried_by_a_loop, record_chosen_inline,
                               record_chosen_inline_dotted])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_a_numpy_named_method_of_a_joined_or_carried_record_is_the_classs(f, sign):
    check_every_mode(f, sign * X3)


# ------------------------------------------------------------------ 3. np.dot of a record a loop takes from a list
# `for p in ps: s = s + np.dot(p, x[:2])` over a list of namedtuples (NumPy reads each as the array of its fields)
# crashed the reverse code (TypeError: can't multiply sequence by non-int): the loop's item was not read through
# np.asarray as a record built here is.

class P(NamedTuple):
    w: float
    b: float


def dot_of_records_in_a_loop(x):
    ps = [P(x[0], x[1]), P(x[1], x[2])]
    s = 0.0
    for p in ps:
        s = s + np.dot(p, x[:2])
    return s


def dot_of_records_in_a_generator(x):
    ps = [P(x[0], x[1]), P(x[1], x[2] ** 2)]
    return sum(np.dot(p, x[:2]) for p in ps)


def mean_of_records_by_index(x):
    ps = (P(x[0], x[1]), P(x[1] * x[2], x[2]))
    return np.mean(ps[1]) * np.sum(ps[0]) + np.dot(ps[1], ps[0])


@pytest.mark.parametrize("f", [dot_of_records_in_a_loop, dot_of_records_in_a_generator, mean_of_records_by_index])
def test_numpy_reads_a_record_taken_from_a_list_as_the_array_of_its_fields(f):
    check_every_mode(f, X3)


# ------------------------------------------------------------------ 3b. the builtin sum of records with a record start
# `sum(vs, A2(0.0, 1.0))` where vs is a comprehension or a grown list of records whose class defines __add__ crashed
# (IndexError in reverse mode, AttributeError in forward): s2s's sum of a list of unknown length joins tuples, where
# Python's calls A2.__add__. It is refused at the user's line, advising the loop that adds them, which s2s follows.

class A2(NamedTuple):
    x: float
    y: float

    def __add__(self, o):
        return A2(self.x + o.x, self.y * o.y)


def records_summed_from_a_comprehension(x):
    vs = [A2(x[i], x[i + 1]) for i in range(2)]
    t = sum(vs, A2(0.0, 1.0))
    return t.x * t.y


def records_summed_from_a_grown_list(x):
    vs = []
    for i in range(2):
        vs.append(A2(x[i], x[i + 1]))
    t = sum(vs, A2(0.0, 1.0))
    return t.x * t.y


def records_summed_from_a_generator(x):
    t = sum((A2(x[i], x[i + 1]) for i in range(2)), A2(0.0, 1.0))
    return t.x * t.y


def records_summed_in_a_loop(x):
    vs = [A2(x[i], x[i + 1]) for i in range(2)]
    t = A2(0.0, 1.0)
    for v in vs:
        t = t + v
    return t.x * t.y


def records_summed_in_the_generators_loop(x):
    t = A2(0.0, 1.0)
    for i in range(2):
        t = t + A2(x[i], x[i + 1])
    return t.x * t.y


@pytest.mark.parametrize("f, advised, advice", [
    (records_summed_from_a_comprehension, records_summed_in_a_loop,
     "t = A2(0.0, 1.0), then for v in vs: t = t + v"),
    (records_summed_from_a_grown_list, records_summed_in_a_loop, "t = A2(0.0, 1.0), then for v in vs: t = t + v"),
    (records_summed_from_a_generator, records_summed_in_the_generators_loop,
     "t = A2(0.0, 1.0), then for i in range(2): t = t + A2(x[i], x[i + 1])")])
def test_a_sum_of_records_of_unknown_length_with_a_record_start_advises_the_loop(f, advised, advice):
    for transform in (s2s.grad, lambda g: (lambda x: s2s.jvp(g)((x,), (x,)))):
        with pytest.raises(s2s.S2SError) as info:
            transform(f)(X3)
        assert f"add them in a loop, which s2s follows: {advice})" in str(info.value), str(info.value)
        assert "test_hunt11_reg.py" in str(info.value)
    assert advised(X3) == pytest.approx(f(X3), rel=1e-14)
    assert_close(check_every_mode(advised, X3), numeric_grad(f, (X3,), 0))
