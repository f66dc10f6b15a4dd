"""Round 16's language hunt (hunt16lang), fixed by fix16lang: functools.wraps wrappers with parameters of their
own, a defaultdict accumulator's tangent, and what a recursive or logging function was refused for. Every
derivative is checked against finite differences or an analytic value, in every mode that applies."""
import collections
import dataclasses
import functools
import warnings

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad

X4 = np.array([0.3, -1.2, 0.7, 2.1])
X3 = np.array([0.5, -1.0, 2.0])


def with_scale(fn):
    @functools.wraps(fn)
    def wrapper(*args, scale=1.5, **kwargs):
        return scale * fn(*args, **kwargs)
    return wrapper


def with_verbose(fn):
    @functools.wraps(fn)
    def wrapper(*args, verbose=False, **kwargs):
        if verbose:
            print("calling")
        return fn(*args, **kwargs)
    return wrapper


def method_wrapper(fn):
    @functools.wraps(fn)
    def wrapper(self, *args, **kwargs):
        return fn(self, *args, **kwargs)
    return wrapper


def first_and_scale(fn):
    @functools.wraps(fn)
    def wrapper(x, *args, scale=1.5, **kwargs):
        return scale * fn(x, *args, **kwargs)
    return wrapper


def fixed_c(fn):
    @functools.wraps(fn)
    def wrapper(x, c=5.0):
        return fn(x, c)
    return wrapper


