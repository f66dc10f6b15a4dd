"""The quotients over the gaps between eigenvalues (singular values) in the first derivatives of np.linalg.eigh and
np.linalg.svd, where two of the values are tied: equal in exact arithmetic, and so equal or within rounding of each
other in floating point (the singular values of every rotation step I + dt*W, the eigenvalues of R.T @ R of one).

A pair (i, j) of eigenvectors (or of left and right singular vectors together) turns in its plane by
numerator / gap. At a tie NumPy's vectors are one choice among many and the quotient divides rounding by rounding
(finite garbage, or nan at an exact tie). What is known there:

- a numerator beyond rounding (measured against the adjoints or the tangent it is made of) says, in reverse mode,
  that the function depends on NumPy's choice: it has no derivative there (refused); in forward mode, that the
  tangent splits the tie: the vectors turn by a finite angle for an infinitesimal change and have no derivative
  (nan, not refused: a function of the values alone never reads it);
- forward mode, a numerator within rounding: the tangent keeps the tie, the vectors' turn within it is free, and
  any turn leaves a function that does not depend on NumPy's choice unchanged: 0, exact;
- reverse mode, a numerator within rounding: the function does not depend on NumPy's choice, and the quotient's
  limit is how its slope in the two values changes as the pair turns (for V @ np.diag(f(w)) @ V.T the divided
  difference f'(w), not 0), which a rule seeing only the adjoints cannot know. It is 0 where the function does not
  use the two values (their adjoint is 0: a polar factor U @ Vt, an eigenvector of another eigenvalue); elsewhere it
  is refused, since adjoints that look the same (V @ np.diag(np.sqrt(w)) @ V.T and a function of U @ Vt, at the
  identity) belong to other derivatives. (0 would give the right gradient wherever the inputs keep the tie, as a
  rotation step's do, but reverse mode does not see the inputs: forward mode does, and is exact there.) Where the
  vectors' adjoint is 0 (not used, or log(w) of V @ np.diag(np.log(w)) @ V.T is 0 at the identity) the two values'
  slopes must be equal (a symmetric function of them: exact); where they differ, a function of the values alone
  has a kink (w[-1] where the largest is repeated) and one of the vectors a derivative the rule does not see:
  refused.
"""
from __future__ import annotations

import numpy as np

from s2s.errors import S2SError

__all__: list = []

_EPS32, _EPS64 = float(np.finfo(np.float32).eps), float(np.finfo(np.float64).eps)


def _eps(values) -> float:
    """The machine epsilon of the precision NumPy computed `values` in (eigh's and svd's, real: float32 for a
    float32 or complex64 matrix): the vectors and values, and the numerators made of them, round at its."""
    return _EPS32 if getattr(values, "dtype", None) == np.float32 else _EPS64


def _tied(values, gaps):
    """Where two of `values` (sorted along the last axis, as eigh's and svd's are; `gaps` their differences) are
    tied: within 64 k units in the last place of the largest (k values: LAPACK's error grows with k), off the
    diagonal; None where none are (the common case, told from neighbours alone: in plain Python for one matrix, a
    tenth of the time of NumPy's calls). In float32, within 32 units of float32's whatever k (a float32 matrix's
    ties come out equal or a unit apart; 64 k units would take the distinct values of a 100 x 100 one for ties)."""
    k = np.shape(values)[-1]
    if k < 2:
        return None
    eps = _eps(values)
    width = eps * (64 * k if eps == _EPS64 else 32)  # (relative to the largest value)
    if np.ndim(values) == 1:
        v = values.tolist()
        tolerance = width * max(abs(v[0]), abs(v[-1]))
        if all(abs(b - a) > tolerance for a, b in zip(v, v[1:])):
            return None
    else:
        tolerance = width * np.max(np.abs(values), axis=-1, keepdims=True)[..., None]
        if not (np.abs(np.diff(values, axis=-1)) <= tolerance[..., 0]).any():
            return None
    return (np.abs(gaps) <= tolerance) & ~np.eye(k, dtype=bool)


def over_gaps(x, gaps, keep=True):
    """x / gaps off the diagonal where `keep` and x is not 0 (an unused vector's 0 gives 0, not nan), 0 elsewhere."""
    keep = keep & (x != 0) & ~np.eye(np.shape(x)[-1], dtype=bool)
    x, gaps, keep = np.broadcast_arrays(x, gaps, keep)
    return np.divide(x, gaps, out=np.zeros(np.shape(x)), where=keep)


def over_sums(x, values):
    """x / (values_i + values_j), for singular values (the sum of two is 0 only where both are): where all are
    positive a plain quotient (x's diagonal is 0), elsewhere over_gaps' 0 for an x of 0."""
    sums = values[..., None, :] + values[..., :, None]
    return x / sums if bool(np.all(values > 0)) else over_gaps(x, sums)


def _untied(x, gaps, tied):
    """x / gaps off the diagonal, 0 on it and where `tied`."""
    skip = tied | np.eye(np.shape(gaps)[-1], dtype=bool)
    return x / (gaps + skip) * ~skip


def _distinct(x, gaps):
    """x / gaps off the diagonal, 0 on it, where no two values are tied (the gaps off the diagonal are not 0)."""
    eye = np.eye(np.shape(gaps)[-1])
    return x / (gaps + eye) * (1.0 - eye)


_VECTORS = {"singular value": "singular vectors", "eigenvalue": "eigenvectors"}
_UNCHANGED = {"singular value": "U @ Vt",
              "eigenvalue": "V[:, i:j] @ V[:, i:j].T, the projector onto all the eigenvectors of equal eigenvalues"}
