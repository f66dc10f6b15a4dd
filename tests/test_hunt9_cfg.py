"""Configuration-driven code (hunt round 9): names made under an option, constants chosen by one, option tuples.

A name the function assigns anywhere is one of its local names everywhere in it (Python's rule): s2s read the
module's name of the same spelling where the function read its own before assigning it (`y = x - mu; mu = 3.0`,
`if USE: mu = ...` with USE False, `count += 1.0`, `W = W * 2.0`, an inlined helper given a literal flag), and
returned a value and a gradient where Python raises UnboundLocalError. Now every mode raises that error at the
user's line when the read runs, and where the read is in code an option makes dead (`if not USE: return ...`),
the function is accepted and right. The refusal of a write into a module array advises a copy under a name of
the function's own (`W = np.copy(W)` would make W local)."""
import inspect
import traceback

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad
from s2s.errors import UnsupportedSyntaxError

X3 = np.array([0.3, -0.4, 0.9])

MODES = {
    "grad": lambda f, *a: s2s.grad(f)(*a),
    "value_and_grad": lambda f, *a: s2s.value_and_grad(f)(*a),
    "vjp": lambda f, *a: s2s.vjp(f)(*a)[1](1.0),
    "jvp": lambda f, *a: s2s.jvp(f)(a, tuple(np.ones_like(v) for v in a)),
    "jacobian": lambda f, *a: s2s.jacobian(f)(*a),
    "jacobian_forward": lambda f, *a: s2s.jacobian(f, mode="forward")(*a),
    "hessian": lambda f, *a: s2s.hessian(f)(*a),
}

# ----- F00: a local name read before its assignment is unbound, never the module's
mu = 10.0
USE = False
count = 1.0
W = np.array([1.0, 2.0, 3.0])
scale = 3.0
act = np.tanh


def read_then_assigned(x):
    y = np.sum((x - mu) ** 2)  # unbound-here
    mu = 3.0
    return y


def made_under_an_option(x):
    if USE:
        mu = np.mean(x)
    return np.sum((x - mu) ** 2)  # unbound-here


def counted_without_global(x):
    count += 1.0  # unbound-here
    return np.sum(x) * count


def rebound_from_itself(x):
    W = W * 2.0  # unbound-here
    return np.sum(W * x)


def _scaled(x, flag):
    if flag:
        scale = 2.0
    return x * scale  # unbound-here


def helper_given_a_literal_flag(x):
    return np.sum(_scaled(x, False))


def called_before_assigned(x):
    y = act(x)  # unbound-here
    act = np.sin
    return np.sum(y)


def indexed_before_assigned(x):
    y = x * W[0]  # unbound-here
    W = 3.0
    return np.sum(y)


def read_and_dropped(x):
    unused = mu * 2.0  # unbound-here
    mu = 1.0
    return np.sum(x * x)


def multiplied_by_it(x):
    y = np.sin(mu) * x[0] + np.sum(x) * mu + np.dot(mu, x)  # unbound-here
    mu = 1.0
    return y


UNBOUND = [multiplied_by_it, read_then_assigned, made_under_an_option, counted_without_global, rebound_from_itself,
           helper_given_a_literal_flag, called_before_assigned, indexed_before_assigned, read_and_dropped]


def _line(f):
    """The line of `f` (of the helper it calls) marked `unbound-here`."""
    fn = _scaled if f is helper_given_a_literal_flag else f
    lines, first = inspect.getsourcelines(fn)
    return first + next(i for i, text in enumerate(lines) if "unbound-here" in text)


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("f", UNBOUND, ids=[f.__name__ for f in UNBOUND])
def test_a_local_name_read_before_its_assignment_raises(f, mode):
    with pytest.raises(UnboundLocalError):
        f(X3.copy())
    x = X3.copy()
    with pytest.raises(UnboundLocalError) as info:
        MODES[mode](f, x)
    assert np.array_equal(x, X3)
    if mode == "grad":  # (the traceback's last line is the user's line that read the name)
        last = traceback.extract_tb(info.tb)[-1]
        assert last.lineno == _line(f), traceback.format_tb(info.tb)


