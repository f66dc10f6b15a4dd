"""Right programs around copies and item loops that were refused (round 16, fix16copy).

1. A loop's name for an item changed in place and read through an item (`for p, g in zip(params, grads): p -=
   np.abs(p[0]) * g`): item_loops.py kept such a loop away from its rewrite by a syntactic test
   (`_read_as_operand`, 072d800), so the loop was refused. The alias stage now says which loops hold the item
   elsewhere: the loop's own name read after the operator is another name bound to the item (`q = p; p += 1.0; p
   *= q`, q being p in SSA), refused as a stale read; `rt.changed_item`'s result is the new value itself, which a
   name bound to it after the loop shares (`prev = p; ...; prev += 1.0`); a view made in the iteration and read
   before the change (`p[0]`) holds nothing the next iteration reads (tests/test_item_loop_names.py keeps the
   refusals).

2. `d['a'] += [v]` on a list the function made, which nothing but the dict holds at that key: refused when run
   since 1dc5eff (rt.require_unshared refused any list an operator extends, as `e = d['a']` may hold it). The alias
   stage now tells that nothing else holds it (item_operators.alone: a display of the function's, read by no other
   name, container or key, nor by an older name after the change), and the operator is joined as `d['a'] + [v]`
   is (the list's rules cut its adjoint, where the arithmetic `+` met lists of two lengths). Another holder keeps
   the refusal (`e = d['a']`, `dict(d)`, `d.values()`, `{'a': L, 'b': L}`, `L` read afterwards).

3. `q = [w.copy() for w in ws]; q[1] *= 2.0`: a comprehension's list is a list grown by append, whose items s2s
   does not write; `q = list(w.copy() for w in ws)` is a list whose items it follows. A list comprehension bound to
   a name whose items the function writes is now made as that list (comprehensions.py); the alias stage refuses
   the caller's arrays (`[w for w in ws]`), another name for the item, one array at two places. The dict's
   comprehension of copies, `{k: v.copy() for k, v in p.items()}`, was exact already (checked here too).

4. `q = copy.deepcopy(p); q.w -= lr * g` on a record stays refused (s2s follows a record's fields as it is built;
   the class of an argument's copy is not known while compiling), now saying so and naming the new record to make,
   `q = Cls(w=q.w - lr * g, <each other field>=q.<field>)` (with the class and its fields where s2s knows them),
   where it gave the advice for the caller's objects. That form, and the nested dict's advised `a =
   q['l1'].copy(); a['w'] -= ...; q = {**q, 'l1': a}`, are checked exact. The forward modes of
   `copy.deepcopy(r)` of a record the function built raised NotAFieldError ("no derivative flows through .w, not
   one of its fields"): copy.deepcopy rebuilt the tangent, a FieldParts, setting its class before its fields, each
   of which then looked no field; FieldParts.__deepcopy__ copies the fields first.

Each program is checked in every mode against finite differences, its value against NumPy's, and the caller's
arguments are checked unchanged after each call.
"""
import copy
import dataclasses

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad, numeric_hessian

X = np.array([0.3, -0.5, 0.8])
GRADS = [np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])]


def every_mode(f, x, *rest, hessian=True):
    """f(x, *rest) (a number) by every transformation with respect to x, against finite differences and NumPy's
    value; x and everything in `rest` left as they were after each call."""
    kept = copy.deepcopy((x, rest))

    def unchanged(what):
        for a, b in zip(_arrays((x, rest)), _arrays(kept)):
            assert np.array_equal(a, b), f"{f.__name__}: {what} changed the caller's arguments"

    expected = f(copy.deepcopy(x), *copy.deepcopy(rest))
    value, gradient = s2s.value_and_grad(f)(x, *rest)
    unchanged("value_and_grad")
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-12)
    numeric = numeric_grad(lambda x: f(x, *copy.deepcopy(rest)), (x,), 0)
    assert_close(gradient, numeric, 1e-5, 1e-6, what=f"{f.__name__}: grad")
    primal, pullback = s2s.vjp(f)(x, *rest)
    assert_close(pullback(1.0), numeric, 1e-5, 1e-6, what=f"{f.__name__}: vjp")
    unchanged("vjp")
    v = np.linspace(-1.0, 1.0, x.size) + 0.25
    primal, tangent = s2s.jvp(f)((x, *rest), (v,))
    unchanged("jvp")
    assert primal == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert_close(tangent, np.sum(numeric * v), 1e-5, 1e-6, what=f"{f.__name__}: jvp")
    assert_close(s2s.jacobian(f, mode="forward")(x, *rest), numeric, 1e-5, 1e-6, what=f"{f.__name__}: forward")
    unchanged("the forward jacobian")
    assert_close(s2s.jacobian(f)(x, *rest), numeric, 1e-5, 1e-6, what=f"{f.__name__}: reverse jacobian")
    unchanged("the reverse jacobian")
    if hessian:
        assert_close(s2s.hessian(f)(x, *rest), numeric_hessian(lambda x: f(x, *copy.deepcopy(rest)), x), 1e-4, 1e-5,
                     what=f"{f.__name__}: hessian")
        unchanged("the hessian")


