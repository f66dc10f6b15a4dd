"""Operators of the user's classes: `-v`, `z * w`, `g * 2.0` run the class's method, as Python runs it.

Python evaluates `a * b` as `type(a).__mul__(a, b)`, then (where a's class has none, or b's class differs)
`type(b).__rmul__(b, a)`; a right operand of a subclass of the left's class that overrides the reflected method
goes first; `-a` is `type(a).__neg__(a)`. Where an operand is an object of a class of the user's that defines
the method (a record built here, `self` of a method, an object of the module), the operator is lowered as a call
of that method, inlined like any method call (its derivative is the method's body's, not NumPy's arithmetic of
every field). A method that may return NotImplemented, and an operand whose class s2s cannot tell while compiling
while a class the function uses defines the method (an item of a list, a value a loop carries), are refused at
the user's line: which method runs, or whether NumPy's arithmetic does, is known only as the code runs.
"""
from __future__ import annotations

import ast
from collections.abc import Sequence

from s2s import ir
from s2s.errors import SourceUnavailableError
from s2s.front.method_lookup import LIBRARIES, Dispatch, Held, field_class, user_object
from s2s.front.records import record_fields
from s2s.front.source import read_function

BINARY = frozenset({"add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul"})
UNARY = {"neg": "__neg__", "pos": "__pos__", "getitem": "__getitem__", "abs": "__abs__"}  # (u[i], abs(u) too)
_HOLDERS = frozenset({"getitem", "getattr", "call", "callmethod", "pop", "s2s.runtime.iterated"})


def defines(cls, name: str) -> bool:
    """Does the class of the user's `cls` define (or inherit from a class of the user's) the method `name`, not
    a builtin's (tuple.__add__ of a namedtuple, which joins)?"""
    owner = next((c for c in getattr(cls, "__mro__", ()) if name in c.__dict__), None)
    return owner is not None and owner is not object and (owner.__module__ or "").split(".")[0] not in LIBRARIES


