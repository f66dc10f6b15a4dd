"""Regressions from the fourth bug hunt (hunt4tool): long straight-line functions, the generated source as a
module of its own, and the command line. Derivatives are checked against analytic formulas."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, module_from_text


# ---------------------------------------------------------------- long straight-line functions

def _chain(tmp_path, name: str, n: int, line: str):
    body = "".join("    s = s + " + line.format(c=f"{0.01 * k:.2f}") + "\n" for k in range(n))
    text = f"import numpy as np\n\n\ndef long_sum(x):\n    s = 0.0\n{body}    return np.sum(s)\n"
    return module_from_text(tmp_path, name, text).long_sum


def _sin_chain_derivatives(x, n):
    c = 0.01 * np.arange(n)
    sums = np.sin(np.outer(c, x))  # (n, len(x)): sin(c_k x_j)
    grad = x[0] * (c @ np.cos(np.outer(c, x)))
    grad[0] += np.sum(sums)
    hess = np.zeros((len(x), len(x)))
    dcos = c @ np.cos(np.outer(c, x))
    d2 = -(c * c) @ sums
    hess[0, :] += dcos
    hess[:, 0] += dcos
    hess += np.diag(x[0] * d2)
    value = x[0] * np.sum(sums)
    return value, grad, hess


def test_long_straight_line_function_in_every_mode(tmp_path):
    # 150 lines: reverse mode raised RecursionError in front/results.py (maybe_int walked the chain recursively)
    n = 150
    f = _chain(tmp_path, "hunt4_chain150", n, "np.sum(np.sin(x * {c})) * x[0]")
    x = np.array([0.3, -0.7, 1.1])
    value, grad, hess = _sin_chain_derivatives(x, n)
    assert f(x) == pytest.approx(value, rel=1e-12)
    assert_close(s2s.grad(f)(x), grad, what="grad")
    v, g = s2s.value_and_grad(f)(x)
    assert v == pytest.approx(value, rel=1e-12)
    assert_close(g, grad, what="value_and_grad")
    assert_close(s2s.vjp(f)(x)[1](1.0), grad, what="vjp")
    t = np.array([0.5, -1.0, 2.0])
    assert_close(s2s.jvp(f)((x,), (t,))[1], grad @ t, what="jvp")
    assert_close(s2s.jacobian(f, mode="forward")(x), grad, what="forward jacobian")
    assert_close(s2s.jacobian(f, mode="reverse")(x), grad, what="reverse jacobian")
    assert_close(s2s.hessian(f)(x), hess, what="hessian")
    assert_close(s2s.jacobian(s2s.grad(f))(x), hess, what="jacobian of grad")


def test_thousand_line_sum_is_written_in_statements_python_compiles(tmp_path):
    # 1000 lines of `s = s + x * c`: the adjoint's sum of 1000 terms folded into one expression, which codegen
    # built recursively (RecursionError), and that Python could not have compiled either
    n = 1000
    f = _chain(tmp_path, "hunt4_chain1000", n, "x * {c}")
    x = np.array([0.3, -0.7])
    g = s2s.grad(f)
    assert_close(g(x), np.full(2, 0.01 * np.sum(np.arange(n))), what="grad")
    longest = max(line.count(" + ") for line in g.source.splitlines())
    assert longest < 40, longest  # (at most folding.MAX_DEPTH calls in one expression)


def test_thousand_line_sum_of_element_reads(tmp_path):
    # 1000 lines reading x[0]: the sum of their getitem adjoints (optimize/scatter.py's _terms) nested 1000 deep
    n = 1000
    f = _chain(tmp_path, "hunt4_chain1000s", n, "np.sum(np.sin(x * {c})) * x[0]")
    x = np.array([0.3, -0.7])
    _, grad, _ = _sin_chain_derivatives(x, n)
    assert_close(s2s.vjp(f)(x)[1](1.0), grad, what="vjp")


# ---------------------------------------------------------------- the generated source as a module of its own

DATA_MODULE = '''\
import numpy as np

A = np.array([2.0, 3.0])


def f2(x):
    return np.sin(x) * A[0]


def cubes(x):
    return np.sum(A * x ** 3)


def make():
    B = np.array([0.5, -1.0])

    def g(x):
        return np.sum(B * np.sin(x))
    return g
'''


def _saved(tmp_path, name: str, text: str, **given):
    """The text written to a file and executed as a module (with `given` set on it first)."""
    import importlib.util
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    for k, v in given.items():
        setattr(module, k, v)
    spec.loader.exec_module(module)
    entry = [v for k, v in vars(module).items() if callable(v) and getattr(v, "__module__", None) == name][-1]
    return entry


def test_source_of_second_order_transformations_imports_module_data_from_its_module(tmp_path):
    # grad(grad(f)) and hessian(f) of a function reading module data: the text said `from s2s_generated import A`
    m = module_from_text(tmp_path, "hunt4_data", DATA_MODULE)
    gg = s2s.grad(s2s.grad(m.f2))
    assert "from hunt4_data import A" in gg.source and "s2s_generated" not in gg.source, gg.source
    assert _saved(tmp_path, "saved_gg", gg.source)(0.5) == pytest.approx(-2.0 * np.sin(0.5), rel=1e-12)
    h = s2s.hessian(m.cubes)
    assert "from hunt4_data import A" in h.source and "s2s_generated" not in h.source, h.source
    x = np.array([0.3, -0.4])
    entry = _saved(tmp_path, "saved_h", h.source)  # (the entry point, hessian_cubes(x): API.md, d760e44)
    assert_close(entry(x), np.diag(6.0 * np.array([2.0, 3.0]) * x), what="hessian, saved text")
    assert_close(h(x), np.diag(6.0 * np.array([2.0, 3.0]) * x), what="hessian")


def test_source_reading_closure_data_says_what_to_give(tmp_path):
    # a function closing over an array: the saved text raised NameError in the middle of the function
    m = module_from_text(tmp_path, "hunt4_data2", DATA_MODULE)
    g = m.make()
    B = np.array([0.5, -1.0])
    x = np.array([0.1, 0.2])
    for t in (s2s.grad(g), s2s.vjp(g), s2s.hessian(g)):
        src = t.source
        assert "# " in src.splitlines()[1] and "cannot import" in src.splitlines()[1], src
        with pytest.raises(RuntimeError, match=r"needs B .*exec\(text, \{'B': B\}\)"):
            _saved(tmp_path, "saved_closure", src)
    grad = _saved(tmp_path, "saved_closure_given", s2s.grad(g).source, B=B)
    assert_close(grad(x), B * np.cos(x), what="grad, B set on the module")
    namespace = {"B": B}
    exec(s2s.grad(g).source, namespace)
    assert_close(namespace["grad_g"](x), B * np.cos(x), what="grad, exec with B given")
    assert_close(s2s.grad(g)(x), B * np.cos(x), what="grad in process")


# ---------------------------------------------------------------- the command line

def _cli_dir(tmp_path):
    from test_cli import MODULE
    (tmp_path / "model.py").write_text(MODULE)
    (tmp_path / "printer.py").write_text('print("hello at import")\n\n\ndef f(x):\n    return x * x\n')
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "sub.py").write_text("def h(x):\n    return x * 3.0\n")
    (pkg / "user.py").write_text("from .sub import h\n\n\ndef f(x):\n    return h(x) * x\n")
    return tmp_path


def _run_grad_text(text: str, name: str, *args):
    namespace: dict = {}
    exec(compile(text, f"<{name}>", "exec"), namespace)
    return namespace[name](*args)


def test_cli_import_time_print_goes_to_stderr(tmp_path):
    from test_cli import run
    done = run("show", "printer.py:f", cwd=_cli_dir(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Generated by s2s"), done.stdout
    assert "hello at import" in done.stderr and "hello" not in done.stdout
    assert _run_grad_text(done.stdout, "grad_f", 1.5) == 3.0


def test_cli_module_of_a_package_with_relative_imports(tmp_path):
    # pkg/user.py does `from .sub import h`: it was imported as a file of its own, and refused with Python's
    # "attempted relative import with no known parent package"
    from test_cli import run
    done = run("show", "pkg/user.py:f", cwd=_cli_dir(tmp_path))
    assert done.returncode == 0, done.stderr
    assert _run_grad_text(done.stdout, "grad_f", 1.5) == pytest.approx(6.0 * 1.5)  # d/dx 3 x^2


def test_cli_other_wrt_or_mode_of_a_decorated_function_is_refused(tmp_path):
    # @s2s.grad(wrt="x2") def decorated(x1, x2): --wrt x1 printed the gradient of that gradient
    from test_cli import assert_one_line_error, run
    cwd = _cli_dir(tmp_path)
    own = run("show", "model.py:decorated", cwd=cwd)
    assert own.returncode == 0, own.stderr
    for same in (["--wrt", "x2"], ["--wrt", "1"], ["--mode", "reverse"]):
        done = run("show", "model.py:decorated", *same, cwd=cwd)
        assert done.returncode == 0 and done.stdout == own.stdout, (same, done.stderr)
    assert _run_grad_text(own.stdout, "grad_decorated", 2.0, 5.0) == 2.0  # d/dx2 x1 x2
    assert_one_line_error(run("show", "model.py:decorated", "--wrt", "x1", cwd=cwd),
                          "decorated is decorated in its file", "wrt='x2'", "leave out --wrt")
    assert_one_line_error(run("show", "model.py:decorated", "--mode", "forward", cwd=cwd),
                          "decorated is decorated in its file", "leave out --mode")
    stage = run("show", "model.py:decorated", "--stage", "python", cwd=cwd)  # the decorator's wrt, not 0
    assert stage.returncode == 0 and stage.stdout.rstrip("\n") == own.stdout.rstrip("\n"), stage.stderr


def test_cli_refuses_options_it_would_ignore(tmp_path):
    from test_cli import assert_one_line_error, run
    cwd = _cli_dir(tmp_path)
    assert_one_line_error(run("show", "model.py:f", "--ssa", "--stage", "python", cwd=cwd), "--stage", "--ssa")
    assert_one_line_error(run("show", "model.py:f", "--ssa", "--wrt", "x2", cwd=cwd), "--ssa", "leave out --wrt")
    assert_one_line_error(run("show", "model.py:f", "--diff", "pkg", cwd=cwd), "pkg: is a directory",
                          "saved file")
    assert_one_line_error(run("show", "pkg:f", cwd=cwd), "pkg: is a directory", "FILE.py:FUNC")
