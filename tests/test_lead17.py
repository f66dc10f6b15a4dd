"""Round 17, the lead's own changes: generated code made plainer where the change is provably the same number."""
import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, numeric_grad


def slots_of_display(x):
    ys = [0.0, 0.0, 0.0]
    for k in range(3):
        ys[k] = x * k
    return ys[0] + ys[1] * ys[2]


def slots_of_repeat(x):
    ys = [0.0] * 3
    for k in range(3):
        ys[k] = np.sin(x * k)
    return ys[1] * ys[2]


def test_a_list_of_numbers_written_by_slot_keeps_no_old_slots_and_no_dtype_check():
    for f in (slots_of_display, slots_of_repeat):
        src = s2s.grad(f).source
        assert "require_float_array" not in src  # (a list's slot takes any value: nothing NumPy truncates)
        assert "_old" not in src  # (the numbers it held are never read again)
        for x in (0.7, -1.3):
            assert_close(s2s.grad(f)(x), numeric_grad(f, (x,), 0))
    assert_close(s2s.grad(slots_of_display)(0.7), 4 * 0.7)  # d/dx (x * 2x)


def slots_then_read_old(x):
    ys = [1.0, 2.0, 3.0]
    a = ys[1] * x
    ys[1] = x * x
    return a * ys[1]


def test_a_slot_read_before_its_write_still_gives_the_old_value():
    f = slots_then_read_old
    for x in (0.7, -1.3):
        assert_close(s2s.grad(f)(x), numeric_grad(f, (x,), 0))
        assert_close(s2s.jvp(f)((x,), (1.0,))[1], numeric_grad(f, (x,), 0))


def vector_of_two(x, a):
    return np.sin(x) * x[0] * a + np.array([x[1] ** 2 * a, 0.0, a ** 3])


def jacobian_by_hand(x, a):
    """d vector_of_two / dx, written out."""
    J = a * (np.diag(np.cos(x) * x[0]) + np.outer(np.sin(x), [1.0, 0.0, 0.0]))
    J[0, 1] += 2.0 * x[1] * a
    return J


def test_the_jacobian_of_a_jacobian_is_every_second_derivative_in_each_pair_of_modes():
    x, a, h = np.array([0.3, 0.5, -0.2]), 2.0, 1e-6
    e = np.eye(3)
    want_x = np.stack([(jacobian_by_hand(x + h * e[k], a) - jacobian_by_hand(x - h * e[k], a)) / (2 * h)
                       for k in range(3)], axis=-1)
    want_a = (jacobian_by_hand(x, a + h) - jacobian_by_hand(x, a - h)) / (2 * h)
    for inner in ("reverse", "forward"):
        for outer in ("reverse", "forward"):
            twice = s2s.jacobian(s2s.jacobian(vector_of_two, mode=inner), mode=outer)
            assert_close(twice(x, a), want_x, atol=1e-7)
            assert_close(s2s.jacobian(s2s.jacobian(vector_of_two, mode=inner), wrt="a", mode=outer)(x, a), want_a,
                         atol=1e-7)
    twice = s2s.jacobian(s2s.jacobian(vector_of_two))
    assert twice(x, a).shape == (3, 3, 3)
    namespace: dict = {}
    exec(twice.source, namespace)  # (the text runs on its own and gives the same tensor)
    assert_close(namespace["jacobian_jacobian_vector_of_two"](x, a), want_x, atol=1e-7)


def test_the_jacobian_of_a_jacobian_of_a_scalar_function_is_its_hessian():
    def f(x):
        return np.sum(np.sin(x) * x[0]) + x[1] ** 3
    x = np.array([0.3, 0.5, -0.2])
    want = np.diag(-np.sin(x) * x[0]) + np.outer(np.cos(x), [1.0, 0, 0]) + np.outer([1.0, 0, 0], np.cos(x))
    want[1, 1] += 6 * x[1]
    assert_close(s2s.jacobian(s2s.jacobian(f))(x), want)


