"""NumPy aliasing carried round a loop's back edge (hunt13md S1, S2, R1, R2).

S1: `x += k; x = x * 2.0; traj.append(x)` -- from the second iteration on, `x += k` writes into the array the
iteration before appended (NumPy's traj shows it); s2s took traj's items for snapshots and returned a wrong value
and derivative in every mode. S2: `y += k; ...; y = x` -- from the second iteration on, `y += k` changes x.
Both are refused now when run, at the user's in-place line, saying where to take a copy; each piece of advice is
checked to give NumPy's value and derivatives. R2 (`v += a; hist.append(v); v = v * 0.5`: each appended array is
never written again) and R1 (`x_old = x; x = x_new; x_old *= 0.5`) were refused and are exact now.
Each function takes p = [x0_0, x0_1, k].
"""
import numpy as np
import pytest

import s2s
from conftest import check_every_mode

P = np.array([0.5, 1.0, 0.25])


# ----- S1: the array an iteration rebound the name to and stored, changed in place by the next iteration
def appended(p):
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(2):
        x += k
        x = x * 2.0
        traj.append(x)
    return np.sum(traj[0])


def alias_kept(p):
    x = p[:2].copy(); k = p[2]; prev = p[:2] * 1.0
    for t in range(2):
        x += k
        x = x * 2.0
        if t == 0:
            prev = x
    return np.sum(prev)


def view_appended(p):
    x = p[:2].copy(); k = p[2]; out = []
    for t in range(3):
        x += k
        x = np.mod(x, 3.0)
        out.append(x[:1])
    return np.sum(out[0])


def tuple_appended(p):
    x = p[:2].copy(); k = p[2]; v = p[:2] * k; out = []
    for t in range(3):
        v *= 0.9
        v = v - k * x
        x = x + v
        out.append((x, v))
    return np.sum(out[0][1]) + np.sum(out[1][0])


def _step2(x, k):
    x += k
    return x * 2.0


def by_helper(p):
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(2):
        x = _step2(x, k)
        traj.append(x)
    return np.sum(traj[0])


def concatenated(p):
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(2):
        x += k
        x = x * 2.0
        traj = traj + [x]
    return np.sum(traj[0])


def extended(p):
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(2):
        x += k
        x = x * 2.0
        traj.extend([x])
    return np.sum(np.stack(traj))


def inner_loop(p):
    x = p[:2].copy(); k = p[2]; out = []
    for t in range(3):
        for s in range(2):
            x += k
        x = x * 2.0
        out.append(x)
    return np.sum(out[0])


def under_if(p):
    x = p[:2].copy(); k = p[2]; out = []
    for t in range(3):
        if t > 0:
            x += k
        x = x * 2.0
        out.append(x)
    return np.sum(out[0])


def with_break(p):
    x = p[:2].copy(); k = p[2]; out = []
    for t in range(3):
        x += k
        if t == 1:
            break
        x = x * 2.0
        out.append(x)
    return np.sum(out[0])


def in_while(p):
    x = p[:2].copy(); k = p[2]; traj = []; t = 0
    while t < 2:
        x -= k * x
        x = np.clip(x, 0.0, 5.0)
        traj.append(x)
        t += 1
    return np.sum(traj[0])


def named_then_rebound(p):
    x = p[:2].copy(); k = p[2]; out = []
    for t in range(3):
        x += k
        y = x * 2.0
        out.append(y)
        x = y
    return np.sum(out[0])


# ----- S2: a name rebound to an array made before the loop, changed in place at the next iteration's top
def rebound_to_other(p):
    x = p[:2].copy(); k = p[2]; y = p[:2] * 2.0
    for t in range(3):
        y += k
        y = x
    return np.sum(x)


def old_force(p):
    x = p[:2].copy(); k = p[2]; v = p[:2] * 0.5
    f = -k * x
    f_old = np.zeros_like(x)
    for t in range(4):
        f_old *= 0.0
        f_old += f
        x = x + 0.1 * v + 0.005 * f_old
        f = -k * x
        v = v + 0.05 * (f + f_old)
        f_old = f
    return np.sum(x ** 2) + np.sum(v ** 2)


