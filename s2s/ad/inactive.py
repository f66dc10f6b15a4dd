"""Values computed from differentiated ones that carry no derivative by what they are (the activity analysis).

- `sources(value, free, made)`: the operands whose derivative a call's result carries: all of them, but a random
  draw of integers carries none (rng.binomial(n, p(x)), rng.choice(4, p=w)), and a draw that picks items
  (rng.choice(x, p=w)) only that of the items it picks, not of their probabilities.
- `keys(fn)`: the names that hold keys or indices, which carry no derivative: the key of a dict's item
  (`for k, v in d.items()`), an integer output of np.unique (its index, inverse, counts), an item of a
  container used to index the container itself (`for k in list(p): p[k]`, `k = min(p); p[k]`: a dict's key, or
  an element of a sequence that is one of its indices, an integer), an item of a container read as a dict
  (p['w'], p.items()) by a read that runs wherever the item is taken (not by one on another path only, `if
  isinstance(p, dict): W = p['W'] else: W, b = p`, where p is a tuple) or read only as an index (`for k in p: m[k]`: a key, an integer), followed through the
  stacks generated code keeps (a Hessian differentiates a gradient's code), and a part of a container argument
  read only as an index (x[g['src']]: integers, whose derivative the call refuses when it runs, or a dict's
  key).
- `iterated_keys(fn)` (the `keys` stage): a loop over a container whose type only the run shows that reads it at
  its items (`for k in p: ... p[k]`) iterates its keys, rt.dict_keys(p); where that read runs on some paths only,
  rt.dict_keys_only(p), which refuses a list, tuple or array as the loop starts (the same path analysis as keys').
- `picked(fn)`: of an item read at a constant position of a tuple followed by position (`t, i = min((ts[k], k)
  for k in range(n))`, `best[1]` of `best = (ts[k], k)`), the names whose derivative it may carry: those at that
  position only (the int k carries none, t that of ts).
"""
from __future__ import annotations

import builtins
import dataclasses

from s2s import ir, prims
from s2s.ad.key_reads import same_reads, spelled, spelling
from s2s.front.scatter_adds import ADDED_AT
from s2s.ir.names import base_name
from s2s.ir.walk import call_definitions, calls_in, count_uses, definitions, is_slice, map_statements

ITERATED = prims.ITERATED  # (what iterating a value gives, its type known only at run time)
# the calls whose result iterates their operand: its items, in some order (a list of them, a dict's keys)
_ITERATING = frozenset({"builtins.list", "builtins.tuple", "builtins.reversed", "builtins.sorted",
                        prims.METHODS["keys"], ITERATED})
# the calls whose result is one item of their operand (min(p), max(p), of a dict its smallest key)
_ITEM = frozenset({"s2s.runtime.smallest", "s2s.runtime.largest"})
_CHECKED = ("checked",)  # (a key no name is)
_GENERATOR_CLASSES = tuple(prims.python_object(k) for k in prims.GENERATOR_CLASSES)
_MAKERS = tuple(prims.python_object(k) for k in prims.RANDOM_GENERATORS + prims.GENERATOR_CLASSES)


def sources(value: ir.Call, free: dict, made: dict) -> list[str]:
    """The names whose derivative the call's result carries: its operands', but a random draw's (`_draw`) of
    integers carries none, and a draw that picks items only that of its population (none for an integer,
    rng.choice(4, p=w), or for a population without one). (`made`: name -> the call that made it.)"""
    args, kwargs = value.args, value.kwargs
    draw = _draw(value, free, made)
    if draw is not None and draw[0] in prims.INTEGER_DRAWS:
        return []
    if draw is not None and draw[0] in prims.SELECTING_DRAWS:
        args, kwargs = draw[1][:1], [(k, v) for k, v in kwargs if k not in prims.DRAW_SETTINGS]
    return [a.name for a in args if isinstance(a, ir.Var)] + [v.name for _, v in kwargs if isinstance(v, ir.Var)]


