"""Stale caches found by the fourth bug hunt: the disk cache's key, the in-memory checks after an edit that
Python's own objects do not show (IPython's autoreload, a lambda's file, text under a reused linecache name), a
module attribute with a rule rebound, and transformed objects pickled or copied."""
import copy
import importlib
import linecache
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import s2s
from conftest import assert_close, module_from_text, numeric_grad

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_script(tmp_path, script: str, *args, cache="cache") -> str:
    """stdout of `script` run in a new process with tmp_path importable and S2S_CACHE_DIR=tmp_path/cache."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, str(tmp_path)]), S2S_CACHE_DIR=str(tmp_path / cache))
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(script), *args], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


def floats(text: str) -> list:
    return [float(v) for v in text.split()]


# ------------------------------------------------------------------------------------------------ the disk key

RULE_MODULE = """
import s2s

def scale(x):
    return {k} * x

@s2s.adjoint(scale)
def _(g, ans, x):
    return ({k} * g,)
"""

RULE_ORDER = """
import sys
if sys.argv[1] == "ba":
    import rule_b, rule_a
else:
    import rule_a, rule_b
import s2s, rule_user
value, grad = s2s.value_and_grad(rule_user.f)(1.0)
print(value, grad)
"""


def test_rules_of_two_modules_for_functions_of_one_name_are_told_apart_on_disk(tmp_path):
    # custom.scale is the scale imported first: an entry written with a, b imported was served with b, a
    (tmp_path / "rule_a.py").write_text(RULE_MODULE.format(k=2.0))
    (tmp_path / "rule_b.py").write_text(RULE_MODULE.format(k=5.0))
    (tmp_path / "rule_user.py").write_text(
        "import rule_a, rule_b\n\ndef f(x):\n    return rule_a.scale(x) * x + 3.0 * rule_b.scale(x)\n")
    # f(x) = 2x^2 + 15x: f(1) = 17, f'(1) = 4 + 15
    for order in ("ab", "ba", "ab", "ba"):
        assert floats(run_script(tmp_path, RULE_ORDER, order)) == [17.0, 19.0], order
    assert len(os.listdir(tmp_path / "cache")) == 2  # one entry per binding of the names, each reused


NONDIFF = """
import sys
import numpy as np
import s2s, nd_user
if sys.argv[1] == "stop":
    s2s.nondifferentiable(np.linalg.norm)
print(*s2s.grad(nd_user.loss)(np.array([1.0, 2.0, 2.0])))
"""


def test_a_library_function_declared_nondifferentiable_is_in_the_disk_key(tmp_path):
    (tmp_path / "nd_user.py").write_text(
        "import numpy as np\n\ndef loss(w):\n    return np.sum(w / np.linalg.norm(w)) + np.sum(w ** 2)\n")
    w = np.array([1.0, 2.0, 2.0])
    n = np.linalg.norm(w)
    full = 1.0 / n - np.sum(w) * w / n ** 3 + 2 * w
    stop = 1.0 / n + 2 * w  # the norm a constant
    for mode in ("stop", "full", "stop", "full"):
        got = floats(run_script(tmp_path, NONDIFF, mode))
        assert_close(np.array(got), stop if mode == "stop" else full)
