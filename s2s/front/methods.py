"""Calls of methods of the user's classes, `self.act(x)`, found as Python finds them.

Python looks `obj.act` up in the object's own attributes first, then along `type(obj).__mro__`: the method a
call runs is the one of the object's class, not of the class whose body holds the calling method (`Base.loss`
calling `self.act`, which `Child` overrides, runs `Child.act` on a Child). Where the object is known while
compiling (the object a bound method is bound to, module data), its method is found so, and every dictionary
looked in is recorded for the cache (`record_reads`, api/facts.py): a method replaced later (`Model.act = cube`)
makes the transformation again. Where only a class is known (the parameter `self` of a method of `Base`: the
generated code serves every object passed), the call dispatches as it runs on what `type(self).act` is, one
branch per implementation among `Base` and its subclasses defined then; an object whose class s2s did not see
defining the method otherwise raises an S2SError, rather than run another method's derivative. `MethodLowering`
holds these methods of the SSA builder (mixed into calls.CallLowering); the look-up itself is method_lookup.py.
"""
from __future__ import annotations

import ast
import functools
import inspect
import os
from dataclasses import replace

import numpy as np

from s2s import ir, prims
from s2s.errors import ROTATION_INSTEAD, S2SError, rotation_method
from s2s.ir.names import base_name
from s2s.front.effects import REQUIRE_METHOD
from s2s.front.method_lookup import LIBRARIES, Dispatch, Held, Method, as_method, dispatch, field_class, lookup, \
    note, user_object
from s2s.front.source import defining_class
from s2s.rules import custom, registry

SIZED_BY_ARGUMENTS = {"rand": "random_sample", "randn": "standard_normal"}  # rand(d0, d1): random_sample((d0, d1))
_RANDOM_METHODS = frozenset(name for cls in (np.random.Generator, np.random.RandomState) for name in dir(cls)
                            if not name.startswith("_") and not hasattr(np.ndarray, name))
_CHECKED_DRAWS = (prims.INTEGER_DRAWS | prims.SELECTING_DRAWS) - prims.UNSURE_DRAWS




def _is_super(node) -> bool:
    """Is `node` the call `super()`, with no arguments?"""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super" and \
        not node.args and not node.keywords


# str's methods that no array, number, list, tuple or dict has (x.index(v) is a list's, a tuple's or a str's)
_STRING_METHODS = frozenset(name for name in dir(str) if not name.startswith("_") and not any(
    hasattr(cls, name) for cls in (np.ndarray, np.float64, float, int, list, tuple, dict)))


def string_method(base, name: str, classes: dict) -> bool:
    """Is `base.name(...)` surely a method of a str: `base` a str constant, or a value of no class s2s knows
    while compiling and `name` one of str's own methods (`name.startswith("b")` of a dict's key)?"""
    if isinstance(base, ir.Const):
        return isinstance(base.value, str) and hasattr(str, name) and not name.startswith("_")
    return isinstance(base, ir.Var) and base.name not in classes and name in _STRING_METHODS


# a list's (a tuple's) methods that compare its elements, refused (no other reaches method_refusal: list.append,
# .copy and the methods changing the list are read or refused before) -> what to write, formatted with xs
_SEQUENCE_METHODS = {
    "index": "compare as an array: i = int(np.flatnonzero(np.array({xs}) == v)[0]) for {xs}.index(v) of numbers "
             "(an IndexError where v is not there, where index raises ValueError)",
    "count": "compare as an array: n = int(np.sum(np.array({xs}) == v)) for {xs}.count(v) of numbers",
}

# ndarray methods s2s has no record for, where the NumPy function is not the advice -> what to write instead
_ARRAY_METHODS = {
    "view": "use the array itself, z = {name} (s2s follows a write through either name), or a copy, z = {name}.copy() "
            "(a view of another dtype, {name}.view(dtype), reinterprets its bytes and has no derivative)",
}