def rebound_sometimes(p):
    x = p[:2].copy(); k = p[2]; y = p[:2] * 0.5; acc = 0.0
    for t in range(4):
        y += k
        y = x
        if t % 2 == 0:  # (x kept on the other iterations: the next 'y += k' changes it)
            x = x * 2.0
        acc = acc + np.sum(x ** 2)
    return acc + np.sum(y)


def scaled(p):
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(3):
        x *= 1.0 + 0.1 * k
        x = np.tanh(x)
        traj.append(x)
    return np.sum(np.stack(traj) ** 2)


def both_written(p):
    x = p[:2].copy(); k = p[2]; v = p[:2] * 0.5; y = p[:2] * 2.0; acc = 0.0
    for t in range(4):
        y += 0.1 * k
        v *= 0.9
        x += k * v
        v = y  # (from the second iteration on both in-place lines change one array)
        acc = acc + np.sum(v * x)
    return acc + np.sum(y) + np.sum(x ** 2)


def both_written_copy(p):
    x = p[:2].copy(); k = p[2]; v = p[:2] * 0.5; y = p[:2] * 2.0; acc = 0.0
    for t in range(4):
        y += 0.1 * k
        v *= 0.9
        x += k * v
        v = y.copy()
        acc = acc + np.sum(v * x)
    return acc + np.sum(y) + np.sum(x ** 2)


REFUSED = {  # function -> (what the message says, the advice in it)
    appended: ("which 'traj' still holds", "traj.append(x.copy())"),
    alias_kept: ("which 'prev' still holds", "prev = x.copy()"),
    view_appended: ("which 'out' still holds", "out.append(x[:1].copy())"),
    tuple_appended: ("which 'out' still holds", "out.append((x, v.copy()))"),
    by_helper: ("which 'traj' still holds", "traj.append(x.copy())"),
    concatenated: ("which 'traj' still holds", "traj = traj + [x.copy()]"),
    extended: ("which 'traj' still holds", "traj.extend([x.copy()])"),
    inner_loop: ("which 'out' still holds", "out.append(x.copy())"),
    under_if: ("which 'out' still holds", "out.append(x.copy())"),
    with_break: ("which 'out' still holds", "out.append(x.copy())"),
    in_while: ("which 'traj' still holds", "traj.append(x.copy())"),
    named_then_rebound: ("which 'out' still holds", "out.append(y.copy())"),
    rebound_to_other: ("'x', made before the loop (NumPy changes it", "y = x.copy()"),
    old_force: ("which is 'f' too", "f_old = f.copy()"),
    rebound_sometimes: ("which is 'x' too", "y = x.copy()"),
    both_written: ("'y', made before the loop", "v = y.copy()"),
    scaled: ("which 'traj' still holds", "x = x * (1.0 + 0.1 * k)"),
}


@pytest.mark.parametrize("f", list(REFUSED), ids=lambda f: f.__name__)
def test_back_edge_alias_refused_at_the_in_place_line(f):
    said, advice = REFUSED[f]
    for transform in (lambda: s2s.value_and_grad(f)(P), lambda: s2s.jvp(f)((P,), (np.ones(3),)),
                      lambda: s2s.jacobian(f, mode="forward")(P), lambda: s2s.hessian(f)(P)):
        with pytest.raises(s2s.S2SError) as e:
            transform()
        text = str(e.value)
        assert "in the iteration before" in text and said in text and advice in text, text
        assert "=" in text.splitlines()[-1] and ("+=" in text or "-=" in text or "*=" in text), text


# ----- the advice, each way: NumPy's value and derivatives
def appended_copy(p):
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(2):
        x += k
        x = x * 2.0
        traj.append(x.copy())
    return np.sum(traj[0])


def appended_new_value(p):
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(2):
        x = x + k
        x = x * 2.0
        traj.append(x)
    return np.sum(traj[0])


def tuple_copy(p):
    x = p[:2].copy(); k = p[2]; v = p[:2] * k; out = []
    for t in range(3):
        v *= 0.9
        v = v - k * x
        x = x + v
        out.append((x, v.copy()))
    return np.sum(out[0][1]) + np.sum(out[1][0])


def view_copy(p):
    x = p[:2].copy(); k = p[2]; out = []
    for t in range(3):
        x += k
        x = np.mod(x, 3.0)
        out.append(x[:1].copy())
    return np.sum(out[0])