_USED = {"singular value": "as in U @ Vt with S unused",
         "eigenvalue": "as for the eigenvectors of another eigenvalue; V @ np.diag(f(w)) @ V.T depends on f'(w)"}
_NAMES = {"singular value": ("S", ("0", ":2"), "U @ np.diag(np.log(S)) @ Vt at an orthogonal matrix"),
          "eigenvalue": ("w", ("-1", "-2:"), "V @ np.diag(np.log(w)) @ V.T at the identity")}
_KEPT = {"singular value": "as a rotation step I + dt*W does",
         "eigenvalue": "as R.T @ R of a rotation step does; for a polar factor U @ Vt of np.linalg.svd(R) is exact in "
                       "reverse mode too"}


def adjoint_over_gaps(turn, values, vector_adjoints, value_adjoint, function: str, what: str):
    """Reverse mode: turn / (values_j - values_i) off the diagonal, the turns of the pairs of vectors whose adjoints
    `vector_adjoints` made the (antisymmetric) numerator `turn`; at ties as the module docstring says: 0 where
    `turn` is within its rounding and the adjoint of the two values is 0, refused at the other ties."""
    gaps = values[..., None, :] - values[..., :, None]
    tied = _tied(values, gaps)
    if tied is None:
        return _distinct(turn, gaps)
    k = np.shape(values)[-1]
    norms = 0.0  # (of g's columns)
    for g in vector_adjoints:
        norms = norms + (g * g).sum(axis=-2) ** 0.5
    eps = _eps(values)
    noise = 16 * k * eps * (norms[..., :, None] + norms[..., None, :])  # the rounding of (Q^T g)_ij - (Q^T g)_ji
    quiet = tied & (np.abs(turn) <= noise)
    if (tied & ~quiet).any():
        _refuse(tied & ~quiet, function, values, _chosen, what)
    slopes = np.asarray(value_adjoint)
    if slopes.any():  # (a polar factor U @ Vt does not use the values: nothing more to look at)
        turned = quiet & (noise > 0)  # (the function turns the pair's vectors, but not to first order)
        g = np.abs(slopes) * np.max(np.abs(values), axis=-1, keepdims=True)  # (in the numerator's units)
        _refuse(turned & (g[..., :, None] + g[..., None, :] > noise), function, values, _values_used, what)
        si, sj = slopes[..., :, None], slopes[..., None, :]  # (the vectors' adjoint 0: the slopes must be equal)
        differ = np.abs(sj - si) > 64 * k * eps * (np.abs(si) + np.abs(sj))
        _refuse(quiet & (noise == 0) & differ, function, values, _kink, what)
    return _untied(turn, gaps, tied)


def _chosen(what: str, at: str) -> str:
    return (f"at a repeated {what}{at} this derivative depends on which {_VECTORS[what]} NumPy chose (any turn of "
            f"them within the tie is as good), so there is none: a first derivative is computed for a function that "
            f"uses them only through what the choice leaves unchanged ({_UNCHANGED[what]}), a second derivative "
            f"there not at all; take it at a matrix whose {what}s are distinct")


def _values_used(what: str, at: str) -> str:
    return (f"the reverse-mode derivative through the {_VECTORS[what]} at a repeated {what}{at}, where the function "
            f"also uses the {what}s, is not computed by s2s: it depends on how the function changes where the tie "
            f"splits, which the rule does not see (it is known where they are not used, {_USED[what]}). Use forward "
            f"mode (s2s.jvp, or s2s.jacobian(f, mode=\"forward\")), exact while the inputs keep the tie "
            f"({_KEPT[what]}); or, to re-orthonormalise a matrix R, write Q, r = np.linalg.qr(R); "
            f"Q = Q * np.sign(np.diag(r))")


def _kink(what: str, at: str) -> str:
    name, pair, function_of = _NAMES[what]
    return (f"at a repeated {what}{at} the function's slopes in the tied {what}s differ: a function of the {what}s "
            f"alone has a kink there, without a derivative ({name}[{pair[0]}] where the largest is repeated: sum "
            f"the tied ones, np.sum({name}[{pair[1]}]), or take it where they are distinct), and one of the "
            f"{_VECTORS[what]} too ({function_of}) a derivative the rule does not see: use forward mode (s2s.jvp, or "
            f"s2s.jacobian(f, mode=\"forward\")), exact while the inputs keep the tie")


def tangent_over_gaps(turn, values, d):
    """Forward mode: turn / (values_j - values_i) off the diagonal, the turns of the vector pairs, `turn` the
    tangent's (symmetric) numerator made from the tangent `d` of the matrix; at ties as the module docstring says:
    0 where `turn` is within its rounding (the tangent keeps the tie), nan where the tangent splits it (not refused:
    a function of the values alone, such as a nuclear norm at a matrix of rank n - 2, never reads it)."""
    gaps = values[..., None, :] - values[..., :, None]
    tied = _tied(values, gaps)
    if tied is None:
        return _distinct(turn, gaps)
    noise = 16 * np.shape(values)[-1] * _eps(values) * np.sqrt(np.sum(np.square(d), axis=(-2, -1)))[..., None, None]
    split = tied & (np.abs(turn) > noise)
    return np.where(split, np.nan, _untied(turn, gaps, tied))


def _refuse(where, function: str, values, message, what: str) -> None:
    if bool(np.any(where)):
        at = ""
        if np.ndim(values) == 1:
            at = f" ({float(values[np.argwhere(where)[0][-1]]):.6g} more than once)"
        raise S2SError(f"{function}: {message(what, at)}")
