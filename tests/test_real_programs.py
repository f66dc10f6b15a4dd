"""The corpus of real programs (tests/programs/, issue 14), each on its small instance.

For every program: the reverse-mode gradient (`s2s.grad`), the forward-mode derivative
(`s2s.jacobian(mode="forward")` and `s2s.jvp` along a random direction) and the Hessian
(`s2s.hessian`) with respect to every parameter, all against central finite differences of the
original function written here (no s2s involved); and its `__main__` block, run as a script, prints
losses that go down.

Parameters are pytrees (dicts, tuples, lists, dataclasses of numbers and arrays); they are flattened
here by walking the argument itself, so a derivative with the wrong structure or a leaf of the wrong
shape fails instead of being reshaped into agreement.
"""
import dataclasses
import importlib
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import s2s

PROGRAMS_DIR = Path(__file__).resolve().parent / "programs"
PROGRAMS = sorted(p.stem for p in PROGRAMS_DIR.glob("*.py") if p.stem not in ("__init__", "classic"))

# (program, check) -> why it fails today. Each is a strict xfail: when the construct lands, the test
# passes, the run fails, and the entry must go.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}


def _known(names, checks, reason):
    for name in names.split():
        for check in checks.split():
            KNOWN_FAILURES[(name, check)] = reason


ALL = "reverse forward hessian main"

CHECKS = ("reverse", "forward", "hessian", "main")


def _uses_scipy(name):
    text = (PROGRAMS_DIR / f"{name}.py").read_text()
    return re.search(r"^(from|import) scipy", text, re.MULTILINE) is not None


def _cases(check):
    cases = []
    for name in PROGRAMS:
        reason = KNOWN_FAILURES.get((name, check))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        cases.append(pytest.param(name, id=name, marks=marks))
    return cases


def load(name):
    if _uses_scipy(name):
        pytest.importorskip("scipy")
    return importlib.import_module(f"programs.{name}")


# -- pytrees, walked independently of s2s ------------------------------------------------------------

def _is_dataclass(x):
    return dataclasses.is_dataclass(x) and not isinstance(x, type)


def _children(template):
    """The sub-trees of a container as (key, child) pairs, or None for a leaf."""
    if _is_dataclass(template):
        return [(f.name, getattr(template, f.name)) for f in dataclasses.fields(template)]
    if isinstance(template, dict):
        return list(template.items())
    if isinstance(template, (tuple, list)):
        return list(enumerate(template))
    return None


def _child(tree, key, template, what):
    """`tree`'s part at `key`, checking that `tree` is the same kind of container as `template`."""
    if _is_dataclass(template):
        assert type(tree) is type(template), f"{what}: a {type(tree).__name__} where a {type(template).__name__} is"
        return getattr(tree, key)
    if isinstance(template, dict):
        assert isinstance(tree, dict) and list(tree) == list(template), f"{what}: keys {tree!r:.200}"
        return tree[key]
    assert isinstance(tree, (tuple, list)) and len(tree) == len(template), f"{what}: {tree!r:.200}"
    return tree[key]


def leaf_sizes(template):
    children = _children(template)
    if children is None:
        return [int(np.size(template))]
    return [n for _, c in children for n in leaf_sizes(c)]


def flatten(template):
    """The leaves of `template` as one float vector."""
    children = _children(template)
    if children is None:
        return np.ravel(np.asarray(template, dtype=float))
    parts = [flatten(c) for _, c in children]
    return np.concatenate(parts) if parts else np.zeros(0)


def unflatten(template, vector):
    """`template`'s structure with the entries of `vector` as leaves (floats stay floats)."""
    def build(t, it):
        children = _children(t)
        if children is None:
            if np.ndim(t) == 0 and not isinstance(t, np.ndarray):
                return float(next(it))
            return np.array([next(it) for _ in range(np.size(t))]).reshape(np.shape(t))
        built = [(k, build(c, it)) for k, c in children]
        if _is_dataclass(t):
            return dataclasses.replace(t, **dict(built))
        if isinstance(t, dict):
            return dict(built)
        return type(t)(v for _, v in built)
    it = iter(np.asarray(vector, dtype=float))
    return build(template, it)


def flatten_like(tree, template, extra_shape=(), what="derivative"):
    """`tree`, which must have `template`'s structure with leaves of shape `extra_shape + leaf.shape`,
    as a matrix with one row per entry of `extra_shape` (a vector when `extra_shape` is ())."""
    children = _children(template)
    if children is None:
        want = tuple(extra_shape) + np.shape(template)
        got = np.shape(tree)
        assert got == want, f"{what}: a leaf of shape {got} where {want} is expected"
        return np.asarray(tree, dtype=float).reshape(int(np.prod(extra_shape)), -1)
    parts = [flatten_like(_child(tree, k, template, what), c, extra_shape, what) for k, c in children]
    return np.hstack(parts)


def hessian_matrix(H, template):
    """A container of containers (H[a][b] of shape a.shape + b.shape) as the n x n matrix."""
    def rows(h, t):
        children = _children(t)
        if children is None:
            return flatten_like(h, template, np.shape(t), what="hessian")
        return np.vstack([rows(_child(h, k, t, "hessian"), c) for k, c in children])
    return rows(H, template)


# -- one program on its small instance ----------------------------------------------------------------