def _arrays(obj):
    if isinstance(obj, np.ndarray):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _arrays(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _arrays(v)
    elif hasattr(obj, "__dict__"):
        for v in vars(obj).values():
            yield from _arrays(v)
    else:
        yield np.asarray(obj)


# --- 1. a loop's name for an item, read through an item of it --------------------------------------------------

def abs_of_first(x, grads):
    params = [x * 1.0, x * 2.0]
    for p, g in zip(params, grads):
        p -= np.abs(p[0]) * g
    return np.sum(params[0] * params[1])


def first_element_scaled(x, grads):
    params = {"a": x * 1.0, "b": np.sin(x)}
    for k, v in params.items():
        v *= 1.0 + v[0] ** 2
    return np.sum(params["a"] * params["b"])


def row_of_a_matrix(x, grads):
    params = [np.outer(x, x), np.outer(x, x) * 2.0]
    for p in params:
        p -= 0.1 * np.sum(p[0]) * p
    return np.sum(params[0] * params[1])


@pytest.mark.parametrize("f", [abs_of_first, first_element_scaled, row_of_a_matrix], ids=lambda f: f.__name__)
def test_an_item_read_through_its_item_is_exact(f):
    every_mode(f, X, GRADS)


def _same(v):
    return v


def held_by_a_helpers_result(x, grads):  # (q is p in SSA: the loop's name read after the change)
    params = [x * 1.0, x * 2.0]
    s = 0.0
    for p in params:
        q = _same(p)
        p *= 2.0
        s = s + np.sum(q)
    return s


def a_transpose_read_after(x, grads):
    params = [x * 1.0, x * 2.0]
    for p in params:
        t = p.T
        p *= 2.0
        p += t
    return np.sum(params[0] * params[1])


def a_slice_read_after(x, grads):
    params = [x * 1.0, x * 2.0]
    for p in params:
        v = p[:2]
        p *= 2.0
        p[0] += np.sum(v)
    return np.sum(params[0] * params[1])


def an_inner_loops_slice_read_after(x, grads):
    params = [x * 1.0, x * 2.0]
    for p in params:
        for t in range(2):
            v = p[1:]
            p *= 1.5
            p += np.sum(v)
    return np.sum(params[0] * params[1])


def the_last_item_changed_after(x, grads):
    params = [x * 1.0, x * 2.0]
    for p in params:
        p *= 2.0
        last = p
    last *= 3.0
    return np.sum(params[0] * params[1])


@pytest.mark.parametrize("f", [held_by_a_helpers_result, a_transpose_read_after, a_slice_read_after,
                               an_inner_loops_slice_read_after, the_last_item_changed_after],
                         ids=lambda f: f.__name__)
def test_an_item_held_elsewhere_is_numpys_or_refused(f):
    try:
        value = s2s.value_and_grad(f)(X, GRADS)[0]
    except s2s.S2SError:
        return
    assert value == pytest.approx(f(X.copy(), GRADS), rel=1e-12)
    every_mode(f, X, GRADS)


# --- 2. `d['a'] += [v]` on a list nothing else holds --------------------------------------------------------------

def extended(x, grads):
    d = {'a': [x[0]]}
    d['a'] += [x[1]]
    return sum(d['a']) * x[2]


def extended_with_arrays(x, grads):
    d = {'a': [x[:2] * 1.0], 'b': x[2]}
    d['a'] += [x[1:] * 2.0]
    return np.sum(d['a'][0] * d['a'][1]) * d['b']


def written_empty_then_extended(x, grads):
    d = {}
    d['a'] = []
    d['a'] += [x[1], x[0] ** 2]
    return sum(d['a']) * x[2]


def repeated(x, grads):
    d = {'a': [x[1], x[0] ** 2], 'b': x[2]}
    d['a'] *= 2
    return sum(d['a']) * d['b']


def read_after_the_change(x, grads):
    d = {'a': [x[0]], 'b': x[1]}
    d['a'] += [x[1]]
    e = d['a']
    return sum(e) * x[2] + d['b']


@pytest.mark.parametrize("f", [extended, extended_with_arrays, written_empty_then_extended, repeated,
                               read_after_the_change],
                         ids=lambda f: f.__name__)
def test_a_list_nothing_else_holds_is_extended_exactly(f):
    every_mode(f, X, GRADS)


def held_by_another_name(x, grads):
    d = {'a': [x[0]]}
    e = d['a']
    d['a'] += [x[1]]
    return sum(e) * x[2]


def held_by_a_copy(x, grads):
    d = {'a': [x[0]]}
    d2 = dict(d)
    d['a'] += [x[1]]
    return sum(d2['a']) * x[2]


def held_by_the_values(x, grads):
    d = {'a': [x[0]]}
    vals = list(d.values())
    d['a'] += [x[1]]
    return sum(vals[0]) * x[2]


def held_at_two_keys(x, grads):
    items = [x[0]]
    d = {'a': items, 'b': items}
    d['a'] += [x[1]]
    return sum(d['b']) * x[2]


def held_by_its_name(x, grads):
    items = [x[0]]
    d = {'a': items}
    d['a'] += [x[1]]
    return sum(items) * x[2]


def held_by_a_list(x, grads):
    items = [x[0]]
    d = {'a': items}
    rows = [items]
    d['a'] += [x[1]]
    return sum(rows[0]) * x[2]


def held_by_another_name_after_a_key_write(x, grads):  # (d['a'] read as the code runs, no longer from the display)
    d = {'a': [x[0]]}
    d['b'] = x[1]
    e = d['a']
    d['a'] += [x[1]]
    return sum(e) * x[2]


@pytest.mark.parametrize("f", [held_by_another_name, held_by_a_copy, held_by_the_values, held_at_two_keys,
                               held_by_its_name, held_by_a_list, held_by_another_name_after_a_key_write],
                         ids=lambda f: f.__name__)
def test_a_list_held_elsewhere_is_refused(f):
    with pytest.raises(s2s.S2SError, match="changes the list"):
        s2s.grad(f)(X, GRADS)


# --- 3. a list comprehension of copies, written by item ----------------------------------------------------------

WS = [np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])]
P = {"a": np.array([1.0, 2.0, 3.0]), "b": np.array([0.5, -1.0, 2.0])}


