"""Second derivatives and library functions (round 20, fix20hess).

1. Second derivatives of draws taken by the reparameterisation (ad/located_draws.py): random.gauss(mu, sigma) and
   np.random.uniform(lo, hi) (the global generators' draws) were refused in s2s.hessian and jacobian(grad(f)) with
   a message at GENERATED code (`rt.draw_shape(gauss, None, t1, t2)`: a function used as a value); the library's
   function given to s2s's runtime helper is now data the generated code imports (front/outside.helper_arguments).
   Worse, a Hessian taken one column per call (a loop) of a draw made through rt.standard_draw (rng.uniform,
   R.uniform / R.gauss of a random.Random, random.gauss, np.random.uniform) drew new numbers in every column: a
   silently wrong matrix (off by 40 on the programs below). api/draws.py now knows rt.standard_draw draws, and
   every column reads the first one's numbers.
2. Fuzz seed 3998102 (level 8): a Hessian refused s2s's own generated `acc8['extra'] = acc8_old_1` (the reverse
   sweep putting back a key of a collections.defaultdict made in a while loop inside a branch), at the user's line
   but quoting the generated statement and advising `acc8 = {**acc8, ...}`. Those restores were read by nothing
   (the adjoint reads the values it saved), yet kept: a dict display, dict(...) and a call of a container class of
   Python's (collections.defaultdict(float)) now count as new objects whose unread restores are dropped
   (ad/writes.py: where the function writes no array in place, and nothing reads the dict's keys after the
   restore), and the gradient's code no longer writes into the dicts at all. (A dict whose keys the adjoint does
   read there, `acc[0]` of a defaultdict made in a while loop inside an if, is still refused: the report.)

3. np.pad(x, w, mode='maximum' / 'minimum' / 'median', stat_length=) was refused: piecewise linear in x, each pad
   a statistic of a window of x padded along the axes before it (NumPy pads one axis after another); its tangent
   and adjoint (rt.pad_statistic_tangent / _adjoint, runtime/padding.py) take np.max's derivative (shared among tied
   entries) or np.median's, exact in every mode, with a mode known only as the code runs too.

4. scipy.ndimage.gaussian_filter(x, sigma, order=, mode=, cval=, truncate=, radius=, axes=) was refused: linear in
   x, its tangent filters the tangent (cval 0) and its adjoint applies each axis's filter matrix transposed, the
   boundary mode folded back (rules/scipy_ndimage.py, runtime/scipy.py); a derivative in sigma is refused with the
   NumPy blur to write.

5. np.histogramdd(sample, bins, range, weights=) was refused wherever sample had a derivative: as np.histogram's and
   np.histogram2d's rules (0ab4ec5), the counts carry none in the sample, the weighted counts are linear in the
   weights, and each dimension's edges follow its coordinate's extremes where its bins are a number and its range
   is not given (sample an (N, D) array or a list of D arrays); density=True is refused with the formula to write.

Derivatives are checked against central differences of the gradient with the generators put back to the same state
before every call (the Hessian of the one draw), and against finite differences of the value where the function
seeds its own generator.
"""
import collections
import random

import numpy as np
import pytest
import scipy.ndimage

import s2s
from conftest import assert_close, check_every_mode, numeric_grad

R = random.Random(4)
G = np.random.default_rng(5)


def _seed():
    R.seed(1)
    random.seed(2)
    np.random.seed(3)
    G.bit_generator.state = np.random.default_rng(5).bit_generator.state


def loop_python_uniform(p):
    out = p * 0.0
    i = 0
    while i < 3:
        out = out + R.uniform(p[0], p[1]) * p
        i += 1
    return np.sum(out ** 2)


def loop_generator_uniform(p):
    out = p * 0.0
    i = 0
    while i < 3:
        out = out + G.uniform(p[1], p[2], 3)
        i += 1
    return np.sum(out ** 2)


def loop_global_gauss(p):
    out = p * 0.0
    i = 0
    while i < 3:
        out = out + random.gauss(p[0], p[2])
        i += 1
    return np.sum(out ** 2)


def loop_global_numpy_uniform(p):
    out = p * 0.0
    i = 0
    while i < 3:
        out = out + np.random.uniform(p[0], p[1], 3)
        i += 1
    return np.sum(out ** 2)


def global_gauss(p):
    return random.gauss(p[0], p[1]) ** 3 * p[2]