def _runtime_flag(x, use):
    if use:
        mu = np.mean(x)
    return np.sum((x - mu) ** 2)


def test_a_name_made_on_one_path_raises_only_where_it_is_not():
    with pytest.raises(UnboundLocalError):
        s2s.grad(_runtime_flag)(X3, False)
    value, g = s2s.value_and_grad(_runtime_flag)(X3, True)
    assert value == pytest.approx(_runtime_flag(X3, True))
    assert_close(g, numeric_grad(lambda v: _runtime_flag(v, True), (X3,), 0))


def comprehension_name(x):
    ys = [mu * v for mu in x for v in (2.0,)]  # (the comprehension's mu is its own: the module's is read below)
    return np.sum(x * mu) + ys[0]


def nested_reads_the_module(x):
    def g(v):
        return v * mu
    return np.sum(g(x))


def test_names_that_are_not_the_functions_own_read_the_module():
    for f in (comprehension_name, nested_reads_the_module):
        check_every_mode(f, X3)


# ----- F0: a name made under an option, read only where the option is on (the off case returned)
def returned_when_off(x):
    if USE:
        mu = np.mean(x)
    if not USE:
        return np.sum(x * x)
    return np.sum((x - mu) ** 2)


def _noisy(x, training=False):
    if training:
        noise = 0.1
    if not training:
        return np.sum(x * x)
    return np.sum(x) + noise


def helper_default_off(x):
    return _noisy(x)


def _normed(x, use_norm):
    if use_norm:
        mu = np.mean(x)
    y = (x - mu) if use_norm else x
    return np.sum(y * y)


def helper_literal_off(x):
    return _normed(x, False)


@pytest.mark.parametrize("f", [returned_when_off, helper_default_off, helper_literal_off])
def test_a_name_read_only_where_the_option_made_it(f):
    assert_close(check_every_mode(f, X3), 2 * X3)
    text = s2s.grad(f).source
    assert "require_bound" not in text and "mu" not in text, text


# ----- the advice for a write into a module array names a local of the function's own
def writes_the_module_array(x):
    W[0] = x[0]
    return np.sum(W * x)


def written_as_advised(x):
    w = np.copy(W)
    w[0] = x[0]
    return np.sum(w * x)


STATS = {"calls": 0}
HIST = []


def writes_the_module_dict(x):
    STATS["calls"] += 1
    return np.sum(x * x)


def grows_the_module_list(x):
    HIST.append(1)
    return np.sum(x * x)


def dict_as_advised(x):
    stats = {**STATS, "calls": 1}
    return np.sum(x * x) * stats["calls"]


def list_as_advised(x):
    hist = list(HIST)
    hist.append(2.0)
    return np.sum(x * x) * hist[-1]


def extends_the_module_list(x):
    HIST += [1]  # (HIST is a local name: Python raises here)
    return np.sum(x * x)


@pytest.mark.parametrize("f,advice", [(writes_the_module_dict, "stats = {**STATS, 'calls': value}"),
                                      (grows_the_module_list, "hist = list(HIST)")])
def test_the_advice_for_a_module_container_names_another_local(f, advice):
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2s.grad(f)(X3)
    assert advice in str(info.value), str(info.value)


def test_the_container_advice_works():
    assert_close(check_every_mode(dict_as_advised, X3), 2 * X3)
    assert_close(check_every_mode(list_as_advised, X3), 4 * X3)
    assert STATS == {"calls": 0} and HIST == []
    with pytest.raises(UnboundLocalError):
        s2s.grad(extends_the_module_list)(X3)


def test_the_copy_advice_names_another_local_and_works():
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2s.grad(writes_the_module_array)(X3)
    assert "w = np.copy(W)" in str(info.value) and "W = np.copy(W)" not in str(info.value), str(info.value)
    kept = W.copy()
    check_every_mode(written_as_advised, X3)
    assert_close(s2s.grad(written_as_advised)(X3), np.array([2 * X3[0], 2.0, 3.0]))
    assert np.array_equal(W, kept)


