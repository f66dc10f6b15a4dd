"""Caches that cannot mix functions up (issue 10, item 5).

In memory: equal code objects in other modules, redefinitions with other
defaults, edited helpers, closure values, module constants and class
attributes changed after the first call each get their own gradient. On disk
(S2S_CACHE_DIR): an entry is never used after something it read changed; a
bad directory warns once and is not used; special, oversized, malformed or
tampered entries are skipped. First use from many threads at once is safe.
Every transformation has its own pseudo-filename in linecache.
"""
import json
import linecache
import os
import subprocess
import sys
import textwrap
import threading
import warnings

import numpy as np
import pytest

import s2s
import s2s.api.transform
from s2s.api import cache, persistent
from conftest import module_from_text

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def module_from(tmp_path, name, text):
    """Import (or re-execute) module `name` from `text` (indented as written in a test) written to tmp_path."""
    return module_from_text(tmp_path, name, textwrap.dedent(text))


def define(text, filename, namespace=None):
    """exec `text` as a notebook cell does: its own pseudo-file, registered in linecache."""
    text = textwrap.dedent(text)
    linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
    namespace = {"np": np} if namespace is None else namespace
    exec(compile(text, filename, "exec"), namespace)
    return namespace


def counting_transforms(monkeypatch):
    calls = []
    original = s2s.pipeline.read_function

    def reader(f):
        calls.append(f)
        return original(f)

    monkeypatch.setattr(s2s.pipeline, "read_function", reader)
    return calls


# --------------------------------------------------------------------------- in memory

def test_same_text_in_two_modules_with_other_constants(tmp_path):
    text = """
        K = {k}

        def f(x):
            return K * x * x
    """
    a = module_from(tmp_path, "safety_two_a", text.format(k=2.0))
    b = module_from(tmp_path, "safety_two_b", text.format(k=5.0))
    assert a.f.__code__ == b.f.__code__  # what the old key could not tell apart
    assert s2s.grad(a.f)(1.0) == 4.0
    assert s2s.grad(b.f)(1.0) == 10.0
    assert s2s.grad(a.f)(1.0) == 4.0


def test_redefinition_with_another_default():
    first = define("def f(x, y=2.0):\n    return x * y\n", "<safety cell 1>")["f"]
    assert s2s.grad(first)(1.0) == 2.0
    second = define("def f(x, y=5.0):\n    return x * y\n", "<safety cell 2>")["f"]
    assert first.__code__ == second.__code__
    assert s2s.grad(second)(1.0) == 5.0
    assert s2s.grad(first)(1.0) == 2.0


def test_notebook_cell_rerun_after_its_helper_was_edited():
    cells = {"np": np}
    define("def helper(x):\n    return x * x\n", "<safety nb 1>", cells)
    define("def f(x):\n    return helper(x) + 1.0\n", "<safety nb 2>", cells)
    assert s2s.grad(cells["f"])(3.0) == 6.0
    define("def helper(x):\n    return x * x * x\n", "<safety nb 3>", cells)
    define("def f(x):\n    return helper(x) + 1.0\n", "<safety nb 4>", cells)
    assert s2s.grad(cells["f"])(3.0) == 27.0


def test_helper_edited_and_its_module_re_executed(tmp_path):
    text = """
        def helper(x):
            return {body}

        def f(x):
            return helper(x) + 1.0
    """
    mod = module_from(tmp_path, "safety_reexec", text.format(body="x * x"))
    g = s2s.grad(mod.f)
    assert g(3.0) == 6.0
    mod = module_from(tmp_path, "safety_reexec", text.format(body="x * x * x + 0.0"))
    assert s2s.grad(mod.f)(3.0) == 27.0


