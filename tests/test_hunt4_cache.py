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
    # custom.scale was the scale imported first: an entry written with a, b imported was served with b, a (the
    # names are now rule_a_scale and rule_b_scale, whatever the order)
    (tmp_path / "rule_a.py").write_text(RULE_MODULE.format(k=2.0))
    (tmp_path / "rule_b.py").write_text(RULE_MODULE.format(k=5.0))
    (tmp_path / "rule_user.py").write_text(
        "import rule_a, rule_b\n\ndef f(x):\n    return rule_a.scale(x) * x + 3.0 * rule_b.scale(x)\n")
    # f(x) = 2x^2 + 15x: f(1) = 17, f'(1) = 4 + 15
    for order in ("ab", "ba", "ab", "ba"):
        assert floats(run_script(tmp_path, RULE_ORDER, order)) == [17.0, 19.0], order
    assert len(os.listdir(tmp_path / "cache")) == 1  # the same names in either order: one entry, reused


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


# ------------------------------------------------------------------------------------- IPython's %autoreload

def autoreload(module, path, text):
    """What IPython's `%autoreload 2` does after `path` was edited: reload the module, then give the old function
    objects the new ones' code and defaults (IPython.extensions.autoreload.update_function)."""
    path.write_text(text)
    stat = os.stat(path)
    os.utime(path, (stat.st_atime, stat.st_mtime + 5))  # (a new .pyc, whatever the clock's resolution)
    old = {k: v for k, v in vars(module).items() if callable(v)}
    sys.path.insert(0, str(path.parent))
    try:
        importlib.reload(module)
    finally:
        sys.path.remove(str(path.parent))
    for name, obj in old.items():
        new = getattr(module, name)
        for attr in ("__code__", "__defaults__", "__doc__", "__closure__", "__dict__"):
            try:
                setattr(obj, attr, getattr(new, attr))
            except (AttributeError, TypeError):
                pass


def test_autoreload_of_the_function_itself(tmp_path):
    mod = module_from_text(tmp_path, "auto_main", "import numpy as np\n\ndef loss(w):\n    return np.sum(w ** 2)\n")
    loss = mod.loss
    w = np.array([1.0, 2.0])
    g, vg, jv, h, jac = (s2s.grad(loss), s2s.value_and_grad(loss), s2s.jvp(loss), s2s.hessian(loss),
                         s2s.jacobian(loss))
    assert_close(g(w), 2 * w)
    vg(w), jv((w,), (w,)), h(w), jac(w)
    autoreload(mod, tmp_path / "auto_main.py", "import numpy as np\n\ndef loss(w):\n    return np.sum(w ** 3)\n")
    assert loss(w) == 9.0  # the old object runs the new code
    assert_close(g(w), numeric_grad(loss, [w], 0))
    assert_close(g(w), 3 * w ** 2)
    value, grad = vg(w)
    assert value == 9.0 and np.allclose(grad, 3 * w ** 2)
    value, tangent = jv((w,), (np.ones(2),))
    assert value == 9.0 and np.isclose(tangent, np.sum(3 * w ** 2))
    assert_close(h(w), np.diag(6 * w))
    assert_close(jac(w), 3 * w ** 2)
    assert_close(s2s.grad(loss)(w), 3 * w ** 2)


def test_autoreload_of_an_inlined_helper(tmp_path):
    mod = module_from_text(tmp_path, "auto_helper", "def helper(w):\n    return 2.0 * w\n")
    helper = mod.helper

    def loss(w):
        return np.sum(helper(w) ** 2)

    w = np.array([1.0, 2.0])
    g = s2s.grad(loss)
    assert_close(g(w), 8 * w)
    autoreload(mod, tmp_path / "auto_helper.py", "def helper(w):\n    return 3.0 * w\n")
    assert loss(w) == 45.0
    assert_close(g(w), 18 * w)  # the same object: its fast call checks the helper's code
    assert_close(s2s.grad(loss)(w), numeric_grad(loss, [w], 0))
    assert_close(s2s.hessian(loss)(w), 18 * np.eye(2))


# ------------------------------------------------------------------------- text that is not the code that runs

