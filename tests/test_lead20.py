"""Round 20, the lead's fixes."""
import importlib.util
import textwrap

import numpy as np
import pytest

import s2s

KINDS = tuple(f"kind{i}" for i in range(40))
MODULE = textwrap.dedent(f"""
    import numpy as np


    def scaled_by_kind(x, kind="kind7"):
        if kind in {{{", ".join(repr(k) for k in KINDS)}}}:
            return np.sum(x ** 3)
        return np.sum(x)
""")


def test_a_set_constant_built_in_another_order_is_the_same_code(tmp_path):
    # `kind in {...}` compiles to a frozenset whose order is that of the process that built it: a .pyc written under
    # another PYTHONHASHSEED holds it in another order (scipy.signal.convolve's `dtype.kind in {'u', 'i'}` was
    # refused as "not the code Python runs" in one CI run: its advice lost). Here: the constant rebuilt in another
    # order, in a module pytest does not rewrite.
    path = tmp_path / "set_kinds.py"
    path.write_text(MODULE)
    spec = importlib.util.spec_from_file_location("set_kinds", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fn = module.scaled_by_kind
    code = fn.__code__
    (constant,) = [c for c in code.co_consts if isinstance(c, frozenset)]
    others = (frozenset(reversed(KINDS)), frozenset(sorted(KINDS, key=lambda k: k[::-1])),
              frozenset(sorted(KINDS, key=len)), frozenset(KINDS))
    other = next(o for o in others if list(o) != list(constant))
    assert other == constant and repr(other) != repr(constant)
    fn.__code__ = code.replace(co_consts=tuple(other if c is constant else c for c in code.co_consts))
    assert fn(np.array([2.0])) == 8.0
    # the message a set display gets (as scipy.signal.convolve gets its advice), never "the file changed"
    with pytest.raises(s2s.UnsupportedSyntaxError, match="a set display is not supported"):
        s2s.grad(fn)(np.array([0.5, -1.2, 2.0]))


def fresh_array(x):
    y = np.exp(x) - 1.0
    return np.sum(y[1:] * y[:-1]) + y[0] ** 2


def test_a_pullback_of_a_gradient_called_twice_gives_the_same_row():
    # The pullback of generated code (vjp of a gradient) keeps the forward sweep's arrays in its closure: a restore
    # of an element written there changed them in place, so the second call (the reverse Jacobian's second row) read
    # the restored array (c9edbc1, reverted). Reference: the Hessian's rows by finite differences of the gradient.
    x = np.array([0.4, -0.3, 0.9, 0.2])
    _, pullback = s2s.vjp(s2s.grad(fresh_array))(x)
    grad = s2s.grad(fresh_array)
    eps = 1e-6
    for k in (1, 2, 1):
        e = np.eye(4)[k]
        row = (grad(x + eps * e) - grad(x - eps * e)) / (2 * eps)
        np.testing.assert_allclose(pullback(e), row, rtol=1e-6, atol=1e-7)
