"""What the fuzzer found in round 19 (fix19fz).

1. The hand-written optimiser step over a deep copy's items, `opt = copy.deepcopy(src); for epoch in range(2): for
   k, w in opt.items(): w -= 0.1 * w` (fuzz seed 3908006, level 8), was refused ("would change an array in place
   that 'opt' holds too"): the loop around it made the container a loop's name, and the run-time check took the copy
   entering the loop for another holder of its items. The copy the loop makes anew now stands for the arrays it
   holds, changed in place (item_operators.copy_made_anew): a later read of them by an older name (`keep = opt`,
   `keep = opt['w']` before the loop) is checked as a stale read and refused, as for a dict display. A deep copy of a
   list (`opt = copy.deepcopy(ps)`) is a list of its own for front/item_loops.py, as `[p.copy() for p in ps]` is.

Each program is checked in every mode against central differences and its value against Python's.
"""
import copy

import numpy as np
import pytest

import s2s
from conftest import every_mode

X = np.array([0.3, -0.2, 0.5])


def refused(f, *args, says="in place"):
    with pytest.raises(s2s.S2SError, match=says):
        s2s.value_and_grad(f)(*args)


# ---- 1. an optimiser step over a deep copy's items, in an epoch loop ----

def epochs_items(x, y):  # (fuzz seed 3908006, level 8, reduced)
    src = {'w': x * 2.0, 'u': np.tanh(x)}
    opt = copy.deepcopy(src)
    for epoch in range(2):
        for k, w in opt.items():
            w -= 0.1 * y * w
    return np.sum(opt['w'] ** 2) + np.sum(src['w'] * opt['u'])


def epochs_grads(x, y):
    src = {'w': x * 2.0, 'u': np.tanh(x)}
    opt = copy.deepcopy(src)
    for epoch in range(2):
        g = {k: w * 0.5 + y for k, w in opt.items()}
        for k, w in opt.items():
            w -= 0.1 * g[k]
    return np.sum(opt['w'] ** 2) + np.sum(opt['u']) + np.sum(src['u'])


def epochs_values(x, y):
    src = {'w': x * 2.0, 'u': np.tanh(x)}
    opt = copy.deepcopy(src)
    for epoch in range(2):
        for w in opt.values():
            w *= 1.0 + y
    return np.sum(opt['w'] ** 2) + np.sum(opt['u'])


def epochs_read_each(x, y):
    src = {'w': x * 2.0, 'u': np.tanh(x)}
    opt = copy.deepcopy(src)
    tot = 0.0
    for epoch in range(3):
        for k, w in opt.items():
            w -= 0.1 * y * w
        tot = tot + np.sum(opt['w'] * opt['u'])
    return tot + np.sum(src['u'])


def while_items(x, y):
    src = {'w': x * 2.0, 'u': np.tanh(x)}
    opt = copy.deepcopy(src)
    i = 0
    while i < 2:
        for k, w in opt.items():
            w -= 0.1 * y * w
        i += 1
    return np.sum(opt['w'] ** 2) + np.sum(opt['u'])


def copy_in_epoch(x, y):
    src = {'w': x * 2.0, 'u': np.tanh(x)}
    tot = 0.0
    for epoch in range(2):
        opt = copy.deepcopy(src)
        for k, w in opt.items():
            w -= 0.1 * y * w
        tot = tot + np.sum(opt['w'] ** 2)
    return tot + np.sum(src['w'])


def best_kept(x, y):
    src = {'w': x * 2.0, 'u': np.tanh(x)}
    opt = copy.deepcopy(src)
    best = copy.deepcopy(opt)
    for epoch in range(2):
        for k, w in opt.items():
            w -= 0.1 * y * w
    return np.sum(best['w']) + np.sum(opt['w'] ** 2)


def list_epochs_zip(x, y):
    src = [x * 2.0, np.tanh(x)]
    opt = copy.deepcopy(src)
    for epoch in range(2):
        grads = [w * 0.5 + y for w in opt]
        for w, g in zip(opt, grads):
            w -= 0.1 * g
    return np.sum(opt[0] ** 2) + np.sum(opt[1]) + np.sum(src[0])