def global_numpy_uniform(p):
    z = np.random.uniform(p[0], p[1], size=4)
    return np.sum(np.sin(z) * z) * p[2]


def global_numpy_normal_lognormal(p):
    return np.sum(np.random.normal(p[0], p[1], 3) ** 3) + np.sum(np.random.lognormal(p[0], p[2], 2) ** 1.5)


def _gradient_differences(f, x, h=1e-6):
    """Central differences of s2s.grad(f) with every generator put back before each call: the Hessian of one draw."""
    g = s2s.grad(f)
    columns = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        _seed()
        up = g(x + e)
        _seed()
        down = g(x - e)
        columns.append((up - down) / (2 * h))
    return np.stack(columns, -1)


@pytest.mark.parametrize("f", [loop_python_uniform, loop_generator_uniform, loop_global_gauss,
                               loop_global_numpy_uniform, global_gauss, global_numpy_uniform,
                               global_numpy_normal_lognormal])
def test_second_derivatives_of_a_draw_are_those_of_the_one_draw(f):
    x = np.array([0.3, 1.2, 2.0])
    expected = _gradient_differences(f, x)
    assert np.allclose(expected, expected.T, rtol=1e-5, atol=1e-5)  # (the test's own reference: one draw)
    for name, transformed in (("hessian", s2s.hessian(f)), ("jacobian of grad", s2s.jacobian(s2s.grad(f))),
                              ("forward jacobian of grad", s2s.jacobian(s2s.grad(f), mode="forward"))):
        _seed()
        assert_close(transformed(x), expected, 1e-5, 1e-5, what=f"{f.__name__}: {name}")


def seeded_gauss(p):
    random.seed(7)
    z = random.gauss(p[0], p[1]) + random.uniform(p[1], p[2])
    return z ** 3 + np.sin(z) * p[0]


def test_a_draw_seeded_inside_every_mode():
    check_every_mode(seeded_gauss, np.array([0.3, 1.2, 2.0]))


def dict_unused_in_a_branch_not_taken(x):  # (fuzz seed 3998102, level 8, reduced: as the fuzzer's)
    vec = np.cos(np.arange(4) * x[2])
    n = 0
    while True:
        n += 1
        if n >= 3:
            break
    loss = x[2]
    if n > -1:
        loss = loss * x[0]
    else:
        count = 0
        while count < 1 and n != -1:
            count += 1
            acc = collections.defaultdict(float)
            for k, q in enumerate(vec):
                acc[min(k, 1)] += q * q
            acc['extra'] += x[2]
            cur = acc.get(0, 0.0) * acc.get(1, 1.0)
        else:
            pass
    return loss * -float(n)


def display_dict_in_a_loop_in_a_branch(x):
    a = x[2]
    loss = a * x[0]
    if x[1] > 0.0:
        loss = loss * 2.0
    else:
        count = 0
        while count < 2:
            count += 1
            acc = {}
            acc['x'] = np.exp(a * x)
            acc['y'] = acc['x'] * a
            acc['x'] = np.sin(acc['y'])
            loss = loss + np.sum(acc['x'] * acc['y'])
    return loss


@pytest.mark.parametrize("f", [dict_unused_in_a_branch_not_taken, display_dict_in_a_loop_in_a_branch])
def test_a_dict_a_loop_makes_in_a_branch_has_a_hessian(f):
    check_every_mode(f, np.array([0.5944, -0.0315, -0.3791]))
    assert "_old" not in s2s.grad(f).source  # (no key of the dicts put back: nothing reads them)


def pad_maximum(x):
    return np.sum(np.pad(x, (2, 3), mode="maximum") ** 2 * np.linspace(0.1, 1.0, 10))


def pad_median_window(x):
    m = x.reshape(2, 3)
    return np.sum(np.sin(np.pad(m, ((1, 2), (2, 1)), mode="median", stat_length=2)) *
                  np.linspace(-1.0, 1.0, 30).reshape(5, 6))


def pad_minimum_corners(x):
    m = x.reshape(3, 2)
    return np.sum(np.pad(m, 1, mode="minimum") ** 3)


def pad_mode_given(x, mode):
    return np.sum(np.pad(x, (1, 2), mode=mode) ** 3)


@pytest.mark.parametrize("f, x", [(pad_maximum, np.array([0.3, -1.2, 0.8, 2.0, -0.4])),
                                  (pad_median_window, np.array([0.3, -1.2, 0.8, 2.0, -0.4, 0.9])),
                                  (pad_minimum_corners, np.array([0.3, -1.2, 0.8, 2.0, -0.4, 0.9]))])