def doubling(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        x = args[0]
        return fn(x * 2.0, *args[1:], **kwargs)
    return wrapper


def doubling_verbose(fn):
    @functools.wraps(fn)
    def wrapper(*args, verbose=False, **kwargs):
        return fn(args[0] * 2.0, *args[1:], **kwargs)
    return wrapper


@with_scale
def scaled_cubes(x, c=1.0):
    return np.sum(x ** 3) * c


@with_verbose
def quiet_squares(x, c=1.0):
    return c * np.sum(x ** 2)


@first_and_scale
def first_scaled_cubes(x, c=1.0):
    return np.sum(x ** 3) * c


@fixed_c
def fixed_squares(x, c=1.0):
    return c * np.sum(np.sin(x) * x)


@doubling
def doubled_sines(x, c=1.0):
    return np.sum(np.sin(x)) * c


@doubling_verbose
def doubled_sines_verbose(x, c=1.0):
    return np.sum(np.sin(x)) * c


class Model:
    def __init__(self):
        self.w = np.array([1.0, 2.0, 3.0])

    @method_wrapper
    def loss(self, x, c=1.0):
        return c * np.sum(self.w * x ** 2)

    @with_verbose
    def quiet_loss(self, x, c=1.0):
        return c * np.sum(self.w * np.cos(x) * x)

    @doubling_verbose
    def doubled_loss(self, x, c=1.0):
        return c * np.sum(self.w * x ** 2)


@pytest.mark.parametrize("f", [scaled_cubes, quiet_squares, first_scaled_cubes, fixed_squares, Model().loss,
                               Model().quiet_loss], ids=lambda f: f.__qualname__)
def test_a_wrapper_with_parameters_of_its_own_is_exact_in_every_mode(f):
    """hunt16lang S1/S2/S3/C1: a functools.wraps wrapper taking parameters of its own (self, scale=1.5, verbose,
    a default c=5.0 of its own) gave jvp and the forward Jacobian 28.935 for 0.405 (a bare tangent read as the
    tangent of *args), grad 0.0 (wrt=0 counted as `verbose`), the forward Jacobian and the Hessian the default the
    wrapped function shows (c=1.0 for the wrapper's 5.0), or crashed in NumPy or the entry point."""
    x = X4 if f.__name__ != "loss" and "loss" not in f.__name__ else X3
    check_every_mode(f, x)


def test_a_wrappers_own_keyword_and_the_shown_parameters_are_the_wrt_they_name():
    """wrt counts the parameters the function shows (c is position 1), and the wrapper's own keyword-only
    parameters are keywords of the call; analytic values."""
    x = X3
    assert s2s.grad(quiet_squares, wrt=1)(x, 2.0) == pytest.approx(np.sum(x ** 2))
    assert s2s.grad(quiet_squares, wrt="c")(x, c=2.0) == pytest.approx(np.sum(x ** 2))
    assert_close(s2s.grad(scaled_cubes)(x, scale=2.0), 2.0 * 3 * x ** 2, what="grad with scale=2")
    assert s2s.grad(scaled_cubes, wrt="scale")(x, 2.0) == pytest.approx(2.0 * np.sum(x ** 3))
    assert_close(s2s.hessian(first_scaled_cubes)(x, scale=2.0), np.diag(2.0 * 6 * x), what="hessian, scale=2")
    assert_close(s2s.jacobian(first_scaled_cubes, mode="forward")(x, 2.0, scale=2.0), 2.0 * 2.0 * 3 * x ** 2,
                 what="forward jacobian, c=2, scale=2")
    m = Model()
    assert s2s.grad(m.loss, wrt=1)(x, 1.0) == pytest.approx(np.sum(m.w * x ** 2))
    assert s2s.grad(Model.quiet_loss, wrt=2)(m, x, 3.0) == pytest.approx(np.sum(m.w * np.cos(x) * x))
    _, t = s2s.jvp(m.loss)((x,), (np.array([1.0, 0.0, 0.0]),))
    assert t == pytest.approx(2 * m.w[0] * x[0])
    assert_close(s2s.hessian(fixed_squares)(x, 2.0), np.diag(2.0 * (2 * np.cos(x) - x * np.sin(x))),
                 what="hessian, c=2 passed")


def test_a_wrapper_reading_its_arguments_is_refused_where_its_parameters_are_not_the_shown_ones():
    """A wrapper reading args[0] itself is differentiated with its own parameters (*args): jvp read a bare
    tangent as the tangent of the tuple args (-0.4647 for 1.6507) and a bound method's grad counted wrt=0 as
    `verbose` (0.0). Both are refused now, as its Jacobians and Hessian are; grad stays exact (a tuple)."""
    x = X4
    g = s2s.grad(doubled_sines)(x)
    assert_close(g[0], numeric_grad(doubled_sines, (x,), 0), what="grad in args[0]")
    for transform in (lambda: s2s.jvp(doubled_sines), lambda: s2s.jvp(doubled_sines_verbose),
                      lambda: s2s.jacobian(doubled_sines_verbose, mode="forward"),
                      lambda: s2s.hessian(doubled_sines_verbose), lambda: s2s.grad(doubled_sines_verbose, wrt=1),
                      lambda: s2s.grad(Model().doubled_loss), lambda: s2s.jacobian(Model().doubled_loss)):
        with pytest.raises(s2s.S2SError, match=r"reads its arguments itself.*__wrapped__"):
            transform()


def test_derivatives_of_a_wrapper_pickle_by_the_users_function():
    """A Jacobian or Hessian of a function `forwarded` made for a wrapper (a logged one's, or the copy of one with
    parameters of its own) could not be pickled ('not the same object as ...'), and a grad of a bound method of one
    came back unbound; each is made again from the user's function. Values analytic."""
    import pickle
    x, m = X3, Model()
    for f, hess in ((fixed_squares, np.diag(5.0 * (2 * np.cos(x) - x * np.sin(x)))),
                    (quiet_squares, 2.0 * np.eye(3)), (m.loss, np.diag(2.0 * m.w))):
        for made in (s2s.jacobian(f), s2s.jacobian(f, mode="forward"), s2s.grad(f)):
            made(x)
            assert_close(pickle.loads(pickle.dumps(made))(x), numeric_grad(f, (x,), 0), what=f"pickled {made}")
        h = s2s.hessian(f)
        h(x)
        assert_close(pickle.loads(pickle.dumps(h))(x), hess, what="pickled hessian")


def parity_sums(x):
    d = collections.defaultdict(float)
    for i, v in enumerate(x):
        d[i % 2] += v * v
    return d[0] * 2.0 + d[1]


def binned_products(x):
    bins = collections.defaultdict(float)
    for i in range(len(x) - 1):
        bins[i % 3] += x[i + 1] * x[i]
    counts = collections.defaultdict(int)
    counts["a"] += 2
    return bins[0] * bins[1] + np.sin(bins[2]) + bins[7] * counts["a"] + counts["b"] + len(bins)


@pytest.mark.parametrize("f", [parity_sums, binned_products], ids=lambda f: f.__name__)
def test_a_defaultdict_accumulators_tangent_has_its_missing_keys_too(f):
    """hunt16lang C2: the tangent of a defaultdict was a plain dict (rt.zeros_like), so jvp and the forward
    Jacobian raised KeyError at the tangent of d[i % 2] += v * v, where the primal made the key."""
    check_every_mode(f, X4, exact=True)


EXPR = ("+", ("*", "x", "x"), ("*", 3.0, ("+", "x", 1.0)))  # x * x + 3 (x + 1)


def tree_eval(node, x):
    if isinstance(node, float):
        return node
    if node == "x":
        return x
    op, a, b = node
    if op == "+":
        return tree_eval(a, x) + tree_eval(b, x)
    return tree_eval(a, x) * tree_eval(b, x)


def evaluated_tree(x):
    return tree_eval(EXPR, x) * np.sin(x)


def evaluated_tree_of_x(x):
    return tree_eval(("*", ("+", x, 1.0), "x"), x)


def test_a_recursive_evaluator_of_a_constant_tree_with_string_tags():
    """hunt16lang R1: the reverse rule of a recursive function differentiated every argument holding floats, the
    tree with its string tags too, which vjp refuses ('node' holds a str): grad was refused where jvp worked. The
    tree is data now; where a derivative flows through it (a tree holding x), that is refused, never 0."""
    for x in (0.7, -1.3):
        expected = (2 * x + 3) * np.sin(x) + (x * x + 3 * (x + 1)) * np.cos(x)
        assert s2s.grad(evaluated_tree)(x) == pytest.approx(expected)
        assert s2s.jvp(evaluated_tree)((x,), (1.0,))[1] == pytest.approx(expected)
        assert s2s.grad(tree_eval, wrt=1)(EXPR, x) == pytest.approx(2 * x + 3)
        h = numeric_grad(lambda y: s2s.grad(evaluated_tree)(y), (x,), 0)
        assert s2s.hessian(evaluated_tree)(x) == pytest.approx(h, rel=1e-5)
        assert s2s.grad(s2s.grad(evaluated_tree))(x) == pytest.approx(h, rel=1e-5)
    with pytest.raises(s2s.S2SError, match=r"tree_eval.*'node'.*holds a str at node\[0\]"):
        s2s.grad(evaluated_tree_of_x)(0.7)


def announced(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        print(f"calling {fn.__name__} of {fn.__module__}")
        return fn(*args, **kwargs)
    return wrapper


@announced
def announced_cubes(x):
    return np.sum(x ** 3)


def named_squares(x):
    print(f"{named_squares.__qualname__}: start", np.sum.__name__)
    return np.sum(np.sin(x) * x)


def kept_function(x):
    return np.sin


def test_a_functions_name_for_a_log_line_is_a_string_known_while_compiling(capsys):
    """hunt16lang R4: reading fn.__name__ (a decorator's log line, or the function's own name) was refused as
    'the function used as a value', said at column 1 of the line; it is the string now. A function value still
    used is refused at its own column."""
    check_every_mode(announced_cubes, X4, exact=True)
    check_every_mode(named_squares, X4, exact=True)
    assert f"calling announced_cubes of {__name__}" in capsys.readouterr().out
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"the function 'np.sin' used as a value") as caught:
        s2s.grad(kept_function)(0.5)
    assert caught.value.offset == 12 and caught.value.text.startswith("    return np.sin")


@dataclasses.dataclass
class Scaled:
    x: np.ndarray
    scale = 2.0  # (a class attribute, no field)

    def by_type(self):
        return type(self).scale * np.sum(self.x ** 2)

    def by_class(self):
        return self.__class__.scale * np.sum(np.sin(self.x) * self.x)


@dataclasses.dataclass
class TripleScaled(Scaled):
    scale = 3.0


def scaled_by_type(x):
    return Scaled(x).by_type()


def scaled_by_class(x):
    return Scaled(x).by_class() + Scaled(x * 2.0).by_type()


def scaled_argument(s, y):
    return type(s).scale * np.sum(s.x ** 2 * y) + s.__class__.scale


@pytest.mark.parametrize("f", [scaled_by_type, scaled_by_class], ids=lambda f: f.__name__)
def test_a_class_attribute_read_through_type_of_self(f):
    """hunt16lang R5: type(self).scale and self.__class__.scale in a method of a dataclass the function builds
    were refused ('whose class s2s does not know at this line'); they are the class's constant, as self.scale."""
    check_every_mode(f, X4, exact=True)


def test_a_class_attribute_read_through_type_of_a_dataclass_argument():
    """hunt16lang M3: type(s).scale of a dataclass argument was refused as a call making an object of the class
    `type`, advising to make `type` a dataclass; type(s) carries no derivative, its attribute is read as it runs."""
    y = np.array([1.0, -2.0, 0.5, 3.0])
    g = s2s.grad(scaled_argument)(Scaled(X4), y)
    assert_close(g.x, 2.0 * 2 * X4 * y, what="grad in s.x")
    assert s2s.grad(scaled_argument, wrt=1)(Scaled(X4), y) == pytest.approx(2.0 * X4 ** 2)
    for m in (Scaled.by_type, Scaled.by_class):  # (a subclass's own scale, read as the code runs)
        s = TripleScaled(X4)
        assert_close(s2s.grad(m)(s).x, numeric_grad(lambda x: m(TripleScaled(x)), (X4,), 0), what=f"{m}")


def warned_conditionally(x):
    s = np.sum(x ** 2)
    warnings.warn(f"large loss {float(s)}") if s > 1e9 else None
    return s


def taken_by_next(x):
    it = iter([x[0], x[1] * 2.0, x[2]])
    a = next(it)
    return a * next(it)


def test_the_advice_for_a_conditional_call_statement_and_for_next():
    """hunt16lang M1: `warnings.warn(...) if s > 1e9 else None` was called 'an expression statement with no
    effect'; M2: iter()/next() over a list advised a derivative rule for the builtin next (or iter)."""
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"a conditional expression as a statement.*write an if "
                                                         r"statement: if s > 1000000000.0: warnings.warn"):
        s2s.grad(warned_conditionally)(X3)
    for transform in (s2s.grad(taken_by_next), lambda x: s2s.jvp(taken_by_next)((x,), (x,))):
        with pytest.raises(s2s.NonDifferentiableError, match=r"(?s)call to (next|iter).*a = xs\[0\]; b = xs\[1\] "
                                                             r"for a = next\(it\)") as caught:
            transform(X3)
        assert "@s2s.adjoint" not in str(caught.value)