def alias_copy(p):
    x = p[:2].copy(); k = p[2]; prev = p[:2] * 1.0
    for t in range(2):
        x += k
        x = x * 2.0
        if t == 0:
            prev = x.copy()
    return np.sum(prev)


def rebound_to_copy(p):
    x = p[:2].copy(); k = p[2]; y = p[:2] * 2.0
    for t in range(3):
        y += k
        y = x.copy()
    return np.sum(x) + np.sum(y)


def rebound_new_value(p):
    x = p[:2].copy(); k = p[2]; y = p[:2] * 2.0
    for t in range(3):
        y = y + k
        y = x
    return np.sum(x) + np.sum(y)


def old_force_copy(p):
    x = p[:2].copy(); k = p[2]; v = p[:2] * 0.5
    f = -k * x
    f_old = np.zeros_like(x)
    for t in range(4):
        f_old *= 0.0
        f_old += f
        x = x + 0.1 * v + 0.005 * f_old
        f = -k * x
        v = v + 0.05 * (f + f_old)
        f_old = f.copy()
    return np.sum(x ** 2) + np.sum(v ** 2)


def rebound_sometimes_copy(p):
    x = p[:2].copy(); k = p[2]; y = p[:2] * 0.5; acc = 0.0
    for t in range(4):
        y += k
        y = x.copy()
        if t % 2 == 0:
            x = x * 2.0
        acc = acc + np.sum(x ** 2)
    return acc + np.sum(y)


def scaled_new_value(p):
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(3):
        x = x * (1.0 + 0.1 * k)
        x = np.tanh(x)
        traj.append(x)
    return np.sum(np.stack(traj) ** 2)


# ----- R2, R1 and their neighbours: NumPy's result does not depend on the aliasing (exact)
def appended_then_rebound(p):
    x = p[:2].copy(); k = p[2]; v = np.zeros(2); hist = []
    for t in range(3):
        v += k * x
        hist.append(v)
        v = v * 0.5
    return np.sum(hist[0]) + np.sum(hist[2])


def verlet_history(p):
    x = p[:2].copy(); k = p[2]; x_old = p[:2].copy()
    for t in range(3):
        x_new = 2 * x - x_old - k * x
        x_old = x
        x = x_new
        x_old *= 0.5
    return np.sum(x) + np.sum(x_old)


def damped_velocities(p):
    x = p[:2].copy(); k = p[2]; v = p[:2] * 0.5; vs = []
    for t in range(4):
        v += 0.1 * k * x
        vs.append(v)
        v = v * 0.9
        x = x + 0.1 * v
    return np.sum(np.array(vs) ** 2) + np.sum(x)


def kept_read_first(p):
    x = p[:2].copy(); k = p[2]; prev = p[:2] * 0.5; acc = 0.0
    for t in range(3):
        acc = acc + np.sum(prev * prev)
        x += k
        x = x * 2.0
        prev = x
    return acc + np.sum(prev)


@pytest.mark.parametrize("f", [appended_copy, appended_new_value, tuple_copy, view_copy, alias_copy, rebound_to_copy,
                               rebound_new_value, old_force_copy, rebound_sometimes_copy, scaled_new_value,
                               both_written_copy,
                               appended_then_rebound, verlet_history,
                               damped_velocities, kept_read_first], ids=lambda f: f.__name__)
def test_advice_and_unaliased_loops_exact(f):
    check_every_mode(f, P)


def test_refused_programs_differ_from_their_copies():
    """The refusals are of programs whose NumPy value is not the snapshot one (the reason for refusing)."""
    assert appended(P) != appended_copy(P)
    assert old_force(P) != old_force_copy(P)
    assert rebound_to_other(P) != rebound_to_copy(P) - np.sum(P[:2])


def first_item_aliased(p):
    xs = [p[:2].copy()]
    x = xs[0]
    k = p[2]
    for t in range(2):
        x += k
        x = x * 2.0
        xs.append(x)
    return np.sum(xs[0]) + np.sum(xs[1])


def test_message_names_the_users_variable_not_a_temporary():
    with pytest.raises(s2s.S2SError) as e:
        s2s.grad(first_item_aliased)(P)
    text = str(e.value)
    assert "'t1'" not in text and "t1." not in text and "'x'" in text and "x.copy()" in text, text
