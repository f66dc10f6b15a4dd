"""Round seven of the bug hunts: iterating a value whose type only the run shows (an argument, a field or an element
of one, a default). s2s transforms without knowing the arguments' types; a loop over a parameter was indexed by
position, `for k in range(len(d)): v = d[k]`, which for a dict walked its values (its keys 0..n-1: a wrong value and
derivative, silently, in every mode; other keys: a KeyError; a defaultdict gained keys), and crashed for a set, a
frozenset, a generator. Such a loop now reads rt.iterated(d): d itself for a list, tuple or array (whose elements
carry their derivatives), else the list of what iterating it gives. Each against finite differences and the value
of the function itself, in every mode, with the caller's arguments unchanged."""
import collections
import copy
import dataclasses

import numpy as np
import pytest

import s2s
from s2s.errors import S2SError
from conftest import assert_close, every_mode, numeric_grad, same_contents

X = np.array([0.5, 1.0, 1.5])
NODES = {0: 2.0, 1: 0.5, 2: 1.5}  # node id -> weight: keys 0..n-1, where indexing by position read the values
SHUFFLED = {2: 9.0, 0: 1.0, 1: 7.0}


# ---------------------------------------------------------------- a dict argument: its keys, not its values

def loop_over_dict(x, d):
    s = 0.0
    for k in d:
        s = s + x[k] ** 3
    return s


def enumerate_dict(x, d):
    s = 0.0
    for i, k in enumerate(d):
        s = s + (i + 1.0) * x[k] ** 3
    return s


def zip_dict(x, d, w):
    s = 0.0
    for k, c in zip(d, w):
        s = s + c * x[k] ** 3
    return s


def comprehension_over_dict(x, d):
    return sum([x[k] ** 3 for k in d])


def generator_over_dict(x, d):
    return sum(x[k] ** 3 for k in d)


def unpack_dict(x, d):
    a, b, c = d
    return x[a] ** 3 + 2.0 * x[b] ** 2 + x[c]


def get_in_loop(x, d):
    s = 0.0
    for k in d:
        s = s + d.get(k) * x[k] ** 3
    return s


def membership_in_loop(x, d):
    s = 0.0
    for k in d:
        if k + 1 in d:
            s = s + x[k] ** 3
        else:
            s = s + x[k]
    return s


def reversed_dict(x, d):
    s = 0.0
    for i, k in enumerate(reversed(d)):
        s = s + (i + 1.0) * x[k] ** 3
    return s


@pytest.mark.parametrize("f", [loop_over_dict, enumerate_dict, comprehension_over_dict, generator_over_dict,
                               unpack_dict, get_in_loop, membership_in_loop, reversed_dict])
@pytest.mark.parametrize("d", [NODES, SHUFFLED], ids=["ids", "shuffled"])
def test_iterating_a_dict_argument_gives_its_keys(f, d):
    every_mode(f, X.copy(), dict(d))


def test_zip_of_a_dict_argument_and_a_list():
    every_mode(zip_dict, X.copy(), dict(SHUFFLED), [0.5, -1.0, 2.0])


def test_the_keys_carry_no_derivative_of_the_values():
    """A dict of weights differentiated itself: the loop over it reads its keys, d[k] its values."""
    def weighted(d, x):
        s = 0.0
        for k in d:
            s = s + d[k] * x[k] ** 2 + k * d[k]
        return s
    d = {0: 2.0, 2: 0.5}
    gradient = s2s.grad(weighted)(d, X)
    assert gradient == {0: pytest.approx(X[0] ** 2), 2: pytest.approx(X[2] ** 2 + 2.0)}
    _, tangent = s2s.jvp(weighted)((d, X), ({0: 1.0, 2: -1.0},))
    assert tangent == pytest.approx(X[0] ** 2 - X[2] ** 2 - 2.0)
    assert d == {0: 2.0, 2: 0.5}


@dataclasses.dataclass
class Graph:
    nodes: dict
    scale: float


def dataclass_field(x, g):
    s = 0.0
    for k in g.nodes:
        s = s + g.scale * x[k] ** 3
    return s


def dict_in_dict(x, cfg):
    s = 0.0
    for k in cfg["nodes"]:
        s = s + x[k] ** 3
    return s


def dict_in_list(x, parts):
    s = 0.0
    for k in parts[1]:
        s = s + x[k] ** 3
    return s


def default_dict_argument(x, d={0: 2.0, 1: 0.5, 2: 1.5}):  # noqa: B006
    s = 0.0
    for k in d:
        s = s + x[k] ** 3
    return s


def test_a_dict_field_or_element_or_default():
    every_mode(dataclass_field, X.copy(), Graph(dict(SHUFFLED), 0.5))
    every_mode(dict_in_dict, X.copy(), {"nodes": dict(NODES)})
    every_mode(dict_in_list, X.copy(), [1.0, dict(SHUFFLED)])
    every_mode(default_dict_argument, X.copy())


@pytest.mark.parametrize("make", [lambda: collections.defaultdict(float, NODES), lambda: collections.Counter(
    {2: 3, 0: 1}), lambda: collections.OrderedDict(SHUFFLED)], ids=["defaultdict", "Counter", "OrderedDict"])