def list_epochs(x, y):
    src = [x * 2.0, np.tanh(x)]
    opt = copy.deepcopy(src)
    for epoch in range(2):
        for w in opt:
            w -= 0.1 * y * w
    return np.sum(opt[0] ** 2) + np.sum(src[0] * opt[1])


def list_once_enumerate(x, y):
    src = [x * 2.0, np.tanh(x)]
    opt = copy.deepcopy(src)
    for i, w in enumerate(opt):
        w *= 1.0 + y * i
    return np.sum(opt[0] ** 2) + np.sum(opt[1] ** 2) + np.sum(src[1])


def list_display_reversed(x, y):
    opt = copy.deepcopy([x, x * y])
    for epoch in range(2):
        for w in reversed(opt):
            w *= 1.0 + y
    return np.sum(opt[0] ** 2) + np.sum(opt[1]) + np.sum(x)


@pytest.mark.parametrize("f", [epochs_items, epochs_grads, epochs_values, epochs_read_each, while_items,
                               copy_in_epoch, best_kept, list_epochs_zip, list_epochs, list_once_enumerate,
                               list_display_reversed])
def test_deep_copy_items_changed_in_place(f):
    every_mode(f, X.copy(), 0.1)
    every_mode(f, X.copy(), 0.1, wrt=1, hessian=False)


def fuzz_3908006(a, w, y):  # (its params=(a, w), as two arguments)
    src_ = {'w': w * 2.0, 'scale': np.arange(3) * a, 'u': np.tanh(w)}
    opt_ = copy.deepcopy(src_)
    for epoch in range(1):
        dgrads = {name82: w_i * 0.5 + y for name82, w_i in opt_.items()}
        for name82, w_i in opt_.items():
            w_i -= 0.1 * dgrads[name82]
    return np.sum(opt_['w'] * opt_['u']) + np.mean(src_['scale']) * y


def test_fuzz_seed_3908006_level8():
    args = (0.373, np.array([-0.0541, 1.1641, 0.3521]), 0.106)
    for wrt in range(3):
        every_mode(fuzz_3908006, *args, wrt=wrt, hessian=wrt == 1)


# (another name for the copy or its items, read after the change: NumPy's value shows the change, s2s's new
# container does not; refused, as for a dict display, not a silent wrong number)

def keep_dict_epochs(x, y):
    src = {'w': x * 2.0, 'u': np.tanh(x)}
    opt = copy.deepcopy(src)
    keep = opt
    for epoch in range(2):
        for k, w in opt.items():
            w -= 0.1 * w
    return np.sum(keep['w'])


def keep_item_epochs(x, y):
    src = {'w': x * 2.0, 'u': np.tanh(x)}
    opt = copy.deepcopy(src)
    keep = opt['w']
    for epoch in range(2):
        for k, w in opt.items():
            w -= 0.1 * w
    return np.sum(keep) + np.sum(opt['u'])


def keep_item_once(x, y):
    src = {'w': x * 2.0, 'u': np.tanh(x)}
    opt = copy.deepcopy(src)
    keep = opt['w']
    for w in opt.values():
        w -= 0.1 * w
    return np.sum(keep)


def keep_in_epoch(x, y):
    src = {'w': x * 2.0, 'u': np.tanh(x)}
    opt = copy.deepcopy(src)
    tot = 0.0
    for epoch in range(2):
        keep = opt['w']
        for k, w in opt.items():
            w -= 0.1 * w
        tot = tot + np.sum(keep)
    return tot


def history(x, y):
    src = {'w': x * 2.0, 'u': np.tanh(x)}
    opt = copy.deepcopy(src)
    hist = []
    for epoch in range(2):
        hist.append(opt['w'])
        for k, w in opt.items():
            w -= 0.1 * w
    return np.sum(hist[0])


def list_keep(x, y):
    src = [x * 2.0, np.tanh(x)]
    opt = copy.deepcopy(src)
    keep = opt
    for epoch in range(2):
        for w in opt:
            w -= 0.1 * w
    return np.sum(keep[0])


