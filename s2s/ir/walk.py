"""Small generic traversals of the IR shared by the passes."""
from __future__ import annotations

import collections
import dataclasses

from s2s import ir


def atoms_of(expr) -> list:
    if isinstance(expr, ir.Call):
        return list(expr.args) + [v for _, v in expr.kwargs] if expr.kwargs else list(expr.args)
    return [expr]


def is_slice(index, made: dict) -> bool:
    """Is the index atom `index` a slice: a constant (`xs[1:]`) or a name `made` (name -> its defining Call)
    says `slice(...)` made (`xs[n:]`)?"""
    if type(index) is ir.Const:
        return type(index.value) is slice
    return type(index) is ir.Var and getattr(made.get(index.name), "op", None) == "slice"


def vars_of(expr) -> list[str]:
    if type(expr) is ir.Call and not expr.kwargs:  # (the common case: one pass over the arguments)
        return [a.name for a in expr.args if type(a) is ir.Var]
    return [a.name for a in atoms_of(expr) if isinstance(a, ir.Var)]


def defined_names(stmts: list, into_loops: bool = True) -> list[str]:
    """Names assigned by `stmts`, nested regions included (loops only if `into_loops`)."""
    out: list[str] = []
    for s in stmts:
        if isinstance(s, ir.Assign):
            out.append(s.target)
        elif isinstance(s, ir.If):
            out += defined_names(s.body, into_loops) + defined_names(s.orelse, into_loops)
            out += [p.target for p in s.phis]
        elif isinstance(s, ir.Loop):
            out += [p.target for p in s.phis]
            if into_loops:
                if isinstance(s.target, str):
                    out.append(s.target)
                elif s.target:
                    out += list(s.target)
                out += defined_names(s.header) + defined_names(s.body)
    return out


def definitions(stmts: list):
    """Every assignment and phi of `stmts`, nested ones included: what defines a name."""
    for s in ir.statements(stmts):
        if isinstance(s, ir.Assign):
            yield s
        elif isinstance(s, (ir.If, ir.Loop)):
            yield from s.phis


def temporaries(stmts: list) -> set[str]:
    """The compiler temporaries `stmts` define (their definitions' `temp`)."""
    return {d.target for d in definitions(stmts) if d.temp}


def adjoint_names(stmts: list) -> set[str]:
    """The adjoints the reverse pass made that `stmts` define (their definitions' `adjoint`)."""
    return {d.target for d in definitions(stmts) if d.adjoint}


def mark_names(stmts: list, temps, adjoints=frozenset()) -> None:
    """Mark each definition in `stmts` as a compiler temporary if its name is in `temps`, as an adjoint if
    it is in `adjoints` (and as neither otherwise): what a stage that made the names knows of them."""
    for d in definitions(stmts):
        d.temp = d.target in temps
        d.adjoint = d.target in adjoints


def array_versions(stmts: list) -> dict:
    """The versions of the arrays `stmts` write in place -> each array's first name (its own name included,
    a parameter's too), from their definitions' `array`, by name."""
    out = {d.target: d.array for d in definitions(stmts) if d.array is not None}
    for root in set(out.values()):
        out.setdefault(root, root)
    return dict(sorted(out.items()))


def mark_arrays(stmts: list, versions: dict) -> None:
    """Mark each definition in `stmts` whose name is a key of `versions` with its array's first name."""
    for d in definitions(stmts):
        d.array = versions.get(d.target)


def used_names(stmts: list) -> set[str]:
    """Names read by `stmts`, nested regions included."""
    return {a.name for s in ir.statements(stmts) for a in ir.operands(s) if type(a) is ir.Var}


def ends_with_exit(stmts: list) -> bool:
    return bool(stmts) and isinstance(stmts[-1], (ir.Break, ir.Continue, ir.Return))


def always_leaves(stmts: list) -> bool:
    """Does every path through `stmts` end in break, continue or return?"""
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, (ir.Break, ir.Continue, ir.Return)):
        return True
    if isinstance(last, ir.If):
        return always_leaves(last.body) and always_leaves(last.orelse)
    return False


