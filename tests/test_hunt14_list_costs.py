"""Lists grown in a loop, round 14's findings on their derivatives (hunt14reg C1 and P1, hunt14ctl P1-P3).

C1: the reverse-over-reverse Hessian (`s2s.jacobian(s2s.grad(f))`) of a list grown in a loop with `continue` read the
zero a reversed loop's list adjoint starts from (a bare 0.0 standing for every part) as a list in the transposes of
an append's adjoint (`rt.appended_item_transpose`, `rt.appended_adjoint_transpose`): TypeError 'float' object is
not subscriptable. Each program is checked in every mode against finite differences.

hunt14ctl P1/P2: the Hessian (forward over the gradient) of a list of arrays filled in one loop and read by index in
another (an RTS smoother, a hand-written adjoint) was O(n^2): the tangent of the gradient's accumulator write
`bxs[k] += bt` was built out of place, two copies of the list per iteration, because forward mode took the list
of tangents to share memory with the parts it holds (ad/list_slots.py). Now `dbxs[k] = dt` writes its slot.
"""

import numpy as np

import s2s
from conftest import assert_close, numeric_grad, numeric_hessian
from trajectory_checks import check_forward_modes, check_reverse_modes, check_second_order, Y0


def _step(y, k):
    return y + 0.1 * np.tanh(k * y)


def continue_before_append(y0, k):
    ys = [y0]
    loss = 0.0
    for t in range(7):
        loss = loss + np.sum(ys[-1] ** 2)
        if t % 2 == 1:
            continue
        ys.append(_step(ys[-1], k))
    return loss


def continue_then_break(y0, k):
    ys = [y0]
    loss = 0.0
    for t in range(8):
        ys.append(_step(ys[-1], k))
        if t % 3 == 1:
            continue
        if t == 6:
            break
        loss = loss + np.sum(ys[-1] ** 2)
    return loss


def continue_after_append(y0, k):
    ys = [y0]
    loss = 0.0
    for t in range(7):
        ys.append(_step(ys[-1], k))
        if t % 2 == 1:
            continue
        loss = loss + np.sum(ys[-1] ** 2)
    return loss


def test_continue_before_append_every_mode():
    check_reverse_modes(continue_before_append, Y0)
    check_forward_modes(continue_before_append)
    check_second_order(continue_before_append)
    # (O(n^2) too, 0.2 s at 1,000 steps, 3.2 s at 4,000: `if c: continue` passing the list on, then the append, is
    # cut back in place as an append in one branch of an if: ad/grown_lists._branch_appends)
    text = s2s.grad(continue_before_append).source
    assert "rt.added_at_part(" in text and "ys_1_saved" not in text, text


def continue_append_read(y0, k):
    ys = [y0]
    loss = 0.0
    for t in range(7):
        if t % 3 == 1:
            continue
        ys.append(_step(ys[-1], k))
        loss = loss + np.sum(ys[-1] ** 2)
    return loss + np.sum(ys[2])


def test_continue_then_append_and_read_every_mode():
    # (0.6 s at 1,000 steps, 9.9 s at 4,000 -> 23 and 88 ms)
    check_reverse_modes(continue_append_read, Y0)
    check_forward_modes(continue_append_read)
    check_second_order(continue_append_read)
    text = s2s.grad(continue_append_read).source
    assert "rt.added_at_part(" in text and "ys_1_saved" not in text, text


def test_continue_then_break_every_mode():
    check_reverse_modes(continue_then_break, Y0)
    check_forward_modes(continue_then_break)
    check_second_order(continue_then_break)


def test_continue_after_append_every_mode():
    check_reverse_modes(continue_after_append, Y0)
    check_forward_modes(continue_after_append)
    check_second_order(continue_after_append)
    # (hunt14reg P1: O(n^2), 0.5 s at 1,000 steps, 7.8 s at 4,000; the reversed `continue` passes the list adjoint on
    # where its reads are skipped, now cut back in place as a read in an if: ad/grown_lists._lift_from_if)
    text = s2s.grad(continue_after_append).source
    assert "rt.added_at_part(" in text and "ys_1_saved" not in text, text