def test_helper_replaced_in_its_module_after_the_first_call(tmp_path):
    mod = module_from(tmp_path, "safety_replace", """
        def helper(x):
            return x * x

        def cube(x):
            return x * x * x

        def f(x):
            return helper(x)
    """)
    g = s2s.grad(mod.f)
    assert g(3.0) == 6.0
    mod.helper = mod.cube
    assert g(3.0) == 27.0  # the same transformed function notices on its next call


def test_module_constant_changed_after_the_first_call(tmp_path, monkeypatch):
    mod = module_from(tmp_path, "safety_constant", """
        SCALE = 2.0

        def f(x):
            return SCALE * x * x
    """)
    calls = counting_transforms(monkeypatch)
    g = s2s.grad(mod.f)
    assert g(1.0) == 4.0
    mod.SCALE = 3.0
    assert g(1.0) == 6.0
    assert s2s.grad(mod.f)(1.0) == 6.0
    mod.SCALE = 2.0
    assert g(1.0) == 4.0  # the entry made for 2.0 is found again: not transformed a third time
    assert len(calls) == 2
    mod.SCALE = float("2.0")  # equal, another object: still the same entry
    assert g(1.0) == 4.0 and len(calls) == 2


def test_constant_of_another_type_is_another_entry(tmp_path):
    mod = module_from(tmp_path, "safety_type", """
        N = 2

        def f(x):
            return x ** N
    """)
    g = s2s.grad(mod.f)
    assert g(3.0) == 6.0
    mod.N = 3.0
    assert g(3.0) == 27.0


def test_class_attribute_and_helper_constant(tmp_path):
    module_from(tmp_path, "safety_helpers", """
        RATE = 2.0

        def scaled(x):
            return RATE * x
    """)
    mod = module_from(tmp_path, "safety_main", """
        import safety_helpers

        class Config:
            power = 2.0

        def f(x):
            return safety_helpers.scaled(x) ** Config.power
    """)
    helpers = sys.modules["safety_helpers"]
    g = s2s.grad(mod.f)
    assert g(1.0) == 8.0  # d/dx (2x)^2 = 8x
    mod.Config.power = 3.0
    assert g(1.0) == 24.0  # 3 (2x)^2 * 2
    helpers.RATE = 1.0
    assert g(1.0) == 3.0


def test_module_array_rebound_is_read_again(tmp_path):
    mod = module_from(tmp_path, "safety_array", """
        import numpy as np
        W = np.array([1.0, 2.0])

        def f(x):
            return np.sum(W * x)
    """)
    g = s2s.grad(mod.f)
    assert list(g(np.zeros(2))) == [1.0, 2.0]
    mod.W[0] = 5.0  # mutated in place: read live, as before
    assert list(g(np.zeros(2))) == [5.0, 2.0]
    mod.W = np.array([7.0, 8.0])  # rebound: a new object
    assert list(g(np.zeros(2))) == [7.0, 8.0]


def test_closure_values(monkeypatch):
    def make(scale):
        def f(x):
            return scale * x * x
        return f

    calls = counting_transforms(monkeypatch)
    assert s2s.grad(make(2.0))(1.0) == 4.0
    assert s2s.grad(make(5.0))(1.0) == 10.0
    two = 2.0
    assert s2s.grad(make(two + 1.0))(1.0) == 6.0
    n = len(calls)
    assert s2s.grad(make(two + 1.0))(1.0) == 6.0  # an equal value (another float object): reused
    assert len(calls) == n


def test_closure_cell_rebound_after_the_first_call():
    scale = 2.0

    def f(x):
        return scale * x * x

    g = s2s.grad(f)
    assert g(1.0) == 4.0
    scale = 7.0  # noqa: F841  (read by f through its cell)
    assert g(1.0) == 14.0


