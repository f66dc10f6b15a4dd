"""Generated text is a self-contained module (API.md) for code calling a recursive function too (hunt round 7):
copied to a file and imported by a fresh process, it runs and gives the same results. It called
custom.<module>_<name>_adjoint, rules s2s makes as it transforms, and a fresh process raised AttributeError
("module 's2s.rules.custom' has no attribute 'modd_fact'"); the text now makes them again after its imports
(custom.recursive_rules, from the function's module and qualified name). Where the function cannot be found by name
(a closure's, a script's) or a script registered the rules the text calls, the text stops at import saying what to
do. References: central finite differences of the original function."""
import ast
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import s2s
from conftest import assert_close, module_from_text, numeric_grad, numeric_hessian

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MODULE = """
import numpy as np


def tower(n, x):
    if n == 0:
        return np.sin(x)
    return x * tower(n - 1, x) + 0.5 * np.cos(x)


def uses(x):
    return tower(3, x) * x + np.sin(x)


def uses_array(x):
    return np.sum(tower(2, x) ** 2)
"""


def _entry(text: str) -> str:
    return [n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)][-1]


def _fresh(tmp_path, texts: dict, calls: dict, path=None):
    """Write each text to tmp_path/<name>.py and run `calls` {name: expression of `entry`} in a new process that
    imports them; {name: value} (lists for arrays)."""
    for name, text in texts.items():
        (tmp_path / f"{name}.py").write_text(text)
    script = "import importlib, json, numpy as np\nout = {}\n" + "".join(
        f"entry = getattr(importlib.import_module({name!r}), {_entry(texts[name])!r})\n"
        f"out[{name!r}] = np.asarray({call}, dtype=float).tolist()\n" for name, call in calls.items()) + \
        "print(json.dumps(out))\n"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path or [ROOT, str(tmp_path)]))
    env.pop("S2S_CACHE_DIR", None)
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path)
    return run


@pytest.fixture
def mod(tmp_path):
    return module_from_text(tmp_path, "h7sc_rec", MODULE)


def test_texts_calling_a_recursive_function_run_in_a_fresh_process(tmp_path, mod):
    x, xs = 0.7, np.array([0.3, -0.8])
    texts = {"t_grad": s2s.grad(mod.uses).source, "t_vag": s2s.value_and_grad(mod.uses).source,
             "t_vjp": s2s.vjp(mod.uses).source, "t_jvp": s2s.jvp(mod.uses).source,
             "t_hess": s2s.hessian(mod.uses).source, "t_gg": s2s.grad(s2s.grad(mod.uses)).source,
             "t_self": s2s.grad(mod.tower, wrt=1).source, "t_array": s2s.grad(mod.uses_array).source,
             "t_hess_array": s2s.hessian(mod.uses_array).source}
    assert "custom.recursive_rules('h7sc_rec', 'tower', " in texts["t_grad"]
    calls = {"t_grad": "entry(0.7)", "t_vag": "entry(0.7)", "t_vjp": "entry(0.7)[1](1.0)", "t_jvp": "entry(0.7, 1.0)",
             "t_hess": "entry(0.7)", "t_gg": "entry(0.7)", "t_self": "entry(3, 0.7)",
             "t_array": "entry(np.array([0.3, -0.8]))",
             "t_hess_array": "entry(np.array([0.3, -0.8]))"}  # (a Hessian's entry point: hessian_uses(x))
    run = _fresh(tmp_path, texts, calls)
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    g = numeric_grad(mod.uses, (x,), 0)
    h = numeric_hessian(mod.uses, x)
    assert_close(got["t_grad"], g, what="grad")
    assert_close(got["t_vag"], [mod.uses(x), g], what="value_and_grad")
    assert_close(got["t_vjp"], g, what="vjp")
    assert_close(got["t_jvp"], [mod.uses(x), g], what="jvp")
    assert_close(got["t_hess"], h, rtol=1e-4, what="hessian")
    assert_close(got["t_gg"], h, rtol=1e-4, what="grad of grad")
    assert_close(got["t_self"], numeric_grad(mod.tower, (3, x), 1), what="grad of the recursive function")
    assert_close(got["t_array"], numeric_grad(mod.uses_array, (xs,), 0), what="grad, array")
    assert_close(got["t_hess_array"], numeric_hessian(mod.uses_array, xs), rtol=1e-4, what="hessian, array")