class MethodLowering:
    """(mixed into the SSA builder through calls.CallLowering; reads its state through `self`)"""

    def random_method(self, base, name: str) -> bool:
        """`rng.random(x.shape)` on an argument (or an attribute or an item of one: self.rng, cfg['rng']) whose
        class s2s does not know while compiling, where `name` is a method of NumPy's random generators and no
        array's: called as it is (a draw, where no derivative flows; the AD stages refuse it where one would)."""
        return name in _RANDOM_METHODS and isinstance(base, ir.Var) and base.name not in self.free and \
            getattr(self.definitions.get(base.name), "op", "getattr") in ("getattr", "getitem")

    def generator_method(self, base, func: ast.Attribute, node: ast.Call) -> ir.Call:
        """`obj.name(...)` of an object an opaque call made (a random generator...), or a generator's draw on one
        passed in (`random_method`): called as it is. A draw of integers or of items there (rng.binomial(n, p),
        rng.choice(4, p=w)) comes after rt.require_generator(rng, name), which refuses another object as the code
        runs: the result is taken for one without a derivative (ad/inactive.py), true only of a generator's draw."""
        name, spread = func.attr, node.args[0] if len(node.args) == 1 else None
        if isinstance(spread, ast.Starred) and name in SIZED_BY_ARGUMENTS and not node.keywords:
            name, node = SIZED_BY_ARGUMENTS[name], ast.Call(func, [spread.value], [])  # R.randn(*s)
        if not self.is_opaque(base) and name in _CHECKED_DRAWS:
            self.emit(ir.Effect(ir.Call(prims.REQUIRE_GENERATOR, (base, ir.Const(name))), self.loc))
        args = (base, ir.Const(name)) + tuple(self.atom(a) for a in node.args)
        return ir.Call("callmethod", args, self.keywords(node.keywords))

    def array_method_base(self, func: ast.Attribute) -> ir.Atom:
        """The atom of `obj` in `obj.mean(...)`, read as NumPy's method (`prims.METHODS`). Where obj is an item of
        a list, a tuple or a loop's sequence that s2s cannot tell for an array or an object of the user's while
        compiling, the read is checked where the code runs (`rt.require_array`, lists.py): an object whose class
        defines `mean` is refused there, saying to call Cls.mean(obj), not run as NumPy's mean of its fields."""
        base = self.receiver(func)
        if prims.METHODS[func.attr].startswith("numpy."):  # (not a dict's .items() of a list of dicts)
            self.array_attribute(prims.METHODS[func.attr], base, ast.parse(_as_written(func), mode="eval").body)
        return base

    def method_of(self, func: ast.Attribute):
        """What the call `obj.name(...)` (`func` its callee) runs where obj is an object of the user's: a `Method`
        (the object known while compiling), a `Held` callable (the object's own attribute), a `Dispatch` (only the
        object's class known: a parameter `self`); None where `name` is no method of a class of the user's."""
        if _is_super(func.value) and not self.sees("super") and self.src.resolve("super") is super:
            return self.super_method(func)
        if not isinstance(func.value, (ast.Name, ast.Attribute)) and not self.builds_record(func.value) and \
                not _item_read(func.value):
            # ((v * 2.0).dot(v), make(x).mean(): a record built here may be the value: lowered once, for the
            # class's method where it is one, for NumPy's or another reading of the call otherwise: `receiver`)
            if getattr(self, "_receiver", None) is None or self._receiver[0] is not func:
                self._receiver = (func, self.atom(func.value))
            return self.method_on(self._receiver[1], func.attr)
        return self.method_on(self.atom(func.value), func.attr)

    def receiver(self, func: ast.Attribute) -> ir.Atom:  # (obj of obj.name(...): the atom method_of made, or now)
        found, self._receiver = getattr(self, "_receiver", None), None
        return found[1] if found is not None and found[0] is func else self.atom(func.value)

    def method_on(self, base, name: str):
        """`method_of` for the object `base` (an atom) and the attribute `name`."""
        if not isinstance(base, ir.Var):
            return None
        if base.name in self.free:
            obj = self.free[base.name][0]
            if not user_object(obj):
                return None
            own = getattr(obj, "__dict__", None)
            if isinstance(own, dict):  # (the cache checks the object still holds, or still lacks, its own `name`)
                note(own, name)
            if isinstance(own, dict) and name in own:
                value = own[name]
                return Held(value) if callable(value) and not user_object(value) else None
            found = as_method(lookup(type(obj), name), type(obj))
            return replace(found, base=base) if found is not None else None
        cls = self.classes.get(base.name) or self.field_class(base) or self.item_class(base) or \
            self.built_class(base) or self.constructed_class(base) or self.entry_class(base)
        if cls is None:  # (no class known while compiling)
            return None
        self.classes[base.name] = cls
        if self.built_class(base) is cls:  # (a record built here: of that class itself, no subclass's)
            found = as_method(lookup(cls, name), cls)
            found = replace(found, base=base) if found is not None else None
        else:
            found = dispatch(name, cls, base, lambda c: as_method(lookup(c, name), c))
        layer = field_class(cls, name) if found is None else None
        if layer is not None:  # self.l1(x), the field l1: Linear of an Equinox-style model: Linear.__call__
            field = self.materialise(ir.Call("getattr", (base, ir.Const(name))))
            self.classes[field.name] = layer
            return dispatch("__call__", layer, field, lambda c: as_method(lookup(c, "__call__"), c))
        return found

    def field_class(self, atom: ir.Var) -> type | None:
        """The class of the user's the annotation names of the record field `atom` holds (`self.l2` of `l2:
        Linear`, self a record whose class is known), or None: its methods are called by that class (`self.l2.
        apply(x)`), checked as the code runs to be the object's (`dispatch`)."""
        made = self.definitions.get(atom.name)
        if made is None or made.op != "getattr" or len(made.args) != 2 or not isinstance(made.args[0], ir.Var) or \
                not isinstance(made.args[1], ir.Const):
            return None
        owner = self.classes.get(made.args[0].name)
        return field_class(owner, made.args[1].value) if owner is not None else None

    def entry_class(self, atom: ir.Var) -> type | None:
        """The class of the objects of the user's that module data holds where `atom` is read from it: `PRIORS["mu"]`
        of a dict (the entry recorded for the cache, as a name is), `COMPONENTS[0]` or `COMPONENTS[i]` of a list or
        tuple whose items are all of one class; else None. Its methods are called by that class, checked as the
        code runs to be the object's (`dispatch`: the entry may change after the transformation)."""
        made = self.definitions.get(atom.name)
        if made is None or made.op != "getitem" or len(made.args) != 2 or made.kwargs:
            return None
        table, key = made.args
        if not (isinstance(table, ir.Var) and table.name in self.free and table.name not in self.defined):
            return None
        table = self.free[table.name][0]
        if isinstance(table, dict) and isinstance(key, ir.Const) and isinstance(key.value, str) and key.value in table:
            note(table, key.value)
            items = [table[key.value]]
        elif type(table) in (list, tuple) and table:  # (at any index: every item's class)
            items = table
        else:
            return None
        classes = {type(v) for v in items}
        return classes.pop() if len(classes) == 1 and user_object(items[0]) else None

    def super_method(self, func: ast.Attribute):
        """`super().name(...)` in a method of the class `__class__` (its closure cell, as Python's super() reads
        it) whose first parameter holds the object: the `name` found along the object's `__mro__` after that
        class. For an object known only as the code runs, a branch per class s2s sees (their `__mro__` may
        differ after it: a class mixing in another)."""
        owner = self.src.closure.get("__class__")
        code = getattr(getattr(self.src.func, "__func__", self.src.func), "__code__", None)
        if not isinstance(owner, type) or code is None or not code.co_argcount:
            raise self.error(func.value, "super() outside a method defined in a class body",
                             "call the base class's method with the object: Base.f(self, x)")
        base = self.read(code.co_varnames[0], func.value)

        def after(cls: type):
            mro = cls.__mro__
            for c in mro[mro.index(owner) + 1:] if owner in mro else ():
                if c is object:
                    break
                note(c.__dict__, func.attr)
                if func.attr in c.__dict__:
                    return as_method((c, c.__dict__[func.attr]), cls)
            return None
        if isinstance(base, ir.Var) and base.name in self.free and user_object(self.free[base.name][0]):
            found = after(type(self.free[base.name][0]))
            return replace(found, base=base) if found is not None else None
        if not isinstance(base, ir.Var):
            return None
        return dispatch(func.attr, owner, base, after, by_class=True)

    def note_self(self, fn, args: tuple) -> None:
        """`fn`, a function defined in a class's body, called with `args`: its first argument, a value of this
        function (not data), is taken as an object of that class, whose method calls dispatch on its class as the
        code runs (`dispatch`, which checks it: another object raises an S2SError)."""
        first = args[0] if args else None
        if not isinstance(first, ir.Var) or first.name in self.free or first.name in self.classes:
            return
        cls = defining_class(fn)
        if cls is not None:
            self.classes[first.name] = cls

    def method_first(self, method: Method, node) -> tuple:
        """The leading arguments of a call of `method` found on an object known while compiling: the object, its
        class (a class method: the object's, whose attributes it reads), or none (a static method)."""
        if method.takes == "class":
            return (self.constant_or_error(method.cls, method.cls.__name__, node),)
        return (method.base,) if method.takes == "self" else ()

    def method_call(self, method: Method, first: tuple, args: tuple, kwargs: tuple, node, name: str,
                    returns_none: bool = False) -> ir.Expr:
        """A call of `method` (found as `obj.name`) with the leading arguments `first`, then `args` and `kwargs`
        (lowered): called where it has a rule of the user's (on the class's function, or on a module object's bound
        method) or is a library callable, else its body inlined like any helper's."""
        spelled = f"{method.cls.__name__}.{name}"
        ruled = self.ruled_method((method.fn, first, method.cls), name)
        if ruled is not None:  # QQ.quant(x), Q.quant (or QQ.quant) with a rule: called, not descended into
            fn, first = ruled
            return self.call_object(fn, first + args, kwargs, node, spelled)
        if not inspect.isfunction(method.fn):  # act = staticmethod(np.tanh)
            return self.call_object(method.fn, first + args, kwargs, node, spelled)
        if first and isinstance(first[0], ir.Var) and first[0].name not in self.free and \
                first[0].name not in self.classes and method.takes == "self":
            self.classes[first[0].name] = method.cls
        return self.inline(method.fn, first + args, kwargs, node, returns_none=returns_none)

    def effect_method(self, func: ast.Attribute):
        """For `obj.name(...)` called for its effect (effects.py): (the Method or Dispatch it calls, the function
        whose parameters the lists it is given are lent to, how many leading arguments that function takes
        before the call's), or None where it is no Python method of the user's class (each of a Dispatch's
        methods taking the same parameters)."""
        found = self.method_of(func)
        methods = [m for m, _ in found.arms] if isinstance(found, Dispatch) else [found]
        if found is None or isinstance(found, Held) or not all(inspect.isfunction(m.fn) for m in methods):
            return None
        names = {tuple(inspect.signature(m.fn).parameters) for m in methods}
        if len(names) > 1:
            return None
        return found, methods[0].fn, 0 if methods[0].takes == "none" else 1

    def method_effect(self, found, args: tuple, kwargs: tuple, node) -> None:
        """The call `obj.name(*args, **kwargs)` for its effect, `found` its `effect_method`."""
        def call(method: Method, first: tuple):
            return self.method_call(method, first, args, kwargs, node, node.func.attr, returns_none=True)
        if isinstance(found, Dispatch):
            self.dispatch(found, found.base, call, node, None)
        else:
            call(found, self.method_first(found, node))

    def held_call(self, target, args: tuple, kwargs: tuple, node, spelled: str):
        """A call of `target`, a value the function reads from its module (or an object's attribute): an object
        of the user's class with `__call__` (a layer), a method bound to such an object (`act = model.forward`),
        or a `functools.partial` of a function; None for another (one with a rule: called as it is)."""
        try:
            if registry.key_of(target) is not None or custom.users_rule(target) is not None:
                return None
        except TypeError:  # (an unhashable callable)
            pass
        if isinstance(target, functools.partial):  # (its own keywords first: the call's replace them)
            given = {k for k, _ in kwargs}
            fixed = tuple(self.constant_or_error(a, f"{spelled}_arg{i}", node) for i, a in enumerate(target.args))
            named = tuple((k, self.constant_or_error(v, f"{spelled}_{k}", node))
                          for k, v in target.keywords.items() if k not in given)
            return self.call_object(target.func, fixed + tuple(args), named + tuple(kwargs), node, spelled)
        if inspect.ismethod(target) and inspect.isfunction(target.__func__) and isinstance(target.__self__, type) \
                and (target.__self__.__module__ or "").split(".")[0] not in LIBRARIES:
            owner = target.__self__.__name__
            raise self.error(node, f"{spelled}(), a class method called through its class (Python makes a new "
                                   f"bound method at each {spelled}, which s2s cannot check stays the same)",
                             f"call it on an object of the class (self.{target.__name__}(...)), or make it a "
                             f"@staticmethod that takes what it reads from {owner} as arguments")
        if inspect.ismethod(target) and inspect.isfunction(target.__func__) and user_object(target.__self__):
            obj = self.constant_or_error(target.__self__, f"{spelled}_self", node)
            cls = type(target.__self__)
            method = Method(target.__func__, "self", cls, cls, obj)
            return self.method_call(method, (obj,), args, kwargs, node, target.__name__)
        if not user_object(target):
            return None
        found = as_method(lookup(type(target), "__call__"), type(target))
        if found is None:
            return None
        obj = self.constant_or_error(target, spelled, node)
        return self.method_call(replace(found, base=obj), self.method_first(replace(found, base=obj), node), args,
                                kwargs, node, "__call__")

    def method_refusal(self, base, func: ast.Attribute, node) -> S2SError:
        """The refusal of `obj.name(...)` where `name` is no method s2s knows: of an object whose class it knows
        (an attribute of the object, set in `__init__`), of one whose class it does not (an argument, an attribute
        of an object), or of another value (NumPy's methods have records: another name has none)."""
        spelled = _as_written(func)
        cls = self.classes.get(base.name) if isinstance(base, ir.Var) else None
        if cls is not None:
            return self.error(node, f"{spelled}(...), where '{func.attr}' is no method of {cls.__name__} but an "
                                    f"attribute of the object (set in __init__?), which the code s2s makes for "
                                    f"every {cls.__name__} knows only as it runs",
                              f"make it a method of {cls.__name__} (def {func.attr}(self, x): ...), or choose the "
                              f"function with if/elif: y = np.tanh(x) if self.kind == 'tanh' else np.sin(x)")
        owner = _as_written(func.value)
        if func.attr in _distribution_methods() and not (isinstance(base, ir.Var) and base.name in self.free):
            how = "chosen by a branch" if isinstance(base, ir.Var) and base.name in self.joins else \
                "taken from a container" if isinstance(func.value, ast.Subscript) or isinstance(base, ir.Var) and \
                getattr(self.definitions.get(base.name), "op", None) == "getitem" else \
                "an argument, or another value only the run time knows"
            return self.error(node, f"the method {func.attr} of '{owner}', {how},",
                              f"s2s reads a scipy.stats distribution's method where it knows the distribution while "
                              f"compiling: name the distribution in the call, its parameters passed as values: "
                              f"stats.norm.logpdf(x, loc, scale), or stats.norm(loc, scale).logpdf(x); to choose among "
                              f"distributions, choose the method with if/else, which s2s follows to the call: "
                              f"{func.attr} = stats.cauchy.{func.attr} if robust else stats.norm.{func.attr}")
        if func.attr in _SEQUENCE_METHODS and self.is_sequence(base):
            return self.error(node, f"{spelled}(...), the method .{func.attr}() of a list or tuple the function "
                                    f"makes, which finds its elements by comparing them",
                              _SEQUENCE_METHODS[func.attr].format(xs=owner))
        if func.attr in prims.METHODS and self.surely_object(func.value):  # (b.mean(), b.c read: not np.mean)
            return self.error(node, f"{spelled}(...), a method of '{owner}', an object of yours (the function reads an "
                                    f"attribute of it no array has) whose class s2s does not know while compiling",
                              f"call the method through its class, which s2s then reads: Cls.{func.attr}({owner}, "
                              f"...) with Cls the class of {owner}")
        if isinstance(base, ir.Var) and base.name not in self.free and isinstance(func.value, (ast.Name, ast.Attribute)):
            made = getattr(self.definitions.get(base.name), "op", None)
            carried = any(p.target == base.name for f in self.loop_path for p in f.phis.values())
            what = "a value a loop carries, its class not known to stay one" if carried else \
                "a value a branch chooses" if base.name in self.joins else \
                "an argument, or an attribute of one" if made in (None, "getattr") else "a value the function computes"
            fix = _ARRAY_METHODS.get(func.attr, "call the NumPy function instead (np.sum(x) for x.sum())")
            if func.attr in ("append", "extend", "insert") and isinstance(func.value, ast.Attribute) and \
                    made in (None, "getattr"):  # (p.hist.append(v): a list an argument holds, most likely)
                return self.held_list_refusal(node, func, surely_list=False)
            if rotation_method(func.attr):
                return self.error(node, f"{spelled}(...), a method of an object s2s does not know", ROTATION_INSTEAD)
            if func.attr == "setdefault":  # (d.setdefault(k, []).append(v): a dict's value changed in place)
                return self.error(node, f"{spelled}(...) of a dict the function did not make itself here, whose "
                                        f"result the code may change in place ({owner}.setdefault(k, []).append(v))",
                                  f"grow the lists of a dict the function makes, as a statement: groups = {{}} (or "
                                  f"{{k: list(v) for k, v in {owner}.items()}} of the caller's); "
                                  f"groups.setdefault(k, []).append(v); or keep a number per key: {owner}[k] = "
                                  f"{owner}.get(k, 0.0) + v (a count: n[k] = n.get(k, 0) + 1)")
            by_class = f"call the method through its class, which s2s then reads: Cls.{func.attr}({owner}, ...) " \
                f"with Cls the class of {owner}"
            if func.attr not in _ARRAY_METHODS and not hasattr(np.ndarray, func.attr):  # (model.forward: yours first)
                return self.error(node, f"{spelled}(...): '{func.attr}' is no method of an array, and '{owner}' "
                                        f"({what}) has a class s2s does not know while compiling",
                                  f"for an object of yours, {by_class}; for an array, call the NumPy function "
                                  f"instead (np.sum(x) for x.sum())")
            return self.error(node, f"{spelled}(...): '{func.attr}' is no method of an array s2s knows, and "
                                    f"'{owner}' ({what}) has a class s2s does not know while compiling",
                              f"{fix.format(name=owner)}; for an object of yours, {by_class}")
        if rotation_method(func.attr):
            return self.error(node, f"the method call '.{func.attr}()' of an object s2s does not know", ROTATION_INSTEAD)
        return self.error(node, f"the method call '.{func.attr}()'")

    def entry_call(self, callee: ir.Atom, func, node):
        """`REGISTRY["tanh"](x)`: a call of the function a module-level dict holds under a key known here (a literal,
        a module constant, a helper's parameter given one; also named first: `fn = REGISTRY["tanh"]; fn(x)`), the
        entry recorded for the cache, as a name is; or a tuple's at an index known here; None for another callee."""
        target = self.table_entry(callee)
        if target is None:
            return None
        return self.call_object(target, self.spread(node.args), self.keywords(node.keywords), node,
                                ast.unparse(func))

    def table_entry(self, callee: ir.Atom):
        """The function `callee` is where it is read from a module-level dict under a key known here (recorded for
        the cache) or from a tuple at an index known here (also as a side of a branch choosing the function to call:
        `f = ACT['gelu'] if act == 'gelu' else np.tanh`), else None."""
        made = callee if isinstance(callee, ir.Call) else self.definitions.get(getattr(callee, "name", None))
        if made is None or made.op != "getitem" or len(made.args) != 2 or made.kwargs:
            return None
        table, key = made.args
        if not (isinstance(table, ir.Var) and table.name in self.free and table.name not in self.defined and
                isinstance(key, ir.Const)):
            return None
        table, key = self.free[table.name][0], key.value
        if isinstance(table, dict) and isinstance(key, str) and key in table:
            note(table, key)
        elif not (type(table) is tuple and type(key) is int and -len(table) <= key < len(table)):
            return None
        target = table[key]
        if not callable(target) or user_object(target) and not hasattr(type(target), "__call__"):
            return None
        return target

    def object_call(self, callee, node, hint):
        """`obj(x)` of an object of the user's whose class defines `__call__` (a layer, `self(x)`): that method
        called with the object first; `f(x)` where `f = self.pen` (`map(self.pen, ws)`): the method `pen` of the
        object, called so; None for another callee."""
        made = self.definitions.get(callee.name) if isinstance(callee, ir.Var) else None
        name, base = "__call__", callee
        if isinstance(made, ir.Call) and made.op == "getattr" and len(made.args) == 2 and \
                isinstance(made.args[1], ir.Const) and isinstance(made.args[1].value, str):
            name, base = made.args[1].value, made.args[0]
        found = self.method_on(base, name)
        if found is None or isinstance(found, Held):
            return None
        args, kwargs = self.spread(node.args), self.keywords(node.keywords)
        if isinstance(found, Dispatch):
            return self.dispatch(found, base, lambda m, first: self.method_call(m, first, args, kwargs, node, name),
                                 node, hint)
        return self.method_call(found, self.method_first(found, node), args, kwargs, node, name)

    def method_reference(self, method: Method, name: str) -> ir.Atom:
        """What `type(obj).name` is when it finds `method`, read as the code runs from the dictionary of the class
        defining it (`Child.__dict__['act']`: data, which a transformation of the generated code reads again as
        data, where `Child.act` would be a function value)."""
        cls = method.owner
        spelled = f"{cls.__name__}.__dict__" if self.src.resolve(cls.__name__) is cls else f"{cls.__name__}_dict"
        found = self.materialise(ir.Call("getitem", (ir.Var(self.free_name(spelled, cls.__dict__)), ir.Const(name))))
        return self.materialise(ir.Call("getattr", (found, ir.Const("__func__")))) \
            if isinstance(cls.__dict__[name], staticmethod) else found

    def dispatch(self, found: Dispatch, base: ir.Var, call, node, hint) -> ir.Atom:
        """`self.name(...)` by the class of `self` as the code runs: a check that `type(self).name` is one of the
        methods of `found.arms` (`rt.require_method`, raising an S2SError otherwise), then a branch per method,
        each calling it with `call(method, first)`. Class methods (which take the class) are told by the class."""
        by_class = found.by_class or any(method.takes == "class" for method, _ in found.arms)
        arms = [(method, c) for method, classes in found.arms for c in classes] if by_class else \
            [(method, classes[0]) for method, classes in found.arms]
        refs = [self.constant_or_error(c, c.__name__, node) for _, c in arms] if by_class else \
            [self.method_reference(method, found.name) for method, _ in arms]
        spelled = f"{ast.unparse(node.func)}() ({os.path.basename(self.src.filename)}:{node.lineno})"
        seen = ", ".join(sorted({c.__name__ for _, classes in found.arms for c in classes}))
        by = (("by", ir.Const("super" if found.by_class else "class")),) if by_class else ()
        runs = refs[0] if len(refs) == 1 else self.materialise(ir.Call("tuple", tuple(refs)))
        self.emit(ir.Effect(ir.Call(REQUIRE_METHOD, (base, ir.Const(found.name), runs, ir.Const(spelled),
                                                     ir.Const(seen)), by), self.loc))
        if len(arms) > 1:  # (the object's class, or its method, which the branches tell)
            known = self.materialise(self.call_object(type, (base,), (), node, "type"))
            if not by_class:
                known = self.materialise(ir.Call("getattr", (known, ir.Const(found.name))),
                                         found.name.strip("_") or "method")

        def first(method: Method, c: type) -> tuple:
            if method.takes == "class":
                return (self.constant_or_error(c, c.__name__, node),)
            return (base,) if method.takes == "self" else ()
        if len(arms) == 1:
            return call(arms[0][0], first(*arms[0]))
        key = f"<method{len(self.block)}>"

        def chain(i: int):
            def run():
                method, c = arms[i]
                if i == len(arms) - 1:  # (the check above leaves this one)
                    self.env[key] = self.materialise(call(method, first(method, c)))
                    return

                def arm():
                    self.env[key] = self.materialise(call(method, first(method, c)))
                self._branch(self.materialise(ir.Call("is", (known, refs[i]))), arm, chain(i + 1), node)
            return run
        chain(0)()
        return self.name_join(self.env.pop(key), hint)


def _item_read(node: ast.expr) -> bool:
    """Is `node` an item of a named list read at a name or a constant (`ps[i]` of `ps[i].mean()`), which lowering
    again reads again?"""
    return isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and \
        isinstance(node.slice, (ast.Name, ast.Constant))


def _as_written(node: ast.expr) -> str:
    """The user's spelling of an expression the front end rewrote (a comprehension's `d` is `d_1` there)."""
    copy = ast.parse(ast.unparse(node), mode="eval").body
    for n in ast.walk(copy):
        if isinstance(n, ast.Name):
            n.id = base_name(n.id)
    return ast.unparse(copy)


def _distribution_methods() -> set:
    """The names of the methods of scipy.stats distributions that have records (logpdf, cdf, logpmf...), once the
    user's code has loaded scipy's records."""
    return {k.rsplit(".", 1)[1] for k in registry.optional_keys() if k.startswith("scipy.stats.")}
