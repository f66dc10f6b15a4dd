"""Round seven of the bug hunts, the API's part: a list or tuple argument consumed whole by a NumPy function
(np.cumsum(fp)) has a derivative with the argument's structure in every mode, as when it is read element by element;
the advice of the refusal of a functools.partial. Each against finite differences or the element-by-element
version."""
import ast
import collections
import dataclasses
import functools

import numpy as np
import pytest

import s2s


def _fd_leaves(f, x, eps=1e-6):
    """Central differences of scalar f with respect to each number of `x` (a list or tuple of numbers or arrays, or
    a dict of them), as one flat vector in the order of the leaves."""
    leaves, rebuild = _flat(x)
    out = np.zeros(leaves.size)
    for i in range(leaves.size):
        p, m = leaves.copy(), leaves.copy()
        p[i] += eps
        m[i] -= eps
        out[i] = (f(rebuild(p)) - f(rebuild(m))) / (2 * eps)
    return out


def _flat(x):
    """(vector of x's numbers, rebuild(vector) -> x's structure of plain floats and arrays), independent of s2s."""
    if dataclasses.is_dataclass(x) or hasattr(x, "_fields"):  # (a dataclass, a namedtuple: by its fields)
        names = [f.name for f in dataclasses.fields(x)] if dataclasses.is_dataclass(x) else list(x._fields)
        vector, rebuild_fields = _flat({k: getattr(x, k) for k in names})
        make = (lambda d: dataclasses.replace(x, **d)) if dataclasses.is_dataclass(x) else (lambda d: type(x)(**d))
        return vector, lambda v: make(rebuild_fields(v))
    if isinstance(x, dict):
        parts = [_flat(v) for v in x.values()]
        sizes = [len(v) for v, _ in parts]

        def rebuild(v):
            out, start = {}, 0
            for k, (_, r), n in zip(x, parts, sizes):
                out[k] = r(v[start:start + n])
                start += n
            return out
        return np.concatenate([v for v, _ in parts]), rebuild
    if isinstance(x, (list, tuple)):
        parts = [_flat(v) for v in x]
        sizes = [len(v) for v, _ in parts]

        def rebuild(v):
            out, start = [], 0
            for (_, r), n in zip(parts, sizes):
                out.append(r(v[start:start + n]))
                start += n
            return type(x)(out)
        return np.concatenate([v for v, _ in parts]), rebuild
    if isinstance(x, np.ndarray):
        return x.astype(float).ravel(), lambda v: np.array(v).reshape(x.shape)
    return np.array([float(x)]), lambda v: float(v[0])


def _vector(g):
    """The numbers of a derivative with a container's structure, as one flat vector (leaves in order)."""
    if dataclasses.is_dataclass(g):
        return np.concatenate([_vector(getattr(g, f.name)) for f in dataclasses.fields(g)])
    if isinstance(g, dict):
        return np.concatenate([_vector(v) for v in g.values()])
    if isinstance(g, (list, tuple)):
        return np.concatenate([_vector(v) for v in g])
    return np.ravel(np.asarray(g, dtype=float))


def _same_structure(g, x, number=float):
    """Does the derivative `g` have x's structure: a list for a list, a tuple for a tuple, a dict of the same keys,
    a `number` for each Python number, an array of the shape for each array?"""
    if isinstance(x, dict):
        return type(g) is dict and list(g) == list(x) and all(_same_structure(g[k], x[k], number) for k in x)
    if isinstance(x, (list, tuple)):
        return type(g) is type(x) and len(g) == len(x) and all(_same_structure(a, b, number) for a, b in zip(g, x))
    if isinstance(x, np.ndarray):
        return type(g) is np.ndarray and g.shape == x.shape
    return type(g) is number


def _parts(tree, x):
    """The parts of `tree` at the places of x's leaves (walking x's structure), in order."""
    if dataclasses.is_dataclass(x):
        return [p for f in dataclasses.fields(x) for p in _parts(getattr(tree, f.name), getattr(x, f.name))]
    if isinstance(x, dict):
        return [p for k in x for p in _parts(tree[k], x[k])]
    if isinstance(x, (list, tuple)):
        return [p for a, b in zip(tree, x) for p in _parts(a, b)]
    return [tree]


