"""The transformation cache: no re-parsing, redefinition, threads, determinism, nothing on disk."""
import os
import subprocess
import sys
import threading

import numpy as np

import s2s
import s2s.api.transform
from conftest import module_from_text
from functions import quickstart
from functions_control import power_series

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def counting_reader(monkeypatch):
    calls = []
    original = s2s.pipeline.read_function

    def reader(f):
        calls.append(f)
        return original(f)

    monkeypatch.setattr(s2s.pipeline, "read_function", reader)
    return calls




def test_second_grad_does_not_reparse(monkeypatch, tmp_path):
    mod = module_from_text(tmp_path, "cache_mod_a", "import math\ndef f(x):\n    return math.sin(x) * x\n")
    calls = counting_reader(monkeypatch)
    assert abs(s2s.grad(mod.f)(0.5) - (np.cos(0.5) * 0.5 + np.sin(0.5))) < 1e-12
    assert len(calls) == 1
    g2 = s2s.grad(mod.f)
    assert abs(g2(0.5) - (np.cos(0.5) * 0.5 + np.sin(0.5))) < 1e-12
    g2.source
    assert len(calls) == 1
    s2s.grad(mod.f, wrt="x")(0.5)  # other options: a new transformation
    assert len(calls) == 2


def test_redefined_function_gets_a_new_gradient(tmp_path):
    mod = module_from_text(tmp_path, "cache_mod_b", "def f(x):\n    return x * x\n")
    assert s2s.grad(mod.f)(3.0) == 6.0
    mod = module_from_text(tmp_path, "cache_mod_b", "def f(x):\n    return x * x * x\n")
    assert s2s.grad(mod.f)(3.0) == 27.0


def test_closures_with_different_values_get_their_own_gradients():
    def make(scale):
        def f(x):
            return scale * x * x
        return f

    assert s2s.grad(make(2.0))(1.0) == 4.0
    assert s2s.grad(make(5.0))(1.0) == 10.0


def test_threads_share_one_build(monkeypatch, tmp_path):
    mod = module_from_text(tmp_path, "cache_mod_c", "import math\ndef f(x):\n    return math.exp(x) + x ** 3\n")
    calls = counting_reader(monkeypatch)
    results, errors = [], []
    barrier = threading.Barrier(8)

    def work(i):
        try:
            barrier.wait()
            results.append(s2s.grad(mod.f)(0.1 * i))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(calls) == 1
    assert sorted(results) == sorted(np.exp(0.1 * i) + 3 * (0.1 * i) ** 2 for i in range(8))


def test_nothing_is_written_to_disk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mod = module_from_text(tmp_path, "cache_mod_d", "def f(x):\n    return x * 4.0\n")
    before = sorted(os.listdir(tmp_path))
    s2s.grad(mod.f)(1.0)
    assert sorted(os.listdir(tmp_path)) == before


SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
import s2s
from functions import quickstart, np_select
from functions_control import power_series, nested_loops, early_return
for f, wrt in [(quickstart, (0, 1)), (np_select, 0), (power_series, 0), (nested_loops, 0), (early_return, 0)]:
    sys.stdout.write(s2s.grad(f, wrt=wrt).source)
"""


def test_source_is_byte_identical_across_processes():
    script = SCRIPT.format(tests=os.path.join(ROOT, "tests"))
    outs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=ROOT)
        outs.append(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, check=True).stdout)
    assert outs[0] == outs[1]
    here = "".join(s2s.grad(f, wrt=w).source for f, w in [(quickstart, (0, 1))])
    assert outs[0].decode().startswith(here)


def test_generated_module_runs_on_its_own(tmp_path):
    text = s2s.grad(power_series).source
    path = tmp_path / "generated_power_series.py"
    path.write_text(text)
    env = dict(os.environ, PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-c", "import generated_power_series as g; print(g.grad_power_series(0.5, 4))"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout
    assert abs(float(out) - s2s.grad(power_series)(0.5, 4)) < 1e-15
