"""What an attribute of a record (a dataclass, a namedtuple) is, for the SSA builder's `obj.name` (expressions.py).

A record is differentiated through its fields: `p.W` is read as the code runs, and its derivative is the
field's. What else an attribute may be is decided while compiling where the record's class is known (the
parameter `self` of a method of the class): a property is its getter's body, inlined as a method of the
record; a class constant (`EPS: ClassVar[float] = 0.5`, a NamedTuple's `EPS = 0.5`) is a constant; an
attribute `__init__` or `__post_init__` sets is no function of the fields s2s can follow, and is refused.
Every class dictionary looked in is reported to `record_reads` (api/facts.py), as a module's names are: a
property or class constant changed later makes the transformation again.

A field may have the name of an ndarray attribute (`g.T` of a `Gas(T, P)`, `d.shape` of a `Gamma(shape,
rate)`): where the class is not known while compiling (an argument), `object_names` finds the names the
function reads another attribute of that no array has (`g.P`), which hold objects, not arrays.

A record the function builds (`P(x * 2, b=y)` of a namedtuple, a NamedTuple or a dataclass whose generated
`__init__` only sets the fields) is written out as a dict display is (`RecordLowering`): its fields are known
here, so that `p.a` reads `x * 2` itself, and it is made as the code runs (`rt.record_new`, generated as the call
`P(a=t, b=y)`), linear in its fields, for where it goes whole (a result, a helper that is not followed).
"""
from __future__ import annotations

import ast
import collections
import copy
import dataclasses
import inspect
import typing

import numpy as np

from s2s import ir, prims
from s2s.errors import S2SError
from s2s.front.method_lookup import lookup, note, subclasses  # (subclasses: `cls` first, any one's object may be self)
from s2s.front.source import MISSING, read_function
from s2s.ir.names import base_name

NEW = prims.RECORD_NEW  # record_new(cls, names, *values): cls(**dict(zip(names, values)))

# kind -> (the construct refused, what to write instead): `str.format`ted with spelled, cls, name (and what)
REFUSED = {
    "instance": ("'{spelled}', an attribute of the record {cls} that is not one of its fields (its __init__ or "
                 "__post_init__ sets it)",
                 "s2s differentiates a record through its fields: compute it from them where it is read, or make "
                 "it a property (@property def {name}(self): ...)"),
    "subclassed": ("'{spelled}', which subclasses of the record {cls} define otherwise (s2s would follow one "
                   "definition for objects of every class)",
                   "make it a method, def {name}(self): ..., and call it, {spelled}(): a method call runs the one "
                   "of the object's class"),
    "descriptor": ("'{spelled}', a {what} of the record {cls}",
                   "s2s differentiates a record through its fields and properties: make '{name}' a @property, or "
                   "compute it from the fields where it is read"),
}


def record_fields(cls: type):
    """The fields of the record class `cls` (a dataclass, a namedtuple), in their order; None for another class
    or another object."""
    if not isinstance(cls, type):
        return None
    if dataclasses.is_dataclass(cls):
        return [f.name for f in dataclasses.fields(cls)]
    if issubclass(cls, tuple) and isinstance(getattr(cls, "_fields", None), tuple):
        return list(cls._fields)
    return None


def constructible(target) -> bool:
    """Is `target` a record class whose call only sets its fields (a namedtuple, a NamedTuple; a dataclass whose
    `__init__` is the one dataclasses writes, with no `__post_init__` and no `field(init=False)`)? Their code
    is generated (its file is '<string>'), not the user's, which could compute other values of the fields."""
    if record_fields(target) is None:
        return False
    if dataclasses.is_dataclass(target):
        return _generated(target.__init__) and not hasattr(target, "__post_init__") and \
            all(f.init for f in dataclasses.fields(target))
    return _generated(target.__new__)


def _generated(fn) -> bool:
    return getattr(getattr(fn, "__code__", None), "co_filename", "").startswith("<")


_HOLDERS = frozenset({"getitem", "getattr", "call", "callmethod", "pop"})  # what may give a record it holds


