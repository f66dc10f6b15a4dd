"""Round 17, the lead's own changes: generated code made plainer where the change is provably the same number."""
import numpy as np

import s2s
from tests.conftest import assert_close, numeric_grad


def slots_of_display(x):
    ys = [0.0, 0.0, 0.0]
    for k in range(3):
        ys[k] = x * k
    return ys[0] + ys[1] * ys[2]


def slots_of_repeat(x):
    ys = [0.0] * 3
    for k in range(3):
        ys[k] = np.sin(x * k)
    return ys[1] * ys[2]


def test_a_list_of_numbers_written_by_slot_keeps_no_old_slots_and_no_dtype_check():
    for f in (slots_of_display, slots_of_repeat):
        src = s2s.grad(f).source
        assert "require_float_array" not in src  # (a list's slot takes any value: nothing NumPy truncates)
        assert "_old" not in src  # (the numbers it held are never read again)
        for x in (0.7, -1.3):
            assert_close(s2s.grad(f)(x), numeric_grad(f, (x,), 0))
    assert_close(s2s.grad(slots_of_display)(0.7), 4 * 0.7)  # d/dx (x * 2x)


def slots_then_read_old(x):
    ys = [1.0, 2.0, 3.0]
    a = ys[1] * x
    ys[1] = x * x
    return a * ys[1]


def test_a_slot_read_before_its_write_still_gives_the_old_value():
    f = slots_then_read_old
    for x in (0.7, -1.3):
        assert_close(s2s.grad(f)(x), numeric_grad(f, (x,), 0))
        assert_close(s2s.jvp(f)((x,), (1.0,))[1], numeric_grad(f, (x,), 0))
