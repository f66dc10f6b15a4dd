"""The function transformed, where the user gave it a rule: a call of itself.

A function with a rule of the user's (`s2s.adjoint`, `s2s.tangent`, `s2s.nondifferentiable`) is not descended
into where it is called (front/calls.py), nor where it is the function transformed: `own_rule` gives the
pipeline its source as `return f(x, y)`, so that the rule is used (JAX's custom_vjp does the same).
"""
from __future__ import annotations

import ast
import copy
import dataclasses
import inspect

from s2s.front import fence
from s2s.front.source import Source
from s2s.rules import custom


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
