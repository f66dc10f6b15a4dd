"""Bad input gets a clear error that points at the user's own line."""
import inspect
import os
import statistics

import numpy as np
import pytest

import s2s
import error_functions as ef

SOURCE = inspect.getsource(ef).splitlines()
FILE = os.path.abspath(ef.__file__)


def marked_line(fn) -> int:
    """The line number (in error_functions.py) marked `# error-here` inside fn."""
    lines, start = inspect.getsourcelines(fn)
    for i, text in enumerate(lines):
        if "# error-here" in text:
            return start + i
    raise AssertionError(f"no marker in {fn.__name__}")


UNSUPPORTED = [
    (ef.uses_try, "try"),
    (ef.uses_with, "with"),
    (ef.uses_yield, "yield is not supported"),
    (ef.uses_async, "async"),
    (ef.uses_global, "global"),
    (ef.uses_class, "class"),
    (ef.uses_del, "del"),
    (ef.uses_import, "import"),
    (ef.no_return, "does not return a value"),
    (ef.undefined_name, "not_defined_anywhere"),
    (ef.method_of_unknown, "frobnicate"),
    (ef.writes_into_parameter, "did not create"),
]


@pytest.mark.parametrize("fn,construct", UNSUPPORTED, ids=[u[0].__name__ for u in UNSUPPORTED])
def test_unsupported_syntax_points_at_the_line(fn, construct):
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(fn)(1.0)
    err = info.value
    assert isinstance(err, SyntaxError) and isinstance(err, s2s.S2SError)
    line = marked_line(fn)
    assert err.lineno == line
    assert err.filename == FILE
    text = str(err)
    assert construct in text
    assert f"{FILE}:{line}:" in text
    assert SOURCE[line - 1].strip() in text  # the line itself
    assert "^" in text  # a caret under the construct


def test_caret_sits_under_the_construct():
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(ef.uses_import)(1.0)
    line = SOURCE[info.value.lineno - 1]
    assert info.value.offset == line.index("import") + 1


def test_error_is_raised_on_first_use_not_at_decoration():
    g = s2s.grad(ef.uses_try)  # no error yet: transformation happens on first use
    with pytest.raises(s2s.UnsupportedSyntaxError):
        g.source


@pytest.mark.parametrize("fn,callee", [(ef.unknown_callee, "fft"), (ef.opaque_callee, "OPAQUE")])
def test_call_without_rule_or_source(fn, callee):
    with pytest.raises(s2s.NonDifferentiableError) as info:
        s2s.grad(fn)(1.0)
    text = str(info.value)
    assert callee in text
    assert f"{FILE}:{marked_line(fn)}" in text
    assert "s2s.adjoint" in text


def test_source_unavailable_for_builtins_and_exec():
    with pytest.raises(s2s.SourceUnavailableError) as info:  # (a builtin without a rule; math.sin has one)
        s2s.grad(len)(1.0)
    assert "len" in str(info.value)
    namespace = {}
    exec("def made_by_exec(x):\n    return x * x\n", namespace)
    with pytest.raises(s2s.SourceUnavailableError) as info:
        s2s.grad(namespace["made_by_exec"])(1.0)
    assert "made_by_exec" in str(info.value)


def test_non_scalar_result_names_vjp():
    with pytest.raises(ValueError, match="vjp"):
        s2s.grad(ef.non_scalar)(np.ones(3))


def test_bad_wrt():
    with pytest.raises(ValueError, match="not a parameter"):
        s2s.grad(ef.non_scalar, wrt="y")(1.0)
    with pytest.raises(ValueError, match="out of range"):
        s2s.grad(ef.non_scalar, wrt=3)(1.0)


def opaque_constant_call(x):
    noise = np.random.default_rng(0).normal(size=3)
    return np.sum(x * noise)


def test_calls_without_rules_on_constants_are_just_called():
    x = np.array([1.0, 2.0, 3.0])
    g = s2s.grad(opaque_constant_call)(x)
    assert np.allclose(g, np.random.default_rng(0).normal(size=3))
    assert "default_rng(0).normal(size=3)" in s2s.grad(opaque_constant_call).source


def test_function_typed_at_the_prompt_or_python_c_gets_a_hint():
    namespace = {}
    exec(compile("def typed(x):\n    return x * x\n", "<stdin>", "exec"), namespace)
    with pytest.raises(s2s.SourceUnavailableError) as info:
        s2s.grad(namespace["typed"])(1.0)
    assert "<stdin>" in str(info.value) and "define it in a file or a notebook cell" in str(info.value)


def test_attribute_typo_raises_what_python_raises_at_the_users_line():
    def f(x):
        return np.summ(x)  # the typo
    with pytest.raises(AttributeError) as info:
        s2s.grad(f)(np.ones(3))
    text = str(info.value)
    assert text.startswith("module 'numpy' has no attribute 'summ'") and "'sum'" in text
    assert "return np.summ(x)" in text and f"{__file__}:" in text
    with pytest.raises(AttributeError):
        f(np.ones(3))  # as Python itself


def test_grad_of_a_tuple_result_names_vjp_and_jacobian():
    def f(x):
        return x * 2.0, x
    with pytest.raises(ValueError) as info:
        s2s.grad(f)(1.0)
    assert "returns a tuple" in str(info.value) and "s2s.vjp" in str(info.value) and "s2s.jacobian" in str(info.value)
    value, pullback = s2s.vjp(f)(1.0)
    assert pullback((1.0, 1.0)) == 3.0


def _library_mean(x):
    import_free = x * 2.0
    return statistics.geometric_mean([x, import_free])


def test_a_library_function_whose_source_s2s_cannot_follow_is_a_call_without_rule_at_the_users_line():
    """statistics.geometric_mean is Python, with a try statement: the error named the try in statistics.py, not the
    user's call (scipy.linalg.expm's f-strings did the same)."""
    with pytest.raises(s2s.NonDifferentiableError) as info:
        s2s.grad(_library_mean)(0.3)
    err = info.value
    assert err.callee == "statistics.geometric_mean" and err.filename == __file__
    assert err.lineno == inspect.getsourcelines(_library_mean)[1] + 2
    assert "s2s does not follow its source in statistics (a try statement is not supported by s2s)" in str(err)
    assert "@s2s.adjoint(statistics.geometric_mean)" in str(err)
