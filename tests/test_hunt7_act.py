"""Values that carry no derivative though computed from differentiated ones (hunt round 7): draws of integer
random variables (a particle filter's resampled indices), a dict's keys, np.unique's integer outputs and the integer
leaves of a container differentiated, used as indices. Each against finite differences, in every mode."""
import random

import numpy as np
import pytest

import s2s
from s2s.errors import NonDifferentiableError, S2SError
from tests.conftest import assert_close, numeric_grad


def every_mode(f, fresh, x, hessian=False):
    """f(x, *fresh()) (a number) through grad, value_and_grad, jvp and both Jacobians (and the Hessian), each call
    with fresh arguments from `fresh()` (a generator seeded again), against central differences."""
    x = np.asarray(x, dtype=float)
    kept = x.copy()

    def plain(v):
        return f(v, *fresh())

    numeric = numeric_grad(plain, (x,), 0)
    value, g = s2s.value_and_grad(f)(x, *fresh())
    assert value == pytest.approx(plain(x), rel=1e-12)
    assert_close(g, numeric, what="grad")
    assert_close(s2s.grad(f)(x, *fresh()), numeric, what="grad")
    v = np.linspace(-1.0, 1.0, x.size).reshape(x.shape) + 0.25
    primal, tangent = s2s.jvp(f)((x,) + tuple(fresh()), (v,))
    assert primal == pytest.approx(plain(x), rel=1e-12)
    assert_close(tangent, np.sum(numeric * v), what="jvp")
    assert_close(s2s.jacobian(f, mode="forward")(x, *fresh()), numeric, what="forward jacobian")
    assert_close(s2s.jacobian(f)(x, *fresh()), numeric, what="reverse jacobian")
    if hessian:
        eps = 1e-4
        expected = np.array([(numeric_grad(plain, (x + eps * e,), 0, 1e-5) - numeric_grad(plain, (x - eps * e,), 0,
                                                                                          1e-5)) / (2 * eps)
                             for e in np.eye(x.size)])
        assert_close(s2s.hessian(f)(x, *fresh()), expected, 1e-4, 1e-5, what="hessian")
    assert np.array_equal(x, kept)
    return g


def seeded():
    return (np.random.default_rng(0),)


X4 = np.array([0.1, -0.4, 0.3, 0.7])


# ---------------------------------------------------------------- 1. draws of integer random variables

def resample(x, rng):  # a particle filter's resampling: the indices drawn carry no derivative
    w = np.exp(x)
    idx = rng.choice(4, size=4, p=w / w.sum())
    return np.sum(x[idx] ** 2 * w[idx])


def resample_one(x, rng):
    w = np.exp(-x ** 2)
    k = rng.choice(len(x), p=w / w.sum())
    return x[k] ** 3 + np.sum(w)


def resample_counts(x, rng):
    w = np.exp(x)
    idx = np.repeat(np.arange(4), rng.multinomial(4, w / w.sum()))
    return np.sum(np.sin(x[idx]))


def binomial_index(x, rng):
    k = rng.binomial(4, 1 / (1 + np.exp(-x[0])))
    x0 = np.cumsum(x)
    return x0[k] * x[1] + x[2] ** 2


def poisson_index(x, rng):
    k = rng.poisson(np.exp(x[0]))
    return np.sum(x[:min(k, 3) + 1] ** 2) + k * x[3]


def integers_drawn(x, rng):
    j = rng.integers(0, 4, size=3)
    g = rng.geometric(1 / (1 + x[0] ** 2))
    h = rng.hypergeometric(5, 4, 3)
    return np.sum(x[j] * x[1]) + g * x[2] + h * x[3] + rng.zipf(2.0 + x[0] ** 2) * 0.0


def permuted_positions(x, rng):
    p = rng.permutation(len(x))
    return np.sum(x[p] * np.arange(4.0)) + x[rng.negative_binomial(3, 0.5) % 4]


def made_inside(x):
    rng = np.random.default_rng(3)
    w = np.exp(x)
    idx = rng.choice(4, size=6, p=w / w.sum())
    return np.sum(np.cos(x[idx]))