def contains_exit(stmts: list) -> bool:
    """Does a path through `stmts` leave by break/continue (at this loop level) or return?"""
    for s in stmts:
        if isinstance(s, (ir.Break, ir.Continue, ir.Return)):
            return True
        if isinstance(s, ir.If) and (contains_exit(s.body) or contains_exit(s.orelse)):
            return True
    return False


def contains_break(stmts: list) -> bool:
    for s in stmts:
        if isinstance(s, ir.Break):
            return True
        if isinstance(s, ir.If) and (contains_break(s.body) or contains_break(s.orelse)):
            return True
    return False


def calls_in(stmts: list):
    """Every primitive call in `stmts`, nested regions included."""
    for s in ir.statements(stmts):
        if isinstance(s, (ir.Assign, ir.Effect)) and isinstance(s.value, ir.Call):
            yield s.value


def outside_loops(stmts: list):
    """The statements of `stmts` and of the ifs in them (each before its branches'), not those of a loop's body."""
    for s in stmts:
        yield s
        if type(s) is ir.If:
            yield from outside_loops(s.body)
            yield from outside_loops(s.orelse)


def with_blocks(stmts: list):
    """Every statement with the list (block) it is in, nested ones included."""
    for s in stmts:
        yield stmts, s
        for block in ir.blocks(s):
            yield from with_blocks(block)


def count_uses(stmts: list, uses: dict) -> None:
    """Add to `uses` how often each name is read in `stmts` (phi operands and jump values included)."""
    get = uses.get
    for s in ir.statements(stmts):
        for a in ir.operands(s):
            if type(a) is ir.Var:
                uses[a.name] = get(a.name, 0) + 1


def substitute_block(stmts: list, mapping: dict) -> None:
    """Replace uses of the names in `mapping` by their atoms, in place, throughout nested regions."""
    def sub(a):
        return mapping.get(a.name, a) if isinstance(a, ir.Var) else a

    def sub_expr(e):
        if isinstance(e, ir.Call):
            for a in e.args:
                if type(a) is ir.Var and a.name in mapping:
                    break
            else:  # (no argument is replaced, most calls: the same frozen call, without building one to compare)
                if not e.kwargs or not any(type(v) is ir.Var and v.name in mapping for _, v in e.kwargs):
                    return e
            args = tuple([sub(a) for a in e.args])
            kwargs = tuple([(k, sub(v)) for k, v in e.kwargs]) if e.kwargs else ()
            if all(a is b for a, b in zip(args, e.args)) and all(a[1] is b[1] for a, b in zip(kwargs, e.kwargs)):
                return e  # (nothing to replace: the same frozen call)
            return ir.Call(e.op, args, kwargs)
        return sub(e)

    for s in stmts:
        if isinstance(s, ir.Assign):
            s.value = sub_expr(s.value)
        elif isinstance(s, ir.Effect):
            s.value = sub_expr(s.value)
        elif isinstance(s, ir.Return):
            s.value = sub(s.value)
        elif isinstance(s, ir.If):
            s.test = sub(s.test)
            substitute_block(s.body, mapping)
            substitute_block(s.orelse, mapping)
            for p in s.phis:
                p.operands = [sub(o) for o in p.operands]
        elif isinstance(s, ir.Loop):
            s.iter = sub(s.iter) if s.iter is not None else None
            s.test = sub(s.test) if s.test is not None else None
            substitute_block(s.header, mapping)
            substitute_block(s.body, mapping)
            for p in s.phis:
                p.operands = [sub(o) if o is not None else None for o in p.operands]
        elif isinstance(s, (ir.Break, ir.Continue)):
            s.values = {k: sub(v) for k, v in s.values.items()}