class RecordLowering:
    """(mixed into the SSA builder, ssa.py; reads its state through `self`)"""

    def record_call(self, cls: type, args: tuple, kwargs: tuple, node, spelled: str) -> ir.Expr:
        """`P(x, b=y)` of a record class: written out where the call only sets the fields (`constructible`), else
        called as it is (its result a constant: a derivative through it is refused, saying why)."""
        if constructible(cls):
            return self.record_display(cls, args, kwargs, node, spelled)
        why = S2SError(f"{cls.__name__} runs code of its own as it is built, __post_init__, __init__ or __new__: s2s "
                       f"writes out a record only where its call just sets the fields")
        return self.opaque_call(cls, self.no_spread(args), self.no_spread(kwargs), spelled, why)

    def builds_record(self, node) -> bool:
        """Is `node` a call of a record class whose call only sets its fields (the `D2(x, y)` of `D2(x,
        y).perp()`: built again where `perp` is found to be no method, which changes nothing)?"""
        try:
            return isinstance(node, ast.Call) and constructible(self.static_value(node.func))
        except AttributeError:  # (np.summ: refused where it is lowered)
            return False

    def record_display(self, cls: type, args: tuple, kwargs: tuple, node, spelled: str) -> ir.Atom:
        """`P(x, b=y)`: the record `rt.record_new(P, ('a', 'b'), x, y)` whose fields `self.records` knows (so that
        `p.a` reads x), of the class `self.classes` knows (its methods and properties); a default is the class's."""
        try:
            bound = inspect.signature(cls).bind(*self.no_spread(args), **dict(self.no_spread(kwargs)))
        except TypeError as e:
            raise self.error(node, f"the call {ast.unparse(node)}, which raises TypeError: {e}",
                             f"pass each field of {cls.__name__} once: {cls.__name__}"
                             f"({', '.join(record_fields(cls))})") from None
        values = {}
        for name in record_fields(cls):
            if name in bound.arguments:
                values[name] = bound.arguments[name]
                continue
            made = next((f.default_factory for f in dataclasses.fields(cls) if f.name == name), dataclasses.MISSING) \
                if dataclasses.is_dataclass(cls) else dataclasses.MISSING
            default = bound.signature.parameters[name].default
            values[name] = self.materialise(self.call_object(made, (), (), node, f"{spelled}'s default of {name}")) \
                if made is not dataclasses.MISSING else self.constant_or_error(default, f"{cls.__name__}.{name}", node)
        return self.record_made(cls, values, node, spelled)

    def record_made(self, cls: type, values: dict, node, spelled: str) -> ir.Var:
        var = self.materialise(ir.Call(NEW, (self.constant_or_error(cls, spelled, node), ir.Const(tuple(values)))
                                       + tuple(values.values())))
        self.records[var.name] = values
        self.classes[var.name] = cls
        return var

    def joined_class(self, atom: ir.Var, seen: tuple = ()):
        """The class of the records built here that every operand of the join `atom` holds (`p = P(x, y) if c else
        P(y, x)`, a loop's value entering as one and each iteration building another), else None. Joins among the
        operands are looked through (`seen`: those on the way, whose other operands decide)."""
        phi = self.phis.get(atom.name)
        if phi is None:
            return self.carried_class(atom)
        found = {self.built_class(o, seen + (atom.name,)) for o in phi.operands
                 if not (isinstance(o, ir.Var) and o.name in seen + (atom.name,))}
        return found.pop() if len(found) == 1 else None

    def item_class(self, atom: ir.Var):
        """The class of the records built here that every item of the list or tuple display `atom` is read from
        holds (`p` of `for p in [P(x, y), P(y, x)]`, `ps[i]`: an index known only as the code runs), or of a list
        the function made by a display and grew by appends (a comprehension `[P(x[k], y) for k in ...]`), or of the
        values of a dict written out here, else None.
        Its methods are then the class's (`p.mean()` is P.mean, not NumPy's mean of the fields), checked as the
        code runs to be the object's (methods.py `dispatch`)."""
        made = self.definitions.get(atom.name)
        if made is None or made.op != "getitem" or len(made.args) != 2 or not isinstance(made.args[0], ir.Var):
            return None
        values = self.definitions.get(made.args[0].name)  # (`for p in priors.values()` of a dict written out here)
        if values is not None and values.op == "s2s.runtime.dict_values" and isinstance(values.args[0], ir.Var) and \
                values.args[0].name in self.dicts:
            found = {self.built_class(part) for part in self.dicts[values.args[0].name].values()}
            return found.pop() if len(found) == 1 else None
        root = made.args[0].name if made.args[0].name in self.tuples else self.list_root(made.args[0])
        if root not in self.tuples or root != made.args[0].name and root not in self.list_items:
            return None
        found = {self.built_class(part) for part in self.tuples[root]}
        found |= self.list_items.get(root, set()) if root != made.args[0].name else set()
        return found.pop() if len(found) == 1 else None

    def built_class(self, atom, seen: tuple = ()):
        """The class of the record built here that `atom` holds (through joins), else None."""
        if not isinstance(atom, ir.Var):
            return None
        return self.classes[atom.name] if atom.name in self.records else self.joined_class(atom, seen)

    def carried_class(self, atom: ir.Var):
        """The class of the records a loop's header value `atom`, in the loop's body, holds: the name enters the
        loop as a record built here, and each assignment of it in the body builds another of that class (`s =
        State(...)`, `s = s._replace(v=...)`, `s = dataclasses.replace(s, v=...)`), else None. (A record entering as
        `self` of a method may be of a subclass of its class: not known to stay of one class.)"""
        for frame in self.loop_path:
            for name, phi in frame.phis.items():
                if phi.target == atom.name:
                    cls = self.built_class(phi.operands[0])
                    key = (id(frame.node), name, cls)
                    known = self.__dict__.setdefault("_rebuilt_names", {})
                    if key not in known:
                        known[key] = record_fields(cls) is not None and self._rebuilt(name, cls, frame.node.body)
                    return cls if known[key] else None
        return None

    def built_field(self, base, name: str) -> bool:
        """Is `base.name` maybe a field of a record the function builds, of a class not known here (`g.T` of a
        `Gas(T, P)` taken from a list, joined, carried by a loop)? Then it is read as an attribute as the code
        runs, not as NumPy's `.T` (an array's `.T` is its transpose there too, its derivative refused)."""
        if not isinstance(base, ir.Var) or not any(name in fields for fields in self.records.values()):
            return False
        made = self.definitions.get(base.name)
        if made is None:  # (a join of an if, a loop's value)
            return base.name in self.phis or any(p.target == base.name for f in self.loop_path for p in f.phis.values())
        return made.op in _HOLDERS or made.op == "s2s.runtime.iterated"

    def _rebuilt(self, name: str, cls: type, body: list) -> bool:
        """Is every binding of `name` in `body` an assignment `name = ...` of a new record of class `cls`?"""
        stores = builds = 0
        for n in (n for stmt in body for n in ast.walk(stmt)):
            if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load):
                stores += 1
            if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name) and \
                    n.targets[0].id == name and isinstance(n.value, (ast.BinOp, ast.UnaryOp)):
                builds += _operator_rebuilds(n.value, name, cls)  # v = v - 0.1 * p of a Vec2 whose __sub__ makes one
            if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name) and n.target.id == name:
                builds += _operator_rebuilds(ast.BinOp(ast.Name(name, ast.Load()), n.op, n.value), name, cls, True)
            if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name) and \
                    n.targets[0].id == name and isinstance(n.value, ast.Call):
                func, args = n.value.func, n.value.args
                if isinstance(func, ast.Attribute) and func.attr == "_replace":
                    builds += isinstance(func.value, ast.Name) and func.value.id == name and hasattr(cls, "_replace")
                    continue
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == name:
                    builds += _method_rebuilds(func.attr, cls)  # s = s.step(dt) of a State whose step makes one
                    continue
                try:
                    target = self.static_value(func)
                except AttributeError:  # (np.summ: refused where the body is lowered)
                    continue
                builds += target is cls or target is dataclasses.replace and bool(args) and \
                    isinstance(args[0], ast.Name) and args[0].id == name
        return stores == builds

    def refuse_unknown_record_attribute(self, node: ast.Attribute) -> None:
        """`q.EPS` of a value whose class is not known here (`q = ps[i]`) while the function builds records of a
        class for which EPS is a property or class constant: generated code would read it of q's tangent too."""
        for cls in {self.classes[n] for n in self.records}:
            kind, _ = attribute_kind(cls, node.attr)
            if kind not in ("field", "instance"):  # (one the class has: else an array's, or an AttributeError)
                raise self.error(node, f"reading .{node.attr} of {ast.unparse(node.value)}, which may be a "
                                       f"{cls.__name__} the function builds, whose class s2s does not know at this "
                                       f"line ('{node.attr}' is no field of {cls.__name__})",
                                 f"read it of the name the record was built into (p = {cls.__name__}(...); "
                                 f"p.{node.attr}), or compute it from the fields")

    def record_replace(self, node: ast.Call) -> ir.Expr | None:
        """`p._replace(a=v)` of a namedtuple, `dataclasses.replace(d, a=v)` of a dataclass: a new record of the
        class, `v` at `a` and the other fields read from the old one (None for another call). The class must be
        known here (a record built here, `self` of a method of the class): else no field list is."""
        func = node.func
        if self.static_value(func) in (dataclasses.astuple, dataclasses.asdict):
            return self.record_conversion(node)
        if isinstance(func, ast.Attribute) and func.attr == "_replace" and self.static_value(func) is MISSING:
            old, args, spelled = func.value, node.args, f"{ast.unparse(func.value)}._replace"
        elif self.static_value(func) is dataclasses.replace and node.args:
            old, args, spelled = node.args[0], node.args[1:], ast.unparse(func)
        else:
            return None
        base = self.atom(old)
        cls = self.class_of(base)
        if args or any(k.arg is None for k in node.keywords):
            first = "" if old is getattr(func, "value", None) else ast.unparse(old) + ", "  # (dataclasses.replace's)
            raise self.error(node, f"{spelled}(...) with fields given by position or as **mapping",
                             f"name each changed field: {spelled}({first}field=value, ...)")
        if cls is None or not constructible(cls):
            raise self.error(node, *self._replace_refusal(old, cls, node, spelled))
        values = dict(self.records.get(base.name) or
                      {k: self.materialise(ir.Call("getattr", (base, ir.Const(k)))) for k in record_fields(cls)})
        for k in node.keywords:
            if k.arg not in values:
                raise self.error(k.value, f"{spelled}(...) of the field '{k.arg}', which {cls.__name__} does not have",
                                 f"name one of its fields: {', '.join(values)}")
            values[k.arg] = self.atom(k.value)
        return self.record_made(cls, values, node, cls.__name__)

    def record_conversion(self, node: ast.Call) -> ir.Atom:
        """`dataclasses.astuple(p)` (`asdict(p)`) of a dataclass built here: the tuple (dict) of its fields, as
        Python makes it, a dataclass in a field converted too, a list, tuple, dict or namedtuple holding one made
        anew of the converted items; a number or an array as it is (Python's deep copy, equal to it). Refused
        where s2s does not know here what a field holds (a dataclass in it would be converted)."""
        spelled = ast.unparse(node.func)
        if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
            raise self.error(node, f"{spelled}(...) with a factory or more arguments",
                             f"call it with the record alone, {spelled}(p), and convert the result")
        atom, as_dict = self.atom(node.args[0]), spelled.endswith("asdict")
        if not (isinstance(atom, ir.Var) and dataclasses.is_dataclass(self.classes.get(atom.name)) and
                atom.name in self.records):
            raise self.error(node, f"{ast.unparse(node)}, where s2s does not know at this line the dataclass "
                                   f"{ast.unparse(node.args[0])} holds (an argument, an item of a container, a value "
                                   f"a loop carries)", f"write the {'dict' if as_dict else 'tuple'} of its fields: "
                                                       f"{_written(ast.unparse(node.args[0]), as_dict)}")
        return self._converted(atom, as_dict, node, spelled, ("", None))

    def _converted(self, atom, as_dict: bool, node, spelled: str, field: tuple) -> ir.Atom:
        """What `_asdict_inner` / `_astuple_inner` of dataclasses makes of the value `atom` (`field`: the name and
        the annotation of the field holding it, where one says it is a number or an array); refused where that is
        not known here."""
        name = atom.name if isinstance(atom, ir.Var) else None
        cls = self.classes.get(name) if name in self.records else None
        if cls is not None:
            fields = self.records[name]
            hints = _annotations(cls)
            values = [self._converted(v, as_dict, node, spelled, (k, hints.get(k))) for k, v in fields.items()]
            if not dataclasses.is_dataclass(cls):  # (a namedtuple: one of its class, of the converted items)
                return self.record_made(cls, dict(zip(fields, values)), node, cls.__name__)
            if as_dict:
                return self.dict_display([ir.Const(k) for k in fields], values, node, None)
            return self.sequence("tuple", tuple(values))
        kind = self.sequence_kind(atom)
        if kind is not None:
            return self.sequence(kind, tuple(self._converted(p, as_dict, node, spelled, (field[0], None))
                                             for p in self._tuple_parts(atom)))
        if name in self.dicts:
            entries = self.dicts[name]
            return self.dict_display([ir.Const(k) for k in entries], [
                self._converted(v, as_dict, node, spelled, (field[0], None)) for v in entries.values()], node, None)
        made = self.definitions.get(name) if name is not None else None
        op = getattr(made, "op", None) or ""
        plain = isinstance(atom, ir.Const) and isinstance(atom.value, (int, float, bool, str, np.ndarray, np.number))\
            or field[1] in (float, int, bool, np.ndarray) or \
            made is not None and op not in _HOLDERS and op not in (NEW, "list", "tuple") and "dict" not in op
        if not plain:
            raise self.error(node, f"{ast.unparse(node)}, whose field '{field[0]}' holds a value s2s does not know at "
                                   f"this line (a dataclass in it would be converted too)",
                             f"write the {'dict' if as_dict else 'tuple'} of the fields you need: "
                             f"{_written(ast.unparse(node.args[0]), as_dict)}")
        return atom

    def copied_record_write(self, target: ast.Attribute, base: ir.Atom, augmented) -> S2SError | None:
        """The refusal of `q.w -= lr * g` (`q.w = v`; `augmented`: the AugAssign) where `q` is a copy the function
        made (`copy.deepcopy(p)`, `copy.copy(p)`), whose attributes s2s does not write: the new record, made with
        its class (its fields named where s2s knows it here, a record built here), which s2s follows. None where
        `q` is no such copy."""
        made = self.definitions.get(base.name) if isinstance(base, ir.Var) else None
        called = self.free.get(getattr(made.args[0], "name", ""), (0,))[0] if made is not None and \
            made.op == "call" and made.args else None
        if made is None or not (made.op == "s2s.runtime.deep_copy" or called is copy.copy):
            return None
        name, attr = target.value.id, target.attr
        copied = made.args[0] if made.op == "s2s.runtime.deep_copy" else made.args[1]
        cls = self.class_of(copied) if isinstance(copied, ir.Var) else None
        line = _statement(self.loc.text if self.loc is not None else "")
        new = ast.unparse(ast.BinOp(target, augmented.op, augmented.value)) if isinstance(augmented, ast.AugAssign) \
            else ast.unparse(line.value) if isinstance(line, ast.Assign) and len(line.targets) == 1 and \
            ast.unparse(line.targets[0]) == ast.unparse(target) else "value"
        how = "copy.deepcopy" if made.op == "s2s.runtime.deep_copy" else "copy.copy"
        kept = [f"{f}={name}.{f}" for f in record_fields(cls) if f != attr] if cls is not None and \
            constructible(cls) else [f"<each other field>={name}.<field>"]
        spelled = cls.__name__ if cls is not None and constructible(cls) else "Cls"
        return self.error(target, f"{'augmented ' if augmented else ''}assignment to the attribute '{attr}' of "
                                  f"'{name}', a copy the function made ({how})",
                          f"s2s follows a record's fields as it is built, not changed afterwards: make the new "
                          f"record with its class, naming each field: {name} = {spelled}({attr}={new}, "
                          f"{', '.join(kept)})")

    def _replace_refusal(self, old, cls, node: ast.Call, spelled: str) -> tuple:
        """(the construct, what to write instead) for `p._replace(a=v)` of a record whose class s2s does not know
        here (`cls` None) or which runs code of its own as it is built."""
        name = ast.unparse(old)
        if cls is not None:
            what = f"of {name}, a {cls.__name__}, which runs code of its own as it is built (__post_init__, " \
                   f"__init__ or __new__): s2s writes out a record only where its call just sets the fields"
        elif isinstance(old, ast.Name) and base_is_parameter(self, old.id):
            what = f"of {name}, an argument, whose record class s2s does not know while compiling"
        else:
            what = f"of {name}, whose record class s2s does not know at this line (one a loop carries in from an " \
                   f"argument, or binds to another value too, one taken from a container or returned by a call)"
        changed = [f"{k.arg}={ast.unparse(k.value)}" for k in node.keywords]
        kept = [f"{f}={name}.{f}" for f in record_fields(cls) if f not in {k.arg for k in node.keywords}] \
            if cls is not None else [f"<each other field>={name}.<field>"]
        return (f"{spelled}(...) {what}",
                f"build the new record with its class, naming each field: "
                f"{cls.__name__ if cls is not None else 'Cls'}({', '.join(changed + kept)})")


