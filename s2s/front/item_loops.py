"""A loop's name for an item of a list or a dict the function made, changed in place: `for p, g in zip(params,
grads): p -= lr * g`, the hand-written optimizer step (`for i, p in enumerate(params)`, `for v in q.values(): v *=
0.5`, `for k, v in q.items()`).

NumPy's operator changes the array `p` is, which the container holds; s2s makes `p`'s new value, so the loop is
read as the one that makes the container anew from the values its names have at the end of each iteration:

    for p, g in zip(params, grads):         params_new = []
        p -= lr * g                  ->     for p, g in zip(params, grads):
                                                p -= lr * g
                                                params_new.append(rt.changed_item(p_item, p))
                                            params = params_new

(`p_item`, the item the iteration read: `rt.changed_item` keeps it where it is a number, which the operator rebinds
and the container keeps; a dict is made anew from its keys and the new values). The same where nothing else holds
the arrays: the alias stage (alias.py) still sees `p -= ...` change the item in place, and refuses or checks when
it runs what else may hold it (the caller's arrays, another item of the container, a name of the function's own
read afterwards). Left as they are (and refused there): a container the caller passed in (its type is not known
here, and the caller would see the change), a loop reading the container in its body, binding the name otherwise
(`p = ...`), with a `break` or an `else`. Where another name or a container holds the item (`q = p`, `[p]`,
`prev = p`, `f(p)`), the alias stage refuses the loop (`item_kept`: the loop's name read after the operator, or the new
value `rt.changed_item` gives read through another name after another change).
"""
from __future__ import annotations

import ast
import copy

_MADE = "s2s_items_kept"  # (the loop made: read as it is)
HANDED_OVER = "s2s_handed_over"  # (on `params = params_new` after it: 'params_new', a version of params's list)
CHANGED_ITEM = "s2s.runtime.changed_item"  # (an ast.Name no source spells: calls.py lowers it as the helper's call)


def items_kept(stmts: list, node, fresh, lent=frozenset()) -> list:
    """`stmts`, the body of the function `node`, with each loop that changes an item of a list or a dict it made by
    a loop's name for it read as the loop making the container anew (`items_changed`), before the loops around it
    are read (the container is a name each of them binds). `lent`: the parameters of a helper given a list its
    caller made and holds by one name (effects.lend_lists: `sgd_step(params, grads, lr)`), lists of its own here."""
    if not isinstance(node, (ast.FunctionDef, ast.Lambda)):
        return stmts
    args = node.args
    params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs} | \
        {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    rebound = {t.id for s in stmts if isinstance(s, ast.Assign) for t in s.targets if isinstance(t, ast.Name)} & \
        params - set(lent)  # (`params = [p.copy() for p in params]`: the function's own list from there on)
    kinds = _kinds(stmts, params - set(lent) - rebound, lent)
    if not kinds:
        return stmts
    first = {name: next(i for i, s in enumerate(stmts) if isinstance(s, ast.Assign) and
                        any(isinstance(t, ast.Name) and t.id == name for t in s.targets))
             for name in rebound if name in kinds}
    out = []
    for i, s in enumerate(stmts):  # (a loop before the parameter's name is rebound iterates the caller's)
        out += _kept([s], lambda name, i=i: None if first.get(name, -1) >= i else kinds.get(name), fresh)
    return out


def _kept(stmts: list, kind, fresh) -> list:
    out = []
    for s in stmts:
        if isinstance(s, (ast.FunctionDef, ast.ClassDef)):
            out.append(s)
            continue
        fields = [f for f in ("body", "orelse", "finalbody") if isinstance(getattr(s, f, None), list)]
        if fields or getattr(s, "handlers", None):
            s = _copy(s)
            for f in fields:
                setattr(s, f, _kept(getattr(s, f), kind, fresh))
            if getattr(s, "handlers", None):
                s.handlers = [_with(h, body=_kept(h.body, kind, fresh)) for h in s.handlers]
        rewritten = items_changed(s, kind, fresh) if isinstance(s, ast.For) else None
        out += rewritten if rewritten else [s]
    return out


def _kinds(stmts: list, params: set, lent=frozenset()) -> dict:
    """"list" or "dict" for each name `stmts` bind only to a list (a list display or comprehension, list(...)) or
    only to a dict (a dict display or comprehension, dict(...), a copy: copy.deepcopy(p), p.copy()), not a
    parameter; a dict's is read only where the loop iterates its values() or items(). A deep copy of a list
    (`copy.deepcopy(ps)`, ps a list the function made or a list display) is a list: its arrays are its own."""
    bound: dict = {}
    for n in _names_and_nodes(stmts):
        if isinstance(n, (ast.Assign, ast.AnnAssign)):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    bound.setdefault(t.id, []).append(n.value)
        elif isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            bound.setdefault(n.id, [])
    plain = {id(t) for n in _names_and_nodes(stmts) if isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign))
             for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Name)}
    unknown = {n.id for n in _names_and_nodes(stmts) if isinstance(n, ast.Name) and
               isinstance(n.ctx, (ast.Store, ast.Del)) and id(n) not in plain}
    held = _held_otherwise(stmts)  # (`keep = opt`: the old container the loop's rewrite would leave to `keep`)
    kinds: dict = {p: "list" for p in lent if p not in bound}
    changed = True
    while changed:
        changed = False
        for name, values in bound.items():
            if name in params or name in unknown or name in kinds or name in held or not values:
                continue
            found = {_kind_of(v, kinds) for v in values if v is not None}
            if len(found) == 1 and None not in found and len(values) == len([v for v in values if v is not None]):
                kinds[name] = found.pop()
                changed = True
    for name, values in bound.items():  # (`opt = copy.deepcopy(ps)` of a list: a list of its own arrays)
        if kinds.get(name) == "copy" and all(_deep_copy_of(v, kinds) == "list" for v in values):
            kinds[name] = "list"
    return kinds


