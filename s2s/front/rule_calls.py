"""Calls of functions with the user's rules (`s2s.adjoint`, `s2s.tangent`, `s2s.nondifferentiable`).

Such a function is called, never descended into: where it is called (its arguments placed as its rules take
them, one per positional parameter: `RuleCallLowering`, mixed into the SSA builder), on an object of the user's
(`model.quant(x)` with a rule on `Model.quant`), and where it is the function transformed itself (`own_rule`:
its source read as a call of itself, JAX's custom_vjp).
"""
from __future__ import annotations

import ast
import copy
import dataclasses
import functools
import inspect
import types

from s2s import ir
from s2s.front import fence
from s2s.front.inlining import Spread
from s2s.front.method_lookup import LIBRARIES
from s2s.front.parameters import default_name
from s2s.front.source import Source
from s2s.rules import custom


class RuleCallLowering:
    """(mixed into the SSA builder, ssa._Builder; front/calls.py calls these methods through `self`)"""

    def rule_arguments(self, fn, args: tuple, kwargs: tuple, node) -> tuple[tuple, tuple]:
        """(args, kwargs) of a call of `fn`, a function of the user's with a rule (`s2s.adjoint`, `s2s.tangent`,
        `s2s.nondifferentiable`), as its rules take them: one argument per positional parameter, in order. One
        passed by keyword goes to its place (`mul(a, y=b)` is `mul(a, b)`), the parameters it skips taking their
        defaults; `*values` and `**mapping` fill the places as Python fills them, counted at run time (as
        `bind_arguments` does for a helper s2s descends into). Keyword-only arguments stay keywords."""
        if not kwargs and not any(isinstance(a, Spread) for a in args):
            return args, kwargs
        name = fn.__name__
        every = inspect.signature(fn).parameters.values()
        pos = [p.name for p in every if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        by_name = [p.name for p in every if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        varargs = any(p.kind == p.VAR_POSITIONAL for p in every)
        varkw = any(p.kind == p.VAR_KEYWORD for p in every)
        values = {p.name: p.default for p in every if p.default is not p.empty}
        spaces = getattr(getattr(fn, "__func__", fn), "__globals__", {})
        default = functools.cache(lambda p: self.constant_or_error(values[p], default_name(spaces, p, values[p]), node))
        if args and isinstance(args[-1], Spread) and not varargs:  # mul(*p): p's values fill the places left
            named = {k for k, _ in kwargs}
            trailing = tuple(default(p) for p in pos if p in values)
            args = self.spread_into(name, types.SimpleNamespace(positional=pos, vararg=None), args, node,
                                    trailing, named)
        self.no_spread(args)  # (into *args: the rule takes one adjoint per argument, so their number must be known)
        if len(args) > len(pos) and not varargs:
            raise self.error(node, f"a call to {name} with {len(args)} positional arguments; it takes {len(pos)}")
        bound = dict(zip(pos, args))
        spread = [v for k, v in kwargs if k == "**"]
        keywords = []
        for k, v in kwargs:
            if k == "**":
                continue
            if k in bound:
                raise self.error(node, f"a call to {name} with two values for its argument '{k}'")
            if k in pos and k in by_name:
                bound[k] = v
            elif k in by_name or varkw:
                keywords.append((k, v))
            else:
                raise self.error(node, f"the keyword argument '{k}' that {name} does not take")
        if spread:  # mul(**d), d's keys known only at run time: each parameter left is d's item, or its default
            if len(spread) > 1 or varkw:
                raise self.error(node, f"a call to {name} with **mapping whose keys are known only at run time",
                                 "pass the keyword arguments one by one: f(a=d['a'], b=d['b'])")
            d = spread[0].atom
            given = {k for k, _ in keywords}
            left = [p for p in by_name if p not in bound and p not in given]
            self.emit(ir.Effect(ir.Call("s2s.runtime.require_keywords", (d, ir.Const(tuple(left)), ir.Const(name))),
                                self.loc))
            for p in left:
                value = self.materialise(ir.Call("s2s.runtime.keyword", (d, ir.Const(p)) +
                                                 ((default(p),) if p in values else ())))
                if p in pos:
                    bound[p] = value
                else:
                    keywords.append((p, value))
        last = max((pos.index(p) for p in bound), default=-1)
        missing = [p for p in pos if p not in bound and p not in values]
        if missing:
            raise self.error(node, f"a call to {name} missing the argument(s) {', '.join(missing)}")
        placed = tuple(bound[p] if p in bound else default(p) for p in pos[:last + 1])
        return placed + tuple(args[len(pos):]), tuple(keywords)

    def ruled_method(self, method: tuple, attr: str):
        """(callable, leading arguments) where `method` (methods.method_of's) has a rule of the user's: on its class's
        function (`@s2s.adjoint(Q.quant)`, called with the object first) or on a module object's bound method
        (`@s2s.adjoint(QQ.quant)`); else None."""
        fn, first, _ = method
        if first and isinstance(first[0], ir.Var) and first[0].name in self.free:
            bound = getattr(self.free[first[0].name][0], attr, None)
            if inspect.ismethod(bound) and custom.users_rule(bound) is not None:
                return bound, ()
        return (fn, first) if custom.users_rule(fn) is not None else None

    def constructed_method(self, base, attr: str, node):
        """(function, leading arguments, spelling) for `q.quant(...)` where `q = Q(...)` was made here by a class of
        the user's and `Q.quant` has a rule of the user's (called with `q` first, as Python calls it), else None."""
        made = self.definitions.get(base.name) if isinstance(base, ir.Var) else None
        if made is None or made.op != "call" or not isinstance(made.args[0], ir.Var) or \
                made.args[0].name not in self.free:
            return None
        cls = self.free[made.args[0].name][0]
        if not isinstance(cls, type) or (cls.__module__ or "").split(".")[0] in LIBRARIES or \
                type(cls).__call__ is not type.__call__ or cls.__new__ is not object.__new__:
            return None  # (not a class of the user's whose call makes one of its instances)
        found = inspect.getattr_static(cls, attr, None)
        if isinstance(found, staticmethod):
            fn, first = found.__func__, ()
        elif isinstance(found, classmethod):
            fn, first = found.__func__, (self.constant_or_error(cls, cls.__name__, node),)
        else:
            fn, first = found, (base,)
        if not inspect.isfunction(fn) or custom.users_rule(fn) is None:
            return None
        return fn, first, f"{cls.__name__}.{attr}"


def own_rule(src: Source) -> Source:
    """`src`, the source of the function transformed, as a call of that function where the user gave it a rule
    (`s2s.grad(ste_round)` with `@s2s.adjoint(ste_round)`): a function with a rule is not descended into, the
    function transformed no more than one it calls (JAX's custom_vjp). Its body becomes `return f(x, y, k=k)`, its
    parameters passed on as it takes them (a bound method's object first); other sources are unchanged. One taking
    `*args` or `**kwargs` is refused: its rule takes one adjoint per argument, and their number is not known."""
    func = src.func
    plain = func.__func__ if inspect.ismethod(func) else func
    if not inspect.isfunction(plain):
        return src
    if custom.users_rule(plain) is not None:  # (a method's object first: read_function binds it as data)
        ruled, first = plain, [plain.__code__.co_varnames[0]] if inspect.ismethod(func) else []
    elif custom.users_rule(func) is not None:  # a rule on a bound method itself, @s2s.adjoint(QQ.quant)
        ruled, first = func, []
    else:
        return src
    a = src.tree.args
    star = a.vararg or a.kwarg
    if star is not None:  # (one derivative for calls with any number of values: not one adjoint per argument)
        stars = "*" if star is a.vararg else "**"
        name = plain.__name__
        raise fence.unsupported(src, star, f"a transformation of {name}, which has a rule of yours and takes "
                                           f"{stars}{star.arg}",
                                f"transform a function that calls it with the arguments spelled out: "
                                f"def f(x, y): return {name}(x, y)")
    taken = {p.arg for p in a.posonlyargs + a.args + a.kwonlyargs}
    callee = plain.__name__ if plain.__name__.isidentifier() else "f"
    while callee in taken:
        callee += "_"
    args = [ast.Name(p, ast.Load()) for p in first + [p.arg for p in a.posonlyargs + a.args]]
    keywords = [ast.keyword(p.arg, ast.Name(p.arg, ast.Load())) for p in a.kwonlyargs]
    body = ast.Return(ast.Call(ast.Name(callee, ast.Load()), args, keywords))
    for node in ast.walk(body):  # (at the def's line: generated code's comment names it)
        ast.copy_location(node, src.tree)
    tree = copy.copy(src.tree)
    tree.body = [body]
    return dataclasses.replace(src, tree=tree, closure={**src.closure, callee: ruled})