def _draw(value: ir.Call, free: dict, made: dict) -> tuple | None:
    """(name, operands) of a random generator's method called: of a generator made here (rng =
    np.random.default_rng(0), random.Random(1)) or passed in, checked as the code runs (rt.require_generator(rng,
    name): front/methods.py); or named (np.random.choice, the method of NumPy's global generator;
    random.Random.randrange, called with the generator first)."""
    if value.op == "callmethod" and type(value.args[1]) is ir.Const and type(value.args[0]) is ir.Var:
        name, maker = value.args[1].value, made.get(value.args[0].name)
        if (value.args[0].name, name) in made.get(_CHECKED, ()) or maker is not None and maker.op == "call" and \
                type(maker.args[0]) is ir.Var and _free(free, maker.args[0].name) in _MAKERS:
            return name, value.args[2:]
        return None
    if value.op != "call" or type(value.args[0]) is not ir.Var or value.args[0].name not in free:
        return None
    obj = free[value.args[0].name][0]
    name = getattr(obj, "__name__", None)
    if isinstance(getattr(obj, "__self__", None), _GENERATOR_CLASSES):
        return name, value.args[1:]
    if isinstance(name, str) and any(getattr(c, name, None) is obj for c in _GENERATOR_CLASSES):
        return name, value.args[2:]
    return None


def made(fn: ir.Function) -> dict:
    """What `sources` reads of `fn`: name -> the call that made it, and under `_CHECKED` the (name, method) of the
    arguments checked to be random generators before a draw (rng.binomial(n, p))."""
    out = call_definitions(fn.body)
    out[_CHECKED] = {(c.args[0].name, c.args[1].value) for c in calls_in(fn.body)
                     if c.op == prims.REQUIRE_GENERATOR and type(c.args[0]) is ir.Var}
    return out


def keys(fn: ir.Function) -> set[str]:
    """The names holding keys or indices computed from values with a derivative, which carry none (module
    note)."""
    made = call_definitions(fn.body)
    defs, headers = _defined(fn.body)
    out = set()
    for name, c in made.items():
        if c.op != "getitem" or len(c.args) != 2 or type(c.args[1]) is not ir.Const or type(c.args[0]) is not ir.Var:
            continue
        whole = _unwrapped(made.get(c.args[0].name), made)  # u, inv = np.unique(x, return_inverse=True): inv = t[1]
        if whole is not None and c.args[1].value in prims.INTEGER_PARTS.get(whole.op, ()):
            out.add(name)
    items = _items(fn, made, defs)
    out.update(name for name, c in made.items() if c.op == "getitem" and len(c.args) == 2 and
               type(c.args[0]) is ir.Var and type(items.get(c.args[0].name)) is tuple and
               type(c.args[1]) is ir.Const and c.args[1].value == 0)  # for k, v in d.items(): k = pair[0]
    version, places = _versions(defs), _places(fn.body)
    entering = _entering(defs, headers, places)
    # p[k] (p.get(k)) of an item k of p, or of p made anew in a loop (keys = list(p) before it), where that read
    # runs whenever k is taken (not on another path only, `ks = list(p); if isinstance(p, dict): p[ks[0]]`, where
    # p is a list; a loop's, `for k in p`, is the rt.dict_keys_only check `iterated_keys` placed)
    for name, reads in _own_reads(fn).items():
        if name in items and name in defs and any(version(items[name]) in map(version, entering(q, s)) and
                                                  _runs_with(places, s, defs[name]) for q, s in reads):
            out.add(name)
    mappings = _mappings(fn)  # for k in p: m[k], where p['w'] is read too on the same path: a dict's key
    if mappings:
        out.update(name for name, root in items.items() if name in defs and
                   any(_runs_with(places, read, defs[name]) for read in mappings.get(root, ())))
    leaves = _leaves(fn, made)
    uses: dict = {}
    count_uses(fn.body, uses)
    left = dict(uses)  # (of an item of a container, the reads other than as an index)
    for c in calls_in(fn.body):  # x[g['src']]: an index array in a container argument, read as an index only
        for a in _index(c):
            if type(a) is ir.Var and a.name in items:
                left[a.name] -= 1
        if isinstance(_free(fn.free, getattr(c.args[0], "name", None) if c.args else None), dict):
            continue  # (LUT[p['t']], a key of the module's dict: perhaps a float, with a derivative)
        for a in _index(c):
            if type(a) is ir.Var and a.name in leaves:
                uses[a.name] -= 1
    for d in defs.values():  # (a loop's item kept for after it, `key = phi(None, key_1)`, never read)
        if type(d) is ir.Phi and not uses.get(d.target):
            for o in d.operands:
                if type(o) is ir.Var and o.name in items and o.name != d.target:
                    left[o.name] -= 1
    # an item of a container read only as an index (for k in p: m[k]): a key, an integer or a bool, with no
    # derivative (a lookup's result does not vary with its key)
    out.update(n for n in items if left.get(n, 1) == 0)
    numbers = {leaves[n] for n in leaves if uses.get(n, 1) != 0}  # (a place also read as a number keeps it all)
    out.update(n for n in leaves if leaves[n] not in numbers)
    return out


