"""Hunt round 11 (grids and particles): helpers that change their array argument in place called in a time loop
(R0: `step(u, k); apply_bc(u)` on the function's own `u = u0.copy()`, a force routine writing `F`, an
accumulator `acc_(g, v)`), refused as 'reading u after a loop wrote into it through another name' with advice
(`... = u.copy()`) that would stop the update. The helper's writes are now the loop's writes of the array it was
given, as the same calls are outside a loop: checked in every mode against central differences, the values
against the function run as it is, the caller's array unchanged."""
import numpy as np
import pytest

import s2s
from conftest import check_every_mode


# ---------------------------------------------------------------- R0: in-place helpers called in a loop
def apply_bc(u):
    u[0] = u[1]
    u[-1] = 0.0


def step(u, k):
    u[1:-1] += k * (u[2:] - 2 * u[1:-1] + u[:-2])


def step_ret(u, k):
    u[1:-1] = u[1:-1] + k * (u[2:] - 2 * u[1:-1] + u[:-2])
    return u


def forces_into(F, x, k):
    F[:] = 0.0
    F[1:] += -k * (x[1:] - x[:-1])
    F[:-1] += k * (x[1:] - x[:-1])


def accumulate(g, v):
    g[:] = g + v ** 2


def cond_bc(u, c):
    if c > 0:
        u[0] = u[1] * c
    else:
        u[0] = 0.0


def loop_bc(u):
    for i in range(2):
        u[i] = u[i] * 0.5 + 0.1


def two(a, b):
    a[0] = b[1] * 2.0
    b[1] = a[2] + 1.0


def heat(p):
    u = p[:-1].copy()
    k = p[-1]
    for t in range(3):
        step(u, k)
        apply_bc(u)
    return np.sum(u ** 2 * np.arange(len(u)))


def heat_result_ignored(p):
    u = p[:-1].copy()
    k = p[-1]
    for t in range(3):
        step_ret(u, k)
        apply_bc(u)
    return np.sum(u ** 2 * np.arange(len(u)))


def heat_result_named(p):
    u = p[:-1].copy()
    k = p[-1]
    hist = []
    for t in range(3):
        v = step_ret(u, k)
        hist.append(np.sum(v))
    return np.sum(u ** 2) + sum(hist)


def particles(p):
    x = p[:-1].copy()
    k = p[-1]
    v = np.zeros_like(x)
    F = np.zeros_like(x)
    for t in range(4):
        forces_into(F, x, k)
        v += 0.1 * F
        x += 0.1 * v
    return np.sum(x ** 2 * np.arange(len(x)))


def adagrad(p):
    g = np.zeros(3)
    w = p[:3].copy()
    for i in range(3):
        v = np.sin(w * (i + 1)) * p[3]
        accumulate(g, v)
        w = w - 0.1 * v / np.sqrt(g + 1.0)
    return np.sum(w ** 2) + np.sum(g)


def branchy_helper(p):
    u = p[:-1].copy()
    k = p[-1]
    for t in range(3):
        cond_bc(u, k - 0.1 * t)
        step(u, k)
    return np.sum(u ** 3)


def helper_with_a_loop(p):
    u = p[:-1].copy()
    k = p[-1]
    for t in range(2):
        loop_bc(u)
        step(u, k)
    return np.sum(u ** 2 * np.arange(len(u)))


def nested_def(p):
    u = p[:-1].copy()
    k = p[-1]

    def relax():
        u[1:-1] = u[1:-1] + k * (u[2:] - 2 * u[1:-1] + u[:-2])

    for t in range(3):
        relax()
    return np.sum(u ** 2 * np.arange(len(u)))


def nested_loops(p):
    u = p[:-1].copy()
    k = p[-1]
    for s in range(2):
        for t in range(2):
            step(u, k)
        apply_bc(u)
    return np.sum(u ** 2 * np.arange(len(u)))


def while_loop(p):
    u = p[:-1].copy()
    k = p[-1]
    t = 0
    while t < 3:
        step(u, k)
        apply_bc(u)
        t += 1
    return np.sum(u ** 2 * np.arange(len(u)))


def read_in_the_loop(p):
    u = p[:-1].copy()
    k = p[-1]
    e = 0.0
    for t in range(3):
        e = e + np.sum(u ** 2)
        step(u, k)
        e = e + u[2] * u[1]
    return e + np.sum(u)


def another_name_before(p):
    u = p[:-1].copy()
    k = p[-1]
    w = u
    for t in range(3):
        step(w, k)
        u[0] = u[1] * 0.5
    return np.sum(u ** 2 * np.arange(5)) + np.sum(w)


def the_array_twice(p):
    u = p[:-1].copy()
    for t in range(2):
        two(u, u)
    return np.sum(u ** 2)


def result_read_later(p):
    u = p[:-1].copy()
    k = p[-1]
    e = 0.0
    prev = step_ret(u, k)
    for t in range(2):
        step(u, k)
        e = e + np.sum(prev ** 2)
    return e