def merge_sorted(xs, joined):
    if len(xs) <= 1:
        return xs
    m = len(xs) // 2
    a = merge_sorted(xs[:m], joined)
    b = merge_sorted(xs[m:], joined)
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] <= b[j]:
            out.append(a[i])
            i += 1
        else:
            out.append(b[j])
            j += 1
    if joined:
        return out + a[i:] + b[j:]
    for v in a[i:]:
        out.append(v)
    for v in b[j:]:
        out.append(v)
    return out


def ranked_by_merge_sort(x):
    s = merge_sorted(list(x), False)
    return sum(v * (k + 1) for k, v in enumerate(s))


def ranked_by_joined_merge_sort(x):
    s = merge_sorted(list(x), True)
    return sum(v * (k + 1) for k, v in enumerate(s))


def test_a_recursive_merge_sort_and_the_advice_for_joining_its_lists():
    """hunt16lang R2: `out + a[i:] + b[j:]` of lists a recursive call returned is refused (s2s cannot tell them
    from arrays while compiling); its advice now names what works there, `for v in a[i:]: out.append(v)`,
    checked here in every mode (the gradient is each value's rank)."""
    order = np.argsort(X4)
    expected = np.zeros(4)
    expected[order] = np.arange(1.0, 5.0)
    assert_close(check_every_mode(ranked_by_merge_sort, X4, hessian=False), expected, what="ranks")
    with pytest.raises(s2s.S2SError, match=r"ys \+ zs as for v in zs: ys.append\(v\), which a recursive"):
        s2s.grad(ranked_by_joined_merge_sort)(X4)