def test_the_jacobian_of_a_jacobian_with_respect_to_a_container_is_refused_with_what_to_write():
    def f(p):
        return np.sin(p[0]) * p[1]
    with pytest.raises(s2s.S2SError, match="numbers and arrays"):
        s2s.jacobian(s2s.jacobian(f))((np.array([0.1, 0.2]), 2.0))


def tanh_steps(c, a=1.5):
    s = c
    for i in range(3):
        s = np.tanh(s * a + i)
    return s


def test_grad_of_grad_through_loop_stacks_of_a_function_with_defaults():
    # (forward mode over the generated gradient: its jvp takes the tangent by name after the defaults since
    # 0d23c14, which the one-sweep call and rt.forward_gradient passed by position: a TypeError)
    d1 = lambda c, a=1.5: numeric_grad(tanh_steps, (c, a), 0, eps=1e-5)  # noqa: E731
    for c in (0.3, -0.4):
        assert_close(s2s.grad(s2s.grad(tanh_steps))(c), numeric_grad(d1, (c,), 0, eps=1e-4), atol=1e-6)
        both = s2s.grad(s2s.grad(tanh_steps), wrt=(0, 1))(c, 1.2)
        assert_close(both[0], numeric_grad(lambda c_, a_: d1(c_, a_), (c, 1.2), 0, eps=1e-4), atol=1e-6)
        assert_close(both[1], numeric_grad(lambda c_, a_: d1(c_, a_), (c, 1.2), 1, eps=1e-4), atol=1e-6)


def vector_with_default(x, a=2.0):
    return np.sin(x) * x[0] * a + np.array([x[1] ** 2 * a, 0.0, a ** 3])


def test_the_jacobian_of_a_jacobian_of_a_function_with_defaults():
    x, h = np.array([0.3, 0.5, -0.2]), 1e-6
    e = np.eye(3)
    for a in (2.0, 3.0):
        want = np.stack([(jacobian_by_hand(x + h * e[k], a) - jacobian_by_hand(x - h * e[k], a)) / (2 * h)
                         for k in range(3)], axis=-1)
        for outer in ("reverse", "forward"):
            twice = s2s.jacobian(s2s.jacobian(vector_with_default), mode=outer)
            assert_close(twice(x) if a == 2.0 else twice(x, a), want, atol=1e-7)
    namespace: dict = {}
    exec(twice.source, namespace)
    assert_close(namespace["jacobian_jacobian_vector_with_default"](x, 3.0), want, atol=1e-7)


def joined_lists(xs, ys):
    return np.sum(np.tanh(xs + ys))


def list_broadcast_on_rows(xs, A):
    return np.sum(np.tanh(A + xs))


def test_two_lists_joined_by_plus_are_refused_in_every_mode_not_summed_as_a_broadcast():
    # (xs + ys of two lists is one list of both: reverse mode summed the adjoint of [0.3, 1.2] into xs's one entry as
    # if NumPy had broadcast it, 1.2202 where d/dxs[0] is 1 - tanh(0.3) ** 2 = 0.9151)
    for xs, ys in (([0.3], [1.2]), ([0.3, 0.1], [1.2])):
        with pytest.raises(s2s.S2SError, match="joining lists or tuples"):
            s2s.grad(joined_lists)(xs, ys)
        with pytest.raises(s2s.S2SError, match="joining lists or tuples"):
            s2s.vjp(joined_lists)(xs, ys)[1](1.0)
        with pytest.raises(s2s.S2SError, match="joining lists or tuples"):
            s2s.jvp(joined_lists)((xs, ys), ([1.0] * len(xs),))


def test_a_list_numpy_reads_as_an_array_still_broadcasts():
    A = np.array([[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]])
    xs = [0.2, -0.7]
    want = np.sum(1.0 - np.tanh(A + np.array(xs)) ** 2, axis=0)
    assert_close(s2s.grad(list_broadcast_on_rows)(xs, A), list(want))
    assert_close(s2s.grad(joined_lists)(np.array([0.3]), [1.2, 0.4]), [np.sum(1.0 - np.tanh(0.3 + np.array([1.2, 0.4])) ** 2)])


