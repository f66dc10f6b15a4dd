"""One analysis decides "is k a key of p here" for `for k in p: ... p[k]` (round 18, mend18keys).

The front decided it on the source (front/loops._indexes_itself: p[k] read "always" -> rt.dict_keys, "sometimes"
-> rt.dict_keys_only) while ad/inactive.keys decided the same on the IR for the other ways of taking a
container's items (list(p), min(p)). The front now lowers the loop plainly, over rt.iterated(p), and the `keys`
stage (ad/inactive.iterated_keys) asks the IR's path analysis (`_runs_with`): the read runs whenever k is
taken -> rt.dict_keys(p); on some paths only -> rt.dict_keys_only(p, 'p', 'k'), which refuses a list, tuple or
array as the loop starts, at the user's line, never a zero derivative.

The IR sees what the source did not: a read through another name for p (`q = p; ... q[k]`) and a loop over
reversed(p) were refused while compiling, for a dict too ("its index has a derivative"); a dict is now exact
and a sequence refused as the loop runs. The stage runs before cse, which would merge the rt.iterated(p) of a
loop over p's values with that of a loop reading p[k]: the values keep their derivatives.

Derivatives are checked against finite differences in every mode (test_fix17_dict.every_mode), values against
the function's own.
"""
import numpy as np
import pytest

import s2s
from s2s.api import stages
from conftest import assert_close
from test_fix17_dict import every_mode


def read_through_another_name(p):
    q = p
    s = 0.0
    for k in p:
        if isinstance(p, dict):
            s = s + np.sum(q[k] ** 2)
        else:
            s = s + np.sum(k ** 2)
    return s


def reversed_keys(p):
    s = 0.0
    i = 1.0
    for k in reversed(p):
        if isinstance(p, dict):
            s = s + np.sum(np.sin(p[k])) * i
        else:
            s = s + np.sum(np.sin(k)) * i
        i = i + 1.0
    return s * s


def got_on_a_branch(p):
    s = 0.0
    for k in p:
        if hasattr(p, "keys"):
            s = s + np.sum(p.get(k) ** 3)
        else:
            s = s + np.sum(k ** 3)
    return s


D = {"a": np.array(0.5), "b": np.array([1.5, -0.7])}


@pytest.mark.parametrize("f", [read_through_another_name, reversed_keys, got_on_a_branch],
                         ids=lambda f: f.__name__)
def test_a_loop_reading_its_container_on_one_path_is_exact_for_a_dict(f):
    every_mode(f, D)


@pytest.mark.parametrize("p", [[0.5, 1.5], np.array([0.5, 1.5])], ids=["list", "array"])
def test_a_get_on_one_path_leaves_a_sequence_its_values(p):
    # (p.get(k)'s result does not vary with k: the loop iterates p as Python does, its items with their derivatives
    # on the other path; refused as the loop ran before fix19dict)
    every_mode(got_on_a_branch, p)


@pytest.mark.parametrize("f", [read_through_another_name, reversed_keys], ids=lambda f: f.__name__)
@pytest.mark.parametrize("p", [[0.5, 1.5], (0.5, 1.5), np.array([0.5, 1.5])], ids=["list", "tuple", "array"])
def test_and_refused_for_a_sequence_as_the_loop_runs(f, p):
    for run in (lambda: s2s.grad(f)(p), lambda: s2s.vjp(f)(p), lambda: s2s.jvp(f)((p,), (np.ones(2),)),
                lambda: s2s.jacobian(f)(p), lambda: s2s.jacobian(f, mode="forward")(p),
                lambda: s2s.hessian(f)(p)):
        with pytest.raises(s2s.S2SError, match="on some paths only") as info:
            run()
        assert "for k in" in str(info.value) and f"{__file__}:" in str(info.value), str(info.value)


def own_keys(p):
    s = 0.0
    for k in p:
        s = s + p[k] * 2.0
    return s


def own_keys_on_a_branch(p):
    s = 0.0
    for k in p:
        if isinstance(p, dict):
            s = s + p[k] * 2.0
    return s


def test_the_front_lowers_the_loop_plainly_and_the_keys_stage_decides():
    texts = stages.stage_texts(own_keys)
    assert "rt.iterated(p)" in texts["ssa"] and "dict_keys" not in texts["ssa"]
    assert "rt.dict_keys(p)" in texts["keys"] and "rt.iterated" not in texts["keys"]
    texts = stages.stage_texts(own_keys_on_a_branch)
    assert "rt.iterated(p)" in texts["ssa"]
    assert "rt.dict_keys_only(p, 'p', 'k', 'line " in texts["keys"]  # (the read's line, named in a refusal)
    # (the generated code as before: the keys, read at them)
    source = s2s.grad(own_keys).source
    assert "t1 = rt.dict_keys(p)" in source and "rt.iterated" not in source
    assert "rt.dict_keys_only(p, 'p', 'k', 'line " in s2s.grad(own_keys_on_a_branch).source
    assert s2s.grad(own_keys)({"a": 0.5, "b": 1.5}) == pytest.approx({"a": 2.0, "b": 2.0})
    assert s2s.grad(own_keys_on_a_branch)({"a": 0.5, "b": 1.5}) == pytest.approx({"a": 2.0, "b": 2.0})