def test_custom_rule_registered_after_the_first_call(tmp_path):
    mod = module_from(tmp_path, "safety_rule", """
        def inner(x):
            return x * x

        def f(x):
            return inner(x)
    """)
    from s2s.rules import registry
    saved = (dict(registry.REVERSE), dict(registry.TANGENT), set(registry.NONDIFF), dict(registry._OBJECTS))
    g = s2s.grad(mod.f)
    try:
        assert g(3.0) == 6.0

        @s2s.adjoint(mod.inner)
        def _(g_, ans, x):
            return (g_ * 100.0,)

        assert g(3.0) == 100.0
    finally:
        registry.REVERSE.clear()
        registry.REVERSE.update(saved[0])
        registry.TANGENT.clear()
        registry.TANGENT.update(saved[1])
        registry.NONDIFF.clear()
        registry.NONDIFF.update(saved[2])
        registry._OBJECTS.clear()
        registry._OBJECTS.update(saved[3])
        cache.clear()


def test_grad_of_grad_and_hessian_follow_a_changed_constant(tmp_path):
    mod = module_from(tmp_path, "safety_higher", """
        K = 2.0

        def f(x):
            return K * x * x * x
    """)
    gg = s2s.grad(s2s.grad(mod.f))
    h = s2s.hessian(mod.f)
    assert gg(1.0) == 12.0 and h(1.0) == 12.0
    mod.K = 1.0
    assert gg(1.0) == 6.0 and h(1.0) == 6.0


def test_jvp_and_vjp_follow_a_changed_constant(tmp_path):
    mod = module_from(tmp_path, "safety_modes", """
        K = 2.0

        def f(x):
            return K * x
    """)
    jf, vf = s2s.jvp(mod.f), s2s.vjp(mod.f)
    assert jf((1.0,), (1.0,))[1] == 2.0 and vf(1.0)[1](1.0) == 2.0
    mod.K = 3.0
    assert jf((1.0,), (1.0,))[1] == 3.0 and vf(1.0)[1](1.0) == 3.0


# --------------------------------------------------------------------------- threads

FIRST_USE = textwrap.dedent("""
    import sys, threading
    import numpy as np
    import s2s

    def f0(x):
        return np.sum(np.tanh(x) * np.exp(x))

    def f1(x):
        return np.sum(np.sin(x) ** 2)

    def f2(x):
        return np.sum(np.log(x * x + 1.0))

    def f3(x):
        return np.sum(np.cos(x) * x)

    functions = [f0, f1, f2, f3] * 2
    barrier = threading.Barrier(8)
    errors = []

    def work(i):
        try:
            barrier.wait()
            s2s.grad(functions[i])(np.array([0.5, 1.0]))
        except Exception as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(len(errors), errors[:1])
""")


def test_first_use_from_eight_threads_at_once(tmp_path):
    script = tmp_path / "first_use.py"
    script.write_text(FIRST_USE)
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop("S2S_CACHE_DIR", None)
    for _ in range(3):  # a fresh process each time: the rule tables are not loaded yet
        out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True,
                             timeout=120)
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("0 "), out.stdout


def test_threads_see_a_changed_constant(tmp_path):
    mod = module_from(tmp_path, "safety_threads", """
        K = 2.0

        def f(x):
            return K * x
    """)
    g = s2s.grad(mod.f)
    assert g(1.0) == 2.0
    mod.K = 4.0
    barrier = threading.Barrier(8)
    results, errors = [], []

    def work():
        try:
            barrier.wait()
            results.append(g(1.0))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == [4.0] * 8


# --------------------------------------------------------------------------- linecache names

