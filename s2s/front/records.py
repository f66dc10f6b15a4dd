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
"""
from __future__ import annotations

import ast
import dataclasses
import inspect

import numpy as np

from s2s.front.methods import note, subclasses  # (subclasses: `cls` first, an object of any may be `self`)
from s2s.front.source import MISSING

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
    """The fields of the record class `cls` (a dataclass, a namedtuple), in their order; None for another class."""
    if dataclasses.is_dataclass(cls):
        return [f.name for f in dataclasses.fields(cls)]
    if issubclass(cls, tuple) and isinstance(getattr(cls, "_fields", None), tuple):
        return list(cls._fields)
    return None


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


def object_names(tree) -> frozenset:
    """The names of the function `tree` never assigned in it (parameters) whose attributes it reads include one no
    ndarray and no number has (`g.P`, `d.rate`, or `s.mean` read as a value, which no array's method is): objects
    of the user's, whose `g.T` is an attribute too, not NumPy's transpose."""
    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    out = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id not in stored:
            array_like = hasattr(np.ndarray, n.attr) or hasattr(np.float64, n.attr)
            if not array_like or id(n) not in called and inspect.isroutine(getattr(np.ndarray, n.attr, None)):
                out.add(n.value.id)
    return frozenset(out)


# `g = s2s.grad(loss)(p, x); g.W` inside a differentiated function, p a record: (the construct, what to write)
DERIVATIVE_READ = ("reading .{name} of a derivative with respect to a record (a dataclass or namedtuple) inside a "
                   "function s2s differentiates: s2s does not differentiate a derivative of record parameters again",
                   "hold the parameters in a dict or a tuple (p['W'], p[0]), whose derivatives s2s differentiates "
                   "again, and build the updated parameters as one ({k: p[k] - lr * g[k] for k in p})")


def is_record_derivative(definitions: dict, made, operators: frozenset) -> bool:
    """Is `made` (a call) a derivative with respect to a record that a gradient s2s made gives back: the record
    it builds of its fields' adjoints (`bp_1 = rt.record_like(p, bp)`), or their sum itself, inlined here?"""
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