def _held_otherwise(stmts: list) -> set:
    """The names another name or container is bound to in `stmts` (`keep = opt`, `pair = (opt, 1.0)`,
    `hist.append(opt)`): NumPy's in-place operator changes the one container they all hold, the loop making `opt`
    anew would leave the others the old one."""
    def names(value):
        if isinstance(value, ast.Name):
            return [value.id]
        if isinstance(value, (ast.Tuple, ast.List, ast.Set)):
            return [n for e in value.elts for n in names(e.value if isinstance(e, ast.Starred) else e)]
        if isinstance(value, ast.Dict):
            return [n for e in value.values for n in names(e)]
        return []
    out = set()
    for n in _names_and_nodes(stmts):
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Name) and \
                all(isinstance(t, (ast.Tuple, ast.List)) for t in n.targets):
            continue  # (`a, b = params`: its items, not the container)
        if isinstance(n, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and n.value is not None:
            out.update(names(n.value))
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                n.func.attr in ("append", "insert", "extend", "add", "setdefault", "appendleft"):
            out.update(m for a in n.args for m in names(a))
    return out


def _deep_copy_of(value, kinds: dict) -> str | None:
    """"list" where `value` is `copy.deepcopy(p)` of a list `p` (a name of `kinds`, a display, `list(...)`)."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "deepcopy" and \
            len(value.args) == 1 and not value.keywords:
        return "list" if _kind_of(value.args[0], kinds) == "list" else None  # (ps, [a, b], list(ps))
    return None


def _kind_of(value, kinds: dict) -> str | None:
    if isinstance(value, (ast.List, ast.ListComp)):
        return "list"
    if isinstance(value, (ast.Dict, ast.DictComp)):
        return "dict"
    if isinstance(value, ast.Name):
        return kinds.get(value.id)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in ("list", "dict"):
        return value.func.id
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and (
            value.func.attr == "deepcopy" or value.func.attr == "copy" and len(value.args) <= 1):
        return "copy"  # (a dict's where the loop iterates its values() or items())
    return None


def _with(node, **fields):
    node = _copy(node)
    for k, v in fields.items():
        setattr(node, k, v)
    return node


def items_changed(s: ast.For, kind, fresh) -> list | None:
    """The statements running `s` as the loop making its containers anew (see the module's docstring), or None where
    `s` changes no item of one in place. `kind(name)`: "list" or "dict" for a name bound to a list or a dict the
    function made, else None; `fresh(base)`: a name of the function's own."""
    if getattr(s, _MADE, False) or s.orelse or any(isinstance(n, ast.Break) for n in _loop_level(s.body)):
        return None
    changed = _augmented(s.body)
    pairs = [(name, container, kind_) for name, container, kind_ in _iterated(s.iter, s.target, kind)
             if name in changed and name not in _bound_otherwise(s.body)]
    if not pairs or len({c for _, c, _ in pairs}) < len(pairs) or \
            any(n.id in {c for _, c, _ in pairs} for n in _names(s.body)):
        return None
    at = lambda n: ast.fix_missing_locations(ast.copy_location(n, s))  # noqa: E731
    load = lambda name: at(ast.Name(name, ast.Load()))  # noqa: E731
    store = lambda name: at(ast.Name(name, ast.Store()))  # noqa: E731
    made = [(name, container, kind_, fresh(f"{container}_new"), fresh(f"{name}_item"))
            for name, container, kind_ in pairs]
    keep = [at(ast.Expr(at(ast.Call(at(ast.Attribute(load(new), "append", ast.Load())), [at(ast.Call(
        load(CHANGED_ITEM), [load(item), load(name)], []))], [])))) for name, _, _, new, item in made]
    target, iterated, first = s.target, s.iter, []
    if isinstance(s.iter, ast.Call) and isinstance(s.iter.func, ast.Attribute) and s.iter.func.attr == "items" and \
            isinstance(s.target.elts[0], ast.Name):  # (`for k, v in q.items()` as `for k in q: v = q[k]`: v the
        target, iterated = s.target.elts[0], s.iter.func.value  # item of q at its key, not of a (key, item) pair)
        first = [at(ast.Assign([s.target.elts[1]], at(ast.Subscript(iterated, load(target.id), ast.Load()))))]
        iterated = _keys(iterated, at)
    elif isinstance(s.iter, ast.Call) and isinstance(s.iter.func, ast.Attribute) and s.iter.func.attr == "values" \
            and kind(s.iter.func.value.id) == "copy":  # (`for v in q.values()` of a deep copy: `for k in q`)
        target, iterated = store(fresh("key")), s.iter.func.value
        first = [at(ast.Assign([s.target], at(ast.Subscript(iterated, load(target.id), ast.Load()))))]
        iterated = _keys(iterated, at)
    body = first + [at(ast.Assign([store(item)], load(name))) for name, _, _, _, item in made] + \
        _before_continues(s.body, keep) + keep
    loop = ast.copy_location(ast.For(target, iterated, body, [], None), s)
    setattr(loop, _MADE, True)
    before = [at(ast.Assign([store(new)], at(ast.List([], ast.Load())))) for _, _, _, new, _ in made]
    after = []
    for _, container, kind_, new, _ in made:
        key, value = (fresh("key"), fresh("value")) if kind_ == "dict" else (None, None)
        if kind_ == "list" and _reversed(s.iter):  # (`for p in reversed(ps)`: the new items last first)
            value = at(ast.Subscript(load(new), at(ast.Slice(None, None, at(ast.Constant(-1)))), ast.Load()))
        elif kind_ == "list" and _zipped(s.iter):  # (a shorter list zipped with it: its other items as they were,
            rest = fresh("rest")                    # appended one by one, each an item the alias stage follows)
            after.append(at(ast.For(store(rest), at(ast.Subscript(load(container), at(ast.Slice(
                at(ast.Call(load("len"), [load(new)], [])), None, None)), ast.Load())), [at(ast.Expr(at(ast.Call(
                    at(ast.Attribute(load(new), "append", ast.Load())), [load(rest)], []))))], [], None)))
            value = load(new)
        else:
            value = load(new) if kind_ == "list" else at(ast.DictComp(load(key), load(value), [at(ast.comprehension(
                at(ast.Tuple([store(key), store(value)], ast.Store())),
                at(ast.Call(load("zip"), [load(container), load(new)], [])), [], 0))]))
        after.append(at(ast.Assign([store(container)], value)))
        setattr(after[-1], HANDED_OVER, new if kind_ == "list" else None)
    return before + [loop] + after


def _zipped(it) -> bool:
    """Does the loop iterate `zip(...)` (of `enumerate(zip(...))`), which stops at the shortest of its lists?"""
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "enumerate" and it.args:
        it = it.args[0]
    return isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "zip"


def _reversed(it) -> bool:
    """Is `it` `reversed(xs)`, which gives xs's items last first?"""
    return isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "reversed" and \
        len(it.args) == 1 and not it.keywords


def _counted_from(it) -> bool:
    """Is `it` `enumerate(xs, start=k)`, whose keyword is its second argument's?"""
    return isinstance(it.func, ast.Name) and it.func.id == "enumerate" and len(it.args) == 1 and \
        [k.arg for k in it.keywords] == ["start"]


def _keys(q, at) -> ast.Call:
    """`q.keys()`: what the loop over a dict's items or values iterates (q a dict, which .items() says)."""
    return at(ast.Call(at(ast.Attribute(q, "keys", ast.Load())), [], []))


def _iterated(it, target, kind) -> list:
    """(loop name, container name, "list" or "dict") for each name `target` binds to an item of a list or a dict
    the function made that `it` iterates: `params`, `zip(params, grads)`, `enumerate(params)`, `reversed(params)`,
    `q.values()`, `q.items()`."""
    def named(node, name):
        return isinstance(node, ast.Name) and isinstance(name, ast.Name) and kind(node.id) == "list"
    def mapping(node):
        return isinstance(node, ast.Name) and kind(node.id) in ("dict", "copy")
    call = it if isinstance(it, ast.Call) and (not it.keywords or _zipped(it) and
                                               [k.arg for k in it.keywords] == ["strict"] or _counted_from(it)) \
        else None
    elts = target.elts if isinstance(target, ast.Tuple) else None
    if isinstance(it, ast.Name) and isinstance(target, ast.Name):
        return [(target.id, it.id, "list")] if named(it, target) else []
    if call is not None and isinstance(call.func, ast.Name) and call.func.id == "zip" and elts is not None and \
            len(elts) == len(call.args):
        return [(t.id, a.id, "list") for a, t in zip(call.args, elts) if named(a, t)]
    if call is not None and isinstance(call.func, ast.Name) and call.func.id == "enumerate" and \
            len(call.args) in (1, 2) and elts is not None and len(elts) == 2 and isinstance(elts[1], ast.Tuple):
        return _iterated(call.args[0], elts[1], kind) if _zipped(call.args[0]) else []  # (`i, (p, g)`)
    if call is not None and isinstance(call.func, ast.Name) and call.func.id == "enumerate" and \
            len(call.args) in (1, 2) and elts is not None and len(elts) == 2:  # (enumerate(params, 1) too)
        return [(elts[1].id, call.args[0].id, "list")] if named(call.args[0], elts[1]) else []
    if _reversed(it) and isinstance(target, ast.Name):  # (made anew backwards, then turned round)
        return [(target.id, call.args[0].id, "list")] if named(call.args[0], target) else []
    if call is not None and isinstance(call.func, ast.Attribute) and not call.args and \
            mapping(call.func.value):
        container = call.func.value.id
        if call.func.attr == "values" and isinstance(target, ast.Name):
            return [(target.id, container, "dict")]
        if call.func.attr == "items" and elts is not None and len(elts) == 2 and isinstance(elts[1], ast.Name):
            return [(elts[1].id, container, "dict")]
    return []


def _augmented(stmts) -> set:
    """The names an in-place operator of `stmts` updates (`p -= v`), outside functions they define."""
    return {n.target.id for n in _names_and_nodes(stmts) if isinstance(n, ast.AugAssign) and
            isinstance(n.target, ast.Name)}


def _bound_otherwise(stmts) -> set:
    """The names `stmts` bind other than by an in-place operator (`p = ...`, a loop's target, `del p`), or that a
    function they define reads or declares (a `def` may rebind them: nonlocal)."""
    operated = {id(n.target) for n in _names_and_nodes(stmts) if isinstance(n, ast.AugAssign)}
    out = {n.id for n in _names_and_nodes(stmts) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load) and
           id(n) not in operated}
    for node in (n for s in stmts for n in ast.walk(s)):
        if isinstance(node, (ast.FunctionDef, ast.Lambda, ast.ClassDef)):
            out |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            out |= set(node.names)
    return out


def _names(stmts):
    return [n for s in stmts for n in ast.walk(s) if isinstance(n, ast.Name)]


def _names_and_nodes(stmts):
    """The nodes of `stmts`, not those of the functions and classes they define."""
    todo = list(stmts)
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.Lambda, ast.ClassDef)):
            todo += list(ast.iter_child_nodes(node))