def test_every_transformation_has_its_own_pseudo_filename(tmp_path):
    mod = module_from(tmp_path, "safety_names", """
        import numpy as np
        K = 2.0

        def f(x, y):
            return np.sum(K * x * x * y)
    """)
    x, y = np.array([1.0, 2.0]), 3.0
    made = {
        "grad": s2s.grad(mod.f), "grad wrt=1": s2s.grad(mod.f, wrt=1), "value_and_grad": s2s.value_and_grad(mod.f),
        "grad wrt=(0, 1)": s2s.grad(mod.f, wrt=(0, 1)), "vjp": s2s.vjp(mod.f), "jvp": s2s.jvp(mod.f),
        "grad of grad": s2s.grad(s2s.grad(mod.f, wrt=1), wrt=1),
    }
    for name, g in made.items():
        if name == "jvp":
            g((x, y), (np.ones(2),))
        else:
            g(x, y)
    jac = s2s.jacobian(mod.f, mode="forward")
    jac(x, y)
    hess = s2s.hessian(mod.f)
    hess(x, y)
    fns = {name: g._fn for name, g in made.items()}
    fns.update({"jacobian forward": next(iter(jac._batched.values()))._fn,
                "hessian": next(iter(hess._jac._batched.values()))._fn})
    mod.K = 3.0
    fns["grad after K changed"] = (made["grad"](x, y), made["grad"]._fn)[1]
    texts = {}
    for name, fn in fns.items():
        filename = fn.__code__.co_filename
        texts.setdefault(filename, set()).add(name)
        lines = linecache.getlines(filename)
        assert lines, f"{name}: {filename} is not in linecache"
        assert lines[fn.__code__.co_firstlineno - 1].lstrip().startswith(f"def {fn.__name__}("), (name, filename)
    shared = {f: names for f, names in texts.items() if len(names) > 1}
    assert not shared, f"transformations sharing a pseudo-filename: {shared}"
    old = fns["grad"]
    assert "2.0" in "".join(linecache.getlines(old.__code__.co_filename))  # the first text keeps its name
    assert "3.0" in "".join(linecache.getlines(fns["grad after K changed"].__code__.co_filename))


# --------------------------------------------------------------------------- on disk

MODULE = textwrap.dedent("""
    import numpy as np
    import disk_helpers

    SCALE = 2.0

    class Config:
        power = 2.0

    def f(x):
        return SCALE * np.sum(disk_helpers.helper(x) ** Config.power)
""")

HELPERS = textwrap.dedent("""
    RATE = 1.0

    def helper(x):
        return RATE * x
""")

SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    import s2s, s2s.api.transform
    transformed = []
    original = s2s.api.transform._primal

    def counting(f, kind=None):
        transformed.append(f)
        return original(f, kind)

    s2s.api.transform._primal = counting
    import disk_mod
    value = float(s2s.grad(disk_mod.f)(np.array([1.0])).sum())
    print(repr(value), "transformed" if transformed else "from disk")
""")


def run(tmp_path, cache_dir, timeout=120):
    """(value, how) from a new process: how is "transformed" or "from disk"."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, str(tmp_path)]), S2S_CACHE_DIR=str(cache_dir),
               PYTHONDONTWRITEBYTECODE="1")
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr
    value, how = out.stdout.split(" ", 1)
    return float(value), how.strip()


def disk_setup(tmp_path):
    (tmp_path / "disk_mod.py").write_text(MODULE)
    (tmp_path / "disk_helpers.py").write_text(HELPERS)
    cache_dir = tmp_path / "cache"
    assert run(tmp_path, cache_dir) == (4.0, "transformed")  # d/dx 2 x^2 at 1
    (entry,) = os.listdir(cache_dir)
    return cache_dir, cache_dir / entry


def test_disk_entry_is_not_used_after_what_it_read_changed(tmp_path):
    cache_dir, _ = disk_setup(tmp_path)
    assert run(tmp_path, cache_dir) == (4.0, "from disk")
    for name, old, new, expected in [
            ("disk_mod.py", "SCALE = 2.0", "SCALE = 3.0", 6.0),  # a module constant: 3 x^2
            ("disk_mod.py", "power = 2.0", "power = 3.0", 9.0),  # a class attribute: 3 x^3
            ("disk_helpers.py", "RATE = 1.0", "RATE = 2.0", 72.0),  # a helper's constant: 3 (2 x)^3
            ("disk_helpers.py", "return RATE * x", "return RATE * x * x", 144.0)]:  # the helper: 3 (2 x^2)^3
        path = tmp_path / name
        path.write_text(path.read_text().replace(old, new))
        assert run(tmp_path, cache_dir) == (expected, "transformed"), (name, new)
    assert run(tmp_path, cache_dir) == (144.0, "from disk")