def flagged_squares(x, flag=False, label="a", n=3, scale=2.0):
    return np.sum(x ** 2) * (2.0 if flag else 1.0) * n * scale


def test_a_wrt_left_to_a_default_with_no_derivative_is_refused_as_when_passed():
    """hunt16lang S2 (note): grad(f, wrt='flag') with flag=False left to its default gave 0.0 (and wrt='label', a
    str) in every mode, where a passed bool was refused; the default is checked as a passed value is. Defaults
    that are numbers stay derivatives (analytic)."""
    x = X3
    for transform in (s2s.grad, s2s.jacobian, s2s.hessian, lambda f, wrt: s2s.jacobian(f, wrt=wrt, mode="forward")):
        for wrt, kind in (("flag", "a bool"), ("label", "a str")):
            with pytest.raises(TypeError, match=f"the argument '{wrt}' is {kind}, which has no derivative"):
                transform(flagged_squares, wrt=wrt)(x)
    with pytest.raises(TypeError, match="the argument 'flag' is a bool"):
        s2s.jvp(flagged_squares, wrt="flag")((x,), (1.0,))
    assert s2s.grad(flagged_squares, wrt="n")(x) == pytest.approx(2.0 * np.sum(x ** 2))
    assert s2s.grad(flagged_squares, wrt="scale")(x) == pytest.approx(3.0 * np.sum(x ** 2))
    assert s2s.jvp(flagged_squares, wrt="scale")((x,), (1.0,))[1] == pytest.approx(3.0 * np.sum(x ** 2))
