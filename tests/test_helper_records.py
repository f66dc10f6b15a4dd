"""Every runtime helper a gradient calls has a record, so second derivatives go through it.

`s2s.hessian(f)` is forward mode over the generated `grad(f)` and `s2s.grad(s2s.grad(f))` is
reverse mode over it: both meet the `rt.<name>` helpers that the reverse rules of NumPy, math
and scipy functions (and the reverse pass itself) write into gradients. A helper without a
record stops them with "cannot differentiate the call to rt.<name>". The helpers are found by
reading each reverse rule's code (every branch, and the rule module's functions it calls), not
by running it, so a helper that only one keyword value reaches is found too. Each record's
derivatives are checked against finite differences in tests/rule_cases.py (both modes); here
the Hessians of small functions through each of them are compared with second differences of
the functions themselves.
"""
from __future__ import annotations

import dis
import re
import types
from pathlib import Path

import numpy as np
import pytest

import s2s
import s2s.runtime as runtime
from conftest import skip_unless_numpy_has, skip_unless_numpy_has_names_in
from s2s.rules import registry

try:
    import scipy.stats  # noqa: F401  (the scipy family's rules load once scipy is imported)
except ImportError:  # pragma: no cover
    pass

AD = Path(s2s.__file__).parent / "ad"


def _rt_calls(fn) -> set:
    """The names `rt.<name>` the code of `fn` reaches: its own bytecode, the lambdas and functions nested
    in it, the functions of s2s.rules it calls by name or holds in its closure (an elementwise record's
    adjoint holds its partial derivative there)."""
    found, seen, todo = set(), set(), [(fn, None)]
    while todo:
        f, scope = todo.pop()
        code = f if isinstance(f, types.CodeType) else getattr(f, "__code__", None)
        if code is None or code in seen:
            continue
        seen.add(code)
        scope = getattr(f, "__globals__", scope) or {}
        todo.extend((c, scope) for c in code.co_consts if isinstance(c, types.CodeType))
        for cell in getattr(f, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:  # (a cell not yet filled)
                continue
            if isinstance(value, types.FunctionType) and value.__module__.startswith("s2s.rules"):
                todo.append((value, None))
        previous = None
        for ins in dis.get_instructions(code):
            if ins.opname == "LOAD_GLOBAL":
                value = scope.get(ins.argval)
                if isinstance(value, types.FunctionType) and value.__module__.startswith("s2s.rules"):
                    todo.append((value, None))
            if ins.opname in ("LOAD_ATTR", "LOAD_METHOD") and previous is not None and \
                    previous.opname == "LOAD_GLOBAL" and previous.argval == "rt":
                found.add(ins.argval)
            previous = ins
    return found


def gradient_helpers() -> dict:
    """name -> what emits it, for every runtime helper generated gradients call: those the reverse rules of
    the primitives (not the runtime's own helpers) write, and those the reverse pass writes itself."""
    registry._load()
    registry._load_optional()
    out: dict = {}
    for key, record in registry.PRIMITIVES.items():
        if key.startswith("s2s.runtime."):
            continue  # (their rules emit the helpers of third derivatives)
        for adjoint in record.adjoints:
            if adjoint is not None:
                for name in _rt_calls(adjoint):
                    out.setdefault(name, set()).add(key)
    for module in ("reverse.py", "loops.py"):
        for name in re.findall(r'"s2s\.runtime\.(\w+)"', (AD / module).read_text()):
            out.setdefault(name, set()).add(f"s2s/ad/{module}")
    return out


HELPERS = gradient_helpers()


def test_the_walk_finds_the_helpers_gradients_call():
    """Not an empty walk: helpers reached directly, through a module function and through a partial."""
    assert {"vstack_adjoint", "solve_adjoint_a", "cross_adjoint_b", "concatenate_adjoint"} <= set(HELPERS)
    assert "qr_adjoint" in HELPERS  # numpy.linalg.qr's adjoint calls rules/linalg.py's _qr_adjoint
    assert "sinc_derivative" in HELPERS  # numpy.sinc's partial derivative, held by its adjoint's closure
    assert "svdvals_adjoint" in HELPERS  # only np.linalg.svd(..., compute_uv=False) reaches it
    assert {"accumulator", "add_at", "unbroadcast"} <= set(HELPERS)  # the reverse pass's own
    assert all(hasattr(runtime, name) for name in HELPERS), sorted(n for n in HELPERS if not hasattr(runtime, n))


@pytest.mark.parametrize("name", sorted(HELPERS))
def test_every_helper_a_gradient_calls_has_a_higher_order_record(name):
    key = "s2s.runtime." + name
    if key in registry.NONDIFF:
        return
    missing = [table for table, rules in (("reverse", registry.REVERSE), ("tangent", registry.TANGENT))
               if key not in rules]
    assert not missing, (f"rt.{name} (called by the gradients of {', '.join(sorted(HELPERS[name]))}) has no "
                         f"{' and no '.join(missing)} rule: hessian and grad(grad(f)) stop at it; give it a "
                         f"record in s2s/rules/runtime_helpers.py")


# ---------------------------------------------------------------- hessians through the helpers
def numeric_hessian(f, x, h=1e-4):
    """Second central differences of f itself (no gradient involved)."""
    x = np.asarray(x, dtype=float)
    n = x.size
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei = np.zeros(n)
            ej = np.zeros(n)
            ei[i] = h
            ej[j] = h
            ei, ej = ei.reshape(x.shape), ej.reshape(x.shape)
            out[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h * h)
    return out.reshape(x.shape + x.shape)


R = np.random.default_rng(7)
A3 = np.array([[2.0, 0.3, 0.1], [0.3, 1.5, -0.2], [0.1, -0.2, 1.0]])
B3 = R.normal(size=(3, 2))
C3 = R.normal(size=3)
W4 = R.normal(size=4)
XP = np.array([-2.0, -0.5, 0.5, 2.0])


def through_vstack(x):
    return np.sum(np.vstack([x, x ** 2]) ** 2 * np.arange(1.0, 9.0).reshape(2, 4))


def through_concatenate(x):
    return np.sum(np.tanh(np.concatenate([x, 2.0 * x[:2]])) ** 2)


def through_hstack_and_dstack(x):
    m = x.reshape(2, 2)
    return np.sum(np.sin(np.hstack([m, m * m]))) + np.sum(np.dstack([m, np.exp(m)]) ** 2)


def through_column_stack_and_append(x):
    return np.sum(np.column_stack([x, x ** 3]) ** 2) + np.sum(np.append(x, x[:2] * x[1:3]) ** 2)


def through_select(x):
    return np.sum(np.select([W4 > 0.0], [x ** 3], x ** 2) * x)


def through_interp(x):
    return np.sum(np.interp(x[:2] * 1.5, XP, x ** 2) ** 2)


def through_ptp_and_var(x):
    return np.ptp(x * x) * np.sum(x) + np.var(x ** 2, ddof=1) + np.std(x)


def through_trapezoid(x):
    return np.trapezoid(x ** 2, np.cumsum(np.exp(x))) + np.trapezoid(np.sin(x), dx=0.5) ** 2


def through_cross(x):
    return np.sum(np.cross(x[:3], x[1:] ** 2) ** 2)


def through_kron_inner_tensordot(x):
    m = x.reshape(2, 2)
    return np.sum(np.kron(m, m * m) ** 2) + np.inner(x, x ** 2) ** 2 + np.sum(np.tensordot(m, m, axes=1) ** 2)


def through_convolve_correlate(x):
    return np.sum(np.convolve(x, x[:3] ** 2) ** 2) + np.sum(np.correlate(x, x[1:] * x[1:], "full") ** 2)


def through_einsum(x):
    m = x.reshape(2, 2)
    return np.einsum("ij,jk,ki->", m, m * m, m)


def through_solve(x):
    a = A3 + np.diag(x[:3]) * 0.3
    return np.sum(np.linalg.solve(a, x[1:] ** 2) ** 2) + np.sum(np.linalg.solve(a, B3 * x[0]) ** 2)


def through_det_slogdet(x):
    a = A3 + np.outer(x[:3], x[1:]) * 0.2
    return np.linalg.det(a) ** 2 + np.linalg.slogdet(a)[1]


def through_sinc(x):
    return np.sum(np.sinc(x) * x)


def through_prod_cumprod(x):
    return np.prod(x) * np.sum(x) + np.sum(np.cumprod(x * x + 0.5) * x)


def through_cholesky(x):
    L = np.linalg.cholesky(A3 + np.outer(x[:3], x[:3]) * 0.2 + np.diag(x[1:]) * 0.1)
    return np.sum(np.log(np.diagonal(L))) + np.sum(L * L * x[0])


def through_norms(x):
    m = x.reshape(2, 2)
    return (np.linalg.norm(x, 3) * np.sum(np.linalg.norm(m, axis=1)) + np.linalg.vector_norm(x, ord=1.5) ** 2
            + np.linalg.matrix_norm(m * x[0]) + np.linalg.norm(m, "fro") ** 3)


def through_eigh_svdvals_multi_dot(x):
    a = A3 + np.outer(x[:3], x[1:]) * 0.2
    eig = np.linalg.eigh(a + a.T)
    s = np.linalg.svd(a[:, :2] * x[0], compute_uv=False)
    return (np.sum(eig[0] * x[1:]) + np.sum(eig[1][:, 0] * eig[1][:, 2] * x[:3]) + np.sum(s * s * s)
            + np.linalg.multi_dot([x[:3], a, a.T, x[1:]]))


def through_qr_svd(x):
    a = B3 + np.outer(x[:3], x[2:]) * 0.3
    f = np.linalg.qr(a)
    u, s, vh = np.linalg.svd(a * x[3], full_matrices=False)
    return (np.sum(f[0] * f[0] * x[:2]) + np.sum(f[1] * x[1:3]) + np.sum(s * s * s) + np.sum(u[:, 0] * x[:3]) ** 2
            + np.sum(vh * vh * x[0]))


def through_eigvalsh_matrix_power(x):
    a = A3 + np.outer(x[:3], x[1:]) * 0.2
    return np.sum(np.linalg.eigvalsh(a + a.T) * np.array([1.0, -2.0, 0.5])) + np.sum(np.linalg.matrix_power(a, 3))


HESSIAN_CASES = [
    (through_vstack, W4), (through_concatenate, W4), (through_hstack_and_dstack, W4 * 0.5),
    (through_column_stack_and_append, W4), (through_select, W4), (through_interp, np.array([-0.9, 0.2, 0.7, 1.1])),
    (through_ptp_and_var, np.array([0.3, -1.2, 0.8, 1.9])), (through_trapezoid, W4), (through_cross, W4),
    (through_kron_inner_tensordot, W4), (through_convolve_correlate, W4), (through_einsum, W4),
    (through_solve, W4 * 0.5), (through_det_slogdet, W4 * 0.5), (through_sinc, W4),
    (through_prod_cumprod, np.array([0.7, -1.1, 0.0, 1.6])), (through_cholesky, W4 * 0.5),
    (through_eigvalsh_matrix_power, W4 * 0.5), (through_norms, W4), (through_eigh_svdvals_multi_dot, W4 * 0.5),
    (through_qr_svd, W4 * 0.5),
]


@pytest.mark.parametrize("f,x", HESSIAN_CASES, ids=[c[0].__name__ for c in HESSIAN_CASES])
def test_hessian_through_the_helpers(f, x):
    skip_unless_numpy_has_names_in(f.__name__)
    if f.__name__ == "through_norms":
        skip_unless_numpy_has("numpy.linalg.vector_norm")
    h = s2s.hessian(f)(x)
    assert np.shape(h) == x.shape + x.shape
    numeric = numeric_hessian(f, x)
    np.testing.assert_allclose(h, numeric, rtol=1e-4, atol=1e-5, err_msg=f"{f.__name__}: hessian vs differences")


def scalar_through_solve(t):
    return np.sum(np.linalg.solve(A3 * t, C3 * t * t))


def scalar_through_cross_and_stack(t):
    v = np.array([t, t * t, 1.0])
    return np.sum(np.cross(v, C3) * np.concatenate([v, v])[1:4]) + np.sum(np.vstack([v, v * t]) ** 2)


@pytest.mark.parametrize("f,t", [(scalar_through_solve, 1.3), (scalar_through_cross_and_stack, 0.7)])
def test_grad_of_grad_through_the_helpers(f, t):
    h = 1e-4
    numeric = (f(t + h) - 2.0 * f(t) + f(t - h)) / (h * h)
    assert np.isclose(s2s.grad(s2s.grad(f))(t), numeric, rtol=1e-5, atol=1e-6)


def test_sinc_second_derivative_at_zero():
    """The limit -pi^2 / 3 where the formula divides by x (finite differences of sinc' are noisy there)."""
    assert np.isclose(runtime.sinc_derivative(0.0, 2), -np.pi ** 2 / 3.0, rtol=1e-15)
    assert np.isclose(runtime.sinc_derivative(1e-3, 2), -np.pi ** 2 / 3.0, rtol=1e-5)


# ---------------------------------------------------------------- vector-mode forms: n tangents at once
D = np.random.default_rng(3).normal(size=(3, 2, 6))  # three tangents of a 2 x 6 adjoint
M23 = R.normal(size=(2, 3))
BATCHED = [
    ("batch_concatenate_adjoint", "concatenate_adjoint", D, ([M23, M23],), {"axis": 1}),
    ("batch_concatenate_adjoint", "concatenate_adjoint", D.reshape(3, 12), ([M23, M23],), {"axis": None}),
    ("batch_hstack_adjoint", "hstack_adjoint", D, ([M23, M23],), {}),
    ("batch_vstack_adjoint", "vstack_adjoint", D.reshape(3, 4, 3), ([M23, M23],), {}),
    ("batch_dstack_adjoint", "dstack_adjoint", D.reshape(3, 2, 3, 2), ([M23, M23],), {}),
    ("batch_column_stack_adjoint", "column_stack_adjoint", D[:, 0].reshape(3, 3, 2), ([C3, C3],), {}),
    ("batch_append_adjoint", "append_adjoint", D[:, 0], (C3, C3), {}),
    ("batch_select_adjoint_choices", "select_adjoint_choices", D[:, 0, :4], ([W4 > 0.0], [W4]), {}),
]


@pytest.mark.parametrize("batched,helper,d,args,kwargs", BATCHED, ids=[f"{c[0]}-{i}" for i, c in enumerate(BATCHED)])
def test_a_vector_mode_form_is_the_helper_on_each_tangent(batched, helper, d, args, kwargs):
    got = getattr(runtime, batched)(d, *args, **kwargs)
    each = [getattr(runtime, helper)(d[k], *args, **kwargs) for k in range(d.shape[0])]
    assert len(got) == len(each[0])
    for i, part in enumerate(got):
        np.testing.assert_array_equal(part, np.stack([e[i] for e in each]))
    assert getattr(runtime, batched)(0.0, *args, **kwargs) == 0.0  # a zero stands for n zeros


def test_hessian_through_cross_stays_in_vector_mode():
    """np.cross has a vector-mode form, and so do its adjoints' records: one batched jvp, not one per column."""
    hessian = s2s.hessian(through_cross)
    hessian(W4)
    assert "rt.batch_cross_adjoint_a(" in hessian.source and "rt.batch_cross_adjoint_b_of_a(" in hessian.source