def _own_reads(fn: ir.Function) -> dict:
    """name -> [(container, statement)] of the reads of a container at it: c[name], c.get(name)."""
    out: dict = {}
    for s in ir.statements(fn.body):
        c = s.value if type(s) is ir.Assign else None
        if type(c) is ir.Call and c.op in ("getitem", _DICT_GET) and len(c.args) >= 2 and \
                (c.op == _DICT_GET or len(c.args) == 2) and type(c.args[0]) is ir.Var and type(c.args[1]) is ir.Var:
            out.setdefault(c.args[1].name, []).append((c.args[0].name, s))
    return out


_DICT_GET = "s2s.runtime.dict_get"


def iterated_keys(fn: ir.Function) -> ir.Function:
    """The loops over a container whose type only the run shows (the front's plain `for k in p`, over
    `rt.iterated(p)`) that read it at their items (p[k], p.get(k)): k is a key of the dict p, with no derivative (a
    list's, tuple's or array's items indexing it are integers, with none either, or the read raises). Where that
    read runs whenever k is taken (`_runs_with`), the loop iterates rt.dict_keys(p); where it runs on some paths
    only (`if isinstance(p, dict): p[k] else: ... k`), a sequence's items may be its values, with their
    derivatives, and rt.dict_keys_only(p, 'p', 'k', 'line 9: ...') refuses a list, tuple or array as the loop
    starts, at its line, naming the read's (one of ints or bools passes where p carries no derivative: ad/keys_only.py);
    not for p.get(k) (or q.get(k) of `q = p if flag else table`), whose result does not vary with k, where the
    loop iterates p as Python does. (Before the cse stage, which would merge the loop's rt.iterated(p) with
    another's over p's values.)"""
    made = call_definitions(fn.body)
    seqs = {n: c.args[0].name for n, c in made.items() if c.op == ITERATED and len(c.args) == 1 and
            type(c.args[0]) is ir.Var}
    if not seqs:
        return fn
    uses: dict = {}
    count_uses(fn.body, uses)
    taken: dict = {}  # sequence -> the items a loop takes from it (k = t1[i])
    for name, c in made.items():
        seq = c.args[0].name if c.args and type(c.args[0]) is ir.Var else None
        if seq in seqs and (c.op == "builtins.len" and len(c.args) == 1 or c.op == "getitem" and len(c.args) == 2
                            and not is_slice(c.args[1], made)):
            uses[seq] -= 1
            if c.op == "getitem":
                taken.setdefault(seq, []).append(name)
    defs, headers = _defined(fn.body)
    copies, branches, reads, same = _versions(defs), _versions(defs, branches=True), _own_reads(fn), same_reads(made)
    version, joined = (lambda n: copies(same.get(n, n))), (lambda n: branches(same.get(n, n)))
    places = _places(fn.body)
    entering = _entering(defs, headers, places)
    keys: dict = {}  # sequence -> its call of rt.dict_keys or rt.dict_keys_only
    for seq, whole in seqs.items():  # (p[k], or q[k] of `q = p if flag else table`: on some paths only)
        read = {k: [(s, version(whole) in map(version, entering(q, s))) for q, s in reads.get(k, ())
                    if joined(q) == joined(whole)]
                for k in taken.get(seq, ())}
        if not any(read.values()):
            continue
        always = [k for k, rs in read.items() if any(same and _runs_with(places, s, defs[k]) for s, same in rs)]
        # (q.get(k) on some paths only, q = p if flag else table: a lookup's result does not vary with its key, and
        # the loop iterating p as Python does gives k the derivative a list's item has, none a dict's key)
        indexed = sorted((k for k, rs in read.items() if any(s.value.op != _DICT_GET for s, _ in rs)),
                         key=lambda k: k in always)  # (one read on a path first)
        if len(always) == len(read) and uses[seq] == 0:  # (and the sequence read by that loop only)
            keys[seq] = ir.Call(prims.METHODS["keys"], (ir.Var(whole),))
        elif indexed and (spelt := spelling(whole, made, defs)) is not None:  # (a user's name, t1 too, or P['w'])
            at = next(s for s, _ in read[indexed[0]] if s.value.op != _DICT_GET)  # (the read, named in the refusal)
            keys[seq] = ir.Call(KEYS_ONLY, (ir.Var(whole), ir.Const(spelt), ir.Const(base_name(indexed[0])),
                                            ir.Const(spelled(at))))
    if not keys:
        return fn
    return dataclasses.replace(fn, body=map_statements(fn.body, lambda s: dataclasses.replace(
        s, value=keys[s.target]) if type(s) is ir.Assign and s.target in keys else s))