def picked_constants(x, rng):  # items of an array without a derivative, picked with probabilities that have one
    w = np.exp(x)
    v = rng.choice(np.array([1.0, 2.0, 3.0, 4.0]), size=3, p=w / w.sum())
    return np.sum(v * x[:3])


@pytest.mark.parametrize("f", [resample, resample_one, resample_counts, binomial_index, poisson_index,
                               integers_drawn, permuted_positions, picked_constants])
def test_integer_draws_carry_no_derivative(f):
    every_mode(f, seeded, X4, hessian=f in (resample, binomial_index))


def test_a_generator_made_inside():
    every_mode(made_inside, tuple, X4, hessian=True)


def global_choice(x):
    w = np.exp(x)
    idx = np.random.choice(4, size=4, p=w / w.sum())
    return np.sum(x[idx] ** 2)


def test_numpys_global_generator():
    def fresh():
        np.random.seed(5)
        return ()
    every_mode(global_choice, fresh, X4)


def test_picking_items_with_a_derivative_stays_refused():
    def pick(x, rng):
        w = np.exp(x)
        return np.sum(rng.choice(x, size=3, p=w / w.sum()) ** 2)

    def permute(x, rng):
        return np.sum(rng.permutation(x) * np.arange(4.0))

    for f in (pick, permute):
        with pytest.raises(NonDifferentiableError) as e:
            s2s.grad(f)(X4, np.random.default_rng(0))
        assert "x[rng." in str(e.value) or "len(x)" in str(e.value)


# ---------------------------------------------------------------- 2. a dict's keys

P = {'a': 0.5, 'b': np.array([1.0, -2.0]), 'c': 1.5}


def items_loop(params):
    s = 0.0
    for k, v in params.items():
        s = s + np.sum(v * params[k] ** 2)
    return s


def listed_keys(params):
    s = 0.0
    for k in list(params):
        s = s + np.sum(params[k] ** 2)
    return s


def tuple_keys(params):
    ks = tuple(params)
    return np.sum(params[ks[0]] * params[ks[-1]]) + np.sum(params[ks[1]] ** 3)


def reversed_keys(params):
    s = 0.0
    for k in reversed(list(params)):
        s = s * 0.5 + np.sum(params[k] ** 2)
    return s


def comprehension_keys(params):
    ks = [k for k in params]
    s = 0.0
    for k in ks:
        s = s + np.sum(np.sin(params[k]))
    return s


def smallest_key(params):
    k0 = min(params)
    return np.sum(params[k0] ** 2) + params['c']


def first_key(params):
    k0 = next(iter(params))
    return np.sum(params[k0] ** 3) * params['c']


def _leaves(p):
    return np.concatenate([np.ravel(p[k]) for k in sorted(p)])


def _dict_of(v):
    return {'a': float(v[0]), 'b': v[1:3].copy(), 'c': float(v[3])}


@pytest.mark.parametrize("f", [items_loop, listed_keys, tuple_keys, reversed_keys, comprehension_keys,
                               smallest_key, first_key])
def test_dict_keys_carry_no_derivative(f):
    def flat(v):
        return f(_dict_of(v))
    v = _leaves(P)
    numeric = numeric_grad(flat, (v,), 0)
    value, g = s2s.value_and_grad(f)(P)
    assert value == pytest.approx(f(P), rel=1e-12)
    assert_close(_leaves(g), numeric, what="grad")
    t = {'a': 0.3, 'b': np.array([-0.5, 1.0]), 'c': 0.7}
    primal, tangent = s2s.jvp(f)((P,), (t,))
    assert primal == pytest.approx(f(P), rel=1e-12)
    assert_close(tangent, np.dot(numeric, _leaves(t)), what="jvp")
    for mode in ("forward", "reverse"):
        assert_close(_leaves(s2s.jacobian(f, mode=mode)(P)), numeric, what=mode)
    assert_close(s2s.hessian(flat_of(f))(v), _hessian(flat, v), 1e-4, 1e-5, what="hessian")
    assert_close(s2s.jacobian(s2s.grad(flat_of(f)), mode="forward")(v), _hessian(flat, v), 1e-4, 1e-5)
    H = s2s.hessian(f)(P)  # (with respect to the dict itself: a dict of dicts)
    assert_close(np.concatenate([np.atleast_2d(np.concatenate([np.atleast_1d(H[a][b]).reshape(np.size(P[a]), -1)
                                                               for b in sorted(P)], axis=1)) for a in sorted(P)]),
                 _hessian(flat, v), 1e-4, 1e-5, what="hessian of the dict")
    assert P['b'].tolist() == [1.0, -2.0]


