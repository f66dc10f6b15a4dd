"""Generated gradient source compared exactly with tests/golden/ (S2S_UPDATE_SNAPSHOTS=1 rewrites).

The golden functions' gradients are also checked numerically, so a golden file
never freezes a wrong gradient.
"""
import os

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad
from golden_functions import GOLDEN
from s2s.testing import assert_source_matches

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.mark.parametrize("name,fn,wrt", GOLDEN, ids=[g[0] for g in GOLDEN])
def test_generated_source_matches_golden(name, fn, wrt):
    assert_source_matches(s2s.grad(fn, wrt=wrt), os.path.join(HERE, "golden", f"grad_{name}.py"))


ARGS = {
    "quickstart": (2.0, 3.0), "mlp_layer": (np.ones((3, 2)) * 0.3, np.array([0.5, -1.0]), np.array([0.1, 0.2, -0.3])),
    "softplus_sum": (np.array([0.3, -1.2, 2.0]),), "rational": (1.3, 0.4), "chain": (0.7,),
    "broadcast_bias": (np.arange(6.0).reshape(2, 3) / 5.0, np.array([0.1, -0.2, 0.3])), "helper_user": (0.9,),
    "soft_abs": (-0.8,), "power_series": (0.9, 7), "grow_until": (0.2,), "newton_sqrt": (3.0,),
    "element_write_loop": (np.array([0.3, -1.2, 2.0, 0.7]),),
    "rnn": (np.eye(3) * 0.5 + 0.1, np.arange(6.0).reshape(3, 2) / 6.0, np.array([[0.2, -0.4], [1.0, 0.3]]),
            np.array([0.1, 0.0, -0.2])),
    "dense_batch": (np.arange(6.0).reshape(2, 3) / 6.0, np.array([[0.2, -0.1], [0.0, 0.3], [-0.5, 0.1]])),
    "nested_helper": (np.array([0.3, -1.2, 0.8]), 0.7), "comprehension": ([0.5, -1.0, 2.0], 0.3),
    "gradient_called_inside": (np.array([0.4, -0.9]),),
    "scatter_add_loop": (np.array([0.5, -1.5, 2.0]), np.array([[0, 1], [1, 2], [1, 3]])),
    "trajectory": (np.array([0.3, -1.2, 2.0]), 0.7),
    "sine_rnn_state": (np.array([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6], [-0.2, 0.3, 0.7]]), np.array([0.3, -0.8, 1.1])),
    "hmm_forward": (np.log(np.array([[0.7, 0.2, 0.1], [0.3, 0.5, 0.2], [0.25, 0.25, 0.5]])),
                    np.log(np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7]])),
                    np.log(np.array([0.5, 0.3, 0.2])), [0, 2, 1, 1, 0, 2]),
    "messages": (np.array([0.3, -0.8, 1.1]),),
    "checkpointed_rnn": (np.array([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6], [-0.2, 0.3, 0.7]]), np.array([0.3, -0.8, 1.1]),
                         np.array([[0.2, -0.1, 0.4], [0.5, 0.3, -0.6], [-0.2, 0.1, 0.3]])),
}


@pytest.mark.parametrize("name,fn,wrt", GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_functions_are_right(name, fn, wrt):
    args = ARGS[name]
    got = s2s.grad(fn, wrt=wrt)(*args)
    wrts = wrt if isinstance(wrt, tuple) else (wrt,)
    got = got if isinstance(wrt, tuple) else (got,)
    for w, g in zip(wrts, got):
        assert_close(g, numeric_grad(fn, args, w), what=f"{name} d/d{w}")


def test_quickstart_gradient_is_short():
    """The quick-start's gradient is meant to be read: at most 20 lines of code."""
    text = s2s.grad(GOLDEN[0][1], wrt=(0, 1)).source
    code = [line for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert len(code) <= 20, text