def _loop_level(stmts):
    """The statements of this loop level: into ifs, withs and trys, not into nested loops' bodies."""
    for s in stmts:
        yield s
        for field in ("body", "orelse", "finalbody", "handlers"):
            if not isinstance(s, (ast.For, ast.While)) or field == "orelse":
                yield from _loop_level(getattr(s, field, []) if field != "handlers" else
                                       [b for h in getattr(s, "handlers", None) or [] for b in h.body])


def _before_continues(stmts: list, keep: list) -> list:
    """`stmts` with the statements `keep` put before each `continue` of this loop level."""
    out = []
    for s in stmts:
        if isinstance(s, ast.Continue):
            out += [copy.deepcopy(k) for k in keep] + [s]
            continue
        if not isinstance(s, (ast.For, ast.While, ast.FunctionDef, ast.ClassDef)):
            s = _with_blocks(s, keep)
        elif s.orelse if isinstance(s, (ast.For, ast.While)) else False:
            s = _copy(s)
            s.orelse = _before_continues(s.orelse, keep)
        out.append(s)
    return out


def _with_blocks(s, keep):
    fields = [f for f in ("body", "orelse", "finalbody") if isinstance(getattr(s, f, None), list)]
    if not fields and not getattr(s, "handlers", None):
        return s
    s = _copy(s)
    for f in fields:
        setattr(s, f, _before_continues(getattr(s, f), keep))
    for h in getattr(s, "handlers", None) or []:
        h.body = _before_continues(h.body, keep)
    return s


def _copy(node):
    return copy.copy(node)