def _statement(text: str) -> ast.stmt | None:
    """The one statement the line `text` holds, else None."""
    try:
        body = ast.parse(text.strip()).body
    except SyntaxError:
        return None
    return body[0] if len(body) == 1 else None


def _operator_rebuilds(value, name: str, cls: type, augmented: bool = False) -> bool:
    """Does the operator `value` (`v - 0.1 * p`, `-v`, `0.5 * v`; `v -= w` `augmented`), `name` (a record of class
    `cls`) its left operand, its only one, or its right one after a number, run a method of cls (front/operators.py)
    every return of which builds a new record of cls (`return Vec2(self.x - o.x, self.y - o.y)`)?"""
    own = lambda e: isinstance(e, ast.Name) and e.id == name  # noqa: E731
    op = prims.AST_TO_OP.get(type(value.op))
    if augmented and any(f"__i{op}__" in c.__dict__ for c in cls.__mro__ if c.__module__ != "builtins"):
        dunder = f"__i{op}__"
    elif isinstance(value, ast.UnaryOp) and own(value.operand) or isinstance(value, ast.BinOp) and own(value.left):
        dunder = f"__{op}__"
    elif isinstance(value, ast.BinOp) and own(value.right) and isinstance(value.left, ast.Constant) and \
            type(value.left.value) in (int, float):
        dunder = f"__r{op}__"
    else:
        return False
    owner = next((c for c in cls.__mro__ if dunder in c.__dict__), None)
    fn = owner.__dict__[dunder] if owner is not None and owner.__module__ != "builtins" else None
    return _returns_new(fn, cls)


