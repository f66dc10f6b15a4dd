"""S2S_CACHE_DIR: generated source reused across processes; bad entries ignored and rewritten."""
import json
import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MODULE = textwrap.dedent("""
    import numpy as np
    W = np.array([1.0, 2.0, -0.5])

    def helper(v):
        return v * v

    def f(x):
        return np.sum(W * helper(x)) + np.sum(np.sin(x))
""")

SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    import s2s, s2s.api.transform
    if sys.argv[1] == "forbid":
        def refuse(*args, **kwargs):
            raise RuntimeError("transformed again")
        s2s.api.transform._primal = refuse
    import cached_mod
    g = s2s.grad(cached_mod.f)(np.array([0.5, -1.0, 2.0]))
    print(",".join(repr(float(v)) for v in g))
""")


def run(tmp_path, mode, cache_dir):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, str(tmp_path)]), S2S_CACHE_DIR=str(cache_dir))
    return subprocess.run([sys.executable, "-c", SCRIPT, mode], env=env, capture_output=True, text=True)


def expected():
    import numpy as np
    x = np.array([0.5, -1.0, 2.0])
    return np.array([1.0, 2.0, -0.5]) * 2 * x + np.cos(x)


def test_second_process_compiles_without_transforming(tmp_path):
    (tmp_path / "cached_mod.py").write_text(MODULE)
    cache = tmp_path / "cache"
    first = run(tmp_path, "build", cache)
    assert first.returncode == 0, first.stderr
    entries = os.listdir(cache)
    assert len(entries) == 1 and entries[0].endswith(".json")
    second = run(tmp_path, "forbid", cache)  # transforming would raise
    assert second.returncode == 0, second.stderr
    assert first.stdout == second.stdout
    import numpy as np
    assert np.allclose([float(v) for v in second.stdout.split(",")], expected())


def test_corrupt_or_foreign_entries_are_ignored_and_rewritten(tmp_path):
    (tmp_path / "cached_mod.py").write_text(MODULE)
    cache = tmp_path / "cache"
    assert run(tmp_path, "build", cache).returncode == 0
    (entry,) = os.listdir(cache)
    path = cache / entry
    good = json.loads(path.read_text())
    for bad in ("{ not json", json.dumps(dict(good, text=good["text"] + "\nimport os\nos.system('echo pwned')\n")),
                json.dumps(dict(good, s2s="0.0.0-other")), json.dumps(dict(good, key="0" * 64))):
        path.write_text(bad)
        result = run(tmp_path, "forbid", cache)
        assert result.returncode != 0 and "transformed again" in result.stderr  # not used blindly
        again = run(tmp_path, "build", cache)
        assert again.returncode == 0 and "pwned" not in again.stdout
        assert json.loads(path.read_text())["sha256"] == good["sha256"]  # rewritten


def test_changed_helper_invalidates_the_entry(tmp_path):
    (tmp_path / "cached_mod.py").write_text(MODULE)
    cache = tmp_path / "cache"
    assert run(tmp_path, "build", cache).returncode == 0
    (tmp_path / "cached_mod.py").write_text(MODULE.replace("return v * v", "return v * v * v"))
    result = run(tmp_path, "forbid", cache)
    assert result.returncode != 0 and "transformed again" in result.stderr


RECURSIVE_MODULE = textwrap.dedent("""
    import numpy as np

    def chain(a, n):
        if n <= 0:
            return a
        return chain(np.tanh(a) * 1.2 + 0.1, n - 1)

    def f(x):
        return np.sum(chain(x * x, 3) + np.sin(x))
""")


def test_a_recursive_function_gets_its_rules_made_again_in_the_next_process(tmp_path):
    """The generated code calls a recursive function and its rules as attributes of s2s.rules.custom, which
    s2s makes while transforming: a process that compiles the stored text without transforming makes them
    again (was: AttributeError, custom has no attribute 'chain')."""
    (tmp_path / "cached_mod.py").write_text(RECURSIVE_MODULE)
    cache = tmp_path / "cache"
    first = run(tmp_path, "build", cache)
    assert first.returncode == 0, first.stderr
    second = run(tmp_path, "forbid", cache)  # transforming again (the function or its recursive callee) raises
    assert second.returncode == 0, second.stderr
    assert first.stdout == second.stdout
    import numpy as np

    def f(x):
        a = x * x
        for _ in range(3):
            a = np.tanh(a) * 1.2 + 0.1
        return np.sum(a + np.sin(x))
    x, eps = np.array([0.5, -1.0, 2.0]), 1e-6
    numeric = [(f(x + e) - f(x - e)) / (2 * eps) for e in np.eye(3) * eps]
    assert np.allclose([float(v) for v in second.stdout.split(",")], numeric, rtol=1e-6, atol=1e-8)


DEFAULTS_MODULE = textwrap.dedent("""
    import numpy as np
    K = 2.0

    def helper(x, k=K):
        return x * k

    def kw_helper(x, *, k=K):
        return x * k

    def inner(x, k=K):
        return x * k

    def outer(x):
        return inner(x) + 0.0

    class Model:
        def scale(self, x, k=K):
            return x * k

        @staticmethod
        def twice(x, k=K):
            return x * k

    MODEL = Model()

    def f(x):
        return np.sum(helper(x) * x + kw_helper(x) * x + outer(x) * x + MODEL.scale(x) * x + Model.twice(x) * x)
""")

DEFAULTS_SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    import s2s, s2s.api.transform
    transformed = []
    original = s2s.api.transform._primal
    s2s.api.transform._primal = lambda *a, **k: transformed.append(1) or original(*a, **k)
    import defaults_mod
    g = s2s.grad(defaults_mod.f)(np.array([1.0, 0.5]))
    print(",".join(repr(float(v)) for v in g))
    print("transformed" if transformed else "from disk")
""")


def test_a_helpers_default_edited_between_processes_is_not_served_stale(tmp_path):
    """`def helper(x, k=K)` bakes K's value at definition into the code inlining it; the helper's text does not
    change when K is edited, so the entry's digest of each helper covers its defaults (was: the second process
    reused the entry made with K = 2.0 and returned 4 x for 6 x). Keyword-only defaults, a helper's helper, a
    method of a module-level object and a static method alike."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, str(tmp_path)]), S2S_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONDONTWRITEBYTECODE="1")

    def run_with(k):
        (tmp_path / "defaults_mod.py").write_text(DEFAULTS_MODULE.replace("K = 2.0", f"K = {k}"))
        out = subprocess.run([sys.executable, "-c", DEFAULTS_SCRIPT], env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        values, how = out.stdout.splitlines()
        return [float(v) for v in values.split(",")], how.strip()

    x = [1.0, 0.5]
    for k, how in [(2.0, "transformed"), (2.0, "from disk"), (3.0, "transformed"), (3.0, "from disk")]:
        got, done = run_with(k)
        assert done == how, (k, how)
        assert got == [10 * k * v for v in x], (k, got)  # d/dx of sum(5 k x^2)
