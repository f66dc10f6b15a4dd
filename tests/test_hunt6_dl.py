"""Deep-learning code after hunt hunt6dl (items 4-7): refusals whose advice keeps what the program means, and
false refusals made to work. An in-place running-average update (`rm *= 0.9` on the caller's array,
`state['rm'] = ...`, `self.rm = ...`) changes what the caller holds: the messages say so and advise what keeps
that update (make it outside the differentiated function, or return the new state with the result and use
s2s.vjp), where they advised a new value that silently dropped it. Each accepted program is checked against
finite differences; each refusal by its message and its line."""
import inspect

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad, numeric_hessian

X = np.array([[0.3, -1.2, 0.8], [1.1, 0.4, -0.5], [-0.7, 0.9, 0.2], [0.6, -0.3, 1.4]])


def refused_at(call, f, line_text, match, error=s2s.S2SError):
    """`call()` is refused with a message matching `match`, located at f's line holding `line_text`."""
    with pytest.raises(error, match=match) as info:
        call()
    lines, first = inspect.getsourcelines(f)
    line = first + next(i for i, text in enumerate(lines) if line_text in text)
    text = str(info.value)
    assert f":{line}" in text.splitlines()[1] or getattr(info.value, "lineno", None) == line, text
    return text


# ----------------------------------------------------------------- item 6: in-place running averages
def bn_running_mean(x, bn):
    rm = bn['rm']
    rm *= 0.9
    rm += 0.1 * x.mean(axis=0)
    return np.sum((x - x.mean(axis=0)) ** 2)


def bn_key_write(x, bn):
    bn['rm'] = 0.9 * bn['rm'] + 0.1 * x.mean(axis=0)
    return np.sum((x - bn['rm']) ** 2)


def bn_key_in_place(x, bn):
    bn['rm'] *= 0.9
    return np.sum(x ** 2)


def bn_slice_write(x, bn):
    bn['rm'][:] = 0.9 * bn['rm'] + 0.1 * x.mean(axis=0)
    return np.sum(x ** 2)


class BatchNorm:
    def __init__(self):
        self.rm = np.zeros(3)

    def forward(self, x):
        self.rm = 0.9 * self.rm + 0.1 * x.mean(axis=0)
        return np.sum((x - self.rm) ** 2)

    def forward_in_place(self, x):
        self.rm *= 0.9
        return np.sum(x ** 2)

    def forward_local(self, x):
        rm = self.rm
        rm *= 0.9
        return np.sum(x ** 2)


def view_in_place(x):
    h = x * 1.0
    hv = h[:, :2]
    hv *= 2.0
    return np.sum(h ** 2)


def view_written_by_name(x):  # what the message on view_in_place advises: h changes as NumPy's does
    h = x * 1.0
    h[:, :2] *= 2.0
    return np.sum(h ** 2)


KEEP = r"make it outside the function you differentiate, or return the new state with the result"


def test_running_mean_in_place_on_the_callers_array_says_a_new_value_drops_the_update():
    bn = {'rm': np.zeros(3)}
    text = refused_at(lambda: s2s.grad(bn_running_mean)(X, bn), bn_running_mean, "rm *= 0.9",
                      r"'rm \*= 0\.9' would change an array in place that the caller passed in \('bn'")
    assert "if the caller need not see the change (NumPy's caller would)" in text and KEEP.replace("\\", "") in text
    assert np.array_equal(bn['rm'], np.zeros(3))


def test_running_mean_in_place_on_an_attribute_names_the_object():
    m = BatchNorm()
    refused_at(lambda: s2s.grad(m.forward_local)(X), BatchNorm.forward_local, "rm *= 0.9",
               r"array in place that the caller passed in \('self' or something it holds\).*" + KEEP)


@pytest.mark.parametrize("f, line", [(bn_key_write, "bn['rm'] ="), (bn_key_in_place, "bn['rm'] *="),
                                     (bn_slice_write, "bn['rm'][:] =")])
def test_writing_a_key_of_the_callers_dict_advises_what_keeps_the_update(f, line):
    text = refused_at(lambda: s2s.grad(f)(X, {'rm': np.zeros(3)}), f, line,
                      r"assignment to an element of .*(which the caller passed in|the caller passed it in).*" + KEEP,
                      s2s.UnsupportedSyntaxError)
    if f is not bn_slice_write:  # the new dict for the function's own use, the caller's left as it was
        assert "{**bn, 'rm': new_value}" in text and "own use only, bn = {**bn, 'rm': value}" in text