def continue_two_reads(y0, k):
    ys = [y0]
    loss = 0.0
    t = 0
    while t < 7:
        t += 1
        ys.append(_step(ys[-1], k))
        if t % 3 == 0:
            loss = loss + np.sum(ys[-2] * ys[-1])
            continue
        loss = loss + np.sum(np.sin(ys[-1]))
    return loss + np.sum(ys[3])


def test_continue_with_reads_in_both_ways_every_mode():
    check_reverse_modes(continue_two_reads, Y0)
    check_forward_modes(continue_two_reads)
    check_second_order(continue_two_reads)
    text = s2s.grad(continue_two_reads).source
    assert "rt.added_at_part(" in text and "ys_1_saved" not in text, text


def two_pass(theta, ys):
    xs = []
    x = np.ones(2)
    for y in ys:
        x = theta * x + y
        xs.append(x)
    s = 0.0
    for k in range(len(xs) - 1, -1, -1):
        s = 0.5 * s + xs[k] @ xs[k]
    return s


def sum_generator(theta, ys):
    xs = [1.0]
    for y in ys:
        xs.append(theta * xs[-1] + y[0])
    return sum(x * 1.0 for x in xs) + xs[-1] * xs[-1]


_A0 = np.array([[1.0, 0.1], [0.0, 1.0]])


def smoother(theta, ys):
    A = np.array([[theta[0], 0.1], [0.0, theta[1]]])
    ms, Ps, Pps = [], [], []
    m = np.zeros(2)
    P = np.eye(2)
    for y in ys:
        Pp = A @ P @ A.T + 0.1 * np.eye(2)
        S = Pp[0, 0] + 0.5
        K = Pp[:, 0] / S
        m = A @ m + K * (y[0] - (A @ m)[0])
        P = Pp - np.outer(K, Pp[0, :])
        ms.append(m)
        Ps.append(P)
        Pps.append(Pp)
    msm = ms[-1]
    out = np.sum(msm ** 2)
    for k in range(len(ys) - 2, -1, -1):
        G = Ps[k] @ A.T @ np.linalg.inv(Pps[k + 1])
        msm = ms[k] + G @ (msm - A @ ms[k])
        out = out + np.sum(msm ** 2)
    return out


def nested_lists(x):
    xss = [[x * 1.0, x * 2.0], [np.sin(x), x ** 2]]
    s = 0.0
    for i in range(2):
        for j in range(2):
            s = s + np.sum(xss[i][j] * xss[1 - i][j])
    return s


def _second_order(f, args, wrt=0):
    """The Hessian in `wrt` three ways and a Hessian-vector product, against finite differences of f."""
    args = list(args)

    def along(v):
        return f(*(args[:wrt] + [v] + args[wrt + 1:]))
    x = np.asarray(args[wrt], dtype=float)
    want = numeric_hessian(along, x)
    assert_close(s2s.hessian(f, wrt=wrt)(*args), want, rtol=1e-4, atol=1e-5, what=f"hessian {f.__name__}")
    assert_close(s2s.jacobian(s2s.grad(f, wrt=wrt), wrt=wrt, mode="forward")(*args), want, rtol=1e-4, atol=1e-5,
                 what="forward jacobian of grad")
    assert_close(s2s.jacobian(s2s.grad(f, wrt=wrt), wrt=wrt)(*args), want, rtol=1e-4, atol=1e-5,
                 what="reverse jacobian of grad")
    v = np.linspace(0.5, -0.3, x.size).reshape(x.shape) if x.ndim else 0.7
    _, hv = s2s.jvp(s2s.grad(f, wrt=wrt), wrt=wrt)(tuple(args), (v,))
    assert_close(hv, want @ np.ravel(v) if x.ndim else want * v, rtol=1e-4, atol=1e-5, what="jvp of grad")
    value, g = s2s.value_and_grad(f, wrt=wrt)(*args)
    assert_close(value, f(*args), what="value")
    assert_close(g, numeric_grad(along, (x,), 0), rtol=1e-5, atol=1e-6, what="grad")


def _in_place(f, wrt=0):
    """The text of the Hessian-vector product writes the accumulator's tangents in place, once per write."""
    text = s2s.jvp(s2s.grad(f, wrt=wrt), wrt=wrt).source
    assert "rt.setitem_adjoint(" not in text and "rt.setitem_tangent(" not in text, text


def test_list_of_arrays_read_backward_second_order():
    ys = 0.1 * np.random.default_rng(1).normal(size=(6, 2))
    _second_order(two_pass, (np.array(0.6), ys))
    _in_place(two_pass)


