"""The lead's fixes of round 18, each checked in every mode against finite differences (tests/test_fix17_dict's
every_mode: value_and_grad, grad, vjp, jvp, both Jacobians, the Hessian), the value against plain Python."""
import numpy as np
import pytest

import s2s
from s2s import S2SError
from tests.conftest import assert_close
from tests.test_fix17_dict import every_mode


def relax(st0, k):  # (hunt18sim R1: a copy of the dict written at the keys of the original, then a generator
    st = dict(st0)  # naming its item as the loop does)
    for key in st0:
        st[key] = st[key] - 0.1 * k * st[key] ** 2
    return sum(np.sum(st[key]) for key in st0)


def scaled(st0, k):  # (the loop's item kept for after the loop, key = phi(None, key_1), never read)
    st = st0.copy()
    for key in st0:
        st[key] = st[key] * k
    return sum(np.sum(st[key] ** 2) for key in st0)


def euler_dict_keys(st0, k):  # (the Hessian: the gradient's rt.zero_at and setitem_value_adjoint read at the key)
    st = dict(st0)
    for t in range(5):
        st = dict(st)
        for key in st0:
            st[key] = st[key] - 0.1 * k * st[key] * st[key]
    return np.sum(st["x"] ** 2) + np.sum(st["v"])


def _state():
    return {"a": np.array([0.1, 0.2]), "b": np.array([0.3, -0.4])}


def test_a_dict_copy_written_at_the_originals_keys_then_a_generator_over_them():
    every_mode(relax, _state(), 1.5)


def test_a_loop_item_kept_after_the_loop_is_still_a_key():
    every_mode(scaled, _state(), 1.5)


def test_the_hessian_of_a_dict_copy_written_at_the_originals_keys_in_a_time_loop():
    every_mode(euler_dict_keys, {"x": np.array([0.1, 0.2]), "v": np.array([0.3, -0.4])}, 1.5)


# ------------------------------------------------------------------ hunt18reg S1: a loop's header phi holds what
# enters it in the first pass only; a read guarded off that pass reads what comes back (here another dict), so the
# float items of a list p were taken for keys of p: a zero derivative in every mode (a regression of 3ac0797)
def guarded_off_the_first_pass(p, table):
    q = p
    s = 0.0
    for i in range(2):
        if i > 0:
            for k in p:
                s = s + q.get(k, 1.5) * k
        q = table
    return s


def flag_guard(xs, lookup):
    prev = xs
    total = 0.0
    first = True
    for step in range(3):
        if not first:
            for v in xs:
                total = total + prev.get(v, 1.0) * v
        prev = lookup
        first = False
    return total


def while_guard(xs, lookup):
    prev = xs
    total = 0.0
    i = 0
    while i < 3:
        if i > 0:
            for v in xs:
                total = total + prev.get(v, 1.0) * v ** 2
        prev = lookup
        i += 1
    return total


@pytest.mark.parametrize("f", [guarded_off_the_first_pass, flag_guard, while_guard])
def test_a_read_guarded_off_a_loops_first_pass_is_refused_or_exact_never_zero(f):
    p = [0.5, 1.5]
    numeric = [(f([p[0] + 1e-6, p[1]], {}) - f([p[0] - 1e-6, p[1]], {})) / 2e-6,
               (f([p[0], p[1] + 1e-6], {}) - f([p[0], p[1] - 1e-6], {})) / 2e-6]
    for transform in (s2s.grad, lambda g: s2s.jacobian(g, mode="forward")):
        try:
            got = transform(f)(p, {})
        except S2SError:
            continue  # (refused as it runs: honest)
        assert_close(np.ravel(got), numeric)


def keys_listed_twice(p):  # (what enters the loop, read in every first pass: k a key of the dict p)
    keys = list(p)
    for t in range(2):
        for u in range(2):
            p = {k: p[k] - 0.1 * np.sin(p[k]) for k in keys}
    return sum(np.sum(v ** 2) for v in p.values())


def test_what_enters_two_loops_read_in_their_first_pass_is_a_key():
    every_mode(keys_listed_twice, _state())


def named_like_a_temporary(t1, w):  # (hunt18reg R3: the keys stage told its own values by their spelling, t1)
    s = 0.0
    for k in t1:
        if isinstance(t1, dict):
            s = s + t1[k] * w
        else:
            s = s + k * w * 2.0
    return s


def test_a_users_name_spelled_like_a_temporary_gets_the_run_time_check():
    every_mode(named_like_a_temporary, {'a': 0.5, 'b': 1.5}, 1.0, hessian=False)
    with pytest.raises(S2SError, match="t1 is a list here"):
        s2s.grad(named_like_a_temporary)([0.5, 1.5], 1.0)


def with_a_default(x, n=3, scale=0.5):  # (hunt18reg C1: the entry of .source dropped f's defaults)
    s = x
    for i in range(n):
        s = np.sin(s) * x * scale
    return s * np.linalg.norm(x)


def test_the_source_of_a_jacobian_of_a_jacobian_keeps_fs_defaults():
    x = np.array([0.7, -0.4])
    jj = s2s.jacobian(s2s.jacobian(with_a_default))
    expected = jj(x)
    eps = 1e-6  # (the Jacobian of finite differences of s2s.jacobian, an independent check of the callable)
    inner = s2s.jacobian(with_a_default)
    numeric = np.stack([(inner(x + eps * e) - inner(x - eps * e)) / (2 * eps) for e in np.eye(2)], axis=-1)
    assert_close(expected, numeric, 1e-6, 1e-6)
    namespace = {}
    exec(compile(jj.source, "jj.py", "exec"), namespace)
    assert "def jacobian_jacobian_with_a_default(x, n=3, scale=0.5):" in jj.source
    assert_close(namespace["jacobian_jacobian_with_a_default"](x), expected, 1e-12, 1e-12)
