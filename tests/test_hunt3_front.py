"""Front-end cases the Python-breadth bug hunt (hunt3py) got wrong or refused: a helper appending to its caller's
list (the append was lost: value and derivative 0), and constructs refused with a wrong or misleading message.
Derivatives are checked against central finite differences in every mode."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian
from s2s.errors import S2SError, UnsupportedSyntaxError

X = np.array([0.3, -1.2, 0.7])


# ----------------------------------------------------------------- a helper appending to the caller's list
def record(traj, state):
    traj.append(state)
    return state


def push_two(traj, v):
    traj.extend([v, 2.0 * v])
    return 0.0


def record_if_big(traj, s):
    if s > 0.9:
        traj.append(s)
        return s * 2.0
    return s


def record_each(traj, s, n):
    for k in range(n):
        traj.append(s * (k + 1.0))
    return s


def push_returning(traj, v):
    traj.append(v)
    return traj


def helper_append_in_loop(x):  # (hunt3py r2b: value 0.0 and gradient 0.0 for 5.46 and 9.23)
    traj = []
    s = x[0]
    for t in range(3):
        s = record(traj, np.sin(s) + 0.5 * s * x[1])
    return np.sum(np.array(traj) ** 2)


def helper_append_for_effect(x):
    traj = [x[0]]
    for t in range(3):
        record(traj, x[1] * t + x[2])
    return sum(traj) * x[0]


def helper_extend(x):
    traj = [x[0]]
    push_two(traj, x[1] * 3.0)
    return sum(traj) * x[2]


def helper_append_on_a_branch(x):
    traj = [x[0]]
    s = x[2]
    for k in range(3):
        s = record_if_big(traj, s + 0.3)
    return sum(traj) * s


def helper_append_in_its_loop(x):
    traj = []
    y = record_each(traj, x[1], 3)
    return sum(traj) * x[0] + y


def helper_returning_the_list(x):
    traj = [x[0]]
    other = push_returning(traj, x[1] * 2.0)
    return sum(traj) * x[2] + sum(other)


def nested_function_appending(x):
    traj = [x[0]]

    def push(v):
        traj.append(v)
        return v

    s = x[1]
    for k in range(3):
        s = push(s * 1.5 + x[2])
    return sum(traj) * x[0]


class Recorder:
    def log(self, traj, v):
        traj.append(v)
        return v

    def log_in_place(self, traj, v):
        traj += [v]


RECORDER = Recorder()


def nested_function_appending_for_effect(x):  # (hunt3py r7 c3: refused as 'a call whose result is discarded')
    traj = [x[0]]

    def push(v):
        traj.append(v)

    for k in range(3):
        push(x[1] * k + x[2])
    return sum(traj) * x[1]


def nested_function_appending_through_another(x):
    traj = [x[0]]

    def push(v):
        traj.append(v)
        return v

    def via(v):
        return push(v * x[2]) * 2.0

    for k in range(2):
        via(x[1] * (k + 1.0))
    return sum(traj) * x[1]


def method_appending_for_effect(x):
    traj = [x[0]]
    for k in range(2):
        RECORDER.log(traj, x[1] * x[2] * k)
    return sum(traj) * x[2]


def helper_appending_through_another(x):
    traj = []
    s = x[0]
    for k in range(3):
        s = record(traj, s * x[1]) + x[2]
    return sum(traj) * s


def helpers_appending_to_lists_of_other_names(x):  # (fuzz level 7, seed 1191020: refused, 'another name')
    path = []
    history = [x[2]]
    y = x[0]
    for k in range(2):
        y = record(path, np.tanh(y * 0.8 + x[1]))
        push_two(history, y * x[2])
    energy = record_each(history, x[1], 2)
    return np.sum(np.stack(path) ** 2) + sum(history) * energy


def helper_appending_in_a_comprehension(x):
    traj = [x[0]]
    ys = [record(traj, x[1] * k) for k in range(3)]
    return sum(traj) * sum(ys)


def helper_appending_in_a_while_loop(x):
    traj = [x[0]]
    s = 1.0
    while s < 5.0:
        s = record(traj, s * 1.7) + 0.0 * x[1]
        traj.append(s * x[1])
    return sum(traj) * x[2]


@pytest.mark.parametrize("f", [helper_append_in_loop, helper_append_for_effect, helper_extend,
                               helper_append_on_a_branch, helper_append_in_its_loop, helper_returning_the_list,
                               nested_function_appending, nested_function_appending_for_effect,
                               method_appending_for_effect, helper_appending_through_another,
                               helper_appending_in_a_comprehension, helper_appending_in_a_while_loop,
                               helpers_appending_to_lists_of_other_names,
                               nested_function_appending_through_another])
def test_helper_appending_to_the_callers_list(f):
    check_every_mode(f, X)


def test_helper_appending_reads_like_an_append():
    source = s2s.grad(helper_append_in_loop).source
    assert "traj_1 += [s_1]" in source  # (grown in place: np.array of a list keeps no reference to it)
    assert "rt.appended_item_adjoint" in source


def test_helper_appending_in_a_loop_matches_the_hunt():
    f = lambda x: helper_append_in_loop(np.array([x, 1.0, 0.0]))  # noqa: E731
    value, g = s2s.value_and_grad(helper_append_in_loop)(np.array([0.7, 1.0, 0.0]))
    assert value == pytest.approx(5.461973155680017)
    assert g[0] == pytest.approx(numeric_grad(f, (0.7,), 0), rel=1e-6)


def extend_in_place(traj, v):
    traj += [v]
    return 0.0


def helper_extending_in_place(x):
    traj = [x[0]]
    extend_in_place(traj, x[1] * 3.0)
    return sum(traj)


def helper_extending_in_place_value(x):
    traj = [x[0]]
    n = extend_in_place(traj, x[1] * 3.0)
    return sum(traj) + n


def copy_then_extend(traj, v):
    traj = list(traj)
    traj += [v]
    return sum(traj)


def helper_extending_a_copy(x):
    traj = [x[0]]
    y = copy_then_extend(traj, x[1] * 3.0)
    return sum(traj) * y


def method_extending_in_place(x):
    traj = [x[0]]
    RECORDER.log_in_place(traj, x[1])
    return sum(traj)


def nested_function_repeating_in_place(x):
    traj = [x[0]]

    def twice(traj):
        traj *= 2

    twice(traj)
    return sum(traj)


@pytest.mark.parametrize("f, line", [(helper_extending_in_place, "traj += [v]"),
                                     (helper_extending_in_place_value, "traj += [v]"),
                                     (method_extending_in_place, "traj += [v]"),
                                     (nested_function_repeating_in_place, "traj *= 2")])
def test_helper_extending_the_callers_list_in_place_is_refused_at_its_line(f, line):
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2s.grad(f)(X)
    message = str(info.value)
    assert f"'{line}' in " in message and "which changes in place the list its caller passed" in message
    assert "traj.append(v)" in message and message.splitlines()[-2].strip() == line


def keeps_another_name(traj, v):
    other = traj
    other.append(v)
    return v


def given_twice(a, b, v):
    a.append(v)
    return v


def helper_appending_through_another_name(x):
    traj = [x[0]]
    keeps_another_name(traj, x[1])
    return sum(traj)


def helper_given_the_list_twice(x):
    traj = [x[0]]
    y = given_twice(traj, traj, x[1])
    return sum(traj) * y


@pytest.mark.parametrize("f", [helper_appending_through_another_name, helper_given_the_list_twice])
def test_helper_appending_to_a_list_it_holds_twice_is_refused(f):
    with pytest.raises(UnsupportedSyntaxError, match="another name or a container also holds"):
        s2s.grad(f)(X)


def test_helper_extending_its_own_copy_is_accepted():
    check_every_mode(helper_extending_a_copy, X)


# ----------------------------------------------------------------- a final raise is an exit (hunt3py r16)
def activation(x, kind):
    if kind == "tanh":
        return np.tanh(x)
    elif kind == "relu":
        return np.maximum(x, 0.0)
    else:
        raise ValueError("unknown activation")


def activation_falling_to_raise(x, kind):
    if kind == "tanh":
        return np.tanh(x)
    raise ValueError("unknown activation")


def loss_of_activation(x):
    return np.sum(activation(x, "relu") ** 2) + np.sum(activation_falling_to_raise(x, "tanh"))


def assigned_or_raised(x):
    s = np.sum(x)
    if s < 0.0:
        y = x * s
    else:
        raise ValueError("s must be negative")
    return np.sum(y * y)


@pytest.mark.parametrize("f", [loss_of_activation, assigned_or_raised])
def test_function_ending_in_raise(f):
    check_every_mode(f, X)


@pytest.mark.parametrize("f", [activation, activation_falling_to_raise])
def test_final_raise_is_an_exit_and_raises_when_it_runs(f):
    assert_close(s2s.jacobian(f)(X, "tanh"), np.diag(1.0 - np.tanh(X) ** 2), what=f.__name__)
    with pytest.raises(ValueError, match="unknown activation"):
        s2s.grad(lambda x: np.sum(f(x, "sigmoid")))(X)
    assert "raise ValueError('unknown activation')" in s2s.grad(lambda x: np.sum(f(x, "sigmoid"))).source
    # (called with "tanh", a constant, the branches that raise are not generated: the fold stage)
    assert "raise" not in s2s.grad(lambda x: np.sum(f(x, "tanh"))).source


# ----------------------------------------------------------------- with np.errstate(**settings), `as e`
SETTINGS = {"divide": "ignore", "invalid": "ignore"}


def errstate_from_a_dict(x):
    with np.errstate(**SETTINGS):
        y = np.log(x * x)
    return np.sum(y * x)


def errstate_named(x):
    with np.errstate(divide="ignore") as state:
        y = np.log(x * x)
    return np.sum(y * x)


def errstate_named_and_read(x):
    with np.errstate(divide="ignore") as state:
        y = np.log(x * x)
        print(state)
    return np.sum(y)


@pytest.mark.parametrize("f", [errstate_from_a_dict, errstate_named])
def test_errstate_with_a_dict_or_a_name(f):
    check_every_mode(f, X)


def test_errstate_runs_with_the_dict_as_written():
    source = s2s.grad(errstate_from_a_dict).source
    assert "with np.errstate(**SETTINGS):" in source
    with np.errstate(divide="raise"):  # (the generated code runs under the function's state, log(0) no error)
        assert s2s.grad(errstate_from_a_dict)(np.array([0.0, 1.0]))[1] == pytest.approx(2.0)


def test_errstate_object_read_is_refused_at_the_read():
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2s.grad(errstate_named_and_read)(X)
    assert "reading 'state'" in str(info.value) and "print(state)" in str(info.value)


# ----------------------------------------------------------------- .get() on a dict argument (refused before)
def reads_a_dict_with_get(x, p):
    return x * p.get("scale", 2.0)


def reads_a_dict_with_differentiated_default(p, x):
    scale = p.get("scale", 2.0 * x[0])
    return np.sum(p["w"] * x) * scale + np.sum(p.get("b", x) ** 2)


def test_get_on_a_dict_argument():
    # x * p.get("scale", 2.0): d/dx is the scale it reads, whether the dict holds it or not
    assert s2s.grad(reads_a_dict_with_get)(0.7, {"scale": 3.0}) == pytest.approx(3.0)
    assert s2s.grad(reads_a_dict_with_get)(0.7, {}) == pytest.approx(2.0)
    assert s2s.grad(reads_a_dict_with_get, wrt=1)(0.7, {"scale": 3.0}) == {"scale": pytest.approx(0.7)}
    assert s2s.jvp(reads_a_dict_with_get, wrt=1)((0.7, {"scale": 3.0}), ({"scale": 2.0},))[1] == pytest.approx(1.4)
    f = reads_a_dict_with_differentiated_default
    x = np.array([0.5, 0.25])
    full = {"w": np.array([1.0, 2.0]), "scale": 3.0, "b": np.array([0.3, -0.2])}
    lacking = {"w": np.array([1.0, 2.0])}
    for p in (full, lacking):
        assert_close(s2s.grad(f, wrt=1)(p, x), numeric_grad(lambda z: f(p, z), (x,), 0), what="x")
        gp = s2s.grad(f, wrt=0)(p, x)
        assert sorted(gp) == sorted(p)
        for key, value in p.items():
            def along(v, key=key):
                return f({**p, key: v}, x)
            assert_close(gp[key], numeric_grad(along, (np.asarray(value, dtype=float),), 0), what=key)
    # the default is read where the key is missing: with full, x enters through w only; lacking, through all three
    assert_close(s2s.hessian(f, wrt=1)(lacking, x), numeric_hessian(lambda z: f(lacking, z), x), what="hessian")
    assert_close(s2s.jacobian(s2s.grad(f, wrt=1), wrt=1, mode="forward")(full, x),
                 numeric_hessian(lambda z: f(full, z), x), what="jacobian of grad")


def test_get_on_a_list_is_refused_when_run():
    with pytest.raises(TypeError, match=r"\.get\(\) of a dict, not of a list"):
        s2s.grad(reads_a_dict_with_differentiated_default, wrt=1)([1.0], np.array([0.5, 0.25]))


def test_helper_appending_to_its_argument_of_another_name():
    """tests/test_lists.py's appends_in_a_helper_to_its_argument, refused before: sum([x, x * x])."""
    from test_lists import appends_in_a_helper_to_its_argument as f
    for x in (0.5, -1.5):
        value, g = s2s.value_and_grad(f)(x)
        assert value == pytest.approx(x + x * x) and g == pytest.approx(1.0 + 2.0 * x)
        assert s2s.jvp(f)((x,), (1.0,))[1] == pytest.approx(1.0 + 2.0 * x)
        assert s2s.hessian(f)(x) == pytest.approx(2.0)


@pytest.mark.parametrize("name", ["push_twice", "push_into_empty"])
def test_helper_pushing_onto_the_functions_list(name):
    """tests/test_alias_fixes.py's push(ys, v) (lst.append(v) in push), refused before: ys grows."""
    import test_alias_fixes
    f = getattr(test_alias_fixes, name)
    assert_close(check_every_mode(f, X), [0.0, 2.0, 0.0], what=name)


# ----------------------------------------------------------------- a recursive call passing a keyword-only argument
def powered_recursively(x, n, *, k=2.0):
    if n == 0:
        return x * k
    return powered_recursively(x * x, n - 1, k=k)


def powered_recursively_by_position(x, n, k=2.0):
    if n == 0:
        return x * k
    return powered_recursively_by_position(x * x, n - 1, k)


def test_recursive_keyword_only_argument_says_to_make_it_positional():
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2s.grad(powered_recursively)(1.3, 2)
    assert "keyword-only argument 'k'" in str(info.value) and "ordinary parameter" in str(info.value)
    # what it says to write: 2 x^4 has derivative 8 x^3
    assert s2s.grad(powered_recursively_by_position)(1.3, 2) == pytest.approx(8.0 * 1.3 ** 3)