def map_blocks(stmts: list, f) -> list:
    """New IR from `stmts`, built without changing it: each block (`stmts` and every list nested in it, the
    innermost first) becomes `f(block, items)`, where `items` are its statements with their own blocks mapped.
    A statement whose blocks `f` left as they were is the same object; an `If` or `Loop` around a block that
    changed is a new node. A block `f` returns with the same items is the same list."""
    items = []
    for s in stmts:
        if type(s) is ir.If:
            body, orelse = map_blocks(s.body, f), map_blocks(s.orelse, f)
            if body is not s.body or orelse is not s.orelse:
                s = dataclasses.replace(s, body=body, orelse=orelse)
        elif type(s) is ir.Loop:
            header, body = map_blocks(s.header, f), map_blocks(s.body, f)
            if header is not s.header or body is not s.body:
                s = dataclasses.replace(s, header=header, body=body)
        items.append(s)
    out = f(stmts, items)
    return stmts if len(out) == len(stmts) and all(a is b for a, b in zip(out, stmts)) else out


def map_statements(stmts: list, f) -> list:
    """New IR from `stmts`: every statement, nested ones included (an `If` or `Loop` after its blocks), is
    `f(statement)`, which returns the statement itself or a new one (see `map_blocks`)."""
    return map_blocks(stmts, lambda block, items: [f(s) for s in items])


def rename(stmts: list, names: dict) -> list:
    """New IR from `stmts` with each name in `names` (old -> new) renamed where it is defined and where it
    is read; the statements that mention none of them are the same objects."""
    if not names:
        return stmts

    def name(n):
        return names.get(n, n) if type(n) is str else n

    def atom(a):
        return ir.Var(names[a.name]) if type(a) is ir.Var and a.name in names else a

    def expr(e):
        if type(e) is ir.Call:
            return ir.Call(e.op, tuple(atom(a) for a in e.args), tuple((k, atom(v)) for k, v in e.kwargs))
        return atom(e)

    def phi(p: ir.Phi) -> ir.Phi:
        return dataclasses.replace(p, target=name(p.target), array=name(p.array),
                                   operands=[atom(o) if o is not None else None for o in p.operands])

    def one(s):
        if not any(type(a) is ir.Var and a.name in names for a in ir.operands(s)) and \
                not any(n in names for n in _names_defined_by(s) + _names_kept_by(s)):
            return s
        if type(s) is ir.Assign:
            return dataclasses.replace(s, target=name(s.target), value=expr(s.value), restores=name(s.restores),
                                       array=name(s.array))
        if type(s) is ir.Effect:
            return dataclasses.replace(s, value=expr(s.value))
        if type(s) is ir.Return:
            return dataclasses.replace(s, value=atom(s.value))
        if type(s) in (ir.Break, ir.Continue):
            return dataclasses.replace(s, values={name(k): atom(v) for k, v in s.values.items()})
        if type(s) is ir.If:
            return dataclasses.replace(s, test=atom(s.test), phis=[phi(p) for p in s.phis])
        target = tuple(name(n) for n in s.target) if type(s.target) is tuple else name(s.target)
        return dataclasses.replace(s, target=target, iter=atom(s.iter), test=atom(s.test),
                                   phis=[phi(p) for p in s.phis],
                                   restores={name(k): name(v) for k, v in s.restores.items()})

    return map_statements(stmts, one)


def substitute(stmts: list, mapping: dict) -> list:
    """New IR from `stmts` in which each read of a name in `mapping` is its atom, nested regions included
    (`substitute_block` without changing `stmts`); the statements that read none of them are the same objects."""
    if not mapping:
        return stmts

    def atom(a):
        return mapping.get(a.name, a) if type(a) is ir.Var else a

    def expr(e):
        if type(e) is ir.Call:
            return ir.Call(e.op, tuple(atom(a) for a in e.args), tuple((k, atom(v)) for k, v in e.kwargs))
        return atom(e)

    def phis(s):
        return [dataclasses.replace(p, operands=[atom(o) if o is not None else None for o in p.operands])
                for p in s.phis]

    def one(s):
        if not any(type(a) is ir.Var and a.name in mapping for a in ir.operands(s)):
            return s
        if type(s) in (ir.Assign, ir.Effect, ir.Return):
            return dataclasses.replace(s, value=expr(s.value))
        if type(s) in (ir.Break, ir.Continue):
            return dataclasses.replace(s, values={k: atom(v) for k, v in s.values.items()})
        if type(s) is ir.If:
            return dataclasses.replace(s, test=atom(s.test), phis=phis(s))
        return dataclasses.replace(s, iter=atom(s.iter), test=atom(s.test), phis=phis(s))

    return map_statements(stmts, one)


