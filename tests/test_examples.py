"""Smoke tests: every script in examples/ runs in seconds and prints what it promises."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def run_example(name, *args, cwd):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    env["MPLBACKEND"] = "Agg"
    done = subprocess.run([sys.executable, str(EXAMPLES / name), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr
    return done.stdout


def test_every_example_is_tested():
    tested = {"quickstart.py", "mlp_two_moons.py", "ode_fit.py", "logistic_regression.py"}
    assert {p.name for p in EXAMPLES.glob("*.py")} <= tested


def test_quickstart(tmp_path):
    out = run_example("quickstart.py", cwd=tmp_path)
    value = float(re.search(r"f\(2\.0, 5\.0\) = (\S+)", out).group(1))
    d1 = float(re.search(r"df/dx1 = (\S+)", out).group(1))
    d2 = float(re.search(r"df/dx2 = (\S+)", out).group(1))
    import math
    assert value == pytest.approx(math.log(2.0) + 10.0 - math.sin(5.0), abs=1e-6)
    assert d1 == pytest.approx(5.0 + 1 / 2.0, abs=1e-6)
    assert d2 == pytest.approx(2.0 - math.cos(5.0), abs=1e-6)
    assert "def grad_f(x1, x2):" in out


def test_mlp_two_moons_loss_falls(tmp_path):
    out = run_example("mlp_two_moons.py", "--steps", "300", "--png", str(tmp_path / "boundary.png"), cwd=tmp_path)
    losses = [float(x) for x in re.findall(r"loss (\d+\.\d+)", out.split("loss fell")[0])]
    assert len(losses) >= 5
    assert losses[-1] < 0.5 * losses[0]
    assert all(b <= a + 1e-9 for a, b in zip(losses, losses[1:]))
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert not (tmp_path / "boundary.png").exists()
        assert "saved" not in out
    else:
        assert (tmp_path / "boundary.png").stat().st_size > 0


def test_ode_fit_recovers_the_rate(tmp_path):
    out = run_example("ode_fit.py", cwd=tmp_path)
    s2s_slope, fd_slope = map(float, re.search(r"s2s (\S+), finite difference (\S+)", out).groups())
    assert s2s_slope == pytest.approx(fd_slope, rel=1e-5)
    fitted = float(re.search(r"fitted r = (\S+)", out).group(1))
    assert fitted == pytest.approx(1.3, abs=0.05)
    assert "reversed(" in out  # the printed adjoint runs the loop backwards


def test_logistic_regression_matches_finite_differences(tmp_path):
    out = run_example("logistic_regression.py", cwd=tmp_path)
    difference = float(re.search(r"max \|s2s - finite difference\| = (\S+)", out).group(1))
    assert difference < 1e-6
    nlls = [float(x) for x in re.findall(r"nll (\d+\.\d+)", out)]
    assert nlls[-1] < nlls[0]
