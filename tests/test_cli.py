"""The command line `python -m s2s show ...`, run as a user would: in a subprocess."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

MODULE = textwrap.dedent('''
    import math

    import s2s


    def f(x1, x2):
        return math.log(x1) + x1 * x2 - math.sin(x2)


    def power(x, n):
        y = 1.0
        for i in range(n):
            y = y * x + 1.0
        return y


    def uses_try(x):
        try:
            y = x * x
        except ValueError:
            y = x
        return y


    def calls_opaque(x):
        return opaque(x)


    opaque = math.factorial  # a builtin with no rule and no Python source


    @s2s.grad(wrt="x2")
    def decorated(x1, x2):
        return x1 * x2

    not_a_function = 3
''')


def run(*args, cwd):
    """Run `python -m s2s ARGS` with the repository importable whether or not s2s is installed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    env.pop("NO_COLOR", None)
    return subprocess.run([sys.executable, "-m", "s2s", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def workdir(tmp_path):
    (tmp_path / "model.py").write_text(MODULE)
    return tmp_path


def in_process_source(workdir, name, wrt=0):
    """What the contract says `show` prints: s2s.grad(f, wrt=...).source, computed in a subprocess."""
    code = (f"import sys; sys.path.insert(0, {str(workdir)!r}); import model, s2s; "
            f"sys.stdout.write(s2s.grad(model.{name}, wrt={wrt!r}).source)")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    done = subprocess.run([sys.executable, "-c", code], cwd=workdir, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def assert_one_line_error(done, *fragments):
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert done.stdout == ""


def test_show_prints_the_gradient_source(workdir):
    done = run("show", "model.py:f", cwd=workdir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip("\n") == in_process_source(workdir, "f").rstrip("\n")
    assert "def grad_f(x1, x2):" in done.stdout
    assert "\033[" not in done.stdout  # not a terminal: plain text


def test_show_with_repeated_wrt_gives_a_tuple(workdir):
    done = run("show", "model.py:f", "--wrt", "x1", "--wrt", "1", cwd=workdir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip("\n") == in_process_source(workdir, "f", ("x1", 1)).rstrip("\n")
    assert "bx1" in done.stdout and "bx2" in done.stdout


def test_show_with_one_wrt_name(workdir):
    done = run("show", "model.py:f", "--wrt", "x2", cwd=workdir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip("\n") == in_process_source(workdir, "f", "x2").rstrip("\n")
    assert "bx2" in done.stdout and "bx1" not in done.stdout


def test_show_ssa(workdir):
    done = run("show", "model.py:power", "--ssa", cwd=workdir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("def power(x, n):")
    assert "phi(" in done.stdout  # the loop-carried y gets a header phi


def test_show_a_function_already_decorated_prints_its_own_source(workdir):
    done = run("show", "model.py:decorated", cwd=workdir)
    assert done.returncode == 0, done.stderr
    code = "import model, s2s, sys; sys.stdout.write(model.decorated.source)"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(workdir)]))
    expected = subprocess.run([sys.executable, "-c", code], cwd=workdir, env=env, capture_output=True,
                              text=True, timeout=120).stdout
    assert done.stdout.rstrip("\n") == expected.rstrip("\n")


def test_color_always_highlights_keywords_adjoints_numbers_and_comments(workdir):
    done = run("show", "model.py:f", "--wrt", "0", "--wrt", "1", "--color", "always", cwd=workdir)
    assert done.returncode == 0, done.stderr
    from s2s.cli import COLORS, RESET
    assert COLORS["keyword"] + "def" + RESET in done.stdout
    assert COLORS["adjoint"] + "bx1" + RESET in done.stdout
    assert COLORS["number"] + "1.0" + RESET in done.stdout
    assert COLORS["comment"] + "#" in done.stdout
    plain = run("show", "model.py:f", "--wrt", "0", "--wrt", "1", cwd=workdir).stdout
    import re
    assert re.sub(r"\033\[[0-9;]*m", "", done.stdout) == plain


@pytest.mark.parametrize("target, fragments", [
    ("missing.py:f", ["missing.py", "no such file"]),
    ("model.py:nope", ["model.py", "no function named 'nope'"]),
    ("model.py", ["FILE.py:FUNC"]),
    ("model.py:not_a_function", ["not_a_function", "not a function"]),
    ("model.py:uses_try", ["model.py:19:", "a try statement"]),
    ("model.py:calls_opaque", ["model.py:27", "factorial", "s2s.adjoint"]),
])
def test_user_errors_are_one_line_and_exit_1(workdir, target, fragments):
    assert_one_line_error(run("show", target, cwd=workdir), *fragments)


def test_a_missing_tangent_rule_is_told_as_a_tangent_rule(workdir):
    """Bug hunt round 7: `--mode forward` of a function with an adjoint rule and no tangent rule said to register
    an adjoint rule (the one that exists)."""
    (workdir / "rules.py").write_text(
        "import numpy as np\nimport s2s\n\n\ndef softclip(x):\n    return np.log1p(np.exp(x))\n\n\n"
        "@s2s.adjoint(softclip)\ndef _(g, ans, x):\n    return (g / (1.0 + np.exp(-x)),)\n\n\n"
        "def f(x):\n    return np.sum(softclip(x))\n")
    done = run("show", "rules.py:f", "--mode", "forward", cwd=workdir)
    assert_one_line_error(done, "rules.py:15", "softclip", "@s2s.tangent(softclip)")
    assert "s2s.adjoint" not in done.stderr


def test_wrt_that_is_not_a_parameter_is_a_user_error(workdir):
    assert_one_line_error(run("show", "model.py:f", "--wrt", "z", cwd=workdir), "'z'", "x1")


def test_bad_arguments_are_a_user_error(workdir):
    assert_one_line_error(run("show", "model.py:f", "--mode", "sideways", cwd=workdir), "--mode")
    assert_one_line_error(run("frobnicate", cwd=workdir), "frobnicate")


def test_a_module_that_fails_to_import_is_a_user_error(workdir):
    (workdir / "broken.py").write_text("import math\nraise RuntimeError('boom at import')\n")
    assert_one_line_error(run("show", "broken.py:f", cwd=workdir), "broken.py", "RuntimeError", "boom at import")
    (workdir / "syntax.py").write_text("def f(x):\n    return x +\n")
    assert_one_line_error(run("show", "syntax.py:f", cwd=workdir), "syntax.py:2")


def test_forward_mode(workdir):
    import s2s
    done = run("show", "model.py:f", "--mode", "forward", "--wrt", "x1", cwd=workdir)
    if not hasattr(s2s, "jvp"):
        assert_one_line_error(done, "forward mode is not available yet")
    else:
        assert done.returncode == 0, done.stderr
        code = (f"import sys; sys.path.insert(0, {str(workdir)!r}); import model, s2s; "
                f"sys.stdout.write(s2s.jvp(model.f, wrt='x1').source)")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
        expected = subprocess.run([sys.executable, "-c", code], cwd=workdir, env=env, capture_output=True,
                                  text=True, timeout=120)
        assert expected.returncode == 0, expected.stderr
        assert done.stdout.rstrip("\n") == expected.stdout.rstrip("\n")


def test_forward_mode_without_jvp_is_a_one_line_error(workdir, capsys, monkeypatch):
    import s2s
    from s2s.cli import main
    monkeypatch.delattr(s2s, "jvp", raising=False)
    monkeypatch.chdir(workdir)
    monkeypatch.setattr(sys, "path", list(sys.path))
    assert main(["show", "model.py:f", "--mode", "forward"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "s2s: error: forward mode is not available yet\n"
    assert captured.out == ""


def test_the_file_directory_is_importable(tmp_path):
    (tmp_path / "helpers.py").write_text("def square(x):\n    return x * x\n")
    (tmp_path / "user.py").write_text("from helpers import square\n\ndef g(x):\n    return square(x) + x\n")
    done = run("show", str(tmp_path / "user.py") + ":g", cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "def grad_g(x):" in done.stdout


def test_diff_identical_exits_0(workdir):
    saved = workdir / "saved.py"
    saved.write_text(run("show", "model.py:f", cwd=workdir).stdout)
    done = run("show", "model.py:f", "--diff", str(saved), cwd=workdir)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


def test_diff_different_exits_1_with_a_unified_diff(workdir):
    generated = run("show", "model.py:f", cwd=workdir).stdout
    saved = workdir / "saved.py"
    saved.write_text(generated.replace("1.0 / x1", "2.0 / x1") + "# an extra line\n")
    done = run("show", "model.py:f", "--diff", str(saved), cwd=workdir)
    assert done.returncode == 1
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0].startswith("--- ") and str(saved) in lines[0]
    assert lines[1].startswith("+++ ")
    assert any(line.startswith("@@") for line in lines)
    assert any(line.startswith("-") and "2.0 / x1" in line for line in lines)
    assert any(line.startswith("+") and "1.0 / x1" in line for line in lines)
    assert "-# an extra line" in lines


def test_diff_against_a_missing_file_is_a_user_error(workdir):
    assert_one_line_error(run("show", "model.py:f", "--diff", "nowhere.py", cwd=workdir), "nowhere.py")


def test_main_is_importable_and_returns_the_exit_status(workdir, capsys, monkeypatch):
    from s2s.cli import main
    monkeypatch.chdir(workdir)
    monkeypatch.setattr(sys, "path", list(sys.path))  # main puts the file's directory on sys.path
    assert main(["show", "model.py:nope"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no function named 'nope'" in err