def values_then_keys(p, flag):
    s = 0.0
    for v in p:
        s = s + v * v
    if flag:
        for k in p:
            s = s + p[k]
    return s


def test_a_loop_over_the_values_keeps_its_derivatives_beside_one_reading_the_keys():
    # (cse merges the two loops' rt.iterated(p): decided before it, the loop over the values keeps them)
    p = [0.5, 1.5]
    assert_close(s2s.grad(values_then_keys)(p, False), [1.0, 3.0])
    assert_close(s2s.jvp(values_then_keys)((p, False), ([1.0, -2.0],))[1], 1.0 - 6.0)
    assert_close(s2s.jacobian(values_then_keys, mode="forward")(np.array(p), False), [1.0, 3.0])
    assert_close(s2s.hessian(values_then_keys)(np.array(p), False), 2.0 * np.eye(2))
    with pytest.raises(TypeError):  # (Python's own: a list read at a float)
        s2s.grad(values_then_keys)(p, True)


# ---- a container a branch joins with p, read at p's items: another dict, perhaps, whose keys p's values are ----

TABLE = {0.5: 2.0, 1.5: 3.0, "a": 4.0, "b": 5.0}


def read_through_a_join(p, table, flag):
    q = p if flag else table
    s = 0.0
    for k in p:
        s = s + np.sum(q[k]) * (1.0 if isinstance(p, dict) else k)
    return s * s


def read_through_an_if(p, table, flag):
    if flag:
        q = p
    else:
        q = table
    s = 0.0
    for k in p:
        s = s + np.sum(q[k]) * (1.0 if isinstance(p, dict) else k)
    return s * s


@pytest.mark.parametrize("f", [read_through_a_join, read_through_an_if], ids=lambda f: f.__name__)
def test_a_read_through_a_join_with_another_container_is_not_a_key_of_a_sequence(f):
    # (ad/inactive._versions joined q = phi(p, table) with p, so k, a float of the list p, was taken for a key:
    # d/dp of table[k] * k came back 0.0 in every mode; now refused as the loop runs)
    p = [0.5, 1.5]
    for run in (lambda: s2s.grad(f)(p, TABLE, False), lambda: s2s.vjp(f)(p, TABLE, False),
                lambda: s2s.jvp(f)((p, TABLE, False), ([1.0, 0.0],)),
                lambda: s2s.jacobian(f, mode="forward")(np.array(p), TABLE, False),
                lambda: s2s.jacobian(f)(np.array(p), TABLE, False), lambda: s2s.hessian(f)(np.array(p), TABLE, False)):
        with pytest.raises(s2s.S2SError, match="on some paths only"):
            run()
    every_mode(f, D, TABLE, True)  # (a dict: its keys, exact)
    assert s2s.grad(f)({"a": 0.5, "b": 1.5}, TABLE, False) == pytest.approx({"a": 0.0, "b": 0.0})  # (table[k])


def table_then_p(p, table, n):
    q = table
    s = 0.0
    for _ in range(n):
        for k in p:
            s = s + np.sum(q[k]) * (1.0 if isinstance(p, dict) else k)
        q = p  # (what comes back to the loop's header: q is table in the first iteration)
    return s * s


def made_anew_from_the_values(p, table, n):
    q = p
    s = 0.0
    for _ in range(n):
        q = {v: 2.0 for v in p} if not isinstance(p, dict) else p  # (a dict keyed by a list's values)
        for k in p:
            s = s + np.sum(q[k]) * (1.0 if isinstance(p, dict) else k)
    return s * s


@pytest.mark.parametrize("f", [table_then_p, made_anew_from_the_values], ids=lambda f: f.__name__)
def test_a_read_through_what_a_loop_carries_is_not_a_key_of_a_sequence(f):
    # (_versions joined every operand of a loop's header phi with p: k, a float of the list p, was taken for a key
    # and d/dp of q[k] * k came back 0.0 in every mode; a header phi is now the version of what enters the loop)
    p = [0.5, 1.5]
    for run in (lambda: s2s.grad(f)(p, TABLE, 1), lambda: s2s.jvp(f)((p, TABLE, 1), ([1.0, 0.0],)),
                lambda: s2s.jacobian(f)(np.array(p), TABLE, 1), lambda: s2s.hessian(f)(np.array(p), TABLE, 1)):
        with pytest.raises(s2s.S2SError, match="on some paths only"):
            run()
    every_mode(f, D, TABLE, 2)
