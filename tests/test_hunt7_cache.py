"""Round seven of the bug hunts: what a transformation baked in from its environment, changed between processes
(the disk cache, S2S_CACHE_DIR) or after the first call, was served stale (references analytic)."""
import os
import subprocess
import sys
import types

import numpy as np
import pytest

import s2s

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(s2s.__file__)))

CONFIG = '''
import functools, os
import numpy as np
V = float(os.environ["V"])
def helper(x, c=V):
    return c * x ** 2
def with_default(x):
    return helper(x) + x
ACT = (lambda x: x ** 2) if V == 1 else (lambda x: x ** 3)
def one_line_lambdas(x):
    return ACT(x)
def base(x, a):
    return a * x ** 3
LOSS = functools.partial(base, a=V)
def through_a_partial(x):
    return LOSS(x)
def square(x):
    return x ** 2
def cube(x):
    return x ** 3
PAIR = (square if V == 1 else cube, 2.0)
def through_a_tuple(x):
    return PAIR[0](x) * PAIR[1]
'''

RUN = '''
import s2s, config
x = 0.4
for name in ("with_default", "one_line_lambdas", "through_a_partial", "through_a_tuple"):
    f = getattr(config, name)
    print(name, repr(float(s2s.grad(f)(x))), repr(float(s2s.jvp(f)((x,), (1.0,))[1])),
          repr(float(s2s.jacobian(f, mode="forward")(x))))
'''


def expected(v, x=0.4):
    return {"with_default": 2 * v * x + 1, "one_line_lambdas": 2 * x if v == 1 else 3 * x ** 2,
            "through_a_partial": 3 * v * x ** 2, "through_a_tuple": 2 * (2 * x if v == 1 else 3 * x ** 2)}


def test_what_a_process_configures_is_not_served_from_another_processes_entry(tmp_path):
    """A helper's default computed per run (forward-mode entries kept no digest of the helpers they inlined), two
    lambdas on one line (one text: told apart by their code now), a module-level functools.partial and a tuple
    holding a function (described as `data` of their type, the same in every process): the second process got the
    first one's derivatives, and value."""
    (tmp_path / "config.py").write_text(CONFIG)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, str(tmp_path)]), S2S_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONDONTWRITEBYTECODE="1")
    for v in (1.0, 2.0, 1.0, 2.0):
        done = subprocess.run([sys.executable, "-c", RUN], env=dict(env, V=str(v)), capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        for line in done.stdout.splitlines():
            name, *values = line.split()
            assert [float(a) for a in values] == pytest.approx([expected(v)[name]] * 3), (v, name)


def test_a_module_attribute_holding_a_module_rebound():
    """`pkg.sub.K` with `pkg.sub = other_module` after the first call (a backend switched): no fact was kept for
    a module-valued attribute of a module."""
    pkg, first, second = (types.ModuleType(n) for n in ("hunt7_pkg", "hunt7_pkg.a", "hunt7_pkg.b"))
    first.K, second.K = 3.0, 7.0
    pkg.sub = first
    sys.modules.update({"hunt7_pkg": pkg, "hunt7_pkg.a": first, "hunt7_pkg.b": second})
    try:
        globals()["hunt7_pkg"] = pkg
        assert s2s.grad(reads_through_a_package)(0.5) == pytest.approx(3.0)
        pkg.sub = second
        assert s2s.grad(reads_through_a_package)(0.5) == pytest.approx(7.0)
        assert s2s.jvp(reads_through_a_package)((0.5,), (1.0,))[1] == pytest.approx(7.0)
    finally:
        for n in ("hunt7_pkg", "hunt7_pkg.a", "hunt7_pkg.b"):
            sys.modules.pop(n, None)
        globals().pop("hunt7_pkg", None)


def reads_through_a_package(x):
    return hunt7_pkg.sub.K * x ** 2  # noqa: F821 (bound by the test)