KEYS_ONLY = "s2s.runtime.dict_keys_only"


def _defined(body: list) -> tuple[dict, dict]:
    """One walk of the function's `body` for `_versions`, `_entering` and `_items`: name -> the assignment or phi
    defining it (in the body's order), and name -> the loop whose header phi it is."""
    defs, headers = {}, {}
    for s in ir.statements(body):
        if type(s) is ir.Assign:
            defs[s.target] = s
        elif type(s) in (ir.If, ir.Loop):
            defs.update((p.target, p) for p in s.phis)
            if type(s) is ir.Loop:
                headers.update((p.target, s) for p in s.phis)
    return defs, headers


def _versions(defs: dict, branches: bool = False):
    """name -> one name for the values a variable of the function's holds that are surely that container: its copies
    (`q = p`). An item of one used to index another is one of its keys or indices (an element of a list indexing
    the list is an integer). Not a loop's header phi (what enters it holds in the first pass only: `_entering`),
    nor what a branch joins (`q = p if flag else table`), which may be another dict, whose keys the items of a list
    p may be (table[k] * k: k, a float of p, has its derivative): those too where `branches`, read where only a
    check that p is a dict makes k a key (`iterated_keys`)."""
    parent: dict = {}

    def find(n):
        while parent.get(n, n) != n:
            n = parent[n] = parent.get(parent[n], parent[n])
        return n

    for d in defs.values():
        if type(d) is ir.Phi:
            operands = d.operands if branches else ()
            joined = [o.name for o in operands if type(o) is ir.Var]
        else:
            joined = [d.value.name] if type(d.value) is ir.Var else []
        for n in joined:
            parent[find(n)] = find(d.target)
    return find


def _entering(defs: dict, headers: dict, places: dict):
    """(name, read) -> the values `name` surely holds where `read` runs: itself, what enters the loops whose header phi
    it is (through copies), as far as `read` runs in their first pass: `q_1 = phi(q, ...)` read at an item k of p, with q = p entering. What enters holds only
    in the first pass: a read guarded off it (`if i > 0: for k in p: q[k]`) reads what comes back, perhaps another
    dict, whose keys the items of a list p may be. A read in the first pass whenever k is taken raises there for a
    list, tuple or array p read at its float items (or k is an integer, with no derivative either)."""
    entered = {n: (loop, defs[n].operands[0].name) for n, loop in headers.items() if defs[n].operands and
               type(defs[n].operands[0]) is ir.Var}
    copies = {n: d.value.name for n, d in defs.items() if type(d) is ir.Assign and type(d.value) is ir.Var}

    def at(name: str, read) -> list:
        out = []
        while name not in out:
            out.append(name)
            if name in copies:
                name = copies[name]
            elif name in entered and _first_pass(places, read, entered[name][0]):
                name = entered[name][1]
            else:
                break
        return out
    return at