def list_keep_once(x, y):
    src = [x * 2.0, np.tanh(x)]
    opt = copy.deepcopy(src)
    keep = opt
    for w in opt:
        w -= 0.1 * w
    return np.sum(keep[0])


def one_array_twice(x, y):
    a = x * 2.0
    src = {'w': a, 'u': a}
    opt = copy.deepcopy(src)
    for epoch in range(2):
        for k, w in opt.items():
            w -= 0.1 * w
    return np.sum(opt['w']) + np.sum(opt['u'])


@pytest.mark.parametrize("f", [keep_dict_epochs, keep_item_epochs, keep_item_once, keep_in_epoch, history,
                               list_keep, list_keep_once, one_array_twice])
def test_older_name_read_after_the_change_refused(f):
    refused(f, X.copy(), 0.1)


# ---- 2. another name or container bound to the container the item loop makes anew ----
# (`keep = opt; for k, w in opt.items(): w -= ...; keep['w']`: NumPy's keep is opt, changed; the loop made opt anew
# and left keep the old container, a silently wrong value and derivative for a comprehension's dict or list, a deep
# copy, dict(p). front/item_loops leaves such a loop to the alias stage, which refuses the in-place change.)

def comp_keep(x, y):
    src = {'w': x * 2.0, 'u': np.tanh(x)}
    opt = {k: v.copy() for k, v in src.items()}
    keep = opt
    for k, w in opt.items():
        w -= 0.1 * w
    return np.sum(keep['w'])


def deep_keep(x, y):
    src = {'w': x * 2.0, 'u': np.tanh(x)}
    opt = copy.deepcopy(src)
    keep = opt
    for k, w in opt.items():
        w -= 0.1 * w
    return np.sum(keep['w'])


def deep_pair(x, y):
    src = {'w': x * 2.0, 'u': np.tanh(x)}
    opt = copy.deepcopy(src)
    pair = (opt, 1.0)
    for w in opt.values():
        w -= 0.1 * w
    return np.sum(pair[0]['w'])


def dict_of_keep(x, y):
    src = {'w': x * 2.0, 'u': np.tanh(x)}
    opt = dict(src)
    keep = opt
    for k, w in opt.items():
        w -= 0.1 * w
    return np.sum(keep['w'])


def listcomp_keep(x, y):
    opt = [x * 2.0 + 0.0 for i in range(2)]
    keep = opt
    for w in opt:
        w -= 0.1 * w
    return np.sum(keep[0])


def listcomp_model(x, y):
    src = [x * 2.0, np.tanh(x)]
    opt = [v.copy() for v in src]
    model = {'layer': opt}
    for w, g in zip(opt, [y, y]):
        w -= g * w
    return np.sum(model['layer'][0])


@pytest.mark.parametrize("f", [comp_keep, deep_keep, deep_pair, dict_of_keep, listcomp_keep, listcomp_model])
def test_another_name_for_the_container_refused(f):
    refused(f, X.copy(), 0.1)


def listcomp_returned(x, y):  # (a container returned with the result, not bound to another name: exact)
    src = [x * 2.0, np.tanh(x)]
    opt = [v.copy() for v in src]
    for w in opt:
        w -= 0.1 * y * w
    return np.sum(opt[0] ** 2) + np.sum(opt[1])


def unpacked_after(x, y):  # (fuzz seed 3999025, level 9: `u9, u92 = params_` reads its items, holds no container)
    src = [x * 2.0, np.tanh(x)]
    opt = copy.deepcopy(src)
    for e in range(2):
        for w in opt:
            w -= 0.1 * y * w
    a, b = opt
    return np.sum(a ** 2) + np.sum(b)


def deep_copy_of_list_call(x, y):  # (fuzz seed 3999018, level 9: weights_ = copy.deepcopy(list(params_)))
    ps = [x * 2.0, np.tanh(x)]
    opt = copy.deepcopy(list(ps))
    for w in opt:
        w *= 1.0 + y
    return np.sum(opt[0] ** 2) + np.sum(ps[0])


@pytest.mark.parametrize("f", [listcomp_returned, unpacked_after, deep_copy_of_list_call])
def test_container_returned_or_unpacked_exact(f):
    every_mode(f, X.copy(), 0.1)