def list_of_copies(x, ws):
    q = [w.copy() for w in ws]
    q[1] *= x[0]
    return np.sum(q[0] * q[1])


def list_of_copies_new_value(x, ws):
    q = [w.copy() for w in ws]
    a = q[1]
    q[1] = q[1] * x[0] + x ** 2
    return np.sum(q[0] * a) + np.sum(q[1] ** 2)


def list_of_rows(x, ws):
    q = [np.zeros(3) for _ in range(3)]
    q[1] = x * 2.0
    q[2] += x ** 2
    return np.sum(q[1] * q[2]) + np.sum(q[0])


def list_of_numbers(x, ws):
    q = [x[i] for i in range(3)]
    q[0] = q[0] * 2.0
    q[1] *= x[2]
    return q[0] * q[1] + q[2]


def dict_of_copies(x, p):
    q = {k: v.copy() for k, v in p.items()}
    q["a"] *= x[0]
    q["b"] -= 0.1 * x
    return np.sum(q["a"] * q["b"])


@pytest.mark.parametrize("f, arg", [(list_of_copies, WS), (list_of_copies_new_value, WS), (list_of_rows, WS),
                                    (list_of_numbers, WS), (dict_of_copies, P)],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_a_comprehension_of_copies_written_by_item_is_exact(f, arg):
    every_mode(f, X, arg)


def list_of_the_callers_arrays(x, ws):
    q = [w for w in ws]
    q[1] *= x[0]
    return np.sum(q[0] * q[1])


def another_name_for_the_item(x, ws):
    q = [w.copy() for w in ws]
    a = q[1]
    q[1] *= x[0]
    return np.sum(q[0] * a)


def one_array_twice(x, ws):
    q = [w * 1.0 for w in ws]
    q[1] = q[0]
    q[1] *= x[0]
    return np.sum(q[0] * q[1])


@pytest.mark.parametrize("f", [list_of_the_callers_arrays, another_name_for_the_item, one_array_twice],
                         ids=lambda f: f.__name__)
def test_a_comprehension_holding_an_array_elsewhere_is_refused(f):
    kept = copy.deepcopy(WS)
    with pytest.raises(s2s.S2SError, match="would change an array in place"):
        s2s.grad(f)(X, WS)
    assert all(np.array_equal(a, b) for a, b in zip(WS, kept))


# --- 4. a copy of a record changed by attribute: refused, naming the new record; the advised forms exact ------------

@dataclasses.dataclass
class Layer:
    w: np.ndarray
    b: np.ndarray


LAYER = Layer(np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.2, 0.3]))
NESTED = {"l1": {"w": np.array([0.5, -1.0, 2.0])}, "l2": np.array([0.1, 0.2, 0.3])}
G = np.array([1.0, 2.0, 3.0])