def operator_call(builder, op: str, operands: tuple, node, hint=None, augmented: bool = False) -> ir.Expr | None:
    """`op` ("mul", "neg", ...) of the atoms `operands` at the user's `node` (a BinOp or UnaryOp; of `v -= w`,
    `augmented`, its BinOp `v - w`, whose left operand's `__isub__` Python tries first): the call of the method of
    a class of the user's Python runs for it, or None where it runs none that s2s can see (NumPy's arithmetic, a
    list's join). Refused where that is known only as the code runs."""
    if op not in BINARY and op not in UNARY:
        return None
    if op == "getitem" and len(operands) > 2 and _class_of(builder, operands[0]) is not None:
        operands = (operands[0], builder.sequence("tuple", tuple(operands[1:])))  # (u[i, j]: the key (i, j))
    classes = [_class_of(builder, a) for a in operands]
    if op in UNARY:
        order = [(operands[0], classes[0], UNARY[op], tuple(operands[1:]))]
    else:
        (left, right), (lc, rc) = operands, classes
        forward = (left, lc, f"__{op}__", (right,))
        reflected = (right, rc, f"__r{op}__", (left,))
        order = [forward] if lc is not None and lc is rc else [forward, reflected]
        if lc is not None and rc is not None and rc is not lc and issubclass(rc, lc) and \
                defines(rc, f"__r{op}__") and _owner(rc, f"__r{op}__") is not _owner(lc, f"__r{op}__"):
            order.reverse()
        if augmented:
            order.insert(0, (left, lc, f"__i{op}__", (right,)))
    for i, (base, cls, name, rest) in enumerate(order):
        if cls is None:
            owners = _seen_defining(builder, name)
            if owners and _maybe_object(builder, base):
                raise builder.error(node, f"'{ast.unparse(node)}', where {ast.unparse(_operand(node, name))} "
                                          f"may be an object whose class defines {name} (a class the function uses "
                                          f"does) and s2s does not know its class at this line (an item of a "
                                          f"container, a value a loop carries or an if chooses)",
                                    f"call the method by name, which s2s follows: {owners[0]}.{name}("
                                    f"{', '.join(ast.unparse(a) for a in _operands(node, name))})")
            if i == len(order) - 2 and not _number(base) and defines(order[-1][1], order[-1][2]) and \
                    order[-1][2].startswith("__r"):
                cls_name, left, right = order[-1][1].__name__, ast.unparse(node.left), ast.unparse(node.right)
                if issubclass(order[-1][1], Sequence) and order[-1][2] in ("__rmul__", "__radd__"):
                    raise builder.error(node, f"'{ast.unparse(node)}', where {right} is of the sequence class "
                                              f"{order[-1][1].__module__}.{cls_name}, "
                                              f"which NumPy reads as the array of its numbers where {left} is an "
                                              f"array, and {cls_name}.{order[-1][2]} repeats or joins as a sequence "
                                              f"where it is a number", f"make it an array: np.asarray({right})")
                raise builder.error(node, f"'{ast.unparse(node)}', where {cls_name}.{order[-1][2]} runs only if the "
                                          f"left operand {left} does not handle the object itself (a number does "
                                          f"not, an array does: s2s cannot tell which {left} is while compiling)",
                                    f"call the method by name: {cls_name}.{order[-1][2]}({right}, {left})")
            continue
        if not defines(cls, name):
            continue
        if isinstance(base, ir.Var) and base.name not in builder.free:
            builder.classes.setdefault(base.name, cls)  # (a record a loop carries: its methods are its class's)
        found = builder.method_on(base, name)
        if found is None or isinstance(found, Held):
            raise builder.error(node, f"'{ast.unparse(node)}', whose operand {ast.unparse(_operand(node, name))} "
                                      f"is a {cls.__name__} with an own attribute {name} or one s2s does not follow",
                                f"call the method by name: {cls.__name__}.{name}("
                                f"{', '.join(ast.unparse(a) for a in _operands(node, name))})")
        return _call(builder, found, base, name, rest, node, hint)
    return None


def builtin_call(builder, node: ast.Call, hint=None) -> ir.Expr | None:
    """`abs(u)` of an object of a class of the user's defining `__abs__`, `sum([u, v], w)` of such objects whose
    class defines `__add__` or `__radd__`: the methods Python calls (`operator_call`: `w + u + v` for the sum), or
    None for another call. The arguments are lowered here only where lowering them again changes nothing (names,
    fields, records built, displays of these)."""
    if not isinstance(node.func, ast.Name) or node.keywords:
        return None
    if builder._resolves_to(node.func, sum) and len(node.args) == 2 and \
            isinstance(node.args[0], (ast.GeneratorExp, ast.ListComp)) and builder.builds_record(node.args[1]):
        _refuse_unknown_sum(builder, node, builder.static_value(node.args[1].func))  # (sum(gen, V2(0.0, 1.0)))
    if not all(_pure(builder, a) for a in node.args):
        return None
    if builder._resolves_to(node.func, abs) and len(node.args) == 1 and \
            (_seen_defining(builder, "__abs__") or _builds(builder, node)):
        return operator_call(builder, "abs", (builder.atom(node.args[0]),), node, hint)
    if not (builder._resolves_to(node.func, sum) and 1 <= len(node.args) <= 2) or \
            not (_seen_defining(builder, "__add__") or _seen_defining(builder, "__radd__") or _builds(builder, node)):
        return None
    atoms = [builder.atom(a) for a in node.args]
    parts = builder._tuple_parts(atoms[0])
    total = atoms[1] if len(atoms) == 2 else ir.Const(0)
    if parts is None:
        _refuse_unknown_sum(builder, node, _class_of(builder, total))
    if parts is None or not any(defines(_class_of(builder, a), m) for a in (total, *parts)
                                for m in ("__add__", "__radd__")):
        return None
    for part in parts:  # (Python's sum: start + xs[0] + xs[1] ..., each + the operator it is)
        added = operator_call(builder, "add", (total, part), node)
        total = builder.materialise(added if added is not None else builder.fold_call("add", (total, part)))
    return total