class Problem:
    def __init__(self, name):
        self.name = name
        self.fn, self.args, self.wrt = load(name).problem(seed=0, small=True)
        self.positions = self.wrt if isinstance(self.wrt, tuple) else (self.wrt,)
        self.template = tuple(self.args[i] for i in self.positions)
        self.x0 = flatten(self.template)

    def at(self, vector):
        """f at the point whose differentiated arguments are `vector` (the others as given)."""
        parts = unflatten(self.template, vector)
        args = list(self.args)
        for i, part in zip(self.positions, parts):
            args[i] = part
        return float(self.fn(*args))

    def as_tuple(self, derivative):
        return derivative if isinstance(self.wrt, tuple) else (derivative,)

    def numeric_gradient(self, eps=1e-6):
        g = np.zeros(self.x0.size)
        for i in range(self.x0.size):
            step = np.zeros(self.x0.size)
            step[i] = eps
            g[i] = (self.at(self.x0 + step) - self.at(self.x0 - step)) / (2 * eps)
        return g

    def numeric_hessian(self, h=1e-4):
        n = self.x0.size
        H = np.zeros((n, n))
        for i in range(n):
            for j in range(i, n):
                ei, ej = np.zeros(n), np.zeros(n)
                ei[i], ej[j] = h, h
                H[i, j] = H[j, i] = (self.at(self.x0 + ei + ej) - self.at(self.x0 + ei - ej)
                                     - self.at(self.x0 - ei + ej) + self.at(self.x0 - ei - ej)) / (4 * h * h)
        return H


def assert_agrees(analytic, numeric, rtol, atol, what):
    analytic, numeric = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
    assert analytic.shape == numeric.shape, f"{what}: shape {analytic.shape} != {numeric.shape}"
    scale = max(1.0, float(np.max(np.abs(numeric))))
    bad = np.abs(analytic - numeric) > atol * scale + rtol * np.abs(numeric)
    if bad.any():
        raise AssertionError(f"{what}: {int(bad.sum())} of {bad.size} entries differ (worst at "
                             f"{np.unravel_index(np.argmax(np.abs(analytic - numeric)), bad.shape)})\n"
                             f"analytic:\n{analytic}\nnumeric:\n{numeric}")


def test_the_corpus_has_at_least_25_programs():
    assert len(PROGRAMS) >= 25, PROGRAMS
    for name in PROGRAMS:
        text = (PROGRAMS_DIR / f"{name}.py").read_text()
        for needed in ("def make_data(seed=0, small=True)", "def problem(", 'if __name__ == "__main__":'):
            assert needed in text, f"{name}.py has no {needed}"


@pytest.mark.parametrize("name", _cases("reverse"))
def test_reverse_gradient(name):
    p = Problem(name)
    value, g = s2s.value_and_grad(p.fn, wrt=p.wrt)(*p.args)
    assert value == pytest.approx(p.at(p.x0), rel=1e-12, abs=1e-12)
    got = flatten_like(p.as_tuple(g), p.template, what=f"{name}: gradient")[0]
    assert_agrees(got, p.numeric_gradient(), 1e-5, 1e-6, f"{name}: reverse gradient")


@pytest.mark.parametrize("name", _cases("forward"))
def test_forward_derivative(name):
    p = Problem(name)
    numeric = p.numeric_gradient()
    J = s2s.jacobian(p.fn, wrt=p.wrt, mode="forward")(*p.args)
    got = flatten_like(p.as_tuple(J), p.template, what=f"{name}: forward jacobian")[0]
    assert_agrees(got, numeric, 1e-5, 1e-6, f"{name}: forward-mode jacobian")
    direction = np.random.default_rng(1).normal(size=p.x0.size)
    value, tangent = s2s.jvp(p.fn, wrt=p.wrt)(tuple(p.args), tuple(unflatten(p.template, direction)))
    assert float(value) == pytest.approx(p.at(p.x0), rel=1e-12, abs=1e-12)
    assert_agrees(tangent, numeric @ direction, 1e-5, 1e-6, f"{name}: jvp along a random direction")


@pytest.mark.parametrize("name", _cases("hessian"))
def test_hessian(name):
    p = Problem(name)
    if isinstance(p.wrt, tuple):
        # s2s.hessian takes one wrt: the diagonal blocks from it, the others as the jacobian of a gradient
        H = tuple(tuple(s2s.hessian(p.fn, wrt=a)(*p.args) if a == b else
                        s2s.jacobian(s2s.grad(p.fn, wrt=a), wrt=b)(*p.args) for b in p.wrt) for a in p.wrt)
        got = hessian_matrix(H, p.template)
    else:
        got = hessian_matrix(s2s.hessian(p.fn, wrt=p.wrt)(*p.args), p.template[0])
    assert_agrees(got, p.numeric_hessian(), 1e-3, 1e-4, f"{name}: hessian")


@pytest.mark.parametrize("name", _cases("main"))
def test_runs_as_an_example(name, capsys, monkeypatch):
    if _uses_scipy(name):
        pytest.importorskip("scipy")
    monkeypatch.syspath_prepend(str(PROGRAMS_DIR))
    runpy.run_path(str(PROGRAMS_DIR / f"{name}.py"), run_name="__main__")
    out = capsys.readouterr().out
    losses = [float(v) for v in re.findall(r"\bloss\s+(\S+)", out)]
    assert len(losses) >= 2, out
    assert all(np.isfinite(losses)) and losses[-1] < losses[0], out


def test_a_program_runs_as_a_script_from_anywhere(tmp_path):
    # runpy above runs each __main__ block in this process; one program in a fresh interpreter, from
    # another directory, shows that a program needs nothing of the test suite
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(PROGRAMS_DIR.parents[1])] + [p for p in [env.get("PYTHONPATH")] if p])
    done = subprocess.run([sys.executable, str(PROGRAMS_DIR / "logistic_regression.py")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    losses = [float(v) for v in re.findall(r"\bloss\s+(\S+)", done.stdout)]
    assert len(losses) >= 2 and losses[-1] < losses[0], done.stdout
