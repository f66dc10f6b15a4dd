"""Transform time grows linearly with the function (shape facts are memoised), never exponentially:
a chain of n lines each reading the one before once took ~4x longer per line (12 lines hung).
Not a timing benchmark: the bounds are far above the expected times, or count work (Python calls)
rather than time it, so a busy machine cannot fail them. The timings are in benchmarks/transform_time.py.
Cached transformations (a new `hessian` or `jacobian` object of a function already transformed) read
no source again."""
import importlib
import itertools
import linecache
import sys
import time

import numpy as np
import pytest

import s2s
from conftest import module_from_text


def _chain(n):
    text = "def f(x):\n    y = x\n" + "    y = y * x + 1.0\n" * n + "    return y\n"
    filename = f"<chain of {n}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
    namespace = {}
    exec(compile(text, filename, "exec"), namespace)
    return namespace["f"]


def test_vjp_of_a_chain_of_30_lines_is_transformed_quickly():
    f = _chain(30)
    start = time.perf_counter()
    value, pullback = s2s.vjp(f)(0.5)
    assert time.perf_counter() - start < 10.0  # exponential growth took hours here
    x, y = 0.5, 0.5
    dy = 1.0
    for _ in range(30):
        dy = dy * x + y
        y = y * x + 1.0
    assert abs(value - y) < 1e-12 and abs(pullback(1.0) - dy) < 1e-9


# --------------------------------------------------------------------------- work that grows with the function

def _python_calls(run) -> int:
    """How many Python functions `run()` calls: a deterministic measure of work, unlike a clock."""
    count = [0]

    def profile(frame, event, arg):
        if event == "call":
            count[0] += 1

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return count[0]


def _array_chain(n):
    """An array function of n lines, each reading the lines before (what simplify's shape facts follow)."""
    lines = ("    y = np.sin(y) * x + 1.0\n", "    z = y * y - x\n", "    y = np.tanh(z) + y * 0.5\n")
    text = "def f(x):\n    y = x * 2.0\n" + "".join(lines[i % 3] for i in range(n)) + "    return np.sum(y * y)\n"
    filename = f"<array chain of {n}, {next(_copies)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
    namespace = {"np": np}
    exec(compile(text, filename, "exec"), namespace)
    return namespace["f"]


_copies = itertools.count()


@pytest.mark.parametrize("transform", [s2s.grad, s2s.vjp, s2s.jvp], ids=["grad", "vjp", "jvp"])
def test_transform_work_is_linear_in_the_function(transform):
    # twice the lines, about twice the work (measured: 1.7-2.0); a pass that walks the whole function per
    # statement, or re-derives its facts per rewrite, makes it 4x
    small = _python_calls(lambda: transform(_array_chain(40)).source)
    large = _python_calls(lambda: transform(_array_chain(80)).source)
    assert large < 2.6 * small, (small, large)


def test_a_long_chain_needs_no_deep_recursion_in_simplify():
    # the shape facts of the adjoint of 200 lines, each reading the one before, are found without a
    # recursion per line (which Python's recursion limit stopped at 150 lines)
    from s2s.ad.reverse import reverse
    from s2s.api.transform import _namer_for, _primal
    from s2s.optimize.simplify import simplify
    primal, _, _ = _primal(_array_chain(200))
    adjoint = reverse(primal, ["x"], namer=_namer_for(primal), name="grad_f", single=True)
    out = simplify(adjoint)
    assert out.name == "grad_f" and len(out.body) > 200


# --------------------------------------------------------------------------- cached transformations

def _reads(monkeypatch) -> list:
    calls = []
    original = s2s.pipeline.read_function

    def reader(f):
        calls.append(f)
        return original(f)

    monkeypatch.setattr(s2s.pipeline, "read_function", reader)
    return calls


def cubic(x):
    return np.sum(x * x * x) + x[0] * x[1]


def test_a_new_hessian_or_forward_jacobian_of_the_same_function_reads_no_source(monkeypatch):
    x = np.array([0.5, -1.0, 2.0])
    expected_h = np.diag(6.0 * x) + np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    expected_j = 3.0 * x * x + np.array([x[1], x[0], 0.0])
    reads = _reads(monkeypatch)
    assert np.allclose(s2s.hessian(cubic)(x), expected_h)
    assert np.allclose(s2s.jacobian(cubic, mode="forward")(x), expected_j)
    first = len(reads)
    assert first > 0
    for _ in range(3):  # new objects, each called: the transformations and the facts about them are cached
        assert np.allclose(s2s.hessian(cubic)(x), expected_h)
        assert np.allclose(s2s.jacobian(cubic, mode="forward")(x), expected_j)
        assert np.allclose(s2s.jacobian(cubic, mode="reverse")(x), expected_j)
    assert len(reads) == first + 1  # (the one new transformation: the vjp that mode="reverse" pulls back)