def _refuse_unknown_sum(builder, node: ast.Call, cls) -> None:
    """Refuse `sum(xs, start)` where start is a record whose class defines `__add__` (which Python's sum calls,
    start + xs[0] + ...) and xs a list whose length only the run time knows (a comprehension, a list grown by
    appends): s2s's sum of a list joins tuples. The loop adding them, which s2s follows, is the advice."""
    if not isinstance(cls, type) or not defines(cls, "__add__"):
        return
    xs, start = node.args
    loop = f"for v in {ast.unparse(xs)}: t = t + v"
    if isinstance(xs, (ast.GeneratorExp, ast.ListComp)) and len(xs.generators) == 1 and not xs.generators[0].ifs:
        loop = f"for {ast.unparse(xs.generators[0].target)} in {ast.unparse(xs.generators[0].iter)}: t = t + " \
               f"{ast.unparse(xs.elt)}"  # (the comprehension's loop itself)
    raise builder.error(node, f"sum({ast.unparse(xs)}, {ast.unparse(start)}) of {cls.__name__} records, whose class "
                              f"defines __add__, over a list whose length s2s knows only as the code runs",
                        f"add them in a loop, which s2s follows: t = {ast.unparse(start)}, then {loop}")


def _builds(builder, node: ast.Call) -> bool:
    """Does an argument of the call `node` build a record?"""
    return any(builder.builds_record(n) for a in node.args for n in ast.walk(a))


def _pure(builder, node) -> bool:
    """Is lowering `node` twice the same as once: a name, a constant, a field or a constant item of one, a record
    built of such values, a list or tuple display of them?"""
    if isinstance(node, (ast.Name, ast.Constant)):
        return True
    if isinstance(node, ast.Attribute) or isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return _pure(builder, node.value)
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_pure(builder, e) for e in node.elts)
    return builder.builds_record(node) and all(_pure(builder, a) for a in node.args) and \
        all(_pure(builder, k.value) for k in node.keywords)


def _call(builder, found, base, name: str, rest: tuple, node, hint) -> ir.Expr:
    """The call of the method `found` (a Method, or a Dispatch on the object's class) with `base` first."""
    methods = [m for m, _ in found.arms] if isinstance(found, Dispatch) else [found]
    for method in methods:
        if _may_decline(method.fn):
            raise builder.error(node, f"{method.cls.__name__}.{name}, which may return NotImplemented (Python then "
                                      f"tries the other operand's method, as the code runs)",
                                f"call the method that runs by name ({method.cls.__name__}.{name}(obj, value)), or "
                                f"make {name} handle each operand it is given")
    spelled = ast.unparse(_operands(node, name)[0])
    call = ast.copy_location(ast.Call(ast.Attribute(ast.Name(spelled, ast.Load()), name, ast.Load()), [], []), node)
    ast.fix_missing_locations(call)
    if isinstance(found, Dispatch):
        return builder.dispatch(found, base, lambda m, first: builder.method_call(m, first, rest, (), call, name),
                                call, hint)
    return builder.method_call(found, builder.method_first(found, call), rest, (), call, name)


def _may_decline(fn) -> bool:
    """Does the source of the method `fn` name NotImplemented (`return NotImplemented` for an operand it does not
    handle)?"""
    try:
        tree = read_function(fn).tree
    except (SourceUnavailableError, TypeError, OSError):
        return False
    return any(isinstance(n, ast.Name) and n.id == "NotImplemented" for n in ast.walk(tree))


def _owner(cls, name: str):
    return next((c for c in cls.__mro__ if name in c.__dict__), None)