def dict_item_named_first(p):
    state = {"u": p[:-1].copy()}
    k = p[-1]
    u = state["u"]
    for t in range(3):
        step(u, k)
    return np.sum(state["u"] ** 2 * np.arange(5))


X = np.array([0.3, -0.2, 0.5, 0.1, 0.9, 0.3])


@pytest.mark.parametrize("f", [heat, heat_result_ignored, heat_result_named, particles, adagrad, branchy_helper,
                               helper_with_a_loop, nested_def, nested_loops, while_loop, read_in_the_loop,
                               another_name_before, the_array_twice, result_read_later, dict_item_named_first],
                         ids=lambda f: f.__name__)
def test_an_in_place_helper_called_in_a_loop_is_followed_in_every_mode(f):
    check_every_mode(f, X)


def test_the_loops_value_is_the_numpy_programs():
    p = X.copy()
    value, gradient = s2s.value_and_grad(heat)(p)
    assert value == pytest.approx(heat(p), rel=1e-13)
    u = p[:-1].copy()  # (the program run by hand: the helper's writes change u each step)
    for t in range(3):
        u[1:-1] += p[-1] * (u[2:] - 2 * u[1:-1] + u[:-2])
        u[0], u[-1] = u[1], 0.0
    assert value == pytest.approx(np.sum(u ** 2 * np.arange(5)), rel=1e-13)


# a reference the loop keeps to the array the helper changes is refused (NumPy's list shows the later change)
def kept_in_a_list(p):
    u = p[:-1].copy()
    k = p[-1]
    hist = []
    for t in range(3):
        hist.append(u)
        step(u, k)
    return sum(np.sum(h ** 2) for h in hist)


def test_a_list_holding_the_array_the_helper_changes_is_refused():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="holds 'u' itself, not a copy"):
        s2s.grad(kept_in_a_list)(X)


# a helper writing its parameter in a loop that rebinds the array: the loop's own refusal, naming the caller's array
def setv(a, i, v):
    a[i] = v


def set_in_rebinding_loop(x):
    y = x * 2.0
    for i in range(2):
        setv(y, i, y[i] * x[i])
        y = y * 1.5
    return np.sum(y)


def set_in_rebinding_loop_copied(x):
    y = x * 2.0
    for i in range(2):
        y = y.copy()
        setv(y, i, y[i] * x[i])
        y = y * 1.5
    return np.sum(y)


def test_a_helper_write_then_rebind_is_refused_naming_the_callers_array_with_advice_that_works():
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"writes elements of 'y' \(line \d+ of a function given "
                                                         r"'y': a\[i\] = v\) and then rebinds 'y'") as info:
        s2s.grad(set_in_rebinding_loop)(X[:3])
    assert "y = y.copy()" in str(info.value)
    check_every_mode(set_in_rebinding_loop_copied, X[:3])


# (tests/test_hunt10_ml.py: was refused, silently wrong before that)
def put_array(a, v):
    a[0] = v[0]
    return 0.0


def helper_writes_a_converted_list_in_a_loop(w):
    y = np.asarray([w[0], w[1]])
    for i in range(3):
        put_array(y, w * (i + 1.0))
    return np.sum(y ** 2 * w)


def test_a_helper_writing_an_array_made_of_a_list_in_a_loop_is_followed():
    check_every_mode(helper_writes_a_converted_list_in_a_loop, np.array([2.0, -1.0]))


# an array a container holds, given to the helper by its item: refused naming the item as the user reads it (not an
# SSA temporary), with advice that keeps the update (a copy would drop it) and works
def dict_state(p):
    state = {"u": p[:-1].copy()}
    k = p[-1]
    for t in range(3):
        step(state["u"], k)
    return np.sum(state["u"] ** 2 * np.arange(5))


def list_state(p):
    s = [p[:-1].copy()]
    k = p[-1]
    for t in range(3):
        step(s[0], k)
    return np.sum(s[0] ** 2 * np.arange(5))


def list_state_named_first(p):
    s = [p[:-1].copy()]
    k = p[-1]
    u = s[0]
    for t in range(3):
        step(u, k)
    return np.sum(s[0] ** 2 * np.arange(5))


@pytest.mark.parametrize("f, held, advised", [(dict_state, "state['u']", dict_item_named_first),
                                              (list_state, "s[0]", list_state_named_first)],
                         ids=["dict", "list"])
def test_an_item_given_to_an_in_place_helper_in_a_loop_is_named_as_the_user_reads_it(f, held, advised):
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(f)(X)
    message = str(info.value).splitlines()[0]
    assert f"reading the array {held} after line" in message and f"(u = {held})" in message, message
    assert "'t" not in message and ".copy()" not in message, message
    check_every_mode(advised, X)


# ---------------------------------------------------------------- R4: pair displacements gathered by index arrays
# `d = D[i, j]` with `i, j = np.triu_indices(n, 1)`, `D[np.triu_indices(n, 1)]`, `D[i, (i + 1) % n]` of `i =
# np.arange(n)`, a boolean mask `D[~np.eye(n, dtype=bool)]`, np.nonzero's indices: NumPy's advanced indexing makes a
# new array, which the minimum image then changes in place; they were refused as views of D
BOX = 3.0