def test_a_lambda_whose_file_was_edited_without_a_reload_is_refused(tmp_path):
    mod = module_from_text(tmp_path, "lam_edit", "import numpy as np\nloss = lambda w: np.sum(w ** 2)\n")
    (tmp_path / "lam_edit.py").write_text("import numpy as np\nloss = lambda w: np.sum(w ** 4)\n")
    linecache.checkcache(str(tmp_path / "lam_edit.py"))
    w = np.array([1.0, 2.0])
    assert mod.loss(w) == 5.0  # Python runs the code it imported
    with pytest.raises(s2s.SourceUnavailableError, match="reload the module"):
        s2s.value_and_grad(mod.loss)(w)
    with pytest.raises(s2s.SourceUnavailableError, match="reload the module"):
        s2s.jvp(mod.loss)((w,), (w,))
    # the same line's lambda, unchanged: differentiated
    same = module_from_text(tmp_path, "lam_same", "import numpy as np\nloss = lambda w: np.sum(w ** 3)\n")
    assert_close(s2s.grad(same.loss)(w), numeric_grad(same.loss, [w], 0))


def test_lambdas_in_a_function_and_in_a_class_are_not_refused():
    scale = 3.0

    def make(k):
        return lambda x: k * np.sin(x) * scale

    class Model:
        power = staticmethod(lambda x: x ** 3)

    x = 0.7
    for fn in (make(2.0), Model.power, lambda x: np.exp(scale * x)):
        assert_close(s2s.grad(fn)(x), numeric_grad(fn, [x], 0))


def define(text: str, filename: str):
    linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
    namespace = {"np": np}
    exec(compile(text, filename, "exec"), namespace)
    return namespace["f"]


def test_texts_registered_under_one_reused_linecache_name_are_refused_not_mixed():
    # each template's text registered under the same name: linecache holds the last one's
    fs = {p: define(f"def f(x):\n    return np.sum(x ** {p})\n", "<s2s-test reused>") for p in (2, 3, 4)}
    x = np.array([1.0, 2.0])
    for p in (2, 3):
        with pytest.raises(s2s.SourceUnavailableError, match="a filename of its own"):
            s2s.grad(fs[p])(x)
    assert_close(s2s.grad(fs[4])(x), 4 * x ** 3)
    # under names of their own: each its own derivative
    for p in (2, 3, 4):
        f = define(f"def f(x):\n    return np.sum(x ** {p})\n", f"<s2s-test template {p}>")
        assert_close(s2s.grad(f)(x), p * x ** (p - 1))
        assert_close(s2s.grad(f)(x), numeric_grad(f, [x], 0))


REUSED = """
import linecache, sys
import numpy as np
import s2s

def define(text):
    linecache.cache["<s2s-test reused>"] = (len(text), None, text.splitlines(keepends=True), "<s2s-test reused>")
    namespace = {"np": np}
    exec(compile(text, "<s2s-test reused>", "exec"), namespace)
    return namespace["f"]

fs = [(int(p), define(f"def f(x):\\n    return np.sum(x ** {p})\\n")) for p in sys.argv[1:]]
for p, f in fs:
    try:
        print(p, *s2s.grad(f)(np.array([1.0, 2.0])))
    except s2s.SourceUnavailableError:
        print(p, "refused")
"""


def test_the_disk_entry_of_the_last_text_is_not_served_for_another_code(tmp_path):
    assert run_script(tmp_path, REUSED, "4").split() == ["4", "4.0", "32.0"]  # stored under the text's key
    # x ** 2's code with x ** 4's text in linecache: the key names the code too
    assert run_script(tmp_path, REUSED, "2", "4").split() == ["2", "refused", "4", "4.0", "32.0"]


# ------------------------------------------------------------------------------ a module attribute with a rule

def test_a_module_attribute_holding_a_function_with_a_rule_rebound_after_the_first_use(tmp_path):
    rules = module_from_text(tmp_path, "attr_rule", RULE_MODULE.format(k=2.0))
    user = module_from_text(tmp_path, "attr_rule_user",
                            "import attr_rule\n\ndef f(x):\n    return attr_rule.scale(x) * x\n")
    g = s2s.grad(user.f)
    assert g(1.5) == 6.0  # d/dx 2 x^2
    rules.scale = lambda x: 7.0 * x  # no rule: descended into
    assert_close(g(1.5), numeric_grad(user.f, [1.5], 0))
    assert_close(g(1.5), 21.0)
    other = module_from_text(tmp_path, "attr_rule_other", RULE_MODULE.format(k=5.0))
    rules.scale = other.scale  # another function with a rule: its rule
    assert_close(g(1.5), 15.0)
    assert_close(g(1.5), numeric_grad(user.f, [1.5], 0))