def test_dict_subclasses_give_their_keys_and_gain_none(make):
    def counted(x, d):
        s = 0.0
        for k in d:
            s = s + d[k] * x[k] ** 3
        return s

    def keys_only(x, d):
        s = 0.0
        for k in d:
            s = s + x[k] ** 3
        return s
    for f in (counted, keys_only):
        d = make()
        every_mode(f, X.copy(), d)
        assert same_contents(d, make()), "the caller's dict gained keys"


# ---------------------------------------------------------------- sets, views, generators: no crash

FIXED = {0, 2}
FROZEN = frozenset({1})


def zero_fixed(x):
    y = x * 1.0
    for i in FIXED:
        y[i] = 0.0
    return np.sum(y ** 3)


def frozen_module_set(x):
    s = 0.0
    for i in FROZEN:
        s = s + x[i] ** 3
    return s


def loop_over_keys(x, d):
    s = 0.0
    for k in d.keys():
        s = s + x[k] ** 3
    return s


def test_module_sets():
    every_mode(zero_fixed, X.copy())
    every_mode(frozen_module_set, X.copy())


@pytest.mark.parametrize("make", [lambda: {0, 2}, lambda: frozenset({2, 1}), lambda: {2: 1.0, 0: 3.0}.keys(),
                                  lambda: {5: 1.0, 7: 2.0}.values(), lambda: range(1, 3)],
                         ids=["set", "frozenset", "keys view", "values view", "range"])
def test_iterating_a_set_or_view_argument(make):
    def over(x, s_):
        t = 0.0
        for k in s_:
            t = t + x[int(k)] ** 3
        return t
    every_mode(over, X.copy(), make())


def test_d_keys_of_a_dict_argument_or_field():
    every_mode(loop_over_keys, X.copy(), dict(SHUFFLED))
    every_mode(dataclass_field, X.copy(), Graph({2: 1.0, 1: 0.0}, 2.0))


def test_a_generator_argument():
    """A generator is read once, as Python's loop reads it: each transformation gets a new one."""
    def over(x, ks):
        t = 0.0
        for k in ks:
            t = t + x[k] ** 3
        return t
    x = X.copy()
    assert s2s.grad(over)(x, (k for k in [0, 2])) == pytest.approx([0.75, 0.0, 6.75])
    value, g = s2s.value_and_grad(over)(x, iter([2, 2]))
    assert value == pytest.approx(2 * 1.5 ** 3) and g == pytest.approx([0.0, 0.0, 13.5])
    _, tangent = s2s.jvp(over)((x, (k for k in [1])), (np.ones(3),))
    assert tangent == pytest.approx(3.0)


# ---------------------------------------------------------------- sequences: the derivative passes through

def over_rows(w, xs):
    s = 0.0
    for v in xs:
        s = s + np.sum(np.sin(w * v)) * np.sum(v)
    return s


def over_list_wrt(xs, w):
    s = 0.0
    for i, v in enumerate(xs):
        s = s + (i + 1.0) * np.sum(np.sin(w * v) * v)
    return s


def unpack_argument(p, x):
    a, b = p
    return np.sum(np.tanh(a * x) * b)


@pytest.mark.parametrize("xs", [[np.array([0.3, 1.0, -0.2]), np.array([1.2, -0.4, 0.5])],
                                (np.array([0.3, 1.0, -0.2]), np.array([1.2, -0.4, 0.5])),
                                np.array([[0.3, 1.0, -0.2], [1.2, -0.4, 0.5]])], ids=["list", "tuple", "array"])
def test_a_sequence_argument_iterated(xs):
    every_mode(over_rows, np.array([0.7, -0.3, 1.1]), xs)
    if isinstance(xs, np.ndarray):
        every_mode(over_rows, np.array([0.7, -0.3, 1.1]), xs, wrt=1)
    else:
        container_modes(over_rows, (np.array([0.7, -0.3, 1.1]), xs), 1)


def container_modes(f, args, wrt):
    """f(*args) with respect to the list or tuple of arrays args[wrt] in grad, vjp, jvp and both Jacobians, against
    finite differences of each element; the gradient has the argument's structure."""
    seq = args[wrt]

    def at(i, z):
        parts = [np.array(v) for v in seq]
        parts[i] = z
        a = list(args)
        a[wrt] = type(seq)(parts)
        return f(*a)
    numeric = [numeric_grad(lambda z, i=i: at(i, z), (seq[i],), 0) for i in range(len(seq))]
    kept = copy.deepcopy(args)
    for gradient in (s2s.grad(f, wrt=wrt)(*args), s2s.vjp(f, wrt=wrt)(*args)[1](1.0),
                     s2s.jacobian(f, wrt=wrt)(*args), s2s.jacobian(f, wrt=wrt, mode="forward")(*args)):
        assert type(gradient) is type(seq) and len(gradient) == len(seq)
        for i, (g, n) in enumerate(zip(gradient, numeric)):
            assert_close(g, n, what=f"d/d{wrt}[{i}]")
    tangents = type(seq)(np.linspace(-1.0, 1.0, np.size(v)).reshape(np.shape(v)) for v in seq)
    _, tangent = s2s.jvp(f, wrt=wrt)(tuple(args), (tangents,))
    assert tangent == pytest.approx(sum(np.sum(n * t) for n, t in zip(numeric, tangents)), rel=1e-6)
    assert same_contents(args, kept)


