"""Signal and image programs (round 19, fix19sig; hunt19sig's report).

1. A library function whose arguments carry no derivative is called as it is, never followed into its source:
   `scipy.signal.windows.hann(len(x))` was followed into scipy's `_general_cosine_impl` (its arguments read as
   depending on x because len(x) reads x) and refused there with a message about scipy's 'xp'. A value made by a
   call whose result carries no derivative whatever its arguments (len(x), x.shape, np.argmax(x)) now counts as
   made outside the function (front/outside.made_outside).
2. np.histogram was refused wherever its input had a derivative. Its counts are piecewise constant in the data,
   linear in weights=; its edges follow the data's extremes where bins is a number and range is not given
   (rules/histograms.py); density=True is read as NumPy computes it.
3. np.fft with a differentiated argument is refused at its line saying np.fft gives complex values, with the real
   DFT (cos/sin matrices) to write instead, checked here in every mode; `X = np.fft.rfft(x); X[3:] = 0` said X
   was not made by the function and to copy it.
4. scipy.signal.windows.gaussian(M, std) is read as scipy computes it (rules/scipy_signal.py): exact in std.
5. A refusal inside scipy's source names the user's call (ssw.kaiser, ssw.tukey, not "the method .exp()" or
   "callmethod") with the window's formula in NumPy to write; ndi.gaussian_filter's names the NumPy blur (checked
   against scipy's value), not "a call whose result is discarded".
6. np.histogram2d, refused like np.histogram, has the same rules: cells' counts linear in weights=, each
   coordinate's edges following its extremes.

Each program is checked in every mode against central differences, its value against NumPy's.
"""
import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal as sps
import scipy.signal.windows as ssw

import s2s
from conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian

X = np.array([0.3, -1.2, 0.7, 2.0, -0.4, 1.1, 0.5, -0.9])


# ---------------------------------------------------------------- 1. windows of an int: called, not followed
def windowed_energy(x):
    w = sps.windows.hann(len(x))
    return np.sum((w * x) ** 2)


def windows_of_shapes(x):
    n = x.shape[0]
    w = ssw.hamming(n) + ssw.blackman(x.size) + ssw.gaussian(len(x), 2.0) + ssw.hann(np.argmax(x) + 3, sym=False)[0]
    return np.sum(w * x ** 2)


@pytest.mark.parametrize("f", [windowed_energy, windows_of_shapes])
def test_window_of_an_int_is_called(f):
    check_every_mode(f, X, exact=True)
    assert "def _general_cosine_impl" not in s2s.grad(f).source
    assert "windows._windows import" in s2s.grad(f).source  # (the call itself, its result a constant)


def test_window_reference_values():
    n = len(X)
    w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / (n - 1))
    assert_close(s2s.grad(windowed_energy)(X), 2 * w ** 2 * X, 1e-12, 1e-12)


# ---------------------------------------------------------------- 2. np.histogram
def hog(im):  # an orientation histogram weighted by gradient magnitude (hunt19sig R1)
    gx = im[1:-1, 2:] - im[1:-1, :-2]
    gy = im[2:, 1:-1] - im[:-2, 1:-1]
    mag = np.sqrt(gx ** 2 + gy ** 2 + 1e-6)
    ang = np.degrees(np.arctan2(gy, gx)) % 180
    h, _ = np.histogram(ang, bins=6, range=(0, 180), weights=mag)
    return np.sum(h ** 2)


def hog_bincount(im):  # the same histogram by np.bincount (its own rule): the reference
    gx = im[1:-1, 2:] - im[1:-1, :-2]
    gy = im[2:, 1:-1] - im[:-2, 1:-1]
    mag = np.sqrt(gx ** 2 + gy ** 2 + 1e-6)
    ang = np.degrees(np.arctan2(gy, gx)) % 180
    b = np.minimum((ang / 30).astype(int), 5)
    return np.sum(np.bincount(b.ravel(), weights=mag.ravel(), minlength=6) ** 2)


def counts_only(x):  # counts: piecewise constant in x
    counts, _ = np.histogram(x, bins=4, range=(-2, 2))
    return np.sum(counts * x[:4] ** 2)


def edges_of_data(x):  # edges np.linspace(x.min(), x.max(), 6): through x's extremes
    h, e = np.histogram(x, bins=5)
    return np.sum(np.sin(e) * 1.3) + np.sum(h * x[:5])


