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
    (list_items_scaled, list_items_scaled_as_advised, "(ws = [w * x[0] for w in ws])"),
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