def test_fifo_in_place_of_an_entry_does_not_hang(tmp_path):
    cache_dir, entry = disk_setup(tmp_path)
    entry.unlink()
    os.mkfifo(entry)
    assert run(tmp_path, cache_dir, timeout=60) == (4.0, "transformed")  # TimeoutExpired rather than a hang
    assert run(tmp_path, cache_dir, timeout=60) == (4.0, "from disk")  # the FIFO was replaced by an entry


def test_device_in_place_of_an_entry_is_skipped(tmp_path):
    cache_dir, entry = disk_setup(tmp_path)
    entry.unlink()
    os.symlink("/dev/zero", entry)
    assert run(tmp_path, cache_dir, timeout=60) == (4.0, "transformed")


@pytest.fixture
def disk_cache(tmp_path, monkeypatch):
    """An in-process disk cache with one entry for `mod.f`; returns (mod, path of the entry, key)."""
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("S2S_CACHE_DIR", str(cache_dir))
    mod = module_from(tmp_path, "safety_disk", """
        import numpy as np
        K = 2.0

        def f(x):
            return K * np.sum(x * x)
    """)
    cache.clear()
    assert s2s.grad(mod.f)(1.0) == 4.0
    key = persistent.key_for(mod.f, "grad", 0, {"return_value": False})
    path = cache_dir / f"{key}.json"
    assert path.is_file()
    assert persistent.load(key, mod.f) is not None
    yield mod, path, key
    cache.clear()


def rewrite(path, change, checksum=True):
    entry = json.loads(path.read_text())
    change(entry)
    if checksum:
        entry["sha256"] = persistent._checksum(entry)
    path.write_text(json.dumps(entry))


@pytest.mark.parametrize("field, value", [
    ("free", []), ("free", {"np": 3}), ("deps", 5), ("deps", {"m:f": None}), ("user", "x"), ("user", ["a"]),
    ("facts", {}), ("facts", [["ns", ["module", "x"], "K"]]), ("facts", [[1, 2, 3, 4]]), ("entry", 3),
    ("entry", "not an identifier"), ("filename", None), ("filename", "/tmp/not-s2s.py"), ("format", "2"),
    ("text", ["def f(): pass"]), ("text", "def grad_f(x:\n"), ("key", None),
])
def test_malformed_fields_are_skipped(disk_cache, field, value):
    mod, path, key = disk_cache
    rewrite(path, lambda e: e.__setitem__(field, value))
    assert persistent.load(key, mod.f) is None
    cache.clear()
    assert s2s.grad(mod.f)(1.0) == 4.0  # transformed again, and the entry rewritten
    assert persistent.load(key, mod.f) is not None


@pytest.mark.parametrize("raw", ["", "{", "[]", "null", "3", '"text"', "{\"sha256\": 1}", "[" * 100000 + "]" * 100000,
                                 "\xff\xfe"])
def test_malformed_json_is_skipped(disk_cache, raw):
    mod, path, key = disk_cache
    path.write_bytes(raw.encode("utf-8", "surrogateescape") if raw != "\xff\xfe" else b"\xff\xfe{")
    assert persistent.load(key, mod.f) is None
    cache.clear()
    assert s2s.grad(mod.f)(1.0) == 4.0


def test_oversized_entry_is_skipped_without_reading_it(disk_cache, monkeypatch):
    mod, path, key = disk_cache
    with open(path, "r+b") as fh:
        fh.truncate(persistent.MAX_BYTES + 1)  # sparse: no 16 MiB written
    reads = []
    original = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: reads.append(n) or original(fd, n))
    assert persistent.load(key, mod.f) is None
    assert reads == []