def flat_of(f):
    def through_dict(v):
        return f({'a': v[0], 'b': v[1:3], 'c': v[3]})
    return through_dict


def _hessian(f, v, eps=1e-4):
    return np.array([(numeric_grad(f, (v + eps * e,), 0, 1e-5) - numeric_grad(f, (v - eps * e,), 0, 1e-5)) / (2 * eps)
                     for e in np.eye(v.size)])


def graph_energy(W, x):  # edge weights keyed by the edge: its ends index x
    s = 0.0
    for (i, j), w in W.items():
        s = s + w * (x[i] - x[j]) ** 2
    return s


def test_edge_keys_index():
    W = {(0, 1): 0.5, (1, 2): 1.5, (0, 2): 2.0}
    x = np.array([0.1, 0.5, -0.3])
    gW, gx = s2s.grad(graph_energy, wrt=(0, 1))(W, x)
    assert_close(gx, numeric_grad(graph_energy, (W, x), 1), what="x")
    assert gW == pytest.approx({e: (x[e[0]] - x[e[1]]) ** 2 for e in W}, rel=1e-12)
    assert_close(s2s.jacobian(graph_energy, wrt=1, mode="forward")(W, x), gx, what="forward")
    _, t = s2s.jvp(graph_energy, wrt=(0, 1))((W, x), ({e: 1.0 for e in W}, np.ones(3)))
    assert t == pytest.approx(sum(gW.values()) + np.sum(gx), rel=1e-12)
    assert_close(s2s.hessian(graph_energy, wrt=1)(W, x), _hessian(lambda v: graph_energy(W, v), x), 1e-4, 1e-5)


# ---------------------------------------------------------------- 3. np.unique's integer outputs

def unique_inverse(x):
    u, inv = np.unique(x[[0, 1, 2]], return_inverse=True)
    return np.sum(u[inv] ** 2 * np.arange(3.0))


def unique_first(x):
    u, first = np.unique(x, return_index=True)
    return np.sum(x[first] ** 3) + np.sum(u)


def unique_all(x):
    u, first, inv, cnt = np.unique(x, return_index=True, return_inverse=True, return_counts=True)
    return np.sum(u ** 2 * cnt) + np.sum(np.sin(x[first])) + np.sum(u[inv] * x)


@pytest.mark.parametrize("f", [unique_inverse, unique_first, unique_all])
def test_unique_integer_outputs_carry_no_derivative(f):
    every_mode(f, tuple, X4, hessian=True)


# ---------------------------------------------------------------- 4. integer leaves of a container, as indices

def message_passing(g):
    agg = np.zeros_like(g['x'])
    np.add.at(agg, g['dst'], g['x'][g['src']])
    return np.sum(agg ** 2)


def gather_leaf(g):
    return np.sum(g['x'][g['src']] ** 2)


def edge_pair(x, e):
    src, dst = e
    return np.sum((x[src] - x[dst]) ** 2)


def test_integer_leaves_that_index_are_refused_naming_their_place():
    """docs/modes.md: an integer array leaf in wrt has no derivative and is refused with a TypeError naming its
    place; an index use was refused before the call ran, as 'index has a derivative', at an internal name."""
    G = {'x': np.array([0.5, -1.0, 2.0]), 'src': np.array([0, 1, 2, 2]), 'dst': np.array([1, 1, 0, 2])}
    for f in (message_passing, gather_leaf):
        for transform in (s2s.grad, s2s.jacobian, s2s.hessian):
            with pytest.raises(TypeError, match=r"g\['src'\]|g\['dst'\]"):
                transform(f)(G)
        with pytest.raises(TypeError, match=r"g\['src'\]|g\['dst'\]"):
            s2s.jvp(f)((G,), ({'x': np.ones(3), 'src': np.zeros(4), 'dst': np.zeros(4)},))
    with pytest.raises(TypeError, match=r"e\[0\]"):
        s2s.grad(edge_pair, wrt=(0, 1))(G['x'], (G['src'], G['dst']))