def _first_pass(places: dict, read, loop: ir.Loop) -> bool:
    """Does `read` run in every first pass of `loop`: in its body, inside loops only (no branch), with nothing
    before it in each block that may leave that block?"""
    path = places.get(id(read), ())
    for depth, (block, _) in enumerate(path):
        if block is loop.body:
            rest = path[depth:]
            return all(not any(_exits(t) for t in b[:i]) for b, i in rest) and \
                all(type(b[i]) is ir.Loop for b, i in rest[:-1])
    return False


def _mappings(fn: ir.Function) -> dict:
    """name -> the statements reading it as a mapping: at a constant string key (p['w']; a list, a tuple or an
    array of numbers takes no string) or by a dict's methods (p.items(), p.values()). What iterating one where such
    a read runs too gives are its keys, which carry no derivative; where the read is on another path only
    (`if isinstance(p, dict): p['w'] else: for u in p`), p may be a list there, whose items do."""
    out: dict = {}
    for s in ir.statements(fn.body):
        c = s.value if type(s) is ir.Assign else None
        if type(c) is ir.Call and c.args and type(c.args[0]) is ir.Var and (
                c.op == "getitem" and len(c.args) == 2 and type(c.args[1]) is ir.Const and type(c.args[1].value)
                is str or c.op in _DICT_METHODS):
            out.setdefault(c.args[0].name, []).append(s)
    return out


def _places(body: list) -> dict:
    """id(statement) -> its place: ((block, index), ...) from the function's body down to it."""
    out: dict = {}

    def walk(block: list, path: tuple) -> None:
        for i, s in enumerate(block):
            out[id(s)] = here = path + ((block, i),)
            for inner in ir.blocks(s):
                walk(inner, here)
    walk(body, ())
    return out


def _runs_with(places: dict, read, item) -> bool:
    """Does the statement `read` run on every path on which `item` runs (or the run stop there, where a list
    raises)? It does where it is in a block that holds `item` (or the statement holding it): before it, or after it
    with nothing between that leaves the block (a return; a break or continue not of a loop inside)."""
    r, i = places.get(id(read)), places.get(id(item))
    if r is None or i is None or len(i) < len(r) or any(a[0] is not b[0] or a[1] != b[1] for a, b in
                                                         zip(r[:-1], i)) or r[-1][0] is not i[len(r) - 1][0]:
        return False
    block, at, held = r[-1][0], r[-1][1], i[len(r) - 1][1]
    return at < held or not any(_exits(s) for s in block[held:at])


def _exits(s) -> bool:
    """Can the statement `s` leave the block it is in: a return anywhere in it, a break or a continue outside the
    loops in it?"""
    if type(s) in (ir.Return, ir.Break, ir.Continue):
        return True
    if type(s) is ir.Loop:
        return any(type(t) is ir.Return for t in ir.statements(s.body + s.header))
    return any(_exits(t) for b in ir.blocks(s) for t in b)


_DICT_METHODS = frozenset({prims.METHODS["items"], prims.METHODS["values"], prims.METHODS["keys"]})


def _index(c: ir.Call) -> tuple:
    """The index operands of a read or a write at an index (getitem(obj, i, j), setitem(y, i, v), np.add.at's
    rt.added_at(y, i, v), a gradient's rt.add_at(acc, g, x, i), rt.getitem_adjoint(g, x, i), rt.zero_at(g, i),
    rt.setitem_value_adjoint(g, i) and rt.setitem_adjoint(g, i)), none of other calls."""
    if c.op == "getitem":
        return c.args[1:]
    if c.op == _ADD_AT:  # (a reversed loop's rt.add_at(acc, g, x, i): the adjoint of x[i])
        return c.args[3:]
    if c.op == _GETITEM_ADJOINT:  # (rt.getitem_adjoint(g, x, i): the same, made anew)
        return c.args[2:]
    if c.op in _AT_INDEX:  # (a write y[i] = v: its old value rt.saved_key(y, i), rt.zero_at(g, i) in its adjoint)
        return c.args[1:]
    return c.args[1:-1] if c.op in ("setitem", ADDED_AT) else ()


