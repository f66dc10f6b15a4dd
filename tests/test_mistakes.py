"""A corpus of the mistakes users make, each checked for an error that teaches.

Every case makes one mistake and checks the error it gets, as a user reads it:

(a) its type is what a user expects: an `s2s.S2SError` subclass for what s2s cannot do, and Python's
    own `TypeError`, `ValueError`, `AttributeError` or `IndexError` where Python itself would raise it;
(b) it names the user's file and line (`file:line` in the message; for an error raised while the
    generated derivative runs, the traceback ends at the user's line, as it would for the function
    itself), and shows the line with a caret under the construct where the error is about one;
(c) it says what to write instead: each case names a phrase of its message. An error of the user's
    own computation (an index past the end, a division by zero) is the one Python raises for the
    function itself, with the same message: what fixes the function fixes its derivative.

The mistaken functions live in mistake_functions.py (s2s reads source from files), with the line each
error must name marked `# mistake-here`.
"""
from __future__ import annotations

import functools
import inspect
import os
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

import mistake_functions as mf
import s2s

FILE = os.path.abspath(mf.__file__)
HERE = os.path.abspath(__file__)
ROOT = Path(__file__).resolve().parents[1]


def marked(fn) -> tuple[str, int]:
    """(file, line) of the line marked `# mistake-here` in fn."""
    lines, start = inspect.getsourcelines(fn)
    for i, text in enumerate(lines):
        if "# mistake-here" in text:
            return FILE, start + i
    raise AssertionError(f"no marker in {fn.__name__}")


def source_line(where: tuple[str, int]) -> str:
    return Path(where[0]).read_text().splitlines()[where[1] - 1].strip()


@dataclass
class Mistake:
    name: str
    run: Callable[[], object]        # makes the mistake (it must raise)
    error: type                      # (a) what is raised
    where: tuple[str, int] | None    # (b) the user's file and line it must name
    fix: str | Callable | None       # (c) a phrase of the message, or the call of the original that raises the same
    caret: bool = False              # a caret under the construct
    at_runtime: bool = False         # raised while the generated code runs: the traceback ends at `where`


def same_as(original: Callable) -> Callable:
    """(c) for the user's own runtime errors: the message is the one the original function raises."""
    original.same_as = True
    return original


def register_then(rule_kind, func, rule, then):
    """Register `rule` for `func` (@s2s.adjoint or @s2s.tangent), then make the mistake."""
    def run():
        rule_kind(func)(rule)
        return then()
    return run