# ------------------------------------------------------------------------------------------ pickle and copies

PICKLED = "import numpy as np\n\nC = 2.0\n\ndef q(x):\n    return np.sum(np.sin(x) * C)\n\ndef r(x):\n    return x ** 3\n"


def test_transformed_objects_pickle_and_copy_after_their_first_call(tmp_path):
    mod = module_from_text(tmp_path, "pickled_mod", PICKLED)
    x = np.array([0.3, -1.2])
    made = {"grad": s2s.grad(mod.q), "value_and_grad": s2s.value_and_grad(mod.q), "jvp": s2s.jvp(mod.q),
            "vjp": s2s.vjp(mod.q), "jacobian": s2s.jacobian(mod.q), "forward": s2s.jacobian(mod.q, mode="forward"),
            "hessian": s2s.hessian(mod.q), "second": s2s.grad(s2s.grad(mod.r))}

    def outcome(name, obj):
        if name == "jvp":
            return obj((x,), (np.ones(2),))
        if name == "vjp":
            return obj(x)[1](1.0)
        return obj(1.5) if name == "second" else obj(x)

    expected = {"grad": 2 * np.cos(x), "value_and_grad": (mod.q(x), 2 * np.cos(x)),
                "jvp": (mod.q(x), np.sum(2 * np.cos(x))), "vjp": 2 * np.cos(x), "jacobian": 2 * np.cos(x),
                "forward": 2 * np.cos(x), "hessian": np.diag(-2 * np.sin(x)), "second": 6 * 1.5}
    for name, obj in made.items():
        outcome(name, obj)  # the first call makes its entry (and the grad's fast class)
        for copied in (pickle.loads(pickle.dumps(obj)), copy.deepcopy(obj), copy.copy(obj)):
            assert type(copied).__name__ == type(obj).__name__
            got = outcome(name, copied)
            for a, b in zip(got if isinstance(got, tuple) else (got,),
                            expected[name] if isinstance(expected[name], tuple) else (expected[name],)):
                assert_close(np.asarray(a), np.asarray(b))
    assert_close(made["grad"](x), numeric_grad(mod.q, [x], 0))


def test_a_pickled_gradient_follows_what_its_function_reads(tmp_path):
    mod = module_from_text(tmp_path, "pickled_mod2", PICKLED)
    g = s2s.grad(mod.q)
    x = np.array([0.3, -1.2])
    g(x)
    loaded = pickle.loads(pickle.dumps(g))
    mod.C = 5.0
    assert_close(loaded(x), 5 * np.cos(x))
    assert_close(g(x), 5 * np.cos(x))


POOL = """
import multiprocessing
import numpy as np
import s2s, pickled_pool

g = s2s.grad(pickled_pool.q)

if __name__ == "__main__":
    g(np.zeros(2))
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        out = pool.map(g, [np.array([0.0, 1.0]), np.array([2.0, 3.0])])
    print(*np.concatenate(out))
"""


def test_a_gradient_is_sent_to_worker_processes(tmp_path):
    (tmp_path / "pickled_pool.py").write_text(PICKLED)
    (tmp_path / "pool_main.py").write_text(POOL)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, str(tmp_path)]))
    out = subprocess.run([sys.executable, str(tmp_path / "pool_main.py")], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert_close(np.array(floats(out.stdout)), 2 * np.cos(np.arange(4.0)))


PRIVATE = """
import numpy as np


class Private:
    def __init__(self):
        self.__scale = 3.0

    def loss(self):
        return lambda x: self.__scale * np.sin(x)

    def nested(self):
        def inner(x):
            return self.__scale * x ** 2
        return inner
"""


def test_functions_made_in_a_method_reading_private_names_are_not_refused(tmp_path):
    # their text compiled in the class, as Python compiled them (mangling self.__scale): the same code, not an
    # edited file (a module of its own: pytest's rewritten test modules are not compared)
    from s2s.front.source import read_function
    model = module_from_text(tmp_path, "private_mod", PRIVATE).Private()
    assert read_function(model.loss()).tree.name == "<lambda>"
    assert read_function(model.nested()).tree.name == "inner"