# ----- F0a: an if, while or conditional expression on an option that is a tuple
LAYERS = (3, 2)
NO_LAYERS = ()


def if_on_a_tuple(x):
    y = x
    if LAYERS:
        y = y * 2.0
    if NO_LAYERS:
        y = y * 5.0
    return np.sum(y * y)


def conditional_on_a_tuple(x):
    y = x * 2.0 if LAYERS else x
    return np.sum(y * y) * (3.0 if NO_LAYERS else 1.0)


def while_on_a_tuple(x):
    y = x
    while LAYERS:
        y = y * 2.0
        break
    return np.sum(y * y)


def or_of_a_tuple(x):
    return np.sum(x * x) * (2.0 if LAYERS or np.sum(x) > 0 else 1.0)


def _sized(x, names=("a",)):
    return np.sum(x * x) * (3.0 if names else 1.0)


def helper_given_a_tuple(x):
    return _sized(x) + _sized(x, ())


def chosen_tuple(x):
    t = LAYERS if np.sum(x) > 0 else NO_LAYERS
    return np.sum(x * x) * (3.0 if t else 1.0)


TUPLE_TESTS = [if_on_a_tuple, conditional_on_a_tuple, while_on_a_tuple, or_of_a_tuple, helper_given_a_tuple,
               chosen_tuple]


@pytest.mark.parametrize("f", TUPLE_TESTS, ids=[f.__name__ for f in TUPLE_TESTS])
def test_a_test_on_a_tuple(f):
    check_every_mode(f, X3)
    check_every_mode(f, -X3)


def test_a_tuple_is_written_in_parentheses_as_a_test():
    import ast
    from s2s.back.render import _render
    pair = ast.Tuple([ast.Constant(3), ast.Constant(2)], ast.Load())
    body = [ast.Pass()]
    stmts = [ast.If(pair, body, [ast.If(pair, body, body)]), ast.While(pair, body, [])]
    text = _render([ast.fix_missing_locations(s) for s in stmts], "")
    compile(text, "<test>", "exec")
    assert "if (3, 2):" in text and "elif (3, 2):" in text and "while (3, 2):" in text, text


# ----- F5: generated text compiles without warnings about the constants it holds (`2 is K.L1`)
import enum  # noqa: E402


class Kind(enum.IntEnum):
    L1 = 1
    L2 = 2


def _by_kind(x, k):
    if k is Kind.L1:
        return np.sum(np.abs(x))
    return np.sum(x * x)


def kind_given_as_a_number(x):
    return _by_kind(x, 2)


def test_no_syntax_warning_of_generated_text():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_close(s2s.grad(kind_given_as_a_number)(X3), 2 * X3)


# ----- F2: the advice for an f-string in a raise's message is a message s2s reads
def _loss_fstring(r, kind):
    if kind == "l2":
        return r * r
    raise ValueError(f"unknown loss {kind!r}")


def loss_fstring(x):
    return np.sum(_loss_fstring(x, "l2"))


def _loss_formatted(r, kind):
    if kind == "l2":
        return r * r
    raise ValueError("unknown loss {!r}".format(kind))


def loss_formatted(x):
    return np.sum(_loss_formatted(x, "l2"))


def wrong_kind(x):
    return np.sum(_loss_formatted(x, "l3"))


def wrong_kind_fstring(x):
    return np.sum(_loss_fstring(x, "l3"))


def test_an_f_string_message_is_the_str_format_it_spells():  # (refused before hunt10ml F4, with this advice)
    assert_close(check_every_mode(loss_formatted, X3), 2 * X3)
    assert_close(check_every_mode(loss_fstring, X3), 2 * X3)
    for f in (wrong_kind, wrong_kind_fstring):
        with pytest.raises(ValueError, match="unknown loss 'l3'"):
            s2s.grad(f)(X3)