def edges_auto(x):
    h, e = np.histogram(x, bins="auto", weights=None)
    return np.sum(e ** 3) + np.sum(h) * np.sum(x)


def density_weighted(x):
    h, e = np.histogram(x, bins=3, density=True, weights=x ** 2)
    return np.sum(h * np.arange(3.0) ** 2) + np.sum(e ** 2)


def density_counts(x):
    h, e = np.histogram(x, 4, density=True)
    return np.sum(h ** 2 * np.arange(4.0))


def array_edges(x):
    h, e = np.histogram(x[2:], bins=np.sort(x[:3]) * 2.0, weights=np.exp(x[2:]))
    return np.sum(h * np.cos(e[:2]))


XH = np.array([0.3, -1.2, 0.7, 2.1, -0.45, 1.1, 0.55, -0.9])  # no entry at an edge


@pytest.mark.parametrize("f", [counts_only, edges_of_data, edges_auto, density_weighted, density_counts,
                               array_edges])
def test_histogram_every_mode(f):
    check_every_mode(f, XH, exact=True)


def test_histogram_weights_against_bincount():
    im = np.random.default_rng(0).uniform(0.1, 0.9, (6, 6))
    assert hog(im) == hog_bincount(im)
    assert_close(s2s.grad(hog)(im), s2s.grad(hog_bincount)(im), 1e-12, 1e-12)
    assert_close(s2s.grad(hog)(im), numeric_grad(hog, (im,), 0), 1e-5, 1e-6)
    check_every_mode(hog, im[:5, :5], exact=True)


def test_histogram_derivatives_analytic():
    # edges = lo + (hi - lo) k / n: d/dx at the argmin is 1 - k/n, at the argmax k/n; counts have none
    x = XH
    J = s2s.jacobian(lambda v: np.histogram(v, 4)[1])(x)
    t = np.arange(5) / 4
    expected = np.zeros((5, x.size))
    expected[:, np.argmin(x)], expected[:, np.argmax(x)] = 1 - t, t
    assert_close(J, expected, 1e-12, 1e-12)
    assert np.all(s2s.jacobian(lambda v: np.histogram(v, 4)[0].astype(float))(x) == 0.0)


def test_histogram_bins_as_numpy():
    # the bin of each entry as NumPy counts it, at the edges too (the last bin closed on the right)
    from s2s.runtime import histogram_scatter
    rng = np.random.default_rng(3)
    for a, bins, rng_ in [(rng.standard_normal(200), 7, None), (np.round(rng.standard_normal(300), 1), 9, (-1, 1)),
                          (np.linspace(0, 1, 11), 10, None), (rng.standard_normal(50), np.array([-1, 0, 0.3, 2.0]), None)]:
        counts, edges = np.histogram(a, bins, rng_)
        assert np.array_equal(histogram_scatter(np.ones_like(a), a, edges), counts)
        w = rng.standard_normal(a.shape)
        assert_close(histogram_scatter(w, a, edges), np.histogram(a, bins, rng_, weights=w)[0], 1e-12, 1e-12)


def test_histogram_range_with_derivative_refused():
    def f(x, s):
        return np.sum(np.histogram(x, 3, range=(0.0, s), weights=x)[0])
    with pytest.raises(s2s.S2SError, match="range="):
        s2s.grad(f, wrt=1)(XH, 3.0)


# ---------------------------------------------------------------- 3. np.fft: refused at its line, advice that works
def lowpass(x):
    X = np.fft.rfft(x)
    X[3:] = 0
    return np.sum(np.fft.irfft(X, n=len(x)) ** 2)


def lowpass_copy(x):
    X = np.copy(np.fft.rfft(x))
    X[3:] = 0
    return np.sum(np.fft.irfft(X, n=len(x)) ** 2)


def spectrum(x):
    return np.sum(np.abs(np.fft.fft(x)) ** 2 * np.linspace(0.0, 1.0, len(x)))


