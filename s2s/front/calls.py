"""SSA construction of calls: what a call in the user's function is, and descending into user functions.

A call is recognised here as a primitive with a rule (its key), a user function or method to inline
(its body built in place, its parameters bound as Python binds them, `*args`/`**kwargs` included), a
compile-time function value (`functools.partial`, an s2s transformation), or an opaque callable called
as it is; a function with a rule of the user's is called, its arguments in their places (rule_calls.py).
`CallLowering` holds these methods of the SSA builder (ssa.py); expressions.py calls `call`; inlining.py descends.
"""
from __future__ import annotations

import ast
import functools
import inspect
import numbers
import types

import numpy
from numpy import ndarray as numpy_ndarray

from s2s import ir, prims
from s2s.errors import S2SError
from s2s.front import records
from s2s.front.scatter_adds import AT as SCATTER_ADDS  # (np.add.at as a statement: scatter_adds.ufunc_at)
from s2s.front.functions import FunctionValue, function_of
from s2s.front.generators import spelled as user_spelled
from s2s.front.inlining import InlineLowering, Spread
from s2s.front.item_loops import CHANGED_ITEM
from s2s.front.libraries import library_function, namespace_made_by, numerical, shown
from s2s.front.method_lookup import Dispatch, Held
from s2s.front.methods import SIZED_BY_ARGUMENTS, MethodLowering, string_method
from s2s.front.source import MISSING, defining_class, read_function, unwrap_cache
from s2s.front.ufunc_messages import ufunc_instead, ufunc_keyword_fix
from s2s.rules import custom, registry


_NP_ASTYPE = prims.python_object(prims.ASTYPE)  # (NumPy 2; None before)

_CHOOSE = "choose the function with if/elif or a conditional expression, which s2s follows to the call: "