def _method_rebuilds(attr: str, cls: type) -> bool:
    """Does `s.attr(...)`, `s` a record of class `cls` (exactly: one the function built), run a plain method of cls
    (no field of that name) every return of which builds a new record of cls (`return dataclasses.replace(self,
    w=w)`, `return State(w, v)`)?"""
    if attr in (record_fields(cls) or ()):
        return False
    found = lookup(cls, attr)
    return found is not None and found[0].__module__ != "builtins" and _returns_new(found[1], cls)


def _returns_new(fn, cls: type) -> bool:
    """Is `fn` a Python function (a method of `cls`) that ends in a return, every return of which builds a new
    record of `cls`: `cls(...)` by its name, or, of its first parameter, `dataclasses.replace(self, ...)` or
    `self._replace(...)`?"""
    if not inspect.isfunction(fn):
        return False
    try:
        tree = read_function(fn).tree
    except S2SError:
        return False
    first = tree.args.posonlyargs + tree.args.args
    own = lambda e: bool(first) and isinstance(e, ast.Name) and e.id == first[0].arg  # noqa: E731

    def static(e):  # (a name or a dotted name of fn's module, else MISSING)
        if isinstance(e, ast.Name):
            return fn.__globals__.get(e.id, MISSING)
        if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name):
            return getattr(fn.__globals__.get(e.value.id, MISSING), e.attr, MISSING)
        return MISSING

    def made(e):
        if not isinstance(e, ast.Call):
            return False
        if isinstance(e.func, ast.Attribute) and e.func.attr == "_replace" and own(e.func.value):
            return hasattr(cls, "_replace")
        target = static(e.func)
        return target is cls or target is dataclasses.replace and bool(e.args) and own(e.args[0]) and \
            dataclasses.is_dataclass(cls)
    returns = [r for r in ast.walk(tree) if isinstance(r, ast.Return)]
    return bool(tree.body) and isinstance(tree.body[-1], ast.Return) and all(made(r.value) for r in returns)