_ADD_AT, _GETITEM_ADJOINT = "s2s.runtime.add_at", "s2s.runtime.getitem_adjoint"
_AT_INDEX = frozenset({"s2s.runtime.zero_at", "s2s.runtime.setitem_value_adjoint", "s2s.runtime.setitem_adjoint",
                       "s2s.runtime.saved_key"})


def _leaves(fn: ir.Function, made: dict) -> dict:
    """name -> its place, of the names holding a part of a container argument read at constant keys (g['src'],
    g.src, e[0]). A place read only as an index (`keys`) holds integers or bools, which have no derivative (an
    integer array in wrt is refused when the call runs, naming its place: api/arguments.py), or dict keys."""
    out = {p: (p,) for p in fn.params}  # name -> its place: the parameter and the keys read
    changed = True
    while changed:
        changed = False
        for name, c in made.items():
            if name not in out and (c.op in ("getitem", "getattr") and len(c.args) == 2 and
                                    type(c.args[1]) is ir.Const and type(c.args[1].value) in (str, int) or
                                    c.op == ITERATED) and \
                    type(c.args[0]) is ir.Var and c.args[0].name in out:
                out[name] = out[c.args[0].name] + ((c.args[1].value,) if c.op != ITERATED else ())
                changed = True
    return {n: place for n, place in out.items() if n not in fn.params}


def _unwrapped(c: ir.Call | None, made: dict) -> ir.Call | None:
    """The call that made what `c` iterates, where `c` is rt.iterated of a name (the unpacking of a value whose type
    only the run shows: for k, v in d.items()), else `c`."""
    while c is not None and c.op == ITERATED and c.args and type(c.args[0]) is ir.Var:
        c = made.get(c.args[0].name)
    return c


def _items(fn: ir.Function, made: dict, defs: dict) -> dict:
    """name -> the container whose item it holds: an element of a sequence iterating the container (list(p),
    tuple(p), the keys of a dict, a list built by appending its items or a stack of them that generated code
    keeps), min(p), max(p), next(iter(p)); ("pairs", d) for a (key, value) pair of the dict d (d.items())."""
    seqs: dict = {}  # name -> the container a sequence iterates
    items: dict = {}
    stacked: dict = {}  # stack -> the container each sequence saved on it iterates (t13_saved of t13 = list(p))
    empty = {n for n, c in made.items() if c.op == "list" and not c.args}
    pushed: dict = {}  # stack -> the values pushed on it
    for s in ir.statements(fn.body):
        if type(s) is ir.Effect and s.value.op == "push" and type(s.value.args[0]) is ir.Var:
            pushed.setdefault(s.value.args[0].name, []).append(s.value.args[1])
    phis = {n: [o for o in d.operands if o is not None and not (type(o) is ir.Var and o.name == n)]
            for n, d in defs.items() if type(d) is ir.Phi}
    for _ in range(2 * len(made) + 2):  # (a fixed point: each round adds facts, or the last one changed nothing)
        changed = False
        for name, c in made.items():
            first = c.args[0].name if c.args and type(c.args[0]) is ir.Var else None
            found = None, None
            if c.op == prims.METHODS["items"] and first is not None:
                found = seqs, ("pairs", first)
            elif c.op == ITERATED and first in items:  # (a, b = pair: the pair itself)
                found = items, items[first]
            elif c.op in _ITERATING and first is not None:
                found = seqs, _root(first, seqs)
            elif c.op == "getitem" and first in seqs and len(c.args) == 2:  # an item, or a slice: a sequence
                found = seqs if is_slice(c.args[1], made) else items, seqs[first]
            elif c.op == "getitem" and first in stacked and len(c.args) == 2 and not is_slice(c.args[1], made) or \
                    c.op == "pop" and first in stacked:
                found = seqs, stacked[first]  # (one of the sequences saved: the reverse sweep's t13 = t13_saved[i])
            elif c.op == "pop" and first in seqs:  # (one of the items saved)
                found = items, seqs[first]
            elif c.op in _ITEM and first is not None:
                found = items, _root(first, seqs)
            elif c.op == "call" and first is not None and _free(fn.free, first) is builtins.next and len(c.args) == 2 \
                    and type(c.args[1]) is ir.Var:
                inner = made.get(c.args[1].name)  # next(iter(p))
                if inner is not None and inner.op == "call" and len(inner.args) == 2 and \
                        _free(fn.free, inner.args[0].name) is builtins.iter and type(inner.args[1]) is ir.Var:
                    found = items, _root(inner.args[1].name, seqs)
            elif c.op == prims.APPENDED and len(c.args) == 2 and type(c.args[1]) is ir.Var and \
                    c.args[1].name in items and _grows(c.args[0], name, items[c.args[1].name], seqs, empty, phis):
                found = seqs, items[c.args[1].name]
            table, root = found
            if table is not None and table.get(name) != root:
                table[name] = root
                changed = True
        for stack, values in pushed.items():  # a stack of items saved by generated code
            roots = {items.get(v.name) if type(v) is ir.Var else None for v in values}
            if stack in empty and len(roots) == 1 and None not in roots and seqs.get(stack) is None:
                seqs[stack] = roots.pop()
                changed = True
            roots = {seqs.get(v.name) if type(v) is ir.Var else None for v in values}  # a stack of sequences
            if stack in empty and len(roots) == 1 and None not in roots and stacked.get(stack) is None:
                stacked[stack] = roots.pop()
                changed = True
        for target, operands in phis.items():  # a list grown in a loop: ks = [] ... ks.append(k)
            roots = {seqs.get(o.name) for o in operands if type(o) is ir.Var and o.name not in empty}
            if len(roots) == 1 and None not in roots and all(
                    type(o) is ir.Var and (o.name in empty or o.name in seqs) for o in operands) and \
                    seqs.get(target) is None:
                seqs[target] = roots.pop()
                changed = True
        if not changed:
            break
    return items


