"""Round seven of the bug hunts: a helper called for its effect that writes into data of its module or closure
which the function differentiated reads ran as it is, and the derivative through that data was lost, silently
(gradient [0, 0] for [0.27, 1.08]). Refused at the call now; a helper that writes data the function does not read
(a log of losses) still runs as written."""
import numpy as np
import pytest

import s2s
from conftest import assert_close

BUF = np.zeros(2)
HISTORY = []
STATE = {"y": 0.0}


class Work:
    buf = np.zeros(2)


def fill(x):
    BUF[:] = x ** 3


def fill_class(x):
    Work.buf[:] = x ** 2


def record(v):
    HISTORY.append(v * 1.0)


def remember(v):
    STATE["y"] = v * 1.0


def reads_the_buffer(x):
    fill(x)
    return np.sum(BUF)


def reads_the_buffer_before(x):
    a = np.sum(BUF * x ** 2)
    fill(x)
    return a


def reads_the_class_buffer(x):
    fill_class(x)
    return np.sum(Work.buf * x)


def reads_the_history(x):
    record(np.sum(x))
    return HISTORY[-1] * 2.0


def reads_the_state(x):
    remember(np.sum(x))
    return STATE["y"] * x[0]


@pytest.mark.parametrize("f", [reads_the_buffer, reads_the_buffer_before, reads_the_class_buffer,
                               reads_the_history, reads_the_state])
@pytest.mark.parametrize("mode", ["grad", "jvp"])
def test_a_helper_writing_data_the_function_reads_is_refused(f, mode):
    x = np.array([0.3, 0.6])
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"for its effect, which writes into '\w+'"):
        if mode == "grad":
            s2s.grad(f)(x)
        else:
            s2s.jvp(f)((x,), (np.ones(2),))


def logs_and_computes(x):
    record(np.sum(x))
    return np.sum(x ** 2)


def test_a_helper_writing_data_the_function_does_not_read_runs_as_written():
    x = np.array([0.3, 0.6])
    before = len(HISTORY)
    value, g = s2s.value_and_grad(logs_and_computes)(x)
    assert value == pytest.approx(0.45)
    assert_close(g, 2 * x, what="gradient")
    assert len(HISTORY) == before + 1