def lowpass_real(x):  # the advice: rfft and irfft in real arithmetic
    n = len(x)
    k = np.arange(n // 2 + 1)
    t = 2 * np.pi * np.outer(k, np.arange(n)) / n
    re = np.cos(t) @ x
    im = -(np.sin(t) @ x)
    re, im = re * (k < 3), im * (k < 3)
    w = np.where((k == 0) | (2 * k == n), 1.0, 2.0)
    return np.sum(((w * re) @ np.cos(t) / n - (w * im) @ np.sin(t) / n) ** 2)


def spectrum_real(x):  # the advice: fft in real arithmetic, |X| ** 2 = re ** 2 + im ** 2
    n = len(x)
    t = 2 * np.pi * np.outer(np.arange(n), np.arange(n)) / n
    re = np.cos(t) @ x
    im = -(np.sin(t) @ x)
    return np.sum((re ** 2 + im ** 2) * np.linspace(0.0, 1.0, n))


SIGNAL = np.linspace(0.0, 1.0, 8)


def constant_spectrum(x):  # np.fft of module data: called as it is
    return np.sum(x * np.fft.irfft(np.fft.rfft(SIGNAL) * 0.5, n=len(x)))


@pytest.mark.parametrize("f, line", [(lowpass, "X[3:] = 0"), (lowpass_copy, "np.fft."), (spectrum, "np.fft.fft(x)")])
@pytest.mark.parametrize("mode", ["grad", "jvp"])
def test_fft_refused_at_its_line(f, line, mode):
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(f)(X) if mode == "grad" else s2s.jvp(f)((X,), (X,))
    text = str(info.value)
    assert "np.fft gives complex values" in text and line in text and "np.cos(t) @ x" in text
    assert "did not create" not in text and "copy it first" not in text


@pytest.mark.parametrize("n", [8, 9])
def test_fft_advice_in_real_arithmetic(n):
    x = np.random.default_rng(n).standard_normal(n)
    assert lowpass_real(x) == pytest.approx(lowpass(x), rel=1e-12)
    assert spectrum_real(x) == pytest.approx(spectrum(x), rel=1e-12)
    check_every_mode(lowpass_real, x)
    check_every_mode(spectrum_real, x)


def test_fft_of_constants_is_called():
    check_every_mode(constant_spectrum, X, exact=True)


# ---------------------------------------------------------------- 4. scipy.signal.windows.gaussian in std
def gaussian_windowed(s):
    x = np.linspace(-1.0, 1.0, 8)
    return np.sum((ssw.gaussian(len(x), s[0]) * x) ** 2) + np.sum(ssw.gaussian(7, std=s[1], sym=False) * x[:7])


def gaussian_numpy(s):  # the window's formula in NumPy: the reference
    x = np.linspace(-1.0, 1.0, 8)
    n = m = np.arange(8) - 3.5  # (sym=False: the first 7 of 8 samples)
    return np.sum((np.exp(-0.5 * (n / s[0]) ** 2) * x) ** 2) + np.sum(np.exp(-0.5 * (m / s[1]) ** 2)[:7] * x[:7])


def test_gaussian_window_in_std():
    s = np.array([2.0, 1.3])
    check_every_mode(gaussian_windowed, s, exact=True)
    assert gaussian_windowed(s) == pytest.approx(gaussian_numpy(s), rel=1e-14)
    assert_close(s2s.grad(gaussian_windowed)(s), s2s.grad(gaussian_numpy)(s), 1e-12, 1e-14)


@pytest.mark.parametrize("m", [0, 1, 2, 5])
@pytest.mark.parametrize("sym", [True, False])
def test_gaussian_window_short(m, sym):
    def f(std, x):
        return np.sum(ssw.gaussian(len(x), std, sym) * x)
    x = np.linspace(0.5, 1.0, m)
    value, grad = s2s.value_and_grad(f)(1.3, x)
    assert value == f(1.3, x)
    assert_close(grad, numeric_grad(f, (1.3, x), 0), 1e-6, 1e-8)


# ---------------------------------------------------------------- 5. refusals inside scipy's source name the user's call
def general_gaussian_window(s, x):
    return np.sum(ssw.general_gaussian(len(x), 1.5, s) * x)


def kaiser_window(s, x):
    return np.sum(ssw.kaiser(len(x), s) * x)


def tukey_window(s, x):
    return np.sum(ssw.tukey(len(x), s) * x)


@pytest.mark.parametrize("f, spelled", [(general_gaussian_window, "ssw.general_gaussian"),
                                        (kaiser_window, "ssw.kaiser"), (tukey_window, "ssw.tukey")])
def test_window_refusal_names_the_call(f, spelled):
    try:  # (older scipy writes some windows in plain NumPy, which s2s follows: then exact)
        grad = s2s.grad(f)(0.5, X)
    except s2s.NonDifferentiableError as exc:
        text = str(exc)
    else:
        assert_close(grad, numeric_grad(f, (0.5, X), 0), 1e-5, 1e-7)
        return
    assert text.startswith(f"cannot differentiate the call to {spelled} (")
    assert "the window's formula in NumPy" in text and "callmethod" not in text and "TheClass" not in text


def blurred(im):
    return np.sum(ndi.gaussian_filter(im, 1.0) ** 2)


def blur_numpy(im, sigma):  # the advice, along every axis
    r = int(4.0 * sigma + 0.5)
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k = k / np.sum(k)
    for axis in range(im.ndim):
        n = im.shape[axis]
        p = np.moveaxis(np.pad(im, [(r, r) if a == axis else (0, 0) for a in range(im.ndim)], mode="symmetric"),
                        axis, 0)
        out = k[0] * p[0:n]
        for j in range(1, 2 * r + 1):
            out = out + k[j] * p[j:j + n]
        im = np.moveaxis(out, 0, axis)
    return im


def blurred_numpy(im):
    return np.sum(blur_numpy(im, 0.8) ** 2 * np.arange(im.size).reshape(im.shape))


def blurred_in_sigma(sigma, im):
    return np.sum(ndi.gaussian_filter(im, sigma) ** 2)


def test_gaussian_filter_refusal_and_its_advice():
    # (differentiated in im since round 20, tests/test_fix20hess.py; in sigma it is refused with the advice)
    im = np.cos(np.arange(16.0)).reshape(4, 4)
    assert_close(s2s.grad(blurred)(im), numeric_grad(blurred, (im,), 0), 1e-5, 1e-7)
    with pytest.raises(s2s.NonDifferentiableError) as info:
        s2s.grad(blurred_in_sigma)(1.0, np.ones((4, 4)))
    text = str(info.value)
    assert "ndi.gaussian_filter" in text and "np.pad(im, ((r, r), (0, 0)), mode='symmetric')" in text
    assert "discarded" not in text
    rng = np.random.default_rng(1)
    for shape, sigma in [((6, 5), 1.0), ((3, 4), 1.5), ((2, 3, 4), 0.9)]:
        im = rng.standard_normal(shape)
        assert_close(blur_numpy(im, sigma), ndi.gaussian_filter(im, sigma), 1e-12, 1e-14)
    check_every_mode(blurred_numpy, rng.standard_normal((4, 5)), hessian=False)


BINS = np.int64(5)  # a NumPy integer: the edges follow x's extremes, as for bins=5
EDGES = [-2.0, -0.5, 0.5, 2.5]  # a list of edges: fixed


def histogram_numpy_integer_bins(x):
    return np.sum(np.histogram(x, BINS)[1] ** 2) + np.sum(np.histogram(x, EDGES, weights=x)[0] ** 2)


def test_histogram_bins_given_as_numpy_integer_or_list():
    check_every_mode(histogram_numpy_integer_bins, XH, exact=True)


# ---------------------------------------------------------------- 6. np.histogram2d
def histogram2d_weighted(v):
    x, y = v[:6], v[6:]
    H, xe, ye = np.histogram2d(x, y, bins=3, weights=np.exp(x) * y)
    return np.sum(H ** 2) + np.sum(xe ** 2) + np.sum(np.sin(ye))


def histogram2d_density(v):
    x, y = v[:6], v[6:]
    H, xe, ye = np.histogram2d(x, y, bins=(2, [-2.0, 0.0, 0.5, 3.0]), density=True, weights=y ** 2)
    return np.sum(H * np.arange(6.0).reshape(2, 3)) + np.sum(xe ** 3) + np.sum(ye)


def histogram2d_ranged(v):
    x, y = v[:6], v[6:]
    H, xe, ye = np.histogram2d(x, y, 4, range=[[-2, 2], None], density=True)
    return np.sum(H ** 2) + np.sum(ye ** 2)


V2 = np.array([0.3, -1.2, 0.7, 2.1, -0.45, 1.1, 0.55, -0.9, 0.12, 1.7, -0.33, 0.81])  # no sample at an edge


@pytest.mark.parametrize("f, hessian", [(histogram2d_weighted, False), (histogram2d_density, True),
                                        (histogram2d_ranged, True)])
def test_histogram2d_every_mode(f, hessian):
    check_every_mode(f, V2, hessian=hessian, exact=True)
    if not hessian:  # (large second derivatives: central differences of central differences lose digits)
        assert_close(s2s.hessian(f)(V2), numeric_hessian(f, V2), 1e-3, 1e-3)