def test_a_text_whose_recursive_function_cannot_be_imported_says_where_to_put_it(tmp_path, mod):
    text = s2s.grad(mod.uses).source
    elsewhere = tmp_path / "texts"
    elsewhere.mkdir()
    run = _fresh(elsewhere, {"t_lost": text}, {"t_lost": "entry(0.7)"}, path=[ROOT, str(elsewhere)])
    assert run.returncode != 0
    assert "S2SError" in run.stderr and "h7sc_rec" in run.stderr and "PYTHONPATH" in run.stderr, run.stderr


def test_a_recursive_function_of_a_closure_stops_the_text_at_import(tmp_path):
    def make():
        def walk(n, x):
            if n == 0:
                return x
            return np.sin(walk(n - 1, x))
        return walk

    walk = make()

    def f(x):
        return walk(2, x) * 2.0

    g = s2s.grad(f)
    assert_close(g(0.4), numeric_grad(f, (0.4,), 0))  # (in this process, where the rules were made, it runs)
    text = g.source
    assert "define walk at the top level of a module" in text
    run = _fresh(tmp_path, {"t_closure": text}, {"t_closure": "entry(0.4)"})
    assert run.returncode != 0
    assert "RuntimeError" in run.stderr and "recursive function walk, defined in a closure" in run.stderr, \
        run.stderr
    assert "AttributeError" not in run.stderr


SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    import s2s


    def depth(n, x):
        if n == 0:
            return x * x
        return np.cos(depth(n - 1, x))


    def mymul(a, b):
        return a * b


    @s2s.adjoint(mymul)
    def _(g, ans, a, b):
        return (g * b, g * a)


    @s2s.nondifferentiable
    def snapped(x):
        return np.round(x)


    def rec(x):
        return depth(2, x) + 1.0


    def ruled(x):
        return mymul(x, x) + snapped(x)


    if sys.argv[1] == "write":
        for name, f in (("t_main_rec", rec), ("t_main_rule", ruled)):
            g = s2s.grad(f)
            g(0.6)  # (it runs here)
            open(name + ".py", "w").write(g.source)
    else:  # the same script run again: its rules registered, the text reads them
        import t_main_rule
        print(t_main_rule.grad_ruled(0.6))
""")


def test_a_scripts_recursive_function_or_rules_stop_the_text_at_import(tmp_path):
    (tmp_path / "script.py").write_text(SCRIPT)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, str(tmp_path)]))
    env.pop("S2S_CACHE_DIR", None)
    made = subprocess.run([sys.executable, "script.py", "write"], env=env, capture_output=True, text=True,
                          cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    texts = {name: (tmp_path / f"{name}.py").read_text() for name in ("t_main_rec", "t_main_rule")}
    for name, words in (("t_main_rec", "recursive function depth, defined in a script (__main__)"),
                        ("t_main_rule", "calls mymul, whose rules a script (__main__) registered")):
        run = _fresh(tmp_path, {name: texts[name]}, {name: "entry(0.6)"})
        assert run.returncode != 0
        assert "RuntimeError" in run.stderr and words in run.stderr, run.stderr
        assert "AttributeError" not in run.stderr
    assert "declared s2s.nondifferentiable by a script (__main__)" in texts["t_main_rule"]
    again = subprocess.run([sys.executable, "script.py", "read"], env=env, capture_output=True, text=True,
                           cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert_close(float(again.stdout), 2 * 0.6)  # d/dx (x * x + round(x)), round's derivative declared none