def _annotations(cls: type) -> dict:
    """The annotations of the record class `cls`'s fields, resolved where they can be ({} else)."""
    try:
        return typing.get_type_hints(cls)
    except Exception:  # (an annotation naming what is not defined)
        return {}


def _written(name: str, as_dict: bool) -> str:
    """The tuple (dict) of the fields of the record `name`, as the user would write it."""
    return f"{{'a': {name}.a, 'b': {name}.b, ...}}" if as_dict else f"({name}.a, {name}.b, ...)"


def base_is_parameter(builder, name: str) -> bool:
    """Does the user's `name` hold the function's parameter of that name here (its first version: no definition,
    no join)?"""
    atom = builder.env.get(name)
    return isinstance(atom, ir.Var) and atom.name == name and name not in builder.definitions and \
        name not in builder.phis and not any(p.target == name for f in builder.loop_path for p in f.phis.values())


def attribute_kind(cls: type, name: str) -> tuple:
    """(kind, value) of the attribute `name` of an object of the record class `cls` or of a subclass of it:
    ("field", None) for a field, a method or a dunder, or where `cls` is no record (read as the code runs);
    ("property", the property) for a property with a Python getter; ("constant", its value) for plain data
    on the class; else a kind of `REFUSED` ("instance", "subclassed", "descriptor")."""
    fields = record_fields(cls)
    if fields is None or name in fields or name.startswith("__"):
        return "field", None
    found = [class_lookup(c, name) for c in subclasses(cls)]
    raw = found[0]
    if any(other is not raw for other in found[1:]):
        return "subclassed", raw
    if raw is MISSING:
        return "instance", None
    if isinstance(raw, property) and inspect.isfunction(raw.fget):
        return "property", raw
    if inspect.isfunction(raw) or isinstance(raw, (staticmethod, classmethod)):
        return "field", None  # (a method as a value: what calls and function values make of it)
    if hasattr(type(raw), "__get__"):
        return "descriptor", raw
    return "constant", raw