def run_python(code: str, stdin: str | None = None, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    return subprocess.run([sys.executable, *args, *([] if code is None else ["-c", code])], input=stdin,
                          capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)


A3 = np.ones(3)
M33 = np.ones((3, 3))

MISTAKES = [
    # ---- what cannot be transformed at all
    # (a builtin or ufunc with a derivative rule, s2s.grad(abs), s2s.grad(np.sin), is the function calling it)
    Mistake("builtin function without a rule", lambda: s2s.grad(len)(1.0), s2s.SourceUnavailableError, None,
            "transform a Python function that calls it (def f(x): return len(x))"),
    Mistake("numpy ufunc without a rule", lambda: s2s.grad(np.floor)(1.0), s2s.SourceUnavailableError, None,
            "def f(x): return np.floor(x)"),
    Mistake("a class", lambda: s2s.grad(mf.Model)(1.0), s2s.SourceUnavailableError, None,
            "s2s.grad(Model.method)"),
    Mistake("functools.partial", lambda: s2s.grad(functools.partial(mf.two_args, y=2.0))(1.0),
            s2s.SourceUnavailableError, None, "s2s.grad(two_args)(x, y=2.0)"),
    Mistake("wrt passed as the function", lambda: s2s.grad(0), TypeError, None,
            "got 0, which is not callable; to choose the parameter, write s2s.grad(f, wrt=0)"),
    # ---- typos
    Mistake("numpy typo", lambda: s2s.grad(mf.numpy_typo)(A3), AttributeError, marked(mf.numpy_typo),
            "Did you mean: 'sum'", caret=True),
    Mistake("math typo", lambda: s2s.grad(mf.math_typo)(1.0), AttributeError, marked(mf.math_typo),
            "Did you mean: 'sin'", caret=True),
    Mistake("name typo", lambda: s2s.grad(mf.name_typo)(1.0), s2s.UnsupportedSyntaxError, marked(mf.name_typo),
            "did you mean 'total'?", caret=True),
    Mistake("helper typo", lambda: s2s.grad(mf.helper_typo)(1.0), s2s.UnsupportedSyntaxError,
            marked(mf.helper_typo), "did you mean 'helper'?", caret=True),
    Mistake("unknown method", lambda: s2s.grad(mf.unknown_method)(A3), s2s.UnsupportedSyntaxError,
            marked(mf.unknown_method), "call the NumPy function instead", caret=True),
    # ---- wrt
    Mistake("wrt name typo", lambda: s2s.grad(mf.loss, wrt="wieghts")(A3, M33), ValueError, marked(mf.loss),
            "did you mean wrt='weights'?"),
    Mistake("wrt out of range", lambda: s2s.grad(mf.loss, wrt=2)(A3, M33), ValueError, marked(mf.loss),
            "the last is wrt=1"),
    Mistake("wrt a float", lambda: s2s.grad(mf.loss, wrt=1.0)(A3, M33), TypeError, marked(mf.loss),
            "write wrt=0 or wrt='weights'"),
    Mistake("wrt twice", lambda: s2s.grad(mf.loss, wrt=(0, "weights"))(A3, M33), ValueError, marked(mf.loss),
            "name each parameter once"),
    Mistake("wrt a string argument", lambda: s2s.grad(mf.scaled, wrt=1)(2.0, "metres"), TypeError, None,
            "choose a float or array parameter with wrt="),
    Mistake("decorated method: wrt=0 is self", lambda: s2s.grad(mf.Model.energy).__get__(mf.Model())(3.0),
            TypeError, None, "@s2s.grad(wrt='name')"),
    # ---- arguments
    Mistake("integer array argument", lambda: s2s.grad(mf.square_elements)(np.arange(3)), TypeError, None,
            "pass x.astype(float)"),
    Mistake("bool argument", lambda: s2s.grad(mf.two_args)(True, 2.0), TypeError, None, "pass a float"),
    Mistake("too few arguments", lambda: s2s.grad(mf.two_args)(1.0), TypeError, None,
            "two_args() missing 1 required positional argument: 'y'"),
    Mistake("unknown keyword", lambda: s2s.grad(mf.two_args)(1.0, z=2.0), TypeError, None,
            "two_args() got an unexpected keyword argument 'z'"),
    Mistake("pullback cotangent of the wrong shape", lambda: s2s.vjp(mf.vector_result)(A3)[1](np.ones(4)),
            ValueError, None, "pass one shaped like the value (for an array value, np.ones_like(value))"),
    Mistake("pullback cotangent of the wrong structure", lambda: s2s.vjp(mf.tuple_result)(1.0)[1](1.0),
            ValueError, None, "a tuple of shapes [(), ()], but got a value of shape ()"),
    Mistake("jvp tangents not a tuple", lambda: s2s.jvp(mf.two_args)((1.0, 2.0), 1.0), TypeError, None,
            "a 1-tuple for a single wrt"),
    Mistake("jacobian mode typo", lambda: s2s.jacobian(mf.vector_result, mode="backward"), ValueError, None,
            "mode='reverse'"),
    # ---- results
    Mistake("grad of a vector", lambda: s2s.grad(mf.vector_result)(A3), ValueError, marked(mf.vector_result),
            "s2s.jacobian (every derivative) for an array result", at_runtime=True),
    Mistake("grad of a tuple", lambda: s2s.grad(mf.tuple_result)(1.0), ValueError, marked(mf.tuple_result),
            "use s2s.vjp (a pullback for all of it) or s2s.jacobian"),
    Mistake("grad of a list", lambda: s2s.grad(mf.list_result)(1.0), ValueError, marked(mf.list_result),
            "or return the one number to differentiate"),
    Mistake("None on one path", lambda: s2s.grad(mf.none_on_a_path)(-1.0), s2s.ResultTypeError,
            marked(mf.none_on_a_path), f"returned None at line {marked(mf.none_on_a_path)[1]}: if x > 0.0:, which "
                                       f"has no derivative: return a number on every path", at_runtime=True),
    Mistake("a comparison as the result", lambda: s2s.grad(mf.comparison_result)(2.0), s2s.ResultTypeError,
            marked(mf.comparison_result), "return the value it chooses", at_runtime=True),
    Mistake("hessian of a vector", lambda: s2s.hessian(mf.square_elements)(A3), ValueError,
            marked(mf.square_elements), "hessian needs a function with a scalar result", at_runtime=True),
    # ---- constructs s2s does not handle
    Mistake("try", lambda: s2s.grad(mf.uses_try)(1.0), s2s.UnsupportedSyntaxError, marked(mf.uses_try),
            "test the condition with an if statement", caret=True),
    Mistake("with open", lambda: s2s.grad(mf.reads_a_file)(1.0), s2s.UnsupportedSyntaxError,
            marked(mf.reads_a_file), "in the caller", caret=True),
    Mistake("yield", lambda: s2s.grad(mf.generator)(1.0), s2s.UnsupportedSyntaxError, marked(mf.generator),
            "collect the values in a list", caret=True),
    Mistake("global", lambda: s2s.grad(mf.uses_global)(1.0), s2s.UnsupportedSyntaxError,
            marked(mf.uses_global), "read module-level names without global", caret=True),
    Mistake("class inside", lambda: s2s.grad(mf.class_inside)(1.0), s2s.UnsupportedSyntaxError,
            marked(mf.class_inside), "define the class at module level", caret=True),
    Mistake("del", lambda: s2s.grad(mf.uses_del)(1.0), s2s.UnsupportedSyntaxError, marked(mf.uses_del),
            "leave the name unused", caret=True),
    Mistake("import inside", lambda: s2s.grad(mf.imports_inside)(1.0), s2s.UnsupportedSyntaxError,
            marked(mf.imports_inside), "import at module level", caret=True),
    Mistake("async def", lambda: s2s.grad(mf.async_function)(1.0), s2s.UnsupportedSyntaxError,
            marked(mf.async_function), "plain def function", caret=True),
    Mistake("walrus", lambda: s2s.grad(mf.walrus)(1.0), s2s.UnsupportedSyntaxError, marked(mf.walrus),
            "assign on a line of its own", caret=True),
    Mistake("match", lambda: s2s.grad(mf.uses_match)(1.0), s2s.UnsupportedSyntaxError, marked(mf.uses_match),
            "use if / elif / else", caret=True),
    Mistake("nonlocal", lambda: s2s.grad(mf.uses_nonlocal)(1.0), s2s.UnsupportedSyntaxError,
            marked(mf.uses_nonlocal), "pass the value in as an argument and return the new value", caret=True),
    Mistake("a path without return", lambda: s2s.grad(mf.missing_return)(1.0), s2s.UnsupportedSyntaxError,
            marked(mf.missing_return), "end every path with a return statement", caret=True),
    Mistake("writing into an argument", lambda: s2s.grad(mf.writes_into_argument)(A3), s2s.UnsupportedSyntaxError,
            marked(mf.writes_into_argument), "x = np.copy(x)", caret=True),
    Mistake("a discarded result", lambda: s2s.grad(mf.discarded_result)(A3), s2s.UnsupportedSyntaxError,
            marked(mf.discarded_result), "assign the result to a name", caret=True),
    # ---- errors while the derivative runs: at the user's line, with the function's own message
    Mistake("index past the end in nested loops", lambda: s2s.grad(mf.index_past_the_end)(M33), IndexError,
            marked(mf.index_past_the_end), same_as(lambda: mf.index_past_the_end(M33)), at_runtime=True),
    Mistake("index past the end in a while loop", lambda: s2s.grad(mf.index_in_while)(A3, 4), IndexError,
            marked(mf.index_in_while), same_as(lambda: mf.index_in_while(A3, 4)), at_runtime=True),
    Mistake("index past the end, forward mode", lambda: s2s.jacobian(mf.index_past_the_end, mode="forward")(M33),
            IndexError, marked(mf.index_past_the_end), same_as(lambda: mf.index_past_the_end(M33)), at_runtime=True),
    Mistake("matmul shapes in a loop", lambda: s2s.grad(mf.matmul_shapes_in_loop)(np.ones((3, 4)), np.ones(4)),
            ValueError, marked(mf.matmul_shapes_in_loop),
            same_as(lambda: mf.matmul_shapes_in_loop(np.ones((3, 4)), np.ones(4))), at_runtime=True),
    Mistake("division by zero", lambda: s2s.grad(mf.divides_by_zero)(1.0, 0.0), ZeroDivisionError,
            marked(mf.divides_by_zero), same_as(lambda: mf.divides_by_zero(1.0, 0.0)), at_runtime=True),
    Mistake("math domain error in a loop", lambda: s2s.grad(mf.sqrt_of_negative_in_loop)(1.0, 3), ValueError,
            marked(mf.sqrt_of_negative_in_loop), same_as(lambda: mf.sqrt_of_negative_in_loop(1.0, 3)),
            at_runtime=True),
    Mistake("+= on an argument array", lambda: s2s.grad(mf.adds_in_place)(A3), s2s.S2SError,
            marked(mf.adds_in_place), "write it as a new value ('x = x + 1.0')", at_runtime=True),
    # ---- custom rules
    Mistake("adjoint rule returns a bare value",
            register_then(s2s.adjoint, mf.softclip, mf.softclip_adjoint_not_a_tuple,
                          lambda: s2s.grad(mf.uses_softclip)(0.3)),
            TypeError, marked(mf.uses_softclip), "write return (adjoint,) for one argument", at_runtime=True),
    Mistake("adjoint rule returns too few adjoints",
            register_then(s2s.adjoint, mf.weighted, mf.weighted_adjoint_too_few,
                          lambda: s2s.grad(mf.uses_weighted, wrt=(0, 1))(0.3, 2.0)),
            TypeError, marked(mf.uses_weighted), "one adjoint per positional argument", at_runtime=True),
    Mistake("tangent rule without ans", lambda: s2s.tangent(mf.cube)(mf.cube_tangent_without_ans), TypeError,
            marked(mf.cube_tangent_without_ans), "write def cube_tangent_without_ans(tangents, ans, x):"),
    Mistake("adjoint rule without g", lambda: s2s.adjoint(mf.quartic)(mf.quartic_adjoint_without_g), TypeError,
            marked(mf.quartic_adjoint_without_g), "write def quartic_adjoint_without_g(g, ans, x):"),
    Mistake("forward mode with only an adjoint rule",
            register_then(s2s.adjoint, mf.halve, mf.halve_adjoint, lambda: s2s.jvp(mf.uses_halve)((1.0,), (1.0,))),
            s2s.NonDifferentiableError, marked(mf.uses_halve), "@s2s.tangent(halve)"),
    Mistake("a C function without a rule", lambda: s2s.grad(mf.smooth_step)(A3), s2s.NonDifferentiableError,
            marked(mf.smooth_step), "Register a rule with @s2s.adjoint(ERF)"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.name for m in MISTAKES])
def test_the_error_says_what_where_and_what_instead(mistake):
    with pytest.raises(Exception) as info:
        mistake.run()
    exc = info.value
    text = str(exc)
    # (a) the type a user expects
    assert isinstance(exc, mistake.error), f"{type(exc).__name__}: {text}"
    # (b) where: the user's file and line
    if mistake.where is not None:
        file, line = mistake.where
        if mistake.at_runtime:
            last = traceback.extract_tb(exc.__traceback__)[-1]
            assert (last.filename, last.lineno) == (file, line), traceback.format_exception(exc)
        else:
            assert f"{file}:{line}" in text, text
    if mistake.caret:
        assert "^" in text and source_line(mistake.where) in text, text
    # (c) what to write instead
    if getattr(mistake.fix, "same_as", False):
        with pytest.raises(mistake.error) as original:
            mistake.fix()
        assert text == str(original.value)
        frame = traceback.extract_tb(original.value.__traceback__)[-1]
        assert (frame.filename, frame.lineno) == mistake.where
    elif mistake.fix is not None:
        assert mistake.fix in text, text


def test_the_corpus_has_forty_distinct_mistakes():
    names = [m.name for m in MISTAKES] + [c[0] for c in CLI_MISTAKES] + ["python -c", "the interactive prompt"]
    assert len(set(names)) == len(names) >= 40


# ---- functions with no source file: python -c and the prompt

def test_a_function_from_python_c_says_where_to_define_it():
    code = "import s2s\ndef f(x):\n    return x * x\nprint(s2s.grad(f)(3.0))\n"
    done = run_python(code)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("s2s.errors.SourceUnavailableError: cannot read the source of f: it was defined in "
                           "<string>"), done.stderr
    assert "define it in a file or a notebook cell" in last


def test_a_lambda_at_the_interactive_prompt_says_where_to_define_it():
    done = run_python(None, "import s2s\ng = s2s.grad(lambda x: x * x)\ng(1.0)\n", "-i")
    assert "SourceUnavailableError: cannot read the source of <lambda>: it was defined in <stdin>" in done.stderr
    assert "define it in a file or a notebook cell" in done.stderr


# ---- the command line: one line on stderr, exit 1, no traceback

CLI_MISTAKES = [
    ("cli: function name typo", "mistake_functions.py:los", "no function named 'los'; did you mean 'loss'?"),
    ("cli: no such function", "mistake_functions.py:nowhere", "no function named 'nowhere'; its functions are"),
    ("cli: unsupported construct", "mistake_functions.py:uses_try",
     f"mistake_functions.py:{marked(mf.uses_try)[1]}:5: a try statement is not supported by s2s (test the "
     f"condition with an if statement"),
    ("cli: numpy typo", "mistake_functions.py:numpy_typo",
     f"{FILE}:{marked(mf.numpy_typo)[1]}:12: module 'numpy' has no attribute 'summ'. Did you mean: 'sum'"),
    ("cli: wrt typo", "mistake_functions.py:loss --wrt wieghts", "did you mean wrt='weights'?"),
]


@pytest.mark.parametrize("name,args,expected", CLI_MISTAKES, ids=[c[0] for c in CLI_MISTAKES])
def test_command_line_mistakes(name, args, expected):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    done = subprocess.run([sys.executable, "-m", "s2s", "show", *args.split()], cwd=Path(FILE).parent, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("s2s: error: ") and expected in done.stderr, done.stderr


# ---- what is not a mistake

def test_an_int_argument_gets_a_float_derivative():
    """As in autograd (JAX refuses ints): a Python int is a number, and its derivative is a float."""
    g = s2s.grad(mf.two_args)(3, 2)
    assert g == 2.0 and isinstance(g, float)


def test_the_rule_mistakes_fixed_give_the_derivative():
    """The fix each rule error names works: a tuple from the adjoint, (tangents, ans, x) for the tangent."""
    s2s.adjoint(mf.softclip)(lambda g, ans, x: (g * (1.0 - ans * ans),))
    assert np.isclose(s2s.grad(mf.uses_softclip)(0.3), 2.0 * (1.0 - np.tanh(0.3) ** 2))
    s2s.tangent(mf.cube)(lambda tangents, ans, x: 3.0 * x * x * tangents[0])
    assert np.isclose(s2s.jvp(mf.cube)((2.0,), (1.0,))[1], 12.0)


def test_check_grad_names_the_rule_that_is_wrong():
    s2s.adjoint(mf.square)(mf.square_adjoint_wrong)
    s2s.tangent(mf.square)(mf.square_tangent)
    with pytest.raises(AssertionError) as info:
        s2s.check_grad(mf.uses_square, 0.7)
    text = str(info.value)
    assert "reverse mode, d/dx: 1 of 1 element(s) differ" in text and "forward mode, d/dx" not in text
    assert "0.7" in text and "1.4" in text  # analytic (g * x) and numeric (2 * x)
    assert f"{FILE}:{inspect.getsourcelines(mf.uses_square)[1]}" in text
    assert "@s2s.adjoint for reverse" in text


def sin_times_first(x):
    return np.sin(x) * x[0]


def second_of_sin_times_first(x):
    return sin_times_first(x)[1]


def quartic(x):
    return np.sum(x ** 4)


def test_a_jacobian_or_hessian_transformed_again_says_what_to_write_instead():
    """A Jacobian or Hessian calls generated code; it is not generated code. Transforming it again is refused
    with the alternatives, which work (checked against analytic second derivatives); the Jacobian of a Jacobian
    is the one composition made (api/jacobian_nested.py), refused where its wrt is a container or a tuple."""
    x = np.array([0.3, 0.7, -0.2])
    for inner in (s2s.jacobian(sin_times_first), s2s.jacobian(sin_times_first, mode="forward")):
        with pytest.raises(s2s.CallError, match=r"one parameter for each wrt.*s2s.jacobian\(s2s.jacobian\("):
            s2s.jacobian(inner, wrt=(0,))(x)
    jac = s2s.jacobian(sin_times_first)

    def summed(v):
        return np.sum(jac(v))
    with pytest.raises(s2s.NonDifferentiableError, match=r"a Jacobian that s2s.jacobian made"):
        s2s.grad(summed)(x)
    with pytest.raises(s2s.SourceUnavailableError, match=r"a Hessian that s2s.hessian made.*third derivatives"):
        s2s.grad(s2s.hessian(quartic))(x)
    # the alternatives the messages name: f_1 = sin(x_1) x_0, so H[0, 1] = H[1, 0] = cos(x_1), H[1, 1] = -sin(x_1) x_0
    expected = np.array([[0.0, np.cos(x[1]), 0.0], [np.cos(x[1]), -np.sin(x[1]) * x[0], 0.0], [0.0, 0.0, 0.0]])
    assert np.allclose(s2s.hessian(second_of_sin_times_first)(x), expected)
    assert np.allclose(s2s.jacobian(s2s.grad(quartic))(x), np.diag(12.0 * x ** 2))


def dot_of(x, y):
    return np.dot(x, y)


def squares_of(x):
    return np.sum(np.square(x))


def test_a_list_where_the_derivative_needs_an_array_says_to_pass_an_array():
    """np.square takes a list; its derivative multiplies it as it is (2 * x, the list repeated). The TypeError says
    which argument and what to pass; with an array the gradient is 2 x (analytic)."""
    g = s2s.grad(squares_of)
    for _ in range(2):  # (the first call, then the fast one)
        with pytest.raises(s2s.ArgumentTypeError, match=r"the argument 'x' is a list of numbers.*pass np.asarray\(x\)"):
            g([1.0, 2.0])
    for call in (lambda: s2s.vjp(squares_of)([1.0, 2.0])[1](1.0), lambda: s2s.jvp(squares_of)(([1.0, 2.0],), ([1.0, 0.0],)),
                 lambda: s2s.hessian(squares_of)([1.0, 2.0])):  # (an S2SError, also a TypeError, in every mode)
        with pytest.raises(s2s.ArgumentTypeError, match=r"pass np.asarray\(x\)"):
            call()
    assert np.allclose(g(np.asarray([1.0, 2.0])), [2.0, 4.0])


def test_np_dot_of_two_lists():
    """np.dot of two list arguments raised Python's TypeError in its adjoint (1.0 * [3.0, 4.0]); the product's
    adjoints read a list as the array NumPy reads. The gradient of a list is a list: y (analytic)."""
    x, y = [1.0, 2.0], [3.0, 4.0]
    assert s2s.grad(dot_of)(x, y) == [3.0, 4.0]
    assert s2s.grad(dot_of, wrt=1)(x, y) == [1.0, 2.0]
    assert s2s.value_and_grad(dot_of)(x, y) == (11.0, [3.0, 4.0])
    assert x == [1.0, 2.0] and y == [3.0, 4.0]


def summed_keeping_dims(x):
    return np.sum(x * x, keepdims=True)


def mean_keeping_dims(x):
    return np.mean(x, keepdims=True) * 2.0


def test_grad_of_a_reduction_that_keeps_its_dims_is_not_a_scalar():
    """np.sum(x, keepdims=True) is an array of shape (1,) or (1, 1): grad refuses it as any array result (it was
    taken for a number and differentiated); with keepdims=False it is a number (gradient 2x, analytic)."""
    for f in (summed_keeping_dims, mean_keeping_dims):
        for x in (np.array([0.5, 1.5]), np.ones((2, 2))):
            with pytest.raises(ValueError, match="grad needs a function with a scalar result.*s2s.vjp"):
                s2s.grad(f)(x)
    x = np.array([0.5, 1.5])
    value, pullback = s2s.vjp(summed_keeping_dims)(x)
    assert value.shape == (1,) and np.allclose(pullback(np.ones(1)), 2.0 * x)


def sin_scaled(x, y):
    return np.sin(x) * y


def test_a_tangent_not_shaped_like_its_argument_is_refused():
    """NumPy would broadcast x up to a (2, 1) tangent and return a (2, 2) 'tangent'; a tangent that broadcasts to
    x's shape (a number) is the direction of that many ones (analytic: cos(x) * y)."""
    jf = s2s.jvp(sin_scaled)
    x = np.array([0.1, 0.2])
    for bad in (np.ones(3), np.ones((2, 1))):
        with pytest.raises(ValueError, match=r"the tangent of 'x' has shape .*, but 'x' has shape \(2,\)"):
            jf((x, 2.0), (bad,))
    value, tangent = jf((x, 2.0), (1.0,))
    assert np.allclose(tangent, np.cos(x) * 2.0)
    value, tangent = jf((x, 2.0), (np.array([1.0, 0.0]),))
    assert np.allclose(tangent, [np.cos(0.1) * 2.0, 0.0])


def test_a_function_whose_file_changed_after_import_is_refused(tmp_path):
    """s2s reads the file; Python runs what it imported. After an edit (without a reload) they differ, and the
    derivative of the new text would be a wrong derivative of what runs: refused, and right after a reload."""
    import importlib
    from conftest import module_from_text
    mod = module_from_text(tmp_path, "edited_after_import", "import numpy as np\n\n\ndef f(x):\n"
                                                            "    return np.sum(x ** 2)\n")
    x = np.array([1.0, 2.0])
    (tmp_path / "edited_after_import.py").write_text("import numpy as np\n\n\ndef f(x):\n"
                                                     "    return np.sum(x ** 3.0)\n")
    with pytest.raises(s2s.SourceUnavailableError, match="is not the code Python runs for it.*reload the module"):
        s2s.grad(mod.f)(x)
    sys.path.insert(0, str(tmp_path))
    try:
        mod = importlib.reload(mod)
    finally:
        sys.path.remove(str(tmp_path))
    assert np.allclose(s2s.grad(mod.f)(x), 3.0 * x ** 2)