# ----- F1: a function taken from a module dict (or tuple) of functions by a key known while compiling
ACTS = {"tanh": np.tanh, "sin": np.sin}
SEL = "tanh"
FNS = (np.sin, np.cos)


def _act(x, name):
    return ACTS[name](x)


def act_by_literal(x):
    return np.sum(_act(x, "sin") * x)


def act_named_first(x):
    fn = ACTS["sin"]
    return np.sum(fn(x) * x)


def act_by_module_constant(x):
    return np.sum(ACTS[SEL](x) * x)


def act_by_index(x):
    k = 1
    return np.sum(FNS[k](x) * x)


def act_by_argument(x, name):
    return np.sum(ACTS[name](x))


@pytest.mark.parametrize("f", [act_by_literal, act_named_first, act_by_module_constant, act_by_index])
def test_a_function_from_a_module_table_by_a_known_key(f):
    check_every_mode(f, X3)


def test_the_table_entry_is_read_again_when_it_changes():
    g = s2s.grad(act_named_first)
    assert_close(g(X3), np.sin(X3) + X3 * np.cos(X3))
    ACTS["sin"] = np.tanh
    try:
        assert_close(g(X3), np.tanh(X3) + X3 * (1 - np.tanh(X3) ** 2))
    finally:
        ACTS["sin"] = np.sin


def test_a_run_time_key_is_refused_advising_a_local_name():
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2s.grad(act_by_argument)(X3, "sin")
    message = str(info.value)
    assert "fn = ACTS['tanh'] if name == 'tanh' else ACTS['sin']" in message and "ACTS[name] =" not in message, \
        message  # (the branch on keys written in the code, which s2s follows: fix17dict)


# ----- F3: a module list of configured layer objects: the refusal says how to call one
class Layer:
    def __init__(self, act, w):
        self.act, self.w = act, w

    def forward(self, x):
        return np.tanh(self.w * x) if self.act == "tanh" else self.w * x * x

    __call__ = forward


LAYER_LIST = [Layer("tanh", 2.0), Layer("sq", 0.5)]


def layers_called(x):
    y = x
    for L in LAYER_LIST:
        y = L(y)
    return np.sum(y)


def layers_called_as_advised(x):
    y = x
    for L in LAYER_LIST:
        y = Layer.__call__(L, y)
    return np.sum(y)


def test_a_called_layer_is_refused_with_advice_that_works():
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2s.grad(layers_called)(X3)
    assert "Layer.__call__(L, x)" in str(info.value), str(info.value)
    check_every_mode(layers_called_as_advised, X3)


# ----- F4 (d): `kind in (...)` of constants is folded: the branches no call takes are neither kept nor differentiated
VALID = ("l1", "l2", "huber")


def _checked_loss(r, kind):
    if kind not in VALID:
        raise ValueError("unknown loss %s" % kind)
    if kind in ("l2", "sq"):
        return r * r
    return np.abs(r)


def checked_loss(x):
    return np.sum(_checked_loss(x, "l2"))


def unknown_loss(x):
    return np.sum(_checked_loss(x, "l3"))


def test_membership_of_constants_is_folded():
    assert_close(check_every_mode(checked_loss, X3), 2 * X3)
    text = s2s.grad(checked_loss).source
    assert " in " not in text and "abs" not in text and "raise" not in text, text
    with pytest.raises(ValueError, match="unknown loss l3"):
        s2s.grad(unknown_loss)(X3)


# ----- F5: the operator module's functions are the operators they name
import operator  # noqa: E402

OP = "mul"


def operator_chosen_by_an_option(x):
    op = operator.mul if OP == "mul" else operator.add
    return np.sum(op(x, x))


def operator_functions(x):
    return np.sum(operator.pow(x, 3.0)) + operator.neg(x[0]) + np.sum(operator.truediv(x, 2.0)) + \
        np.sum(operator.sub(x, operator.mul(x, x)))


@pytest.mark.parametrize("f", [operator_chosen_by_an_option, operator_functions])
def test_operator_functions(f):
    check_every_mode(f, X3)