def _grows(atom, name: str, root: str, seqs: dict, empty: set, phis: dict) -> bool:
    """Does appending to `atom` (giving `name`) keep a list of the items of `root`: it holds some or none yet, or
    it is a loop's list whose other values are such lists and this append's result?"""
    if type(atom) is not ir.Var:
        return False
    if atom.name in empty or seqs.get(atom.name) == root:
        return True
    return atom.name in phis and all(type(o) is ir.Var and (o.name in empty or o.name == name or
                                                            seqs.get(o.name) == root) for o in phis[atom.name])


def _root(name: str, seqs: dict) -> str:
    return seqs.get(name, name)


def _free(free: dict, name) -> object:
    return free.get(name, (None,))[0] if isinstance(name, str) else None


# ---- the items of tuples by position: (t, k) of min((ts[k], k) for k in range(n)), of best = (ts[k], k) ----

_TOP = "unknown"  # (what a value holds by position: not followed)


def picked(fn: ir.Function) -> dict:
    """name -> the names whose derivative it may carry, of an item read at a constant position of a tuple whose
    items s2s follows by position (`_positions`): those at that position only. Of `t, i = min((ts[k], k) for k in
    range(n))` (or `best = (ts[k], k)` in a loop, then `best[1]`), i is an int k from range, with no derivative,
    while t keeps that of ts."""
    known = _positions(fn)
    out = {}
    for d in definitions(fn.body):
        c = d.value if type(d) is ir.Assign else None
        if type(c) is ir.Call and c.op == "getitem" and len(c.args) == 2 and type(c.args[0]) is ir.Var and \
                type(c.args[1]) is ir.Const and type(c.args[1].value) is int:
            value = known.get(c.args[0].name)
            if type(value) is tuple and value[0] == "tuple" and -len(value[1]) <= c.args[1].value < len(value[1]):
                out[d.target] = value[1][c.args[1].value]
    return out