def _hessian_matrix(h, x):
    """A Hessian with respect to a container `x` (H[a][b] of shape leaf_a.shape + leaf_b.shape) as one matrix over
    the numbers of x in order."""
    leaves = _parts(x, x)
    sizes = [int(np.size(v)) for v in leaves]
    rows = []
    for a, inner in enumerate(_parts(h, x)):
        blocks = [np.asarray(block, dtype=float).reshape(sizes[a], sizes[b]) for b, block in enumerate(_parts(inner, x))]
        rows.append(np.concatenate(blocks, axis=1))
    return np.concatenate(rows, axis=0)


W3 = np.array([0.5, -1.0, 2.0])
IDX = np.array([2, 0, 1])


def k_cumsum(fp):
    return np.sum(np.cumsum(fp) ** 2)


def k_cumsum_elements(fp):  # the same function, reading the list element by element
    return fp[0] ** 2 + (fp[0] + fp[1]) ** 2 + (fp[0] + fp[1] + fp[2]) ** 2


def k_interp(fp):
    return np.sum(np.interp(np.array([0.3, 1.7]), [0., 1., 2.], fp) ** 2)


def k_sort(fp):
    return np.sum(np.sort(fp) * W3)


def k_sum(fp):
    return np.sum(fp) ** 2


def k_mean(fp):
    return np.mean(fp) ** 3


def k_dot(fp):
    return np.dot(fp, W3) ** 2


def k_exp(fp):
    return np.sum(np.exp(fp) * W3)


def k_take(fp):
    return np.sum(np.take(fp, IDX) * W3) ** 2


def k_diff(fp):
    return np.sum(np.diff(fp) ** 2)


def k_mixed(fp):  # one element read, and the whole list
    return fp[0] * np.sum(fp) ** 2


WHOLE = [k_cumsum, k_cumsum_elements, k_interp, k_sort, k_sum, k_mean, k_dot, k_exp, k_take, k_diff, k_mixed]


@pytest.mark.parametrize("kind", [list, tuple])
@pytest.mark.parametrize("f", WHOLE, ids=lambda f: f.__name__)
def test_sequence_of_numbers_passed_whole_has_its_structure_in_every_mode(f, kind):
    x = kind([1.0, 3.0, 2.5])
    kept = list(x)
    expected = _fd_leaves(f, x)
    grad = s2s.grad(f)(x)
    value, vg = s2s.value_and_grad(f)(x)
    primal, pullback = s2s.vjp(f)(x)
    pulled = pullback(1.0)
    assert value == pytest.approx(f(x)) and primal == pytest.approx(f(x))
    for what, g in [("grad", grad), ("value_and_grad", vg), ("vjp", pulled)]:
        assert _same_structure(g, x), f"{what}: {g!r} has not the structure of {x!r}"
        np.testing.assert_allclose(_vector(g), expected, rtol=1e-5, atol=1e-6, err_msg=what)
    for mode in ("reverse", "forward"):
        jac = s2s.jacobian(f, mode=mode)(x)  # (leaves of shape value.shape + leaf.shape: 0-d arrays)
        assert _same_structure(jac, x, np.ndarray), f"jacobian {mode}: {jac!r}"
        np.testing.assert_allclose(_vector(jac), expected, rtol=1e-5, atol=1e-6)
    assert list(x) == kept


@pytest.mark.parametrize("kind", [list, tuple])
@pytest.mark.parametrize("f", [k_cumsum, k_sum, k_mean, k_dot, k_exp, k_take, k_diff, k_mixed],
                         ids=lambda f: f.__name__)
def test_hessian_of_a_sequence_of_numbers_passed_whole(f, kind):
    x = kind([1.0, 3.0, 2.5])
    h = s2s.hessian(f)(x)
    assert type(h) is kind and all(type(row) is kind and len(row) == 3 for row in h)
    eps = 1e-4
    expected = np.array([(_fd_leaves(f, kind(np.array(x) + eps * e), 1e-5) -
                          _fd_leaves(f, kind(np.array(x) - eps * e), 1e-5)) / (2 * eps) for e in np.eye(3)])
    np.testing.assert_allclose(np.array([[float(v) for v in row] for row in h]), expected, rtol=1e-4, atol=1e-5)


