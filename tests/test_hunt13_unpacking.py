"""Round 13's statistics hunt (hunt13stat F2): starred unpacking of a library's tuple, `beta, *_ =
np.linalg.lstsq(...)`, `*_, logdet = np.linalg.slogdet(K)`, `w, *rest = np.linalg.eigh(K)`, was refused as of
"values whose number is known only at run time", where the names bound are known. The tuple is taken by position
when it runs, checked to hold enough values (Python's ValueError otherwise); checked in every mode against finite
differences."""
import numpy as np
import pytest

import s2s
from conftest import check_every_mode

X = np.random.default_rng(0).standard_normal((10, 2))
Y = np.linspace(-1.0, 1.0, 10)


def ridge(loglam):
    beta, *_ = np.linalg.lstsq(X.T @ X + np.exp(loglam) * np.eye(2), X.T @ Y, rcond=None)
    return np.sum((Y - X @ beta) ** 2)


def log_evidence(a):
    K = np.outer(a, a) + np.diag([1.0, 2.0, 3.5])
    *_, logdet = np.linalg.slogdet(K)
    w, *rest = np.linalg.eigh(K)
    return logdet + np.sum(w ** 2) + np.sum(rest[0][:, 2] ** 2) + len(rest)


def first_and_last(a):
    U, *middle, Vt = np.linalg.svd(np.outer(a, a) + np.diag([3.0, 2.0, 1.0]))
    return np.sum(U[:, 0] * Vt[0]) + np.sum(middle[0])


@pytest.mark.parametrize("f, x", [(ridge, 0.3), (log_evidence, np.array([0.5, -0.2, 0.9])),
                                  (first_and_last, np.array([0.5, -0.2, 0.9]))])
def test_starred_unpacking_of_a_librarys_tuple(f, x):
    check_every_mode(f, x, hessian=f is not first_and_last)


def test_too_few_values_raise_pythons_error():
    def f(a):
        w, V, extra, *rest = np.linalg.eigh(np.outer(a, a) + np.eye(3))
        return np.sum(w)
    with pytest.raises(ValueError, match=r"not enough values to unpack \(expected at least 3, got 2\)"):
        f(np.ones(3))
    with pytest.raises(ValueError, match=r"not enough values to unpack \(expected at least 3, got 2\)"):
        s2s.grad(f)(np.ones(3))
