"""The driver (s2s/pipeline.py): the stages in order as data, S2S_DUMP, and `show --stage`."""
import numpy as np
import pytest

import s2s
from s2s import pipeline
from s2s.api import stages as api

from test_cli import run, workdir  # noqa: F401  (the fixture)


def f(x, y):
    z = np.sin(x) * y
    return z + x * x


def test_every_transformation_runs_the_stages_in_pipeline_order():
    reverse = api.stage_texts(f, wrt=(0, 1))
    assert list(reverse) == ["source", "ssa", "keys", "alias", "result", "fold", "cse", "reverse", "optimize", "python"]
    forward = api.stage_texts(f, wrt=0, mode="forward")
    assert list(forward) == ["source", "ssa", "keys", "alias", "result", "fold", "cse", "forward", "optimize", "python"]
    # the contract's view of the same run
    assert list(s2s.stages(f)) == ["source", "ssa", "adjoint", "optimized", "python"]
    assert reverse["python"] == s2s.grad(f, wrt=(0, 1)).source


def test_s2s_dump_prints_the_stages_asked_for(monkeypatch, capsys):
    def g(x):
        return np.cos(x) * 3.0
    monkeypatch.setenv("S2S_DUMP", "ssa,python")
    assert abs(s2s.grad(g)(0.5) + 3.0 * np.sin(0.5)) < 1e-12
    err = capsys.readouterr().err
    assert "==== s2s ssa: g ====" in err and "t1 = np.cos(x)" in err
    assert "==== s2s python: grad_g ====" in err and "def grad_g(x):" in err
    assert "==== s2s reverse" not in err and "==== s2s optimize" not in err
    monkeypatch.setenv("S2S_DUMP", "1")

    def h(x):
        return x * x * x
    s2s.jvp(h)((2.0,), (1.0,))
    err = capsys.readouterr().err
    for name in ("source", "ssa", "keys", "alias", "result", "fold", "cse", "forward", "optimize", "python"):
        assert f"==== s2s {name}: " in err, name


def test_show_stage_prints_one_stage(workdir):  # noqa: F811
    done = run("show", "model.py:power", "--stage", "ssa", "--color", "never", cwd=workdir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("def power(x, n):") and "phi" in done.stdout
    done = run("show", "model.py:power", "--stage", "reverse", "--color", "never", cwd=workdir)
    assert done.returncode == 0 and "def grad_power(x, n):" in done.stdout and "_saved" in done.stdout
    done = run("show", "model.py:power", "--stage", "forward", "--color", "never", cwd=workdir)
    assert done.returncode == 1 and "no 'forward' stage" in done.stderr
    done = run("show", "model.py:power", "--stage", "nonsense", cwd=workdir)
    assert done.returncode == 1 and "invalid choice" in done.stderr


def test_the_stage_names_are_the_pipeline_order():
    assert pipeline.NAMES == ("source", "ssa", "keys", "alias", "result", "fold", "cse", "reverse", "forward", "optimize",
                              "python")
    with pytest.raises(AssertionError):
        pipeline.stage("nonsense", lambda: None)