def test_whole_and_element_by_element_agree_in_every_mode():
    x = [1.0, 3.0, 2.0]
    assert s2s.grad(k_cumsum)(x) == s2s.grad(k_cumsum_elements)(x) == [22.0, 20.0, 12.0]
    assert s2s.vjp(k_cumsum)(x)[1](1.0) == [22.0, 20.0, 12.0]
    h_whole, h_elements = s2s.hessian(k_cumsum)(x), s2s.hessian(k_cumsum_elements)(x)
    np.testing.assert_allclose(np.array(h_whole, dtype=float), np.array(h_elements, dtype=float))


def vector_cumsum(fp):  # a vector value
    return np.cumsum(fp) ** 2


@pytest.mark.parametrize("kind", [list, tuple])
def test_jacobian_and_pullback_of_a_vector_value(kind):
    x = kind([1.0, 3.0, 2.0])
    c = np.cumsum(x)
    expected = np.tril(np.ones((3, 3))).T * 2 * c  # d(c_i^2)/dx_j = 2 c_i [j <= i]: rows i
    expected = expected.T
    for mode in ("reverse", "forward"):
        jac = s2s.jacobian(vector_cumsum, mode=mode)(x)
        assert type(jac) is kind and all(type(b) is np.ndarray and b.shape == (3,) for b in jac)
        np.testing.assert_allclose(np.stack(jac, axis=-1), expected)
    pulled = s2s.vjp(vector_cumsum)(x)[1](np.ones(3))
    assert type(pulled) is kind and all(type(v) is float for v in pulled)
    np.testing.assert_allclose(pulled, [22.0, 20.0, 12.0])


W2 = np.array([0.5, -1.0])


def a_sum(xs):
    return np.sum(np.sum(xs, axis=0) ** 2 * W2)


def a_elements(xs):
    return np.sum((xs[0] + xs[1] + xs[2]) ** 2 * W2)


def a_stack(xs):
    return np.sum(np.stack(xs) ** 3 * W2)


def d_cumsum(p):
    return np.sum(np.cumsum(p["fp"]) ** 2) * p["s"]


def n_cumsum(xs):  # a list of lists
    return np.sum(np.cumsum(xs, axis=1) ** 2 * W2)