class CallLowering(MethodLowering, records.RecordLowering, InlineLowering):
    """(mixed into _Builder; reads the rest of its state through `self`)"""

    def call(self, node: ast.Call, hint) -> ir.Expr:
        replaced = self.record_replace(node)  # p._replace(a=v), dataclasses.replace(d, a=v)
        if replaced is not None:
            return replaced
        func = node.func
        if isinstance(func, ast.Name) and func.id == CHANGED_ITEM:  # (made by item_loops.py, which no source spells)
            return ir.Call(CHANGED_ITEM, tuple(self.atom(a) for a in node.args))
        target = self.static_value(func)
        if target is isinstance:  # isinstance(xs, dict) of a list the function made: known here
            known = self.type_test(node)
            if known is not None:
                return known
        if target is hasattr or target is getattr:  # hasattr(np, "trapezoid"): known here
            known = self.module_attribute(target, node)
            if known is not None:
                return known
        if target is MISSING and self.stack_pop(node):
            return ir.Call("pop", (self.atom(func.value),))
        method = self.method_of(func) if target is MISSING and isinstance(func, ast.Attribute) \
            else None
        if isinstance(method, Held):  # self.fn(x), the object's own attribute holding a callable (np.tanh)
            return self.call_object(method.value, self.spread(node.args), self.keywords(node.keywords), node,
                                    _spelled(func))
        if method is not None:
            args, kwargs = self.spread(node.args), self.keywords(node.keywords)
        if isinstance(method, Dispatch):  # self.act(x), self of a class known, its object only as the code runs
            return self.dispatch(method, method.base, lambda m, first: self.method_call(m, first, args, kwargs, node,
                                                                                       method.name), node, hint)
        if method is not None:  # model.forward(x): a method of the object's class
            return self.method_call(method, self.method_first(method, node), args, kwargs, node, func.attr)
        if target is MISSING and isinstance(func, ast.Attribute):
            owner = self.static_value(func.value)
            if isinstance(owner, numpy.ufunc):  # np.subtract.outer(x, y), np.add.reduce(x, axis=1)
                return self.ufunc_method(owner, func, node)
            held = self.env.get(func.value.id) if isinstance(func.value, ast.Name) else None
            namespace = function_of(held) if held is not None else None
            if namespace is not None and isinstance(namespace.obj, types.ModuleType):  # xp.min(a, axis=0): the
                found = getattr(namespace.obj, func.attr, MISSING)  # namespace's function, not a method of a
                if found is MISSING:
                    raise self.missing_attribute(func, namespace.obj)
                return self.call_object(found, self.spread(node.args), self.keywords(node.keywords), node,
                                        f"{namespace.name}.{func.attr}")
            made = self.definitions.get(held.name) if isinstance(held, ir.Var) else None
            frozen = made is not None and registry.frozen_method(made.op) is not None  # (stats.norm(mu, s).mean())
            key = None if self.surely_object(func.value) or frozen else prims.METHODS.get(func.attr)  # (b.mean() of
            # a Bond, not np.mean(b))
            if key is None:
                base = self.receiver(func)
                if func.attr == "get" and isinstance(base, ir.Var) and base.name in self.dicts and not node.keywords \
                        and 1 <= len(node.args) <= 2 and isinstance(node.args[0], ast.Constant):
                    found = self.dicts[base.name].get(node.args[0].value)  # kwargs.get("scale", 1.0)
                    return found if found is not None else self.atom(node.args[1]) if len(node.args) == 2 \
                        else ir.Const(None)
                made = self.definitions.get(base.name) if isinstance(base, ir.Var) else None
                key = registry.frozen_method(made.op, func.attr) if made is not None else None
                if key is not None:  # stats.norm(loc, scale).logpdf(x) is stats.norm.logpdf(x, loc, scale)
                    args = tuple(self.atom(a) for a in node.args) + made.args
                    kwargs = made.kwargs + tuple((k.arg, self.atom(k.value)) for k in node.keywords)
                    return self.fold_call(key, *registry.positional(key, args, kwargs, ir.Const))
                fv = function_of(base)
                if fv is not None and fv.obj is not None and registry.has_methods(fv.obj) and \
                        hasattr(fv.obj, func.attr):  # dist = stats.norm; dist.logpdf(x)
                    args = tuple(self.atom(a) for a in node.args)
                    kwargs = self.keywords(node.keywords)
                    return self.call_object(getattr(fv.obj, func.attr), args, kwargs, node, f"{fv.name}.{func.attr}")
                ruled = self.constructed_method(base, func.attr, func)
                if ruled is not None:  # q = Q(4.0); q.quant(x), Q.quant with a rule: called with q first
                    fn, first, spelled = ruled
                    return self.call_object(fn, first + self.spread(node.args), self.keywords(node.keywords), node,
                                            spelled)
                if self.is_opaque(base) or self.random_method(base, func.attr):
                    return self.generator_method(base, func, node)  # (an opaque object's method, a draw)
                if func.attr == "get" and not node.keywords and 1 <= len(node.args) <= 2:  # p.get("k", 1.0), p a dict
                    return ir.Call("s2s.runtime.dict_get", (base,) + tuple(self.atom(a) for a in node.args))
                if string_method(base, func.attr, self.classes):
                    # name.startswith("b") of a dict's key, "{:.3f}".format(v): the method called as it is, which
                    # no derivative passes through (refused where one must: an object's method s2s cannot see)
                    args = (base, ir.Const(func.attr)) + self.no_spread(self.spread(node.args))
                    return ir.Call("callmethod", args, self.no_spread(self.keywords(node.keywords)))
                self.refuse_list_method(node)
                raise self.method_refusal(base, func, node)
            base = self.array_method_base(func)  # (an item of a list: checked as the code runs to be no object)
            cls = self.built_class(base)  # (a record built here whose class has no such method: Python's error)
            if cls is not None and not hasattr(cls, func.attr):
                raise AttributeError(f"'{cls.__name__}' object has no attribute '{func.attr}'\n  {self.src.filename}:"
                                     f"{func.lineno}\n    {self.src.line(func.lineno).strip()}")
            if func.attr in prims.PACKED_METHODS and any(isinstance(a, ast.Starred) for a in node.args):
                args = (base, self.atom(ast.copy_location(ast.Tuple(node.args, ast.Load()), node)))  # (*s[:-1], -1)
            else:  # (x.sum(*axes): spread where its values are known here, else refused saying so)
                args = (base,) + self.no_spread(self.spread(node.args))
            kwargs = self.keywords(node.keywords)
            if func.attr in prims.PACKED_METHODS and len(args) > 2:  # x.reshape(2, 3) -> np.reshape(x, (2, 3))
                args = (base, self.pack(args[1:]))
            if key in prims.CASTS:
                kind = self.dtype_kind(node)  # x.astype(int): no derivative flows through it
                integer, unknown = prims.CASTS[key]
                key = integer if kind and kind in "biu" else key if kind else unknown
            elif key.startswith("numpy."):  # x.sum(0, None, y) is np.sum(x, 0, None, y): placed as its arguments
                args, kwargs = self.placed(prims.python_object(key), key, args, kwargs, node, _spelled(func), first=1)
            return ir.Call(key, args, kwargs)
        if target is MISSING and not isinstance(func, ast.Attribute):
            bound = self.bound_flag(func.id) if isinstance(func, ast.Name) else None
            callee = self.expr(func)  # a function value: a nested def, a lambda, a helper passed in
            held = self.free[callee.name][0] if isinstance(callee, ir.Var) and callee.name in self.free else None
            if isinstance(held, type):  # (a class as a value, known here: map(float, x), `cast = float; cast(v)`)
                return self.call_object(held, self.spread(node.args), self.keywords(node.keywords), node,
                                        held.__name__)
            choice = self.choice_of(callee, bound)  # (or functions chosen by branches)
            called = self.object_call(callee, node, hint) if choice is None else None
            if called is None and choice is None:
                called = self.entry_call(callee, func, node)
            if called is not None:  # self(x): the __call__ of the object's class; REGISTRY["tanh"](x)
                return called
            if choice is None:
                raise self.unknown_callee(func, callee)
            args = self.spread(node.args)
            kwargs = self.keywords(node.keywords)
            if isinstance(choice, FunctionValue):
                return self.apply(choice, args, kwargs, node)
            return self.name_join(self.call_choice(choice, args, kwargs, node), hint)
        if target is MISSING:
            raise self.error(func, f"a call to '{ast.unparse(func)}', which is not defined here")
        args = self.spread(node.args)
        kwargs = self.keywords(node.keywords)
        return self.call_object(target, args, kwargs, node, _spelled(func))

    def ufunc_method(self, ufunc, func: ast.Attribute, node: ast.Call) -> ir.Expr:
        """`np.f.method(...)`, a method of a NumPy ufunc: the record 'numpy.f.method' (rules/ufuncs.py) reads it,
        its arguments placed by NumPy's parameters; one it does not accept is refused here unless it has its
        default, as are the methods without a record (`.at`, which writes in place; `.reduceat`)."""
        spelled = _spelled(func)
        key = registry.key_of(ufunc)
        record = registry.PRIMITIVES.get(f"{key}.{func.attr}") if key is not None else None
        if record is None and func.attr == "at" and key in SCATTER_ADDS:
            raise self.error(node, f"{spelled}() used as a value (it returns None, writing into its first argument)",
                             f"write it as a statement of its own, {spelled}(y, i, v), into an array y the function "
                             f"made, and read y after it")
        if record is None:
            raise self.error(node, f"{spelled}(), a method of a NumPy ufunc without a rule in s2s",
                             ufunc_instead(spelled, func.attr))
        params = record.facts["parameters"]
        args = self.no_spread(self.spread(node.args))
        kwargs = self.no_spread(self.keywords(node.keywords))
        if len(args) > len(params):
            raise self.error(node, f"{spelled}() with {len(args)} positional arguments; it takes {len(params)}")
        bound = {name: a for (name, _), a in zip(params, args)}
        for name, atom in kwargs:
            if name in bound:
                raise self.error(node, f"{spelled}() with two values for its argument '{name}'")
            if name not in dict(params):
                raise self.error(node, f"{spelled}() with {name}=", ufunc_keyword_fix(spelled, ufunc, name))
            bound[name] = atom
        for name, default in params:
            atom = bound.get(name)
            if atom is None or name in record.facts["accepts"] or \
                    isinstance(atom, ir.Const) and type(atom.value) is type(default) and atom.value == default:
                continue
            raise self.error(node, f"{spelled}() with {name}=", ufunc_keyword_fix(spelled, ufunc, name))
        missing = [name for name, default in params if default is registry.REQUIRED and name not in bound]
        if missing:
            raise self.error(node, f"{spelled}() without its argument(s) {', '.join(missing)}")
        options = {name: a for name, a in bound.items() if name in record.facts["accepts"]}
        if record.lowered is not None:  # the NumPy function it is (np.sum for np.add.reduce)
            return record.lowered(self.materialise, **options)
        first = params[0][0]
        return ir.Call(f"{key}.{func.attr}", (options.pop(first),), tuple(options.items()))

    def unknown_callee(self, func, callee: ir.Atom) -> S2SError:
        spelled = user_spelled(func)  # (`h` of `for h in fs` in a generator, which s2s renames)
        made = self.definitions.get(callee.name) if isinstance(callee, ir.Var) else callee
        maker = getattr(made.args[0], "name", None) if isinstance(made, ir.Call) and made.op == "call" else None
        if maker in self.opaque:  # `p = np.poly1d(c); p(x)`: an object a library call made (prims.CALLABLE_OBJECTS)
            obj = self.free[maker][0]
            fix = prims.CALLABLE_OBJECTS.get(f"{obj.__module__}.{obj.__qualname__}", prims.CALLABLE_OBJECTS[None])
            inner = made.args[1] if obj is numpy.vectorize and len(made.args) > 1 else None
            inner = self.free[inner.name][0] if isinstance(inner, ir.Var) and inner.name in self.free else \
                getattr(function_of(inner), "obj", None)
            if inspect.isfunction(inner) and inner.__name__.isidentifier():  # (np.vectorize(scalar_logpdf)(y, t))
                f = inner.__name__
                fix = (f"call {f} on each element in your code, which s2s follows into {f}: np.array([{f}(a, b) for "
                       f"a, b in zip(x, y)]) of two 1-D arrays, [{f}(a, t) for a in x] with a number t, or sum({f}(a, "
                       f"t) for a in x) for a sum; or write {f} with NumPy's operations, which take whole arrays")
            return self.error(func, f"a call of '{spelled}', the object {self.opaque[maker].split(' (')[0]}(...) "
                                    "made (a callable object, not a function whose source s2s follows)", fix)
        if isinstance(callee, ir.Var) and callee.name in self.joins:  # a join with a side that is no function
            return self.error(func, f"a call of '{spelled}', chosen by a branch where one side holds a value only "
                                    "the run time knows, not a function s2s sees while compiling",
                              f"give '{spelled}' a function known here on every path: if c: {spelled} = np.sin "
                              f"else: {spelled} = np.cos")
        if isinstance(func, ast.Subscript) and self.sequence_of_functions(func.value):  # acts[i](h), i of a range
            seq = ast.unparse(func.value)
            return self.error(func, f"a call of '{spelled}', a function taken from '{seq}' by an index, a value only "
                                    "the run time knows, not a function s2s sees while compiling",
                              f"to call each in turn, loop over the functions themselves, which s2s follows one by "
                              f"one: for fn in {seq}: h = fn(h) (for i, fn in enumerate({seq}) where the index is "
                              f"read too); to pick one by a value, choose it with if/elif or a conditional "
                              f"expression: fn = np.sin if k == 0 else np.cos")
        passed = self.passed_function(callee, "call")
        layer = f"for an object of a class of yours (a layer), call the method through its class: " \
                f"Layer.__call__({spelled}, x)"
        if passed is not None:
            return self.error(func, f"a call of '{spelled}', {passed[0]}", f"{passed[1]}; {layer}")
        return self.error(func, f"a call of '{spelled}', a value only the run time knows (a parameter holding a "
                                "function, a function carried around a loop or taken from a list or dict by a "
                                "run-time index), not a function s2s sees while compiling",
                          self.chosen_instead(func, spelled) +
                          (f"; {layer}" if isinstance(func, ast.Name) else ""))

    def chosen_instead(self, func, spelled: str) -> str:
        """What to write for a call of `func`, a function s2s does not know while compiling: chosen by a branch
        (the container's own type, type(a)(...), as list or tuple; a module dict's entry by keys known here)."""
        if isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and func.func.id == "type" and \
                len(func.args) == 1:  # (type(a)(items): a container of a's type)
            a = ast.unparse(func.args[0])
            return f"make the container by its kind, which s2s follows: tuple(items) if isinstance({a}, tuple) " \
                   f"else list(items) for {spelled}(items)"
        table = self.src.resolve(func.value.id) if isinstance(func, ast.Subscript) and \
            isinstance(func.value, ast.Name) and not self.sees(func.value.id) else None  # (the module's dict)
        if isinstance(table, dict) and len(table) > 1 and all(isinstance(k, str) for k in table):
            first, second = list(table)[:2]
            key = ast.unparse(func.slice)
            name = func.value.id
            return f"{_CHOOSE}fn = {name}[{first!r}] if {key} == {first!r} else {name}[{second!r}], each key " \
                   f"written in the code"
        return f"{_CHOOSE}{spelled if isinstance(func, ast.Name) else 'fn'} = np.tanh if c else np.sin"

    def passed_function(self, callee, use: str) -> tuple[str, str] | None:
        """(what the refusal says, what to write instead) where `callee` is a parameter of the function
        transformed (a sampler's `log_prob`, a solver's `dynamics`), which the caller passes a function in: s2s
        compiles that function once for the values its arguments take, and follows a function only where it is
        known while compiling; a function that passes it to the sampler is one (docs/syntax.md), its call then
        inlined. `use` says what the code does with it ("call", or a transformation's name). None otherwise."""
        top = self.inlining[0] if self.inlining else None
        try:
            params = list(inspect.signature(top).parameters.values()) if top is not None else []
        except (TypeError, ValueError):
            return None
        names = [p.name for p in params]
        if not isinstance(callee, ir.Var) or callee.name not in names or callee.name in self.definitions:
            return None
        kind = inspect.Parameter
        owner = defining_class(top)
        if owner is not None and params[0].kind in (kind.POSITIONAL_ONLY, kind.POSITIONAL_OR_KEYWORD) and \
                params[0].name != callee.name:  # (a method transformed: called on the object, `obj`)
            params = params[1:]
        spelled = {kind.VAR_POSITIONAL: "*{}", kind.KEYWORD_ONLY: "{0}={0}", kind.VAR_KEYWORD: "**{}"}
        given = [spelled.get(p.kind, "{}").format(p.name) for p in params if p.name != callee.name]
        default = _default_text(top, callee.name)
        passed = ", ".join(spelled.get(p.kind, "{}").format(p.name) if p.name != callee.name else
                           spelled.get(p.kind, "{}").replace("{0}", p.name, 1).format(default or "fn")
                           for p in params)
        kept = ", ".join(n.split("=")[0] for n in given)
        name, use = top.__name__, "call it" if use == "call" else f"take s2s.{use} of it"
        called, run = (name if owner is None else f"obj.{name}"), ("run" if name != "run" else "wrapped")
        fn = "fn your module-level function or a lambda, " if default is None else ""
        obj = "" if owner is None else f"obj your {owner.__name__}, "
        return (f"the parameter '{callee.name}' of {name}, the function transformed: a value only the run time knows "
                f"(the caller passes the function in{'' if default is None else ', or leaves its default'}; s2s "
                f"compiles {name} once, and follows a function only where it knows it while compiling)",
                f"transform a function that passes yours to {name}, which s2s then follows into {name} to {use}: "
                f"def {run}({kept}): return {called}({passed}), {fn}{obj}then "
                f"s2s.grad({run})({', '.join(n.split('=')[0].lstrip('*') for n in given)})")

    def sequence_of_functions(self, node) -> bool:
        """Is `node` a tuple or a list (of functions) s2s follows item by item in a for loop over it?"""
        atom = self.atom(node)  # (the call is refused: what this emits is never run)
        value = self.free[atom.name][0] if isinstance(atom, ir.Var) and atom.name in self.free else \
            getattr(atom, "value", None)  # (a tuple of functions: a constant)
        return isinstance(value, (tuple, list)) or isinstance(atom, ir.Var) and atom.name in self.tuples

    def call_object(self, target, args: tuple, kwargs: tuple, node, spelled: str) -> ir.Expr:
        """A call of the Python object `target` (spelled so by the user): a primitive, a user function
        inlined, a compile-time function value (`functools.partial`, `s2s.grad(f)`), or an opaque call."""
        target = unwrap_cache(target)  # (an @functools.cache function: the function it remembers the values of)
        checkpointed = getattr(target, "__s2s_checkpointed__", None)  # (s2s.checkpoint(fn), api/checkpoint.py)
        if checkpointed is not None:  # called with fn's rules, which run its forward sweep again in the pullback
            return self.recursive_call(checkpointed, args, kwargs, node, checkpointed=True)
        sized = SIZED_BY_ARGUMENTS.get(getattr(target, "__name__", None))
        if sized is not None and isinstance(getattr(target, "__self__", None), numpy.random.RandomState) and \
                len(args) == 1 and isinstance(args[0], Spread) and not kwargs:
            # np.random.rand(*x.shape) is NumPy's np.random.random_sample(x.shape): the same draws (a 0-d array,
            # not a float, where the shape is ())
            module = getattr(numpy.random, target.__name__, None) is target  # (np.random.rand: importable)
            target, args = getattr(numpy.random if module else target.__self__, sized), (args[0].atom,)
            spelled = spelled.rpartition(".")[0] + "." + sized if "." in spelled else sized
        if not (inspect.isfunction(target) and not (getattr(target, "__module__", None) or "").startswith("s2s.")):
            self.no_spread(args)
            self.no_spread(kwargs)
        if getattr(target, "__s2s_transformation__", False):
            return self.transform_now(target, args, kwargs, node)
        self.refuse_numpy_caller(target, args, kwargs, node, spelled)  # (np.piecewise(x, c, [lambda v: -v, ...]))
        namespace = namespace_made_by(target)
        if namespace is not None:  # xp = array_namespace(a) in scipy's source: NumPy's, for the arrays s2s reads
            return ir.Const(FunctionValue(spelled, namespace))
        if target is functools.partial:
            return self.partial_value(args, kwargs, node)
        held = self.held_call(target, args, kwargs, node, spelled)
        if held is not None:  # LAYER(x), ACT(x) with ACT = model.forward, P(x) with P = functools.partial(f, ...)
            return held
        if target is map and not kwargs:  # map(f, xs): the list of f(x), as a comprehension
            return self.map_call(self.no_spread(args), node, None)
        if target is sorted:  # the items in the order of their keys (which carries no derivative)
            return self.sorted_call(self.no_spread(args), self.no_spread(kwargs), node, None)
        if target is dict and not args:  # dict(w=w, b=b)
            return self.dict_display([ir.Const(k) for k, _ in kwargs], [v for _, v in kwargs], node, None)
        if target is dict and len(args) == 1 and not isinstance(args[0], Spread) and not kwargs:
            return ir.Call("s2s.runtime.dict_from_pairs", args)  # dict(p): a copy of a dict, or of (key, value) pairs
        if records.record_fields(target) is not None and registry.key_of(target) is None:  # P(x, b=y) of a
            return self.record_call(target, args, kwargs, node, spelled)  # namedtuple, a dataclass, without a rule
        if target is _NP_ASTYPE and args:  # np.astype(x, t) (NumPy 2): the method x.astype(t), a cast by t's kind
            integer, unknown = prims.CASTS[prims.ASTYPE_METHOD]
            kind = self.dtype_kind(node, 1)
            return ir.Call(integer if kind and kind in "biu" else prims.ASTYPE_METHOD if kind else unknown, args, kwargs)
        key = registry.key_of(target)
        if key is None:
            self.refuse_in_place(node, target)
        if key in registry.RECURSIVE_KEYS:  # a recursive function met before: called, its keywords placed
            return self.recursive_call(target, args, kwargs, node)
        if key in ("builtins.max", "builtins.min") and (len(args) == 1 or kwargs):  # max(xs), max(xs, key=f)
            return self.extremum_call(key == "builtins.max", self.no_spread(args), self.no_spread(kwargs), node, None)
        if key in ("builtins.max", "builtins.min") and any(isinstance(a, ir.Var) and a.name in self.tuples or
                                                           isinstance(a, ir.Const) and type(a.value) is tuple
                                                           for a in args):  # min(best, (t, k)): min([best, (t, k)])
            return self.extremum_call(key == "builtins.max", (self.materialise(ir.Call("list", self.no_spread(args))),),
                                      (), node, None)
        plain = target.__func__ if inspect.ismethod(target) else target
        if key is not None and inspect.isfunction(plain) and not library_function(plain) and \
                custom.users_rule(target) is not None:
            args, kwargs = self.rule_arguments(target, args, kwargs, node)  # mul(a, y=b) is mul(a, b)
        elif key is not None:
            self.no_spread(args)
            self.no_spread(kwargs)
        if isinstance(target, numpy.ufunc) or numerical(plain):
            args, kwargs = self.placed(target, key, args, kwargs, node, spelled)
        if key is not None:
            args = self.helper_arguments(key, args)  # (rt.draw_shape(gauss, ...) of generated code read again)
            args, kwargs = registry.positional(key, args, kwargs, ir.Const, target)  # norm.logpdf(x, scale=s)
            record = registry.PRIMITIVES.get(key)
            if record is not None and record.lowered is not None and (not kwargs or record.facts.get("keywords")):
                return record.lowered(self.materialise, *args, **dict(kwargs))  # (rt.add_outer; np.cov(x, y))
            return self.fold_call(key, args, kwargs)
        if target is slice and not kwargs:  # slice(None, -1, None), as generated code spells x[:-1]
            return ir.Const(slice(*(a.value for a in args))) if all(isinstance(a, ir.Const) for a in args) \
                else ir.Call("slice", args)
        if getattr(target, "__s2s_packed__", False):  # jf(primals, tangents) of s2s.jvp: jvp_f takes them one by one
            args, kwargs = self.packed_arguments(target, args, kwargs, node, spelled)
        if inspect.isfunction(target) and library_function(target) and self.made_outside(args, kwargs):
            return self.opaque_call(target, args, kwargs, shown(node, target))  # (cdist(X, X) of module data)
        if inspect.isfunction(target) and not (getattr(target, "__module__", None) or "").startswith("s2s.") \
                or getattr(target, "__s2s_generated__", None) is not None:
            return self.inline(target, args, kwargs, node)  # (s2s's own helpers have rules, or none)
        self.refuse_uncalled(target, node, spelled)
        # no rule and no source: called as it is; an error only where a derivative must pass through it
        real = getattr(target, "__name__", "")
        return self.opaque_call(target, args, kwargs, spelled if not real or real in spelled else f"{spelled} ({real})")

    def placed(self, target, key: str | None, args: tuple, kwargs: tuple, node, spelled: str,
               first: int = 0) -> tuple[tuple, tuple]:
        """(args, kwargs) of a call of the library callable `target` (its primitive key `key`, None for one
        without a record) bound to its Python signature and placed as s2s's rules take them.

        An array given by position to write the result into (a ufunc's arguments past its inputs, the `out`
        of np.dot(a, b, out) or np.sum(x, 0, None, out)) is refused here, as out= is: the array would change
        in place. `dtype` given by position, and the arguments after it, are passed by name (np.array(v, int)
        is np.array(v, dtype=int): the analyses read a result's type from dtype=), and so are those past the
        ones every rule of `key` takes by position (np.interp's left and right); an argument so moved that
        is its parameter's default is left out (np.sum(x, 0, None, None, True) is np.sum(x, 0, keepdims=True)).
        A call Python would not bind is left as written: it raises Python's TypeError when it runs. (`first`:
        how many of `args` the call does not spell between its parentheses, the array of a method call.)"""
        if isinstance(target, numpy.ufunc):
            outputs = args[target.nin:]
            if any(not (isinstance(a, ir.Const) and a.value is None) for a in outputs):
                raise self._positional_out(node, spelled, target.nin - first)
            return args[:target.nin], kwargs
        sig = registry.signature(target) if target is not None else None
        if sig is None or any(isinstance(a, Spread) for a in args):
            return args, kwargs
        params = []
        for p in sig.parameters.values():
            if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                break
            params.append(p)
        if len(args) > len(params) or any(k in (p.name for p in params[:len(args)]) for k, _ in kwargs):
            return args, kwargs
        for i, (p, a) in enumerate(zip(params, args)):
            if p.name == "out" and not (isinstance(a, ir.Const) and a.value is None):
                raise self._positional_out(node, spelled, i - first)
        cut = next((i for i, p in enumerate(params[:len(args)]) if p.name == "dtype"), len(args))
        capacity = registry.rule_capacity(key) if key is not None else None
        if capacity is not None:
            cut = min(cut, capacity)
        if cut >= len(args) or any(p.kind is p.POSITIONAL_ONLY for p in params[cut:len(args)]):
            return args, kwargs
        named = tuple((p.name, a) for p, a in zip(params[cut:], args[cut:])
                      if not (isinstance(a, ir.Const) and type(a.value) is type(p.default) and a.value == p.default))
        return args[:cut], named + tuple(kwargs)

    def _positional_out(self, node, spelled: str, at: int) -> S2SError:
        """The refusal of a call that writes its result into an array given by position (`node.args[at]`)."""
        given = node.args[at] if at < len(node.args) and not any(isinstance(a, ast.Starred) for a in node.args) \
            else None
        if given is None:
            return self.error(node, f"a call of {spelled} with an array to write its result into given by position "
                                    "(it changes that array in place)", "assign the result instead: y = np.f(...)")
        written = ast.unparse(given)
        instead = ast.unparse(ast.Call(node.func, node.args[:at], node.keywords))
        return self.error(node, f"{spelled}() with {written} given by position as the array to write its result "
                                f"into (out: it changes {written} in place)",
                          f"assign the result instead: {written} = {instead}")

    def dtype_kind(self, node: ast.Call, position: int = 0) -> str | None:
        """The kind (numpy's `dtype.kind`: "f", "i", "b", ...) of the type in `x.astype(dtype)` (at `position`:
        1 in `np.astype(x, dtype)`) when it is known before the code runs (`np.float32`, `int`, `"int32"`); None
        when only the run time knows it."""
        spelled = node.args[position] if len(node.args) > position else \
            next((k.value for k in node.keywords if k.arg == "dtype"), None)
        if spelled is None:
            return None
        value = spelled.value if isinstance(spelled, ast.Constant) else self.static_value(spelled)
        if value is MISSING or value is None:
            return None
        try:
            return numpy.dtype(value).kind
        except Exception:
            return None

    def is_opaque(self, atom) -> bool:
        """Is `atom` an object s2s knows nothing of: made by an opaque call, or module data that is
        neither a number nor an array?"""
        if not isinstance(atom, ir.Var):
            return False
        d = self.definitions.get(atom.name)
        if d is not None:
            return d.op in ("call", "callmethod") or registry.frozen_method(d.op) is not None
        if atom.name in self.free:
            obj = self.free[atom.name][0]
            return not isinstance(obj, (numpy_ndarray, numbers.Number, tuple, list, dict))
        return False

    def pack(self, atoms: tuple) -> ir.Atom:
        if all(isinstance(a, ir.Const) for a in atoms):
            return ir.Const(tuple(a.value for a in atoms))
        return self.materialise(ir.Call("tuple", atoms))

def _spelled(func) -> str:
    """`ast.unparse(func)`: for a name or a dotted name (most calls: `np.sin`), joined here directly."""
    parts = []
    node = func
    while type(node) is ast.Attribute:
        parts.append(node.attr)
        node = node.value
    if type(node) is ast.Name:
        return ".".join([node.id, *reversed(parts)])
    return ast.unparse(func)


def _default_text(fn, name: str) -> str | None:
    """The default of the parameter `name` of `fn` as its source spells it (`s2s.grad(E)`), or None."""
    try:
        args = read_function(fn).tree.args
    except Exception:  # (no source: the refusal then says less)
        return None
    positional = args.posonlyargs + args.args
    pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults)) + \
        list(zip(args.kwonlyargs, args.kw_defaults))
    return next((ast.unparse(d) for a, d in pairs if a.arg == name and d is not None), None)