def class_lookup(cls: type, name: str):
    """What the dictionary of the first class along `cls.__mro__` holding `name` holds (MISSING if none does),
    each dictionary looked in reported to `record_reads`."""
    for owner in cls.__mro__:
        if owner is object:
            break
        note(owner.__dict__, name)
        if name in owner.__dict__:
            return owner.__dict__[name]
    return MISSING


# values whose attributes are no sign of an object of the user's (xs.append of a list, d.items() of a dict)
_NOT_OBJECTS = (np.ndarray, np.float64, list, tuple, dict)


def object_names(tree) -> frozenset:
    """The values of the function `tree` (as `object_key`s) whose attributes it reads include one no ndarray, no
    number, no list and no dict has (`g.P`, `cf.amount`, or `s.mean` read as a value, which no array's method is): objects of the
    user's, whose `g.T` is an attribute too, not NumPy's transpose, and `b.mean()` their method. A value is a
    name bound at one place only (a parameter never assigned, a loop's target, a name assigned once: `for cf in
    flows`, `cf = flows[0]`), where every read of it reads what that place binds, or the items of one (`legs[i]`).
    The evidence is read again in the code s2s generates (cf.amount and cf.T there too), which a Hessian reads."""
    top = getattr(tree, "args", None)
    params = [a for a in ast.walk(top) if isinstance(a, ast.arg)] if top is not None else []
    sites = collections.Counter(a.arg for a in params)
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
            sites[n.id] += 1
        elif isinstance(n, ast.arg) and not any(n is a for a in params):  # (a nested function's, a lambda's)
            sites[n.arg] += 1
    many = {name for name, k in sites.items() if k > 1}
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    out = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Attribute) and object_key(n.value, many) is not None:
            array_like = any(hasattr(kind, n.attr) for kind in _NOT_OBJECTS)
            if not array_like or id(n) not in called and inspect.isroutine(getattr(np.ndarray, n.attr, None)):
                out.add(object_key(n.value, many))
    return frozenset(out)