def test_sum_of_generator_over_grown_list_second_order():
    ys = 0.1 * np.random.default_rng(2).normal(size=(6, 1))
    _second_order(sum_generator, (np.array(0.4), ys))
    _in_place(sum_generator)


def test_smoother_second_order():
    ys = np.random.default_rng(3).normal(size=(5, 1))
    _second_order(smoother, (np.array([0.9, 0.8]), ys))
    _in_place(smoother)


def test_nested_lists_second_order():
    _second_order(nested_lists, (np.array([0.3, -0.4, 0.7]),))
    _in_place(nested_lists)


# hunt14ctl P3: an IIR filter over a list it grows, read in a generator expression or a loop guarded by an `if`
# (`if n - j >= 0`): the reversed inner loop's adds into the list adjoint sat in an if, so the gradient kept the
# accumulator of the whole list per step (O(n^2)); they are now cut into the loop in the if's branches too
# (ad/grown_lists._cut_into_loop, an if's phi carrying the list adjoint).
def iir_generator(y0, k):
    x = np.concatenate([y0, 0.5 * y0])
    b = [0.2, 0.3 * k]
    a = [1.0, -0.5 * k, 0.1]
    ys = []
    for n in range(len(x)):
        acc = sum(b[j] * x[n - j] for j in range(len(b)) if n - j >= 0)
        acc = acc - sum(a[j] * ys[n - j] for j in range(1, len(a)) if n - j >= 0)
        ys.append(acc)
    return np.dot(ys, ys)


def iir_loop_if(y0, k):
    x = np.concatenate([y0, 0.5 * y0])
    ys = []
    for n in range(len(x)):
        acc = 0.2 * x[n]
        for j in range(1, 3):
            if n - j >= 0:
                acc = acc - (0.4 * k / j) * ys[n - j]
        ys.append(np.tanh(acc))
    return np.dot(ys, ys) + ys[-1]


def iir_if_else(y0, k):
    ys = [y0 * 0.1, y0 * 0.2]
    for n in range(5):
        acc = 0.5 * y0
        for j in range(1, 3):
            if j % 2 == 0:
                if n > 1:
                    acc = acc + 0.1 * k * ys[-j]
            else:
                acc = acc - 0.2 * np.sin(ys[-j])
        ys.append(acc)
    return np.sum(ys[-1] ** 2) + np.sum(ys[2] * ys[-2])


def test_iir_generator_every_mode():
    check_reverse_modes(iir_generator, Y0)
    check_forward_modes(iir_generator)
    check_second_order(iir_generator)
    text = s2s.grad(iir_generator).source
    assert "rt.added_at_part(" in text and "ys_1_saved" not in text, text


def test_iir_loop_if_every_mode():
    check_reverse_modes(iir_loop_if, Y0)
    check_forward_modes(iir_loop_if)
    check_second_order(iir_loop_if)
    text = s2s.grad(iir_loop_if).source
    assert "rt.added_at_part(" in text and "ys_1_saved" not in text, text


def test_iir_if_else_every_mode():
    check_reverse_modes(iir_if_else, Y0)
    check_forward_modes(iir_if_else)
    check_second_order(iir_if_else)
    text = s2s.grad(iir_if_else).source
    assert "rt.added_at_part(" in text and "ys_1_saved" not in text, text


def append_read_in_branch(y0, k):
    ys = [y0]
    loss = 0.0
    for t in range(7):
        if t % 2 == 0:
            ys.append(_step(ys[-1], k))
            loss = loss + np.sum(ys[-1] ** 2)
        else:
            loss = loss * 1.01
    return loss + np.sum(ys[1] * ys[-1])


def test_append_then_read_in_a_branch_every_mode():
    # (an append in one branch of an if and a read of the new list after it in that branch: O(n^2), 0.5 s at 1,000
    # steps, 9.6 s at 4,000; the branch's reads are now added in place before its cut: 16 and 84 ms)
    check_reverse_modes(append_read_in_branch, Y0)
    check_forward_modes(append_read_in_branch)
    check_second_order(append_read_in_branch)
    text = s2s.grad(append_read_in_branch).source
    assert "rt.added_at_part(" in text and "ys_1_saved" not in text, text