def _positions(fn: ir.Function) -> dict:
    """name -> ("tuple", the names each item may come from, by position) of a tuple, or ("list", the same of its
    items, None while it has none) of a list of tuples, or _TOP where s2s does not follow it. Followed: tuple
    displays and constants, lists of them by display, append, list(), a slice and phis; an item of such a list
    (hits[i], min(hits), max(hits)); min and max of such tuples (min(best, (t, k))); the unpacking of a tuple;
    copies. Phis join their operands (the values a
    break or continue gives them too) position by position; a first round leaves out operands not yet known (a
    loop's), a second makes anything resting on a value still unknown _TOP."""
    defs = list(definitions(fn.body))
    jumps: dict = {}  # phi target -> the atoms break and continue statements give it
    for s in ir.statements(fn.body):
        if type(s) in (ir.Break, ir.Continue):
            for target, atom in s.values.items():
                jumps.setdefault(target, []).append(atom)
    made = {d.target: d.value for d in defs if type(d) is ir.Assign and type(d.value) is ir.Call}
    names = {d.target for d in defs}
    known: dict = {}

    def of(atom, strict):  # (None: not known yet)
        if type(atom) is ir.Const:
            return ("tuple", tuple(frozenset() for _ in atom.value)) if type(atom.value) is tuple else _TOP
        if atom.name not in names:
            return _TOP
        value = known.get(atom.name)
        return _TOP if value is None and strict else value

    def step(d, strict):
        if type(d) is ir.Phi:
            operands = [o for o in list(d.operands) + jumps.get(d.target, []) if o is not None]
            return _join([of(o, strict) for o in operands])
        value = d.value
        if type(value) is not ir.Call:
            return of(value, strict)
        op, args = value.op, value.args
        if op == "tuple" and not value.kwargs:
            return "tuple", tuple(frozenset({a.name}) if type(a) is ir.Var else frozenset() for a in args)
        if op == "list" and not value.kwargs:
            return ("list", None) if not args else _join([of(a, strict) for a in args], "tuple", "list")
        if op == prims.APPENDED and len(args) == 2:
            return _join([of(args[0], strict), _as(of(args[1], strict), "tuple", "list")], "list")
        if op in ("builtins.min", "builtins.max") and len(args) > 1:  # min(best, (t, k)): one of them
            return _join([of(a, strict) for a in args], "tuple")
        shown = made.get(args[0].name) if op == "builtins.list" and len(args) == 1 and type(args[0]) is ir.Var \
            else None
        if shown is not None and shown.op == "tuple" and not shown.kwargs:  # list((best, (t, k))) of max(best, ...)
            return _join([of(a, strict) for a in shown.args], "tuple", "list")
        if op == "builtins.list" and len(args) == 1 or op == "getitem" and len(args) == 2 and is_slice(args[1], made):
            return _join([of(args[0], strict)], "list")
        if op == "getitem" and len(args) == 2 or op in _ITEM and len(args) == 1:
            return _as(of(args[0], strict), "list", "tuple")
        if op == ITERATED and len(args) == 2:
            return _join([of(args[0], strict)], "tuple")
        return _TOP

    for strict in (False, True):
        for _ in range(4 * len(defs) + 4):  # (a fixed point: values only grow, up to _TOP)
            changed = False
            for d in defs:
                value = _join([known.get(d.target), step(d, strict)])
                if value is not None and value != known.get(d.target):
                    known[d.target] = value
                    changed = True
            if not changed:
                break
    return known


def _as(value, kind: str, into: str):
    """A `kind` value read as an item or the items of an `into` one (a list's item: a tuple; a tuple appended: a
    list's items), None while not known."""
    if value is None or value == _TOP or value[0] != kind:
        return value if value is None else _TOP
    return None if value[1] is None else (into, value[1])  # (a list with no items yet)


def _join(values: list, kind: str | None = None, into: str | None = None):
    """The join of `kind` values (by default that of the first known), position by position (None, not known
    yet, left out; _TOP where any is, or where they differ in kind or length); of the kind `into` if given."""
    parts = None
    known = [v for v in values if v is not None]
    if not known:
        return None
    if _TOP in known:
        return _TOP
    kind = kind or known[0][0]
    for v in known:
        if v == _TOP or v[0] != kind:
            return _TOP
        if v[1] is None:
            continue
        if parts is not None and len(parts) != len(v[1]):
            return _TOP
        parts = v[1] if parts is None else tuple(a | b for a, b in zip(parts, v[1]))
    return into or kind, parts