@pytest.mark.parametrize("method, line", [("forward", "self.rm = 0.9"), ("forward_in_place", "self.rm *= 0.9")])
def test_writing_an_attribute_advises_what_keeps_the_update(method, line):
    m = BatchNorm()
    refused_at(lambda: s2s.grad(getattr(m, method))(X), getattr(BatchNorm, method), line,
               r"assignment to (an )?attribute.*NumPy's caller would see changed.*outside the function you "
               r"differentiate.*s2s\.vjp", s2s.UnsupportedSyntaxError)


def bn_returning_state(x, bn):  # the advised rewrite: the new state returned with the loss
    mu = x.mean(axis=0)
    loss = np.sum((x - mu) ** 2 * np.tanh(x))
    return loss, {**bn, 'rm': 0.9 * bn['rm'] + 0.1 * mu}


def test_the_advised_rewrite_returns_the_state_and_its_gradient_is_exact():
    bn = {'rm': np.array([0.5, -0.2, 0.1]), 'rv': np.ones(3)}
    (loss, state), pullback = s2s.vjp(bn_returning_state)(X, bn)
    assert loss == bn_returning_state(X, bn)[0]
    assert_close(state['rm'], 0.9 * bn['rm'] + 0.1 * X.mean(axis=0), what="new running mean")
    g = pullback((1.0, {'rm': np.zeros(3), 'rv': np.zeros(3)}))
    assert_close(g, numeric_grad(lambda x: bn_returning_state(x, bn)[0], (X,), 0), what="gradient")


def test_in_place_operator_on_a_view_advises_writing_the_base_by_its_name():
    refused_at(lambda: s2s.grad(view_in_place)(X), view_in_place, "hv *= 2.0",
               r"'hv \*= 2\.0' would change an array in place that is a view of 'h'.*write into it by its own name "
               r"\(h\[\.\.\.\] \*= \.\.\.")
    assert_close(s2s.grad(view_written_by_name)(X), numeric_grad(view_written_by_name, (X,), 0), what="grad")
    assert s2s.grad(view_written_by_name)(X)[0, 0] == pytest.approx(8 * X[0, 0])


# ----------------------------------------------------------------- item 5: state | {...}, a merge of dicts
def bn_merge(x, g, state):
    mu = x.mean(axis=0)
    st = state | {'rm': 0.9 * state['rm'] + 0.1 * mu}
    return np.sum(((x - mu) * g) ** 2) + np.sum(st['rm'] ** 2)


def bn_spread(x, g, state):  # what the message on bn_merge advises
    mu = x.mean(axis=0)
    st = {**state, 'rm': 0.9 * state['rm'] + 0.1 * mu}
    return np.sum(((x - mu) * g) ** 2) + np.sum(st['rm'] ** 2)


def test_a_merge_of_dicts_advises_the_dict_display_that_works():
    state = {'rm': np.array([0.5, -0.2, 0.1]), 'rv': np.ones(3)}
    g = np.array([0.5, 2.0, -1.0])
    for transform in (s2s.grad, lambda f: s2s.jacobian(f, mode="forward")):
        text = refused_at(lambda: transform(bn_merge)(X, g, state), bn_merge, "state | {",
                          r"cannot differentiate the call to the operator \|", s2s.NonDifferentiableError)
        assert "{**state, 'rm': value} for state | {'rm': value}" in text
    assert bn_spread(X, g, state) == bn_merge(X, g, state)
    numeric = numeric_grad(lambda x: bn_spread(x, g, state), (X,), 0)
    assert_close(s2s.grad(bn_spread)(X, g, state), numeric, what="grad")
    assert_close(s2s.jacobian(bn_spread, mode="forward")(X, g, state), numeric, what="forward jacobian")
    assert_close(s2s.hessian(bn_spread)(X, g, state), numeric_hessian(lambda x: bn_spread(x, g, state), X), 1e-4,
                 1e-5, what="hessian")
    assert_close(s2s.grad(bn_spread, wrt=2)(X, g, state)['rm'],
                 numeric_grad(lambda rm: bn_spread(X, g, {**state, 'rm': rm}), (state['rm'],), 0), what="wrt state")