def crossed(a, b):
    return np.cross(a, b, axisa=0) * 2.0  # np.cross with axisa has no vector-mode rule: one tangent at a time


def test_a_jacobian_without_vector_mode_remembers_that(monkeypatch):
    a, b = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])
    skew = np.array([[0.0, b[2], -b[1]], [-b[2], 0.0, b[0]], [b[1], -b[0], 0.0]])  # d(a x b)/da
    reads = _reads(monkeypatch)
    assert np.allclose(s2s.jacobian(crossed, mode="forward")(a, b), 2.0 * skew)
    first = len(reads)
    assert np.allclose(s2s.jacobian(crossed, mode="forward")(a, b), 2.0 * skew)
    assert len(reads) == first  # the refused vector-mode transformation is not tried again


def test_a_remembered_fact_follows_a_changed_constant(tmp_path):
    path = tmp_path / "transform_time_module.py"
    path.write_text("import numpy as np\nK = 2.0\n\ndef f(x):\n    return K * np.sum(x * x * x)\n")
    sys.path.insert(0, str(tmp_path))
    try:
        importlib.invalidate_caches()
        sys.modules.pop("transform_time_module", None)
        mod = importlib.import_module("transform_time_module")
    finally:
        sys.path.remove(str(tmp_path))
    x = np.array([1.0, 2.0])
    assert np.allclose(s2s.hessian(mod.f)(x), np.diag(2.0 * 6.0 * x))
    mod.K = 3.0  # baked into the generated code: the gradient, and what was derived from it, are made again
    assert np.allclose(s2s.hessian(mod.f)(x), np.diag(3.0 * 6.0 * x))
    assert np.allclose(s2s.jacobian(mod.f, mode="forward")(x), 3.0 * 3.0 * x * x)




def test_new_hessian_and_jacobian_objects_share_what_the_first_made(tmp_path):
    mod = module_from_text(tmp_path, "transform_time_shared", "import numpy as np\n\ndef f(x):\n"
                                                      "    return np.sum(np.sin(x) * x)\n")
    x = np.array([0.5, -1.0])
    expected = np.diag(2.0 * np.cos(x) - x * np.sin(x))  # d2/dx2 of sin(x) * x, elementwise
    first = s2s.hessian(mod.f)
    assert np.allclose(first(x), expected)
    again = s2s.hessian(mod.f)
    assert again is not first and again._jac is first._jac  # a new object, the same transformations
    assert np.allclose(again(x), expected)
    assert s2s.jacobian(mod.f)._vjp is s2s.jacobian(mod.f)._vjp
    assert s2s.jacobian(mod.f, mode="forward")._batched is s2s.jacobian(mod.f, mode="forward")._batched
    assert s2s.hessian(mod.f, wrt="x")._jac is not first._jac  # (another wrt: its own)


def test_a_hessian_whose_gradient_comes_to_keep_loop_stacks_leaves_vector_mode(tmp_path):
    # the helper is redefined with a loop the gradient saves values for: the gradient is made again with loop
    # stacks, where vector mode does not apply, and the Hessian already in vector mode goes one tangent at a time
    mod = module_from_text(tmp_path, "transform_time_stacks", "import numpy as np\n\ndef helper(x):\n"
                                                     "    return np.sin(x) * x\n\ndef f(x):\n"
                                                     "    return np.sum(helper(x))\n")
    x = np.array([0.5, -1.0])
    h = s2s.hessian(mod.f)
    assert np.allclose(h(x), np.diag(2.0 * np.cos(x) - x * np.sin(x)))
    looped = module_from_text(tmp_path, "transform_time_looped", "import numpy as np\n\ndef helper(x):\n    y = x\n"
                                                        "    for _ in range(2):\n        y = np.sin(y)\n    return y\n")
    mod.helper = looped.helper
    s1, c1 = np.sin(x), np.cos(x)
    d1 = np.cos(s1) * c1  # d/dx sin(sin(x))
    d2 = -np.sin(s1) * c1 * c1 - np.cos(s1) * s1
    assert np.allclose(h(x), np.diag(d2))
    assert np.allclose(s2s.hessian(mod.f)(x), np.diag(d2))
    assert np.allclose(s2s.grad(mod.f)(x), d1)
