"""What to write in place of signal-processing functions s2s has no rule for, called on values with a derivative.

np.fft (and scipy.fft): its transforms give complex values, which s2s does not differentiate (docs/limitations.md,
"Complex numbers"); the same transform written in real arithmetic, with matrices of cosines and sines, gives the
real and imaginary parts as real arrays, which s2s differentiates in every mode. scipy.signal's windows with a
parameter (kaiser(M, beta)): the window's formula in NumPy. scipy.ndimage.gaussian_filter in its sigma (its rule
differentiates it in x): the separable blur written with np.pad and slices. (tests/test_fix19_sig.py checks the advice.)
"""
from __future__ import annotations

WHY = "np.fft gives complex values, which s2s does not differentiate (docs/limitations.md: Complex numbers)"
INSTEAD = (
    "Write the transform in real arithmetic, with matrices of cosines and sines: for X = np.fft.rfft(x) of n "
    "samples, k = np.arange(n // 2 + 1); t = 2 * np.pi * np.outer(k, np.arange(n)) / n; re = np.cos(t) @ x; im = "
    "-(np.sin(t) @ x) (X.real and X.imag; np.fft.fft(x) the same with k = np.arange(n)); the inverse, "
    "np.fft.irfft(X, n), is (w * re) @ np.cos(t) / n - (w * im) @ np.sin(t) / n with w = np.where((k == 0) | (2 * "
    "k == n), 1.0, 2.0); a filter that zeroes bins multiplies re and im by a mask (re * (k < 3)); |X| ** 2 is re ** "
    "2 + im ** 2. Or give a function of yours whose arguments and result are real a rule, def power(x): return "
    "np.abs(np.fft.rfft(x)) ** 2 with @s2s.adjoint(power) (and @s2s.tangent for forward mode). Where no derivative "
    "need pass through the transform, compute it outside the function.")


_REAL = frozenset(("fftfreq", "rfftfreq", "fftshift", "ifftshift", "next_fast_len", "prev_fast_len"))  # (real)


def fft_function(target) -> bool:
    """Is `target` a transform of np.fft or scipy.fft (np.fft.rfft, scipy.fft.fft2, ...)?"""
    module = getattr(target, "__module__", None) or ""
    return callable(target) and (module == "numpy.fft" or module.startswith(("numpy.fft.", "scipy.fft"))) and \
        getattr(target, "__name__", "") not in _REAL




def fft_advice(target) -> tuple[str, str] | None:
    """(why, what to write instead) for a call of a transform of np.fft or scipy.fft, else None."""
    return (WHY, INSTEAD) if fft_function(target) else None


_WINDOW = ("the window's formula in NumPy (scipy.signal.windows.{}'s documentation gives it), e.g. np.exp(-0.5 * "
           "((np.arange(M) - (M - 1) / 2) / std) ** 2) for windows.gaussian(M, std)")
# public name -> what to write instead (errors._WRITE_INSTEAD)
SIGNAL_INSTEAD = {f"scipy.signal.windows.{name}": _WINDOW.format(name) for name in (
    "general_gaussian", "kaiser", "tukey", "exponential", "general_cosine", "general_hamming", "chebwin", "dpss",
    "taylor", "kaiser_bessel_derived")}
SIGNAL_INSTEAD["scipy.ndimage.gaussian_filter"] = (
    "the separable blur in NumPy (scipy's mode='reflect' is np.pad's 'symmetric'): r = int(4.0 * sigma + 0.5); k = "
    "np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2); k = k / np.sum(k); then along each axis in turn (here 0, "
    "n = im.shape[0]) p = np.pad(im, ((r, r), (0, 0)), mode='symmetric'); out = k[0] * p[0:n]; for j in range(1, "
    "2 * r + 1): out = out + k[j] * p[j:j + n]")