def record_copy_changed(x, p):
    q = copy.deepcopy(p)
    q.w -= x[0] * G
    return np.sum(q.w ** 2) + np.sum(q.b * x)


def record_built_copy_changed(x, p):
    r = Layer(w=x * 1.0, b=x * 2.0)
    q = copy.deepcopy(r)
    q.w *= 1.0 + x[0]
    return np.sum(q.w ** 2) + np.sum(q.b * x)


def test_a_record_copy_changed_by_attribute_names_the_new_record():
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"a copy the function made \(copy\.deepcopy\).*"
                                                        r"q = Cls\(w=q\.w - x\[0\] \* G, <each other field>=q"):
        s2s.grad(record_copy_changed)(X, LAYER)
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"q = Layer\(w=q\.w \* \(1\.0 \+ x\[0\]\), b=q\.b\)"):
        s2s.grad(record_built_copy_changed)(X, LAYER)


def record_copy_advised(x, p):
    q = copy.deepcopy(p)
    q = Layer(w=q.w - x[0] * G, b=q.b)
    return np.sum(q.w ** 2) + np.sum(q.b * x)


def record_built_advised(x, p):
    r = Layer(w=x * 1.0, b=x * 2.0)
    q = copy.deepcopy(r)
    q = Layer(w=q.w * (1.0 + x[0]), b=q.b)
    return np.sum(q.w ** 2) + np.sum(q.b * x)


def record_built_deep_copied(x, p):  # (its tangent, a deep copy of the record's: each field looked no field)
    r = Layer(w=x * 1.0, b=x * 2.0)
    q = copy.deepcopy(r)
    return np.sum(q.w ** 2) + np.sum(q.b * x)


def nested_dict_advised(x, p):
    q = copy.deepcopy(p)
    a = q["l1"].copy()
    a["w"] -= x[0] * G
    q = {**q, "l1": a}
    return np.sum(q["l1"]["w"] ** 2) + np.sum(q["l2"] * x)


@pytest.mark.parametrize("f, arg", [(record_copy_advised, LAYER), (record_built_advised, LAYER),
                                    (record_built_deep_copied, LAYER), (nested_dict_advised, NESTED)],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_the_advised_forms_are_exact(f, arg):
    every_mode(f, X, arg)


def nested_dict_changed(x, p):
    q = copy.deepcopy(p)
    q["l1"]["w"] -= x[0] * G
    return np.sum(q["l1"]["w"] ** 2) + np.sum(q["l2"] * x)


def test_a_nested_dicts_item_changed_names_the_advised_form():
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"a = q\['l1'\]\.copy\(\); a\['w'\] = \.\.\.; "
                                                        r"q = \{\*\*q, 'l1': a\}"):
        s2s.grad(nested_dict_changed)(X, NESTED)