def test_pad_by_a_statistic_every_mode(f, x):
    check_every_mode(f, x)


@pytest.mark.parametrize("mode", ["maximum", "minimum", "median"])
def test_pad_by_a_statistic_known_at_run_time(mode):
    x = np.array([0.3, -1.2, 0.8, 2.0])
    expected = numeric_grad(lambda x: pad_mode_given(x, mode), (x,), 0)
    assert_close(s2s.grad(pad_mode_given)(x, mode), expected, what=f"grad, {mode}")
    assert_close(s2s.jacobian(pad_mode_given, mode="forward")(x, mode), expected, what=f"forward, {mode}")


BLUR_WEIGHTS = np.linspace(-1.0, 1.0, 20).reshape(4, 5)


def blur_reflect(x):
    return np.sum(scipy.ndimage.gaussian_filter(x.reshape(4, 5), 1.2) ** 2 * BLUR_WEIGHTS)


def blur_constant_per_axis(x):
    im = x.reshape(4, 5)
    return np.sum(np.sin(scipy.ndimage.gaussian_filter(im, (0.8, 1.5), mode="constant", cval=0.3)) * BLUR_WEIGHTS)


def blur_derivative_wrap(x):
    return np.sum(scipy.ndimage.gaussian_filter(x, 0.9, mode="wrap", order=1) ** 3)


def blur_one_axis_nearest(x):
    im = x.reshape(4, 5)
    return np.sum(scipy.ndimage.gaussian_filter(im, 2.0, mode="nearest", truncate=2.0, axes=(1,)) ** 2 * BLUR_WEIGHTS)


def blur_mirror_per_axis_modes(x):
    im = x.reshape(4, 5)
    return np.sum(scipy.ndimage.gaussian_filter(im, 1.0, mode=("mirror", "reflect")) ** 2 * BLUR_WEIGHTS)


@pytest.mark.parametrize("f", [blur_reflect, blur_constant_per_axis, blur_derivative_wrap, blur_one_axis_nearest,
                               blur_mirror_per_axis_modes])
def test_gaussian_filter_every_mode(f):
    check_every_mode(f, np.cos(np.arange(20.0)))


def blur_in_sigma(p):
    return np.sum(scipy.ndimage.gaussian_filter(np.outer(np.arange(4.0), np.ones(5)), p[0]) ** 2)


def test_gaussian_filter_in_sigma_refused_with_the_blur_to_write():
    with pytest.raises(s2s.NonDifferentiableError) as info:
        s2s.grad(blur_in_sigma)(np.array([1.2]))
    assert info.value.lineno == blur_in_sigma.__code__.co_firstlineno + 1
    assert "sigma" in str(info.value) and "np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)" in str(info.value)


HD_X = np.array([0.31, -1.2, 0.83, 1.9, -0.47, 0.05, 1.31, -0.62, 0.22, -1.71, 0.93, 0.48])


def histogramdd_edges_and_weights(x):
    sample = x.reshape(6, 2)
    hist, edges = np.histogramdd(sample, bins=(3, 2), weights=np.sin(x[:6]))
    return np.sum(hist ** 2) + np.sum(edges[0] ** 2) + np.sum(edges[1] * np.arange(3.0))


def histogramdd_range_and_a_list(x):
    hist, edges = np.histogramdd([x[:6], x[6:]], bins=3, range=[(-2.0, 2.0), None], weights=x[6:] ** 2)
    return np.sum(hist * np.arange(9.0).reshape(3, 3)) + np.sum(edges[1] ** 3)


@pytest.mark.parametrize("f", [histogramdd_edges_and_weights, histogramdd_range_and_a_list])
def test_histogramdd_every_mode(f):
    check_every_mode(f, HD_X)


def histogramdd_density(x):
    return np.sum(np.histogramdd(x.reshape(6, 2), bins=2, density=True)[0] * np.arange(4.0).reshape(2, 2))


def test_histogramdd_density_refused_with_the_formula():
    with pytest.raises(s2s.NonDifferentiableError) as info:
        s2s.grad(histogramdd_density)(HD_X)
    assert info.value.lineno == histogramdd_density.__code__.co_firstlineno + 1
    assert "np.diff(edges[0])[:, None]" in str(info.value)