def pairs(x):
    x = x.reshape(4, 3)
    return x[:, None, :] - x[None, :, :]


def energy(d, D):
    return np.sum(np.exp(-np.sum(d ** 2, -1))) + 0.01 * np.sum(D ** 2)


def min_image_triu(x):
    D = pairs(x)
    i, j = np.triu_indices(len(D), 1)
    d = D[i, j]
    d -= BOX * np.round(d / BOX)
    return energy(d, D)


def min_image_triu_tuple(x):
    D = pairs(x)
    iu = np.triu_indices(len(D), 1)
    d = D[iu]
    d -= BOX * np.round(d / BOX)
    return energy(d, D)


def min_image_ring(x):
    D = pairs(x)
    i = np.arange(4)
    d = D[i, (i + 1) % 4]
    d -= BOX * np.round(d / BOX)
    return energy(d, D)


def min_image_mask(x):
    D = pairs(x)
    m = ~np.eye(len(D), dtype=bool)
    d = D[m]
    d -= BOX * np.round(d / BOX)
    return energy(d, D)


def min_image_nonzero(x):
    D = pairs(x)
    i, j = np.nonzero(np.triu(np.ones((4, 4)), 1))
    d = D[i, j]
    d -= BOX * np.round(d / BOX)
    return energy(d, D)


def min_image_slab(x):
    D = pairs(x)
    i, j = np.triu_indices(len(D), 1)
    d = D[i, j]
    d[:, 0] -= BOX * np.round(d[:, 0] / BOX)
    return energy(d, D)


def min_image_slab_mask_then_written(x):
    D = pairs(x)
    d = D[~np.eye(4, dtype=bool)]
    d[:, 0] = d[:, 0] - BOX * np.round(d[:, 0] / BOX)
    D[0, 1] = 0.0
    return energy(d, D)


POSITIONS = np.random.default_rng(7).uniform(0, 3, (4, 3)).ravel()


@pytest.mark.parametrize("f", [min_image_triu, min_image_triu_tuple, min_image_ring, min_image_mask,
                               min_image_nonzero, min_image_slab, min_image_slab_mask_then_written],
                         ids=lambda f: f.__name__)
def test_a_gather_by_index_arrays_changed_in_place_is_a_copy_in_every_mode(f):
    check_every_mode(f, POSITIONS)


# an index that may be a number gives a view (a row of D), which stays refused
def row_by_item(x):
    D = pairs(x)
    i = np.arange(4)[1]
    d = D[i]
    d -= BOX * np.round(d / BOX)
    return np.sum(D ** 2)


def row_by_product(x):
    D = pairs(x)
    i = np.arange(2)
    d = D[i @ i]
    d[:, 0] -= 1.0
    return np.sum(D ** 2)


@pytest.mark.parametrize("f", [row_by_item, row_by_product], ids=lambda f: f.__name__)
def test_a_row_taken_at_a_number_stays_a_view(f):
    with pytest.raises(s2s.S2SError, match="view|refers to"):
        s2s.grad(f)(POSITIONS)


# ---------------------------------------------------------------- R1: element writes into a list copied by u[:]
# refused (the reverse sweep follows element writes into arrays), advising a comprehension for a list that was one;
# the advice is now the array that works, checked, and a comprehension only for the new list made whole
def heat_list(p):
    r = p[-1]
    u = [float(v) for v in p[:-1]]
    new = u[:]
    for i in range(1, len(u) - 1):
        new[i] = u[i] + r * (u[i + 1] - 2 * u[i] + u[i - 1])
    return sum(v * v for v in new)


def heat_list_advised(p):
    r = p[-1]
    u = [float(v) for v in p[:-1]]
    new = np.array(u[:])
    for i in range(1, len(u) - 1):
        new[i] = u[i] + r * (u[i + 1] - 2 * u[i] + u[i - 1])
    return sum(v * v for v in new)


def test_a_list_copy_written_by_element_is_exact_as_the_array_advised_before():
    assert s2s.grad(heat_list)(X) == pytest.approx(s2s.grad(heat_list_advised)(X), rel=1e-12)  # (fix16listw)
    check_every_mode(heat_list, X)
    check_every_mode(heat_list_advised, X)


# an index s2s cannot tell is a number or an array (the caller's) says so: the gather may be a view or a copy
def slab_by_given_indices(x, i, j):
    D = pairs(x)
    d = D[i, j]
    d[:, 0] -= BOX * np.round(d[:, 0] / BOX)
    return energy(d, D)


def test_a_gather_by_indices_the_caller_gives_says_it_may_be_a_view():
    i, j = np.triu_indices(4, 1)
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"which may be a view of another array: s2s cannot tell "
                                                         r"whether 'i', 'j' are numbers \(a view\) or arrays of "
                                                         r"indices \(a copy\)") as info:
        s2s.grad(slab_by_given_indices)(POSITIONS, i, j)
    assert "d = np.copy(d)" in info.value.hint