def object_key(node, many=frozenset(), users=None) -> str | None:
    """What `object_names` calls the value `node` reads: `cf` for a name (not one of `many`, bound at more than
    one place), `legs[]` for an item of one (legs[i], whatever i), None for another expression. A name not among
    `users` (the names of the user's function) is one the front end made for a user's (a comprehension's `cf_1`
    for its `cf`)."""
    if isinstance(node, ast.Name):
        name = node.id if users is None or node.id in users else base_name(node.id)
        return name if name not in many else None
    if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
        key = object_key(node.value, many, users)
        return key + "[]" if key is not None else None
    return None


# `g = s2s.grad(loss)(p, x); g.W` inside a differentiated function, p a record: (the construct, what to write)
DERIVATIVE_READ = ("reading .{name} of a derivative with respect to a record (a dataclass or namedtuple) inside a "
                   "function s2s differentiates: s2s does not differentiate a derivative of record parameters again",
                   "take the derivative with respect to the fields, given one by one to a function that builds "
                   "the record (def loss_fields(W, b, x): return loss(P(W, b), x); gW, gb = s2s.grad(loss_fields, "
                   "wrt=(0, 1))(p.W, p.b, x); p = P(p.W - lr * gW, p.b - lr * gb)); or hold the parameters in a "
                   "dict or a tuple (p['W'], p[0]), whose derivatives s2s differentiates again, and build the "
                   "updated parameters as one ({k: p[k] - lr * g[k] for k in p})")


