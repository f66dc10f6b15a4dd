"""Generated code at the cheap-gradient limit, round 17 (issue 13, perf17b).

- A record's fields read in a loop that cannot change them (a scalar Kalman filter reading `m.F`, `m.Q`, ... of a
  dataclass or a namedtuple argument in every step): read once before the loop (`F = m.F`,
  optimize/invariant_reads.py), so the reversed loop adds one number per field and the record's adjoint is built
  once after it, where each reversed iteration built a record of zeros per read and added records (81x the
  function; now about the hoisted form's 4-6x). The forward sweep saves nothing for the fields either.

  The same for a dict's items read by constant keys (`m["F"]`: 12x, a record's add per read, rt.add_at).
- `np.sum` of an elementwise expression whose value nothing else reads: its adjoint's `np.full(np.shape(...), 1.0)`
  read the shape of the whole expression, which the gradient computed for that alone (a Gaussian negative
  log-likelihood: `np.shape(0.5 * t2 ** 2 + log_sigma + 0.5 * math.log(...))`); now the shapes of its leaves kept
  anyway, one tuple (`np.broadcast_shapes(np.shape(t2), np.shape(log_sigma))`, optimize/shapes.py), never where a
  `+` may join two lists or a `*` repeat one.

Each against finite differences (or the analytic derivative) in every mode that applies, the value against the
function's own, and the text against what the change promises.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, numeric_grad


@dataclass
class SSM:
    F: float
    Q: float
    H: float
    Rv: float


class SSMt(NamedTuple):
    F: float
    Q: float
    H: float
    Rv: float


def kalman(m, y):
    x, P, ll = 0.0, 10.0, 0.0
    for t in range(len(y)):
        x = m.F * x
        P = m.F * P * m.F + m.Q
        S = m.H * P * m.H + m.Rv
        v = y[t] - m.H * x
        ll -= 0.5 * (math.log(2 * math.pi * S) + v * v / S)
        K = P * m.H / S
        x = x + K * v
        P = (1 - K * m.H) * P
    return ll


@dataclass
class Layer:
    W: np.ndarray
    b: np.ndarray

    def step(self, h):
        return np.tanh(self.W @ h + self.b)


def unrolled(p, h, n):
    total = 0.0
    for k in range(n):
        for j in range(2):
            h = Layer.step(p, h)
        total = total + np.sum(h * h)
    return total


def branch_read(m, y):
    s = 0.0
    for t in range(len(y)):
        if y[t] > 0.0:
            s = s + m.F * y[t] ** 2
        else:
            s = s + m.Q * y[t]
    return s


def given_away(m, y):
    s = 0.0
    for t in range(len(y)):
        s = s + m.F * y[t] + m.Q * float(np.round(m.H, 0))
    return s


def kalman_dict(m, y):
    x, P, ll = 0.0, 10.0, 0.0
    for t in range(len(y)):
        x = m["F"] * x
        P = m["F"] * P * m["F"] + m["Q"]
        S = m["H"] * P * m["H"] + m["Rv"]
        v = y[t] - m["H"] * x
        ll -= 0.5 * (math.log(2 * math.pi * S) + v * v / S)
        K = P * m["H"] / S
        x = x + K * v
        P = (1 - K * m["H"]) * P
    return ll


def rebuilt_dict(m, y):
    s = 0.0
    for t in range(len(y)):
        s = s + m["F"] * y[t]
        m = {"F": m["F"] * 0.5 + m["Q"], "Q": m["Q"]}
    return s


@dataclass
class Newton:
    a: float
    tol: float
    k: float


def newton_root(c, x0):
    x = x0
    it = 0
    while abs(x * x - c.a) > c.tol and it < 50:
        x = x - (x * x - c.a) / (2 * x) * c.k
        it += 1
    return x * c.k


def gauss_nll(mu, log_sigma, data):
    s = np.exp(log_sigma)
    return np.sum(0.5 * ((data - mu) / s) ** 2 + log_sigma + 0.5 * math.log(2 * math.pi))


def joined(x, ys, zs):
    return np.sum((ys + zs) * x)


def repeated(x, ys):
    return np.sum((ys * 2) * x)


FIELDS = ("F", "Q", "H", "Rv")
Y = np.cumsum(np.random.default_rng(3).normal(size=25))
M = SSM(0.9, 0.1, 1.0, 0.25)


def _fd_fields(f, m, *rest):
    """The finite-difference gradient of f with respect to each field of the record m, as a dict."""
    out = {}
    for name in FIELDS:
        def along(v, name=name):
            return f(dataclasses.replace(m, **{name: v}) if dataclasses.is_dataclass(m) else m._replace(**{name: v}),
                     *rest)
        out[name] = numeric_grad(along, (getattr(m, name),), 0)
    return out


@pytest.mark.parametrize("record", [SSM, SSMt])
def test_record_fields_in_a_loop_every_mode(record):
    m = record(0.9, 0.1, 1.0, 0.25)
    fd = _fd_fields(kalman, m, Y)
    value, g = s2s.value_and_grad(kalman)(m, Y)
    assert value == kalman(m, Y)
    assert type(g) is record
    for name in FIELDS:
        assert_close(getattr(g, name), fd[name], 1e-6, 1e-5, what=f"grad .{name}")
    value, pullback = s2s.vjp(kalman)(m, Y)
    assert value == kalman(m, Y)
    back = pullback(2.0)
    for name in FIELDS:
        assert_close(getattr(back, name), 2.0 * fd[name], 1e-6, 1e-5, what=f"vjp .{name}")
    tangent = record(0.3, -0.2, 0.5, 1.0)
    value, dv = s2s.jvp(kalman)((m, Y), (tangent,))
    assert value == kalman(m, Y)
    assert_close(dv, sum(getattr(tangent, n) * fd[n] for n in FIELDS), 1e-6, 1e-5, what="jvp")
    for mode in ("reverse", "forward"):
        jac = s2s.jacobian(kalman, mode=mode)(m, Y)
        for name in FIELDS:
            assert_close(getattr(jac, name), fd[name], 1e-6, 1e-5, what=f"jacobian {mode} .{name}")
    # second order: the gradient's derivative along the record's field F, against differences of the gradient
    e = 1e-5
    gp, gm = (s2s.grad(kalman)(m._replace(F=m.F + d) if record is SSMt else dataclasses.replace(m, F=m.F + d), Y)
              for d in (e, -e))
    hess = s2s.hessian(kalman)(m, Y)
    for name in FIELDS:
        assert_close(getattr(getattr(hess, "F"), name), (getattr(gp, name) - getattr(gm, name)) / (2 * e), 1e-4, 1e-3,
                     what=f"hessian F,{name}")


def test_fields_read_once_before_the_loop():
    text = s2s.grad(kalman).source
    code = [line for line in text.splitlines() if not line.strip().startswith("#")]
    first_loop = next(i for i, line in enumerate(code) if line.strip().startswith("for "))
    for name in FIELDS:
        assert f"    {name} = m.{name}" in code[:first_loop]
    assert not any("m." in line for line in code[first_loop:])  # (no field read, no field saved, per iteration)
    reversed_loop = text.split(" in zip(reversed(", 1)[1].split("\n    # adjoint of line")[0]
    assert "getattr_adjoint" not in reversed_loop and "add_into" not in reversed_loop
    assert "bF = bF + " in reversed_loop
    assert text.count("rt.getattr_adjoint") == 4  # (once per field, after the reversed loop)


def test_no_iteration():
    y = np.zeros(0)
    value, g = s2s.value_and_grad(kalman)(M, y)
    assert value == kalman(M, y) == 0.0
    assert g == SSM(0.0, 0.0, 0.0, 0.0)
    assert s2s.jvp(kalman)((M, y), (SSM(1.0, 1.0, 1.0, 1.0),))[1] == 0.0


def test_read_in_a_branch_of_the_loop():
    y = np.array([0.5, -1.0, 2.0, -0.25])
    g = s2s.grad(branch_read)(M, y)
    assert_close(g.F, np.sum(y[y > 0] ** 2))
    assert_close(g.Q, np.sum(y[y <= 0]))
    assert g.H == 0.0 and g.Rv == 0.0
    assert_close(s2s.jvp(branch_read)((M, y), (SSM(1.0, 2.0, 0.0, 0.0),))[1],
                 np.sum(y[y > 0] ** 2) + 2.0 * np.sum(y[y <= 0]))


def test_field_given_to_a_call_s2s_does_not_read():
    y = np.array([0.5, -1.0, 2.0])
    g = s2s.grad(given_away)(M, y)
    assert_close(g.F, np.sum(y))
    assert_close(g.Q, 3 * float(np.round(M.H, 0)))


def test_method_fields_in_nested_loops():
    rng = np.random.default_rng(5)
    p = Layer(rng.normal(size=(3, 3)) * 0.5, rng.normal(size=3) * 0.1)
    h = rng.normal(size=3)
    code = [line.strip() for line in s2s.grad(unrolled).source.splitlines() if not line.strip().startswith("#")]
    first_loop = next(i for i, line in enumerate(code) if line.startswith("for "))
    assert "W = p.W" in code[:first_loop] and "b = p.b" in code[:first_loop]
    value, g = s2s.value_and_grad(unrolled)(p, h, 3)
    assert value == unrolled(p, h, 3)
    assert_close(g.W, numeric_grad(lambda W: unrolled(Layer(W, p.b), h, 3), (p.W,), 0), 1e-6, 1e-6)
    assert_close(g.b, numeric_grad(lambda b: unrolled(Layer(p.W, b), h, 3), (p.b,), 0), 1e-6, 1e-6)
    gh = s2s.grad(unrolled, wrt=1)(p, h, 3)
    fd_h = numeric_grad(lambda v: unrolled(p, v, 3), (h,), 0)
    assert_close(gh, fd_h, 1e-6, 1e-6)
    assert_close(s2s.jacobian(unrolled, wrt=1, mode="forward")(p, h, 3), fd_h, 1e-6, 1e-6)
    tangent = Layer(np.ones((3, 3)), np.zeros(3))
    assert_close(s2s.jvp(unrolled)((p, h, 3), (tangent,))[1], np.sum(g.W), 1e-9, 1e-9)


GAUSS = [  # (mu, log_sigma, data): every operand a number or an array, broadcast each way
    (0.3, -0.2, np.array([0.5, -1.0, 2.0, 0.25])),
    (np.array([0.1, 0.2, 0.3]), 0.4, np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])),
    (0.3, np.array([[0.1], [-0.3]]), np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])),
    (np.array([0.1, -0.2]), np.array([0.2, 0.1]), 1.5),
]


@pytest.mark.parametrize("case", range(len(GAUSS)))
def test_sum_of_an_expression_read_for_its_shape(case):
    mu, log_sigma, data = GAUSS[case]
    value, (gm, gs) = s2s.value_and_grad(gauss_nll, wrt=(0, 1))(mu, log_sigma, data)
    assert value == gauss_nll(mu, log_sigma, data)
    fm = numeric_grad(gauss_nll, (mu, log_sigma, data), 0)
    fs = numeric_grad(gauss_nll, (mu, log_sigma, data), 1)
    assert_close(gm, fm, 1e-6, 1e-6, what="grad mu")
    assert_close(gs, fs, 1e-6, 1e-6, what="grad log_sigma")
    assert np.shape(gm) == np.shape(mu) and np.shape(gs) == np.shape(log_sigma)
    value, pullback = s2s.vjp(gauss_nll, wrt=1)(mu, log_sigma, data)
    assert_close(pullback(-2.0), -2.0 * fs)
    tangent = np.full(np.shape(log_sigma), 0.5) if np.ndim(log_sigma) else 0.5
    assert_close(s2s.jvp(gauss_nll, wrt=1)((mu, log_sigma, data), (tangent,))[1], np.sum(fs * tangent), 1e-6, 1e-6)
    for mode in ("reverse", "forward"):
        assert_close(s2s.jacobian(gauss_nll, wrt=1, mode=mode)(mu, log_sigma, data), fs, 1e-6, 1e-6)
    if np.ndim(log_sigma) == 0:
        e = 1e-5
        second = (numeric_grad(gauss_nll, (mu, log_sigma + e, data), 1) -
                  numeric_grad(gauss_nll, (mu, log_sigma - e, data), 1)) / (2 * e)
        assert_close(s2s.hessian(gauss_nll, wrt=1)(mu, log_sigma, data), second, 1e-4, 1e-4)


def test_shape_of_the_leaves_kept_anyway():
    text = s2s.grad(gauss_nll, wrt=(0, 1)).source
    assert "np.full(np.broadcast_shapes(np.shape(t2), np.shape(log_sigma)), 1.0)" in text
    assert "math.log" not in text.replace("# line", "#").split("\n    # adjoint")[1].split("\n", 1)[1]


def test_lists_joined_or_repeated_keep_their_shape():
    ys, zs = [0.1, 0.2, 0.3], [0.4, 0.5]
    x = np.linspace(1.0, 2.0, 5)
    assert_close(s2s.grad(joined)(x, ys, zs), np.array(ys + zs))
    x = np.linspace(1.0, 2.0, 6)
    assert_close(s2s.grad(repeated)(x, ys), np.array(ys * 2))


def test_dict_items_in_a_loop_every_mode():
    d = {"F": 0.9, "Q": 0.1, "H": 1.0, "Rv": 0.25}
    fd = {k: numeric_grad(lambda v, k=k: kalman_dict({**d, k: v}, Y), (d[k],), 0) for k in d}
    value, g = s2s.value_and_grad(kalman_dict)(d, Y)
    assert value == kalman_dict(d, Y)
    for k in d:
        assert_close(g[k], fd[k], 1e-6, 1e-5, what=f"grad [{k}]")
    for mode in ("reverse", "forward"):
        jac = s2s.jacobian(kalman_dict, mode=mode)(d, Y)
        for k in d:
            assert_close(jac[k], fd[k], 1e-6, 1e-5, what=f"jacobian {mode} [{k}]")
    tangent = {"F": 0.3, "Q": -0.2, "H": 0.5, "Rv": 1.0}
    assert_close(s2s.jvp(kalman_dict)((d, Y), (tangent,))[1], sum(tangent[k] * fd[k] for k in d), 1e-6, 1e-5)
    hess = s2s.hessian(kalman_dict)(d, Y)
    e = 1e-5
    gp, gm = (s2s.grad(kalman_dict)({**d, "Q": d["Q"] + s}, Y) for s in (e, -e))
    for k in d:
        assert_close(hess["Q"][k], (gp[k] - gm[k]) / (2 * e), 1e-4, 1e-3, what=f"hessian Q,{k}")
    code = [line.strip() for line in s2s.grad(kalman_dict).source.splitlines() if not line.strip().startswith("#")]
    first_loop = next(i for i, line in enumerate(code) if line.startswith("for "))
    assert "F = m['F']" in code[:first_loop]
    assert not any("add_at" in line or "m[" in line for line in code[first_loop:first_loop + 60]
                   if not line.startswith("bm ="))
    assert s2s.grad(kalman_dict)(d, np.zeros(0)) == {"F": 0.0, "Q": 0.0, "H": 0.0, "Rv": 0.0}


def test_dict_made_anew_in_the_loop():
    d, y = {"F": 0.9, "Q": 0.1}, np.array([0.5, -1.0, 2.0])
    g = s2s.grad(rebuilt_dict)(d, y)
    for k in d:
        assert_close(g[k], numeric_grad(lambda v, k=k: rebuilt_dict({**d, k: v}, y), (d[k],), 0), 1e-6, 1e-6)


def test_fields_in_a_while_test_and_body():
    c = Newton(2.0, 1e-13, 1.0)
    value, g = s2s.value_and_grad(newton_root)(c, 1.0)
    assert value == newton_root(c, 1.0)
    assert_close(g.a, 0.5 / math.sqrt(2.0), 1e-9, 1e-9)  # (x = sqrt(a) at the root: d/da = 1 / (2 sqrt(a)))
    assert_close(g.k, math.sqrt(2.0), 1e-9, 1e-9)
    assert g.tol == 0.0
    assert_close(s2s.jvp(newton_root)((c, 1.0), (Newton(1.0, 0.0, 0.0),))[1], 0.5 / math.sqrt(2.0), 1e-9, 1e-9)
    code = [line.strip() for line in s2s.grad(newton_root).source.splitlines() if not line.strip().startswith("#")]
    assert "while abs(x * x - a) > tol and it < 50:" in code
    assert code.index("tol = c.tol") < code.index("while abs(x * x - a) > tol and it < 50:")
