"""Round 13's hunts (PDE and particle codes): an in-place operator on a view of the function's own copy, taken
before a time loop (`u = u0.copy(); inner = u[1:-1]; for ...: inner += D * lap`), was blamed on the caller's
array and advised `inner = inner + D * lap`, which leaves `u` as it was: another program. It names the array the
view is of and advises the write by its name that reads it again each iteration (`u[1:-1] += D * lap`), which
s2s follows; that advice is checked in every mode against finite differences."""
import numpy as np
import pytest

import s2s
from conftest import check_every_mode

U0 = np.linspace(0.0, 1.0, 7) ** 2


def heat(D, u0=U0):  # (hunt13pde M1)
    u = u0.copy()
    inner = u[1:-1]
    for _ in range(4):
        lap = u[2:] - 2 * u[1:-1] + u[:-2]
        inner += D * lap
    return np.sum(u ** 3)


def heat_as_advised(D, u0=U0):
    u = u0.copy()
    for _ in range(4):
        lap = u[2:] - 2 * u[1:-1] + u[:-2]
        u[1:-1] += D * lap
    return np.sum(u ** 3)


def state_split(dt, s0=np.arange(24.0).reshape(4, 6) / 10.0):  # (hunt13md M1: position and velocity views)
    s = s0.copy()
    pos = s[:, :3]
    vel = s[:, 3:]
    for t in range(3):
        vel -= dt * pos
        pos += dt * vel
    return np.sum(s ** 2)


def state_split_as_advised(dt, s0=np.arange(24.0).reshape(4, 6) / 10.0):
    s = s0.copy()
    for t in range(3):
        s[:, 3:] -= dt * s[:, :3]
        s[:, :3] += dt * s[:, 3:]
    return np.sum(s ** 2)


def test_a_view_of_the_functions_copy_changed_in_a_loop_is_said_to_be_of_the_copy():
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(heat)(0.3)
    message = str(info.value)
    assert "a view of 'u'" in message and "caller" not in message
    assert "u[1:-1] += D * lap" in message  # (the write by u's name reads the view again, as the loop does)
    assert heat_as_advised(0.3) == heat(0.3)  # the advice is the same program
    check_every_mode(heat_as_advised, 0.3)


def test_views_of_a_state_copy_changed_in_a_loop_are_said_to_be_of_the_copy():
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(state_split)(0.1)
    message = str(info.value)
    assert "a view of 's'" in message and "caller" not in message
    assert state_split_as_advised(0.1) == state_split(0.1)
    check_every_mode(state_split_as_advised, 0.1)


def test_a_view_of_a_dicts_shallow_copy_is_still_the_callers():
    def decay(dt, d):
        s = d.copy()  # (a dict's copy holds the caller's arrays)
        w = s['w']
        for t in range(3):
            w *= 0.9
        return np.sum(s['w'] ** 2) * dt
    with pytest.raises(s2s.S2SError, match="the caller passed in"):
        s2s.grad(decay)(0.1, {'w': np.ones(3)})
