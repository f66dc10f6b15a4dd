"""Round 16, the lead: scipy.special.logsumexp of a slice that is all -inf."""
from __future__ import annotations

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad

logsumexp = pytest.importorskip("scipy.special").logsumexp


# scipy.special.logsumexp of a slice that is all -inf (an HMM's state not reached yet, log 0 in a left-to-right
# transition matrix): its weights were softmax's nan there, and the gradient nan in every mode (hunt16ctl S1); they
# are 0, as np.logaddexp's partials take their limits (docs/limitations.md)

_TRANSITIONS = np.array([[0.9, 0.1, 0.0], [0.0, 0.8, 0.2], [0.0, 0.0, 1.0]])
_OBSERVED = np.array([0.1, 0.3, 1.2, 1.0, 2.1])


def hmm_log_likelihood(mus):
    with np.errstate(divide="ignore"):
        log_a = np.log(_TRANSITIONS)
        alpha = np.log(np.array([1.0, 0.0, 0.0])) - 0.5 * (_OBSERVED[0] - mus) ** 2
    for y in _OBSERVED[1:]:
        alpha = logsumexp(alpha[:, None] + log_a, axis=0) - 0.5 * (y - mus) ** 2
    return logsumexp(alpha)


def weighted_unreached(mus):
    with np.errstate(divide="ignore"):
        a = np.stack([np.log(np.array([1.0, 0.0])) + mus, np.array([-np.inf, -np.inf])])
    return np.sum(np.exp(logsumexp(a, axis=1, b=np.array([[2.0, 1.0], [1.0, 3.0]])) * 0.1))


@pytest.mark.parametrize("f", [hmm_log_likelihood, weighted_unreached])
def test_logsumexp_of_a_slice_all_minus_infinity_has_finite_derivatives(f):
    mus = np.array([0.0, 1.0, 2.0]) if f is hmm_log_likelihood else np.array([0.3, -0.2])
    with np.errstate(divide="ignore", invalid="ignore"):
        assert_close(s2s.grad(f)(mus), numeric_grad(f, (mus,), 0), rtol=1e-6, atol=1e-9)
        check_every_mode(f, mus)