def test_index_arrays_outside_wrt():  # what the refusal says to write: the index arrays as arguments of their own
    def split(x, src, dst):
        return message_passing({'x': x, 'src': src, 'dst': dst})
    x, src, dst = np.array([0.5, -1.0, 2.0]), np.array([0, 1, 2, 2]), np.array([1, 1, 0, 2])
    every_mode(split, lambda: (src, dst), x, hessian=True)
    g = s2s.grad(edge_pair)(x, (src, dst))
    assert_close(g, numeric_grad(edge_pair, (x, (src, dst)), 0))


# ---------------------------------------------------------------- Python's random: called as it is (was inlined)

def python_draws(x):
    w = np.exp(x)
    ks = random.choices(range(4), weights=list(w), k=3)
    j = random.randint(0, 3)
    return sum(x[k] ** 2 for k in ks) + x[j] * x[0]


def test_pythons_random_draws():
    """random.randint(0, 3) raised AttributeError "module 'random' has no attribute 'randint_self'" from the
    generated code: s2s followed the method's source with random's hidden generator as an argument."""
    def fresh():
        random.seed(4)
        return ()
    every_mode(python_draws, fresh, X4)

    def pick(x):
        return random.choice([x[0], x[1]]) ** 2
    random.seed(0)
    with pytest.raises(NonDifferentiableError, match="index by them"):
        s2s.grad(pick)(X4)


def test_an_index_with_a_derivative_names_what_is_indexed_as_written():
    def both(p):  # p['n'] read as an index and as a number: its derivative is asked for
        return p['w'][p['n']] * p['n']
    with pytest.raises(NonDifferentiableError, match=r"call to p\['w'\]\[\.\.\.\]: its index has a derivative"):
        s2s.grad(both)({'w': np.array([1.0, 2.0]), 'n': 1})


class _Posterior:  # an object passed in whose methods share names with a generator's: not draws
    def sample(self, n, theta):
        return theta * np.ones(n)

    def binomial(self, n, theta):
        return theta * np.ones(n)


def test_draws_of_generators_made_here_and_other_objects_methods():
    def made_here(x):
        r = random.Random(2)
        ks = r.sample(range(4), 2)
        j = np.random.default_rng(1).choice(4, p=np.exp(x) / np.sum(np.exp(x)))
        return x[ks[0]] * x[ks[1]] + x[j] ** 2
    every_mode(made_here, tuple, X4, hessian=True)

    def other_object(x, post):
        return np.sum(post.sample(3, x[0]))
    with pytest.raises(S2SError, match=r"sample"):
        s2s.grad(other_object)(X4, _Posterior())

    def other_binomial(x, post):  # d/dx0 is 3: the call is a draw only of a generator, checked as it runs
        return np.sum(post.binomial(3, x[0]))
    for run in (lambda f: s2s.grad(f)(X4, _Posterior()), lambda f: s2s.jvp(f)((X4, _Posterior()), (X4,)),
                lambda f: s2s.jacobian(f, mode="forward")(X4, _Posterior()),
                lambda f: s2s.hessian(f)(X4, _Posterior())):
        with pytest.raises(S2SError, match=r"_Posterior\.binomial\(\): s2s took \.binomial\(\.\.\.\) for a random"):
            run(other_binomial)


LUT = {0.5: 2.0}


def test_a_leaf_keying_a_dict_of_the_module_stays_refused():  # (a float key: no index, a lookup)
    def lookup(p):
        return LUT[p['t']] * p['w']
    with pytest.raises(NonDifferentiableError, match=r"LUT\[\.\.\.\]: its index has a derivative"):
        s2s.grad(lookup)({'t': 0.5, 'w': 1.0})


def resample_from_settings(x, cfg):  # the generator an item of an argument (was refused: '.choice()' unsupported)
    w = np.exp(x)
    idx = cfg['rng'].choice(4, size=4, p=w / w.sum())
    return np.sum(x[idx] ** 2 * w[idx])


def test_a_generator_held_by_an_argument():
    every_mode(resample_from_settings, lambda: ({'rng': np.random.default_rng(0)},), X4, hessian=True)