def _names_defined_by(s) -> list:
    """The names statement `s` itself defines (not those of its nested blocks)."""
    if type(s) is ir.Assign:
        return [s.target]
    if type(s) in (ir.Break, ir.Continue):
        return list(s.values)
    out = [p.target for p in getattr(s, "phis", ())]
    if type(s) is ir.Loop and s.target:
        out += [s.target] if isinstance(s.target, str) else list(s.target)
    return out


def _names_kept_by(s) -> list:
    """The names a statement refers to in its marks: the array it is a version of, what a pop restores."""
    out = [getattr(s, "array", None), getattr(s, "restores", None)] if type(s) is ir.Assign else []
    if type(s) is ir.Loop:
        out += list(s.restores.values())
    return out + [p.array for p in getattr(s, "phis", ())]


def call_definitions(stmts: list, out: dict | None = None) -> dict:
    """name -> the call that defines it, over `stmts` and every region nested in them."""
    out = {} if out is None else out
    for s in ir.statements(stmts):
        if type(s) is ir.Assign and type(s.value) is ir.Call:
            out[s.target] = s.value
    return out


def default_dict_reads(fn: ir.Function) -> set:
    """The reads `t = g[k]` in the user's code of a dict made by `collections.defaultdict(...)` (any version of
    it, through key writes and joins): each inserts its key where it is missing, an effect `len(g)` sees."""
    made = {s.target for s in ir.statements(fn.body) if type(s) is ir.Assign and type(s.value) is ir.Call and
            s.value.op == "call" and s.value.args and type(s.value.args[0]) is ir.Var and
            _is_defaultdict(fn.free.get(s.value.args[0].name, (None,))[0])}
    if not made:
        return set()
    joins = [(p.target, [o.name for o in p.operands if type(o) is ir.Var]) for s in ir.statements(fn.body)
             if type(s) in (ir.If, ir.Loop) for p in s.phis]
    writes = [(s.target, [s.value.args[0].name]) for s in ir.statements(fn.body) if type(s) is ir.Assign and
              type(s.value) is ir.Call and s.value.op == "setitem" and type(s.value.args[0]) is ir.Var]
    # (forward mode: the dict's tangents, read at the same keys, keep the same keys: `dg_1[7]`)
    writes += [(s.target, [a.name for a in s.value.args if type(a) is ir.Var]) for s in ir.statements(fn.body)
               if type(s) is ir.Assign and type(s.value) is ir.Call and s.value.op in _TANGENT_DICTS]
    grown = True
    while grown:
        grown = False
        for target, operands in joins + writes:
            if target not in made and any(o in made for o in operands):
                made.add(target)
                grown = True
    return {s.target for s in ir.statements(fn.body) if type(s) is ir.Assign and type(s.value) is ir.Call and
            s.value.op in _READS and type(s.value.args[0]) is ir.Var and s.value.args[0].name in made and
            not (s.loc is not None and s.loc.adjoint)}


def _is_defaultdict(cls) -> bool:
    return isinstance(cls, type) and issubclass(cls, collections.defaultdict)


_TANGENT_DICTS = frozenset({"s2s.runtime.zeros_like", "add", "s2s.runtime.setitem_adjoint",
                            "s2s.runtime.setitem_tangent", "s2s.runtime.batch_zeros",
                            "s2s.runtime.batch_setitem_tangent", "s2s.runtime.batch_setitem"})
_READS = frozenset({"getitem", "s2s.runtime.batch_getitem"})