def test_a_list_argument_differentiated_through_the_loop():
    xs = [np.array([0.3, 1.0]), np.array([1.2, -0.4])]
    w = np.array([0.7, -0.3])
    container_modes(over_list_wrt, (xs, w), 0)
    container_modes(over_list_wrt, (tuple(xs), w), 0)
    every_mode(over_list_wrt, xs, w, wrt=1)
    every_mode(over_list_wrt, np.array(xs), w)


def test_unpacking_an_argument():
    every_mode(unpack_argument, (np.array([0.5, -1.0]), np.array([2.0, 0.3])), np.array([0.2, 0.7]), wrt=1)
    every_mode(unpack_argument, np.array([[0.5, -1.0], [2.0, 0.3]]), np.array([0.2, 0.7]))
    every_mode(unpack_argument, {0.5: 1.0, 2.0: 1.0}, np.array([0.2, 0.7]), wrt=1)


# ---------------------------------------------------------------- values whose type a loop changes, or arithmetic gives

def breadth_first(x, nbrs):
    frontier = [0]  # (a list first, then the set each step makes)
    s = 0.0
    for _ in range(2):
        nxt = set()
        for v in frontier:
            s = s + x[v] ** 3
            nxt = nxt | nbrs[v]
        frontier = nxt
    return s


def set_difference(x, a, b):
    s = 0.0
    for k in a - b:
        s = s + x[k] ** 3
    return s


def test_a_loop_name_bound_to_a_set_after_a_list():
    every_mode(breadth_first, X.copy(), {0: {1, 2}, 1: {2}, 2: set()})


def test_a_set_made_by_arithmetic_of_arguments():
    every_mode(set_difference, X.copy(), {0, 1, 2}, {1})


def drawn_then_iterated_while_written(a):
    y = np.random.default_rng(0).normal(size=3)
    y[0] = a
    t = 0.0
    for v in y:  # (each v read as its iteration starts, after the writes of the iterations before)
        y[2] = v * a
        t = t + np.sin(v)
    return t + np.sum(y * y)


def test_an_array_of_unknown_type_iterated_while_written_is_refused():
    """rt.iterated(y) is y itself for an array: reading it after the loop writes y is refused, as y[k] is."""
    with pytest.raises(S2SError, match="for v in y"):
        s2s.grad(drawn_then_iterated_while_written)(0.7)


def powers_over_keys(a, d):
    s = 0.0
    for k in d:
        s = s + a ** (k + 2)
    return s


def sines_over_items(a, xs):
    s = 0.0
    for v in xs:
        s = s + np.sin(a * v)
    return s


def test_grad_of_grad_through_rt_iterated():
    """The generated gradient, differentiated again, meets rt.iterated and its adjoint: their rules."""
    d = {2: 9.0, 0: 1.0}
    assert s2s.grad(s2s.grad(powers_over_keys))(0.7, d) == pytest.approx(12 * 0.7 ** 2 + 2.0, rel=1e-12)
    xs = [0.5, 2.0]
    assert s2s.grad(s2s.grad(sines_over_items))(0.7, xs) == pytest.approx(
        sum(-v * v * np.sin(0.7 * v) for v in xs), rel=1e-12)
    mixed = s2s.grad(s2s.grad(sines_over_items), wrt=1)(0.7, xs)
    assert isinstance(mixed, list) and mixed == pytest.approx(
        [np.cos(0.7 * v) - 0.7 * v * np.sin(0.7 * v) for v in xs], rel=1e-12)
    assert d == {2: 9.0, 0: 1.0} and xs == [0.5, 2.0]


def test_unpacking_into_too_many_or_too_few_names_raises_as_python_does():
    """`a, b = p` of a value whose type only the run shows: Python's ValueError where p holds more or fewer values
    (it read the first two, silently)."""
    p3 = (np.array([0.5, -1.0]), np.array([2.0, 0.3]), np.array([1.0, 1.0]))
    x = np.array([0.2, 0.7])
    for transform in (s2s.grad, s2s.value_and_grad):
        with pytest.raises(ValueError, match=r"too many values to unpack \(expected 2\)"):
            transform(unpack_argument, wrt=1)(p3, x)
        with pytest.raises(ValueError, match=r"not enough values to unpack \(expected 2, got 1\)"):
            transform(unpack_argument, wrt=1)(p3[:1], x)
    with pytest.raises(ValueError, match="too many values to unpack"):
        s2s.jvp(unpack_argument, wrt=1)((p3, x), (np.ones(2),))
    with pytest.raises(ValueError, match="too many values to unpack"):
        s2s.grad(unpack_dict)(X, {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0})