@pytest.mark.parametrize("f, x", [
    (a_sum, [np.array([1., 2.]), np.array([0.5, -1.]), np.array([3., 0.25])]),
    (a_sum, (np.array([1., 2.]), np.array([0.5, -1.]), np.array([3., 0.25]))),
    (a_elements, [np.array([1., 2.]), np.array([0.5, -1.]), np.array([3., 0.25])]),
    (a_stack, [np.array([1., 2.]), np.array([0.5, -1.]), np.array([3., 0.25])]),
    (d_cumsum, {"fp": [1., 3., 2.], "s": 1.5}),
    (d_cumsum, {"fp": (1., 3., 2.), "s": 1.5}),
    (n_cumsum, [[1., 2.], [3., 4.]]),
    (n_cumsum, [(1., 2.), (3., 4.)]),
], ids=lambda v: getattr(v, "__name__", type(v).__name__))
def test_containers_passed_whole_in_every_mode(f, x):
    expected = _fd_leaves(f, x)
    for what, g in [("grad", s2s.grad(f)(x)), ("vjp", s2s.vjp(f)(x)[1](1.0))]:
        assert _same_structure(g, x), f"{what}: {g!r}"
        np.testing.assert_allclose(_vector(g), expected, rtol=1e-5, atol=1e-6, err_msg=what)
    for mode in ("reverse", "forward"):
        jac = s2s.jacobian(f, mode=mode)(x)
        assert _same_structure(jac, x, np.ndarray), f"jacobian {mode}: {jac!r}"
        np.testing.assert_allclose(_vector(jac), expected, rtol=1e-5, atol=1e-6)
    h = _hessian_matrix(s2s.hessian(f)(x), x)
    leaves, rebuild = _flat(x)
    eps = 1e-4
    numeric = np.array([(_fd_leaves(f, rebuild(leaves + eps * e), 1e-5) - _fd_leaves(f, rebuild(leaves - eps * e),
                                                                                       1e-5)) / (2 * eps)
                        for e in np.eye(leaves.size)])
    np.testing.assert_allclose(h, numeric, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------------------------------------------------------
# the refusal of a functools.partial says how to call the function beneath it (the fixed positional argument first)

def three(x, a, b):
    return x * a ** 2 + np.sin(b)


@pytest.mark.parametrize("make, advice", [
    (lambda: s2s.grad(functools.partial(three, 0.4))(2.0, 0.3), "s2s.grad(three, wrt=1)(0.4, a, b)"),
    (lambda: s2s.grad(functools.partial(three, 0.4), wrt=1)(2.0, 0.3), "s2s.grad(three, wrt=2)(0.4, a, b)"),
    (lambda: s2s.grad(functools.partial(three, b=0.4))(2.0, 0.3), "s2s.grad(three)(x, a, b=0.4)"),
    (lambda: s2s.grad(functools.partial(three, a=0.4))(2.0, b=0.3), "s2s.grad(three)(x, a=0.4, b=b)"),
    (lambda: s2s.value_and_grad(functools.partial(three, 0.4))(2.0, 0.3),
     "s2s.value_and_grad(three, wrt=1)(0.4, a, b)"),
    (lambda: s2s.jacobian(functools.partial(three, 0.4), wrt=(0, "b"))(2.0, 0.3),
     "s2s.jacobian(three, wrt=(1, 'b'))(0.4, a, b)"),
    (lambda: s2s.hessian(functools.partial(three, 0.4))(2.0, 0.3), "s2s.hessian(three, wrt=1)(0.4, a, b)"),
    (lambda: s2s.jvp(functools.partial(three, b=0.4))((2.0, 0.3), (1.0,)),
     "s2s.jvp(three)((x, a), tangents, b=0.4)"),
])
def test_partial_refusal_shows_the_fixed_arguments_where_they_were_fixed(make, advice):
    with pytest.raises(s2s.SourceUnavailableError) as info:
        make()
    assert advice in str(info.value)


def test_the_advised_call_gives_the_partial_s_derivative():
    # d/da of functools.partial(three, 0.4)(a, b) = 2 * 0.4 * a, d/db = cos(b): what the advice computes
    assert s2s.grad(three, wrt=1)(0.4, 2.0, 0.3) == pytest.approx(2 * 0.4 * 2.0)
    assert s2s.grad(three, wrt=2)(0.4, 2.0, 0.3) == pytest.approx(np.cos(0.3))
    value, tangent = s2s.jvp(three)((2.0, 0.3), (1.0,), b=0.4)
    assert value == pytest.approx(three(2.0, 0.3, 0.4)) and tangent == pytest.approx(0.3 ** 2)


# ---------------------------------------------------------------------------------------------------------------
# forward mode: the tangent of a list or tuple argument in NumPy's arithmetic is the array's

def k_maxnorm(fp):
    return np.max(fp) * np.linalg.norm(fp)


def k_multiply(fp):
    return np.sum(np.multiply(fp, 2.0) ** 2 * W3)


def k_divide_norm(fp):
    return np.linalg.norm(fp) ** 3 + np.sum(np.true_divide(fp, 3.0) ** 3)


@pytest.mark.parametrize("kind", [list, tuple])
@pytest.mark.parametrize("f", [k_maxnorm, k_multiply, k_divide_norm], ids=lambda f: f.__name__)
def test_tangent_of_a_sequence_times_a_number(f, kind):
    # jvp and jacobian(mode='forward') of np.multiply(fp, 2.0), and the Hessian of np.max(fp) * norm(fp), whose
    # gradient's tangent multiplies dfp by a number: TypeError: can't multiply sequence by non-int
    x = kind([1.0, 3.0, 2.5])
    expected = _fd_leaves(f, x)
    for k, e in enumerate(np.eye(3)):
        value, tangent = s2s.jvp(f)((x,), (kind(e.tolist()),))
        assert value == pytest.approx(f(x))
        assert tangent == pytest.approx(expected[k], rel=1e-5, abs=1e-6)
    jac = s2s.jacobian(f, mode="forward")(x)
    assert _same_structure(jac, x, np.ndarray)
    np.testing.assert_allclose(_vector(jac), expected, rtol=1e-5, atol=1e-6)
    h = s2s.hessian(f)(x)
    eps = 1e-4
    numeric = np.array([(_fd_leaves(f, kind(np.array(x) + eps * e), 1e-5) -
                         _fd_leaves(f, kind(np.array(x) - eps * e), 1e-5)) / (2 * eps) for e in np.eye(3)])
    np.testing.assert_allclose(_hessian_matrix(h, x), numeric, rtol=1e-4, atol=1e-5)
    assert list(x) == [1.0, 3.0, 2.5]


def multiply_by_int(fp):
    return np.multiply(fp, 3)[1]


def repeated(fp):
    return (fp * 2)[1] * 1.0


@pytest.mark.parametrize("f", [multiply_by_int, repeated], ids=lambda f: f.__name__)
def test_tangent_of_a_sequence_times_an_int_is_refused(f):
    # `dfp * 3` is the tangent of np.multiply(fp, 3) (the array times 3) and of fp * 3 (the list repeated): the
    # jvp of np.multiply(fp, 3)[1] gave 1.0 where the derivative is 3.0
    with pytest.raises(s2s.S2SError, match="the tangent of a list of 2 times [23]: s2s cannot tell here whether"):
        s2s.jvp(f)(([1.0, 2.0],), ([0.0, 1.0],))
    with pytest.raises(s2s.S2SError):
        s2s.jacobian(f, mode="forward")([1.0, 2.0])
    assert s2s.jvp(multiply_by_int)((np.array([1.0, 2.0]),), (np.array([0.0, 1.0]),))[1] == 3.0  # (an array: its own)


def joined_then_read(a, b):
    return (a + b)[1] * 1.0


def added_then_read(a, b):
    return np.add(a, b)[1] * 1.0


@pytest.mark.parametrize("f", [joined_then_read, added_then_read], ids=lambda f: f.__name__)
def test_tangents_of_two_sequences_added_are_refused(f):
    # `da + db` is the tangent of a + b (the lists joined: d/da1 of (a + b)[1] is 1) and of np.add(a, b) (the numbers
    # added: d/da1 + d/db1 of np.add(a, b)[1] is 2): the jvp of np.add(a, b)[1] gave 1.0 for 2.0
    with pytest.raises(s2s.S2SError, match="the tangent of a list of 2 plus one of 2: .*repeated or joined"):
        s2s.jvp(f, wrt=(0, 1))(([1.0, 2.0], [3.0, 4.0]), ([0.0, 1.0], [0.0, 1.0]))
    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    value, tangent = s2s.jvp(added_then_read, wrt=(0, 1))((a, b), (np.array([0.0, 1.0]), np.array([0.0, 1.0])))
    assert value == 6.0 and tangent == 2.0  # (arrays: NumPy's sum, no doubt)


def k_square(fp):
    return np.sum(np.square(fp) * W3)


def test_arithmetic_on_a_sequence_argument_is_explained_in_every_mode():
    # the adjoint of np.square(fp) is g * 2 * fp: Python's arithmetic on the list; grad said to pass np.asarray(fp),
    # vjp, jacobian, jvp and hessian gave the bare TypeError
    x = [1.0, 3.0, 2.5]
    for run in [lambda: s2s.grad(k_square)(x), lambda: s2s.vjp(k_square)(x)[1](1.0),
                lambda: s2s.jacobian(k_square)(x), lambda: s2s.jacobian(k_square, mode="forward")(x),
                lambda: s2s.jvp(k_square)((x,), ([1.0, 0.0, 0.0],)), lambda: s2s.hessian(k_square)(x)]:
        with pytest.raises(TypeError, match=r"the argument 'fp' is a list of numbers.*pass np.asarray\(fp\)"):
            run()
    np.testing.assert_allclose(s2s.grad(k_square)(np.asarray(x)), 2 * np.asarray(x) * W3)



# ---------------------------------------------------------------------------------------------------------------
# a gradient with respect to a dataclass: the generated entry gives back the dataclass, as the callable does

@dataclasses.dataclass
class Layer:
    w: np.ndarray
    b: float


@dataclasses.dataclass(frozen=True)
class FrozenLayer:
    w: np.ndarray
    b: float


NamedLayer = collections.namedtuple("NamedLayer", "w b")
X3 = np.array([0.3, -0.2, 0.7])


def f_record(p, x):
    return np.sum((p.w * x + p.b) ** 2) + p.b * np.sum(p.w ** 3)


def f_nested_record(d, x):
    return np.sum((d["layer"].w * x + d["layer"].b) ** 2) * d["s"]


def f_records(ps, x):
    return sum(np.sum(np.tanh(q.w * x + q.b)) for q in ps)


def _entry(transformed):
    """The last top-level function of `transformed.source`, the text run on its own (API.md: the entry point)."""
    namespace: dict = {}
    exec(compile(transformed.source, "generated", "exec"), namespace)  # noqa: S102 (s2s's own text)
    return namespace[[n.name for n in ast.parse(transformed.source).body if isinstance(n, ast.FunctionDef)][-1]]


RECORD_CASES = [
    (f_record, Layer(np.array([1.0, 2.0, 3.0]), 0.5)),
    (f_record, FrozenLayer(np.array([1.0, 2.0, 3.0]), 0.5)),
    (f_record, NamedLayer(np.array([1.0, 2.0, 3.0]), 0.5)),
    (f_nested_record, {"layer": Layer(np.array([1.0, 2.0, 3.0]), 0.5), "s": 1.5}),
    (f_records, [Layer(np.array([1.0, 2.0, 3.0]), 0.5), Layer(np.array([-1.0, 0.5, 0.2]), -0.3)]),
]


@pytest.mark.parametrize("f, p", RECORD_CASES, ids=lambda v: getattr(v, "__name__", type(v).__name__))
def test_generated_entry_gives_back_the_record(f, p):
    expected = _fd_leaves(lambda q: f(q, X3), p)
    kind = type(p)
    grad = s2s.grad(f)(p, X3)
    from_text = _entry(s2s.grad(f))(p, X3)
    value, with_value = _entry(s2s.value_and_grad(f))(p, X3)
    primal, pullback = _entry(s2s.vjp(f))(p, X3)
    assert value == pytest.approx(f(p, X3)) and primal == pytest.approx(f(p, X3))
    for what, g in [("grad", grad), ("entry of grad", from_text), ("entry of value_and_grad", with_value),
                    ("entry of vjp", pullback(1.0)), ("vjp", s2s.vjp(f)(p, X3)[1](1.0)),
                    ("value_and_grad", s2s.value_and_grad(f)(p, X3)[1])]:
        assert isinstance(g, kind), f"{what}: {g!r}"  # (the runtime's parts of a list are a list)
        record = g["layer"] if isinstance(p, dict) else g[0] if isinstance(p, list) else g
        assert type(record) is type(p["layer"] if isinstance(p, dict) else p[0] if isinstance(p, list) else p), what
        np.testing.assert_allclose(_vector(g), expected, rtol=1e-5, atol=1e-6, err_msg=what)


@pytest.mark.parametrize("f, p", RECORD_CASES, ids=lambda v: getattr(v, "__name__", type(v).__name__))
def test_second_derivatives_with_respect_to_records(f, p):
    leaves, rebuild = _flat(p)
    eps = 1e-4

    def fd_grad(v):
        return _fd_leaves(lambda q: f(q, X3), rebuild(v), 1e-5)
    numeric = np.array([(fd_grad(leaves + eps * e) - fd_grad(leaves - eps * e)) / (2 * eps)
                        for e in np.eye(leaves.size)])
    np.testing.assert_allclose(_hessian_matrix(s2s.hessian(f)(p, X3), p), numeric, rtol=1e-4, atol=1e-5)
    # the reverse-mode Jacobian of the gradient (its cotangents are records): raised AttributeError 'DictParts'
    # object has no attribute 'w'
    np.testing.assert_allclose(_hessian_matrix(s2s.jacobian(s2s.grad(f))(p, X3), p), numeric, rtol=1e-4,
                               atol=1e-5)


def test_no_array_of_a_record_derivative_is_shared():
    def twice(p):  # the adjoint of p.w + p.v hands one array to both fields
        return np.sum(p.w + p.v)

    @dataclasses.dataclass
    class Two:
        w: np.ndarray
        v: np.ndarray
    g = s2s.grad(twice)(Two(np.ones(3), np.ones(3)))
    assert type(g) is Two and not np.shares_memory(g.w, g.v)
    g.w *= 2.0
    np.testing.assert_array_equal(g.v, np.ones(3))