def unpacked_before(x, y):  # (its items, changed in place after: NumPy's a shows the change)
    src = [x * 2.0, np.tanh(x)]
    opt = copy.deepcopy(src)
    a, b = opt
    for w in opt:
        w -= 0.1 * w
    return np.sum(a)


def test_unpacked_before_refused():
    refused(unpacked_before, X.copy(), 0.1)


# ---- 3. a list appended to after another name that nothing reads was bound to it ----
# (`alias = layers; layers.append(v)`, fuzz seeds 3996023 level 6, 3997000 and 3997011 level 7, 3998036 level 8,
# 3999037 level 9: refused as "a list that another name also holds, which would see the change", where nothing reads
# that name again; front/lists.note_list_name and refuse_list_held_across leave out a name the function never reads)

def dead_alias(x, y):
    xs = []
    alias = xs
    xs.append(x * y)
    xs.append(np.sin(x))
    return np.sum(xs[0] * xs[1])


def dead_alias_in_loop(x, y):
    xs = []
    for i in range(3):
        alias = xs
        xs.append(x * (y + i))
    return sum(np.sum(v ** 2) for v in xs)


@pytest.mark.parametrize("f", [dead_alias, dead_alias_in_loop])
def test_list_appended_after_an_unread_alias(f):
    every_mode(f, X.copy(), 0.7)


def alias_read(x, y):
    xs = []
    alias = xs
    xs.append(x * y)
    return np.sum(alias[0])


def alias_read_by_lambda(x, y):
    xs = []
    alias = xs
    g = lambda: alias  # noqa: E731
    xs.append(x * y)
    return np.sum(g()[0])


def alias_read_in_loop(x, y):
    xs = []
    total = 0.0
    for i in range(3):
        alias = xs
        xs.append(x * (y + i))
        total = total + len(alias)
    return np.sum(xs[-1]) * total


@pytest.mark.parametrize("f", [alias_read, alias_read_by_lambda, alias_read_in_loop])
def test_list_appended_after_a_read_alias_refused(f):
    refused(f, X.copy(), 0.7, says="holds|gives it to")


# ---- 4. an item loop over a list holding next(filter(...), default) ----
# (fuzz seed 3998029, level 8: `params_ = [next(filter(lambda t: ..., terms), pair[0]), ...]; for p_, g_ in
# zip(params_, g_list): p_ *= ...` was refused, every item, as "the caller's" array: the join next(filter) makes, of
# None and the item it found, was taken for something else that may hold the item; it is the arrays it names, each
# checked: the caller's y, a number here, by the run-time check, an item of terms as an array of the function's)

def found_or_default(x, y):
    terms = [x * 1.0, x * 3.0]
    found = next(filter(lambda t: np.sum(t) > 0.5, terms), y)
    params_ = [found, x * 2.0]
    for p_ in params_:
        p_ *= 1.5 + y
    return np.sum(params_[0] ** 2) + np.sum(params_[1])


def default_of_the_caller(x, y):
    terms = []
    params_ = [next(filter(lambda t: t >= 0.2, terms), y), x * 2.0]
    g_list = [np.sin(p_ + y) * 0.5 for p_ in params_]
    for p_, g_ in zip(params_, g_list):
        p_ *= 1.0 - 0.05 * np.tanh(g_)
    return np.sum(params_[1]) + params_[0]


@pytest.mark.parametrize("f", [found_or_default, default_of_the_caller])
def test_item_loop_over_next_filter_default(f):
    every_mode(f, X.copy(), 0.1)
    every_mode(f, X.copy(), 0.1, wrt=1, hessian=False)


def found_read_after(x, y):  # (NumPy's found is the item changed: refused)
    terms = [x * 1.0, x * 3.0]
    found = next(filter(lambda t: np.sum(t) > 0.5, terms), x * 0.0)
    params_ = [found, x * 2.0]
    for p_ in params_:
        p_ *= 1.5
    return np.sum(found)


def test_found_read_after_refused():
    refused(found_read_after, X.copy(), 0.1)