def _class_of(builder, atom):
    """The class of the user's object `atom` holds where s2s knows it while compiling, else None."""
    if isinstance(atom, ir.Const):
        return type(atom.value) if user_object(atom.value) else None
    if not isinstance(atom, ir.Var):
        return None
    return builder.class_of(atom) or (builder.field_class(atom) if atom.name not in builder.free else None)


def _number(atom) -> bool:
    """Is `atom` a Python number written in the code (whose operator declines an object of the user's)?"""
    return isinstance(atom, ir.Const) and type(atom.value) in (int, float, bool)


def _seen_defining(builder, name: str) -> list:
    """The names of the classes of the user's that the function uses (its records, `self`, module objects) that
    define `name`."""
    key = (name, len(builder.classes), len(builder.free))  # (asked at every operator: known until either grows)
    known = builder.__dict__.setdefault("_operator_owners", {})
    if key not in known:
        seen = set(builder.classes.values()) | {type(v[0]) for v in builder.free.values() if user_object(v[0])}
        known[key] = sorted(c.__name__ for c in seen if isinstance(c, type) and defines(c, name))
    return known[key]


def _maybe_object(builder, atom, seen: frozenset = frozenset()) -> bool:
    """May `atom`, whose class s2s does not know, hold an object of the user's: an item or field of a value that
    may (not of an argument, whose records are checked as the call begins), what a call s2s does not follow
    returns, or a value an if chooses or a loop carries whose operands known here include a record?"""
    if not isinstance(atom, ir.Var) or atom.name in seen or atom.name in builder.free:
        return False
    seen = seen | {atom.name}
    if _class_of(builder, atom) is not None:
        return True
    made = builder.definitions.get(atom.name)
    if made is not None:
        if getattr(made, "op", None) not in _HOLDERS:
            return False
        if made.op in ("getitem", "getattr", "pop", "s2s.runtime.iterated") and made.args:
            root = made.args[0]
            owner = _class_of(builder, root)
            if owner is not None:  # (a field of a record: one built here is known, else one its class annotates)
                field = _field(builder, root, made)
                return _maybe_object(builder, field, seen) if field is not None else \
                    any(field_class(owner, f) is not None for f in record_fields(owner) or ())
            if isinstance(root, ir.Var) and root.name in builder.tuples:  # (an item of a display, at an index
                return any(_maybe_object(builder, p, seen) for p in builder.tuples[root.name])  # known as it runs)
            return _maybe_object(builder, root, seen) or isinstance(root, ir.Var) and builder.is_sequence(root)
        return True
    phi = builder.phis.get(atom.name)
    operands = list(phi.operands) if phi is not None else \
        [p.operands[0] for f in builder.loop_path for p in f.phis.values() if p.target == atom.name][:1]
    return any(_maybe_object(builder, o, seen) for o in operands)


def _operands(node, name: str) -> tuple:
    """The user's operands of the operator `node`, the one whose method `name` is first."""
    if isinstance(node, ast.UnaryOp):
        return (node.operand,)
    if isinstance(node, ast.Subscript):
        return (node.value, node.slice)
    if isinstance(node, ast.Call):  # abs(u)
        return tuple(node.args)
    return (node.right, node.left) if name.startswith("__r") else (node.left, node.right)


def _operand(node, name: str) -> ast.expr:
    """The user's operand of the operator `node` whose method `name` is looked for."""
    return _operands(node, name)[0]


def _field(builder, root: ir.Var, made: ir.Call):
    """The atom of the field `made` (`p.a`, `p[0]`) reads of the record `root` built here, else None."""
    fields = builder.records.get(root.name)
    key = made.args[1] if len(made.args) == 2 and isinstance(made.args[1], ir.Const) else None
    if fields is None or key is None:
        return None
    if made.op == "getitem" and type(key.value) is int and -len(fields) <= key.value < len(fields):
        return list(fields.values())[key.value]
    return fields.get(key.value) if made.op == "getattr" else None