def is_record_derivative(definitions: dict, made, operators: frozenset) -> bool:
    """Is `made` (a call) a derivative with respect to a record that a gradient s2s made gives back: the record
    it builds of its fields' adjoints (`bp_1 = rt.record_like(p, bp)`), or their sum itself, inlined here (given
    back as the call gives it, `rt.settled_like(bp_1, p)`: front/inlining.py)?"""
    if made.op == "s2s.runtime.settled_like" and isinstance(made.args[0], ir.Var) and made.args[0].name in definitions:
        made = definitions[made.args[0].name]
    return made.op == "s2s.runtime.record_like" or made.op in operators and \
        adds_field_adjoints(definitions, made, operators)


def adds_field_adjoints(definitions: dict, made, operators: frozenset) -> bool:
    """Is `made` (an operator's call) the sum of the adjoints of a record's fields that a gradient s2s made adds
    up (`bp = rt.getattr_adjoint(bt3, p, 'b') + rt.getattr_adjoint(bt1, p, 'W')`), inlined here?"""
    for a in made.args:
        d = definitions.get(getattr(a, "name", None))
        op = getattr(d, "op", None)
        if op == "s2s.runtime.getattr_adjoint" or op in operators and adds_field_adjoints(definitions, d, operators):
            return True
    return False