def items_or_keys(p):
    total = 0.0
    for i, k in enumerate(p):
        if isinstance(p, dict):
            total = total + p[k] * (i + 1)
        else:
            total = total + k * (i + 1)
    return total ** 2


def keys_on_a_branch(p):
    total = 0.0
    for k in p:
        if hasattr(p, "keys"):
            total = total + p[k] ** 2
        else:
            total = total + k ** 2
    return total


def test_a_loop_reading_its_container_at_its_items_on_one_path_only_is_exact_for_a_dict_and_refused_otherwise():
    # (`for k in p: if isinstance(p, dict): p[k]`: s2s took k for a dict's key, with no derivative, on every path,
    # so a list, tuple or array argument got a zero derivative in every mode; now its loop refuses it as it runs)
    d = {"a": 0.5, "b": 1.5}
    t = 0.5 * 1 + 1.5 * 2
    assert s2s.grad(items_or_keys)(d) == pytest.approx({"a": 2 * t, "b": 4 * t})
    assert s2s.jvp(items_or_keys)((d,), ({"a": 1.0, "b": 0.0},))[1] == pytest.approx(2 * t)
    assert s2s.grad(keys_on_a_branch)(d) == pytest.approx({"a": 1.0, "b": 3.0})
    for f in (items_or_keys, keys_on_a_branch):
        for p in ([0.5, 1.5], (0.5, 1.5), np.array([0.5, 1.5])):
            for run in (lambda: s2s.grad(f)(p), lambda: s2s.jvp(f)((p,), (np.ones(2),)),
                        lambda: s2s.jacobian(f, mode="forward")(p), lambda: s2s.hessian(f)(p)):
                with pytest.raises(s2s.S2SError, match="on some paths only"):
                    run()


def own_keys_always(p):
    total = 0.0
    for k in p:
        total = total + p[k] * 2.0
    return total


def test_a_loop_reading_its_container_at_its_items_every_time_still_takes_them_for_keys():
    assert s2s.grad(own_keys_always)({"a": 0.5, "b": 1.5}) == pytest.approx({"a": 2.0, "b": 2.0})


def test_the_jacobian_of_a_jacobian_pickles_after_use_and_refuses_a_container_value_clearly():
    import pickle

    def pair(x):
        return np.tanh(x), x[0]
    twice = s2s.jacobian(s2s.jacobian(vector_of_two))
    x = np.array([0.3, 0.5, -0.2])
    first = twice(x, 2.0)
    assert_close(pickle.loads(pickle.dumps(twice))(x, 2.0), first)  # (after a call, which made generated code)
    with pytest.raises(s2s.ResultTypeError, match="tuple, list or dict"):
        s2s.jacobian(s2s.jacobian(pair))(x)


def constant_slot_product(pair):
    ys_ = [np.sum(pair[1]), 2.0]
    ys_[0] = 0.5 if not 2 > 1.0 else 1.0
    t2 = ys_[0] * ys_[1]
    cum, vec, delta = pair
    return np.sum(vec) + t2 + np.sum(cum * 0.5 * delta)


def test_a_name_bound_to_a_folded_constant_beside_arrays_in_shape_classes():
    # (level 7's seed 3501038: ad/statements._shape_classes read .kwargs of a constant's assignment, t2 = 2.0)
    pair = [np.array([0.1, 0.2]), np.array([0.3, 0.4]), np.array([0.5, 0.6])]
    value, grads = s2s.value_and_grad(constant_slot_product)(pair)
    assert value == pytest.approx(constant_slot_product(pair))
    for got, want in zip(grads, [0.5 * pair[2], np.ones(2), 0.5 * pair[0]]):
        assert_close(got, want)
