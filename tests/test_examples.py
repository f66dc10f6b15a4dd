"""Smoke tests: every script in examples/ runs in seconds and prints what it promises."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
INSTALL_HINT = "no picture saved: matplotlib is not installed (pip install matplotlib, or pip install '.[plot]'"


def run_example(name, *args, cwd, without_matplotlib=False):
    """Run examples/NAME in cwd; without_matplotlib puts a `matplotlib` that fails to import first
    on the path, as on a machine where it is not installed."""
    env = dict(os.environ)
    paths = [str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p]
    if without_matplotlib:
        shadow = Path(cwd) / "no_matplotlib" / "matplotlib"
        shadow.mkdir(parents=True, exist_ok=True)
        (shadow / "__init__.py").write_text("raise ImportError('matplotlib is not installed')\n")
        paths.insert(0, str(shadow.parent))
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["MPLBACKEND"] = "Agg"
    done = subprocess.run([sys.executable, str(EXAMPLES / name), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr
    return done.stdout


def assert_says_how_to_get_the_picture(out, folder):
    assert INSTALL_HINT in out
    assert "saved to" not in out
    assert not list(Path(folder).glob("*.png"))


def assert_is_a_picture(path):
    """A PNG file (signature, then an IHDR chunk) of a real figure: a few hundred pixels a side
    and more bytes than an empty canvas of that size compresses to."""
    data = Path(path).read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width >= 300 and height >= 200
    assert len(data) > 10_000


@pytest.mark.parametrize("name, args, png", [
    ("mlp_two_moons.py", ("--steps", "300", "--png", "boundary.png"), "boundary.png"),
    ("ode_fit.py", (), "ode_fit.png"),
    ("logistic_regression.py", (), "logistic_regression.png"),
])
def test_example_saves_a_picture_of_its_fit(tmp_path, name, args, png):
    pytest.importorskip("matplotlib")
    out = run_example(name, *args, cwd=tmp_path)
    assert f"saved to {png}" in out
    assert_is_a_picture(tmp_path / png)
    assert INSTALL_HINT not in out


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
    out = run_example("mlp_two_moons.py", "--steps", "300", cwd=tmp_path, without_matplotlib=True)
    losses = [float(x) for x in re.findall(r"loss (\d+\.\d+)", out.split("loss fell")[0])]
    assert len(losses) >= 5
    assert losses[-1] < 0.5 * losses[0]
    assert all(b <= a + 1e-9 for a, b in zip(losses, losses[1:]))
    assert_says_how_to_get_the_picture(out, tmp_path)


def test_ode_fit_recovers_the_rate(tmp_path):
    out = run_example("ode_fit.py", cwd=tmp_path, without_matplotlib=True)
    s2s_slope, fd_slope = map(float, re.search(r"s2s (\S+), finite difference (\S+)", out).groups())
    assert s2s_slope == pytest.approx(fd_slope, rel=1e-5)
    fitted = float(re.search(r"fitted r = (\S+)", out).group(1))
    assert fitted == pytest.approx(1.3, abs=0.05)
    assert "reversed(" in out  # the printed adjoint runs the loop backwards
    assert_says_how_to_get_the_picture(out, tmp_path)


def test_logistic_regression_matches_finite_differences(tmp_path):
    out = run_example("logistic_regression.py", cwd=tmp_path, without_matplotlib=True)
    difference = float(re.search(r"max \|s2s - finite difference\| = (\S+)", out).group(1))
    assert difference < 1e-6
    nlls = [float(x) for x in re.findall(r"nll (\d+\.\d+)", out)]
    assert nlls[-1] < nlls[0]
    assert_says_how_to_get_the_picture(out, tmp_path)