@pytest.mark.parametrize("field, value", [
    ("text", None), ("entry", "grad_g"), ("filename", "<s2s gradient of g (elsewhere.py:1)>"),
    ("free", {"np": "os"}), ("user", ["/etc/passwd", "f"]), ("deps", {"os:getcwd": "0" * 64}), ("facts", []),
])
def test_tampered_entry_with_the_old_checksum_is_rejected(disk_cache, field, value):
    """Everything that is executed or imported is covered by the checksum."""
    mod, path, key = disk_cache

    def change(entry):
        entry[field] = entry["text"] + "\nimport os\nos.system('echo pwned')\n" if value is None else value

    rewrite(path, change, checksum=False)
    assert persistent.load(key, mod.f) is None


def test_entry_whose_facts_changed_is_not_used(disk_cache):
    mod, path, key = disk_cache
    mod.K = 3.0
    assert persistent.load(key, mod.f) is None
    cache.clear()
    assert s2s.grad(mod.f)(1.0) == 6.0


def bad_directory_warns_once(monkeypatch, directory, mod):
    monkeypatch.setenv("S2S_CACHE_DIR", str(directory))
    cache.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert s2s.grad(mod.f)(1.0) == 4.0
        cache.clear()
        assert s2s.grad(mod.f)(1.0) == 4.0
    mine = [w for w in caught if "S2S_CACHE_DIR" in str(w.message)]
    assert len(mine) == 1, [str(w.message) for w in caught]
    assert issubclass(mine[0].category, RuntimeWarning)


@pytest.fixture
def plain(tmp_path):
    return module_from(tmp_path, "safety_plain", """
        def f(x):
            return 2.0 * x * x
    """)


def test_cache_dir_that_is_a_file(tmp_path, monkeypatch, plain):
    target = tmp_path / "a-file"
    target.write_text("not a directory")
    bad_directory_warns_once(monkeypatch, target, plain)
    assert target.read_text() == "not a directory"


def test_cache_dir_under_a_file(tmp_path, monkeypatch, plain):
    target = tmp_path / "a-file"
    target.write_text("")
    bad_directory_warns_once(monkeypatch, target / "cache", plain)


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc")
def test_cache_dir_under_proc(tmp_path, monkeypatch, plain):
    bad_directory_warns_once(monkeypatch, f"/proc/self/s2s-cache-{os.getpid()}-{tmp_path.name}", plain)



def test_a_build_interrupted_by_ctrl_c_does_not_hang_the_next_call():
    """A KeyboardInterrupt (Ctrl-C in a notebook) during a first transformation, even one arriving between
    the claim of the cache slot and the build, must not leave the slot claimed: the next call builds."""
    def f(x):
        return x * x * x
    key = ("test-interrupted", f.__code__)
    calls = []

    def interrupted():
        calls.append(1)
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        cache.get_or_build(key, f, interrupted)
    assert calls and key not in cache._building
    # a claim this thread left behind (an interrupt right after claiming, before the build's `try`)
    cache._building[key] = (threading.Event(), threading.get_ident())
    entry = cache.get_or_build(key, f, lambda: cache.build_entry(f, "grad", 0, {}, s2s.api.transform._TRANSFORMS["grad"]))
    assert entry.fn(2.0) == 12.0 and key not in cache._building


def test_symbolic_rule_values_need_an_active_emitter():
    """Rule arithmetic outside an Emitter is an error, never statements added to a stale one."""
    from s2s import ir
    from s2s.rules.symbolic import Emitter, Sym
    names = iter(f"t{i}" for i in range(10))
    with Emitter(lambda: next(names)) as em:
        _ = Sym(ir.Var("x")) * 2.0
    assert len(em.stmts) == 1
    with pytest.raises(RuntimeError):
        _ = Sym(ir.Var("x")) * 2.0
