"""Descending into the user's functions while building SSA: a helper's body built in place of its call
(`inline`, `inline_source`), its parameters bound to the call's arguments as Python binds them (`bind_arguments`:
defaults, `*args`, `**kwargs`, `f(a, *values)` of a length known only at run time), and a recursive function called
with the derivatives s2s makes for it. `InlineLowering` holds these methods of the SSA builder (ssa.py).
"""
from __future__ import annotations

import dataclasses
import linecache

import numpy

from s2s import ir
from s2s.errors import LibraryLine, S2SError, SourceUnavailableError, called_from
from s2s.front import fence
from s2s.front.functions import function_of
from s2s.front.libraries import library_function, shown
from s2s.front.lowering import returns_a_value
from s2s.front.source import parameters, read_function
from s2s.rules import registry


MAX_INLINE_DEPTH = 20
RT = "s2s.runtime."


class InlineLowering:
    """(mixed into calls.CallLowering; reads the builder's state through `self`)"""

    def inline(self, fn, args, kwargs, node, returns_none: bool = False) -> ir.Expr:
        """Descend into a user function: its body is built in place, its parameters bound to `args`.
        A function that is already being descended into (recursion) is called instead, with the
        derivatives s2s makes for it (api/recursion.py)."""
        if fn in self.inlining:
            return self.recursive_call(fn, args, kwargs, node)
        marked = getattr(fn, "__s2s_checkpointed__", None)  # (a call of s2s.checkpoint(f) is met in call_object: here
        if marked is not None and not returns_none:  # a method, whose object the rules would not differentiate)
            raise self.error(node, f"s2s.checkpoint on the method {marked.__qualname__}, whose call's object s2s "
                                   f"would not differentiate in the call's pullback",
                             f"checkpoint a module-level function taking the arrays the method reads as arguments: "
                             f"def {marked.__name__}(W, h) with @s2s.checkpoint, called as "
                             f"{marked.__name__}(self.W, h)")
        fn = marked or fn  # (called for its effect alone: nothing of it is read, its body built in place)
        try:
            callee_src = read_function(fn)  # (an s2s.grad(inner) whose transformation fails raises inner's error)
        except SourceUnavailableError as exc:
            raise self.unreadable(fn, exc, node) from None
        block = list(self.block)
        try:
            fence.check(callee_src)
            self.deps[f"{getattr(fn, '__module__', '')}:{fn.__qualname__}"] = callee_src.text
            self.note_self(fn, args)  # Poly.power(self, x, n): self's methods are Poly's (or its subclasses')
            # the defaults are the values Python computed when fn was defined (`scale=np.pi / 2`, an array)
            sig = parameters(callee_src.tree, callee_src.func if callee_src.generated else fn)  # (generated code's
            # compiled function holds them: grad_f(w, target=target_default) of f(w, target=np.array(...)))
            defaults = tuple(self.constant_or_error(v, f"{p}_default", node)
                             for p, v in zip(sig.positional[len(sig.positional) - len(sig.defaults):], sig.defaults))
            kwdefaults = {p: self.constant_or_error(v, f"{p}_default", node) for p, v in sig.kwdefaults.items()}
            self.inlining.append(fn)
            settles = getattr(fn, "__s2s_settles__", None)  # (an s2s transformation: its results as its call's)
            try:
                return self.inline_source(callee_src, fn.__name__, args, kwargs, node, defaults=defaults,
                                          kwdefaults=kwdefaults, returns_none=returns_none,
                                          settle=settles() if settles is not None else None)
            finally:
                self.inlining.pop()
        except S2SError as exc:
            if not library_function(fn):
                self.called_here(exc, node, fn.__name__)
            if not library_function(fn) or returns_none:
                raise
            # what s2s refused in a library's own source (scipy's f-strings, cdist's writes) says nothing about the
            # user's line: the function is called as it is, as one without source, and its result is a constant
            # where its arguments do not depend on what is differentiated (errors.missing_rule names it otherwise)
            self.block[:] = block
            return self.opaque_call(fn, self.no_spread(args), self.no_spread(kwargs), shown(node, fn), exc)

    def called_here(self, exc: S2SError, node, name: str) -> None:
        """Name the user's call `node` of the helper `name` in the refusal `exc` found inside it (`called from`,
        errors.py), where it is not at that call itself."""
        filename, line = self.src.filename, getattr(node, "lineno", 0)
        if filename.startswith("<") or (getattr(exc, "filename", None), getattr(exc, "lineno", None)) == \
                (filename, line) or any(c[:2] == (filename, line) for c in exc.calls):
            return
        exc.calls = exc.calls + ((filename, line, linecache.getline(filename, line), name),)
        if isinstance(exc, SyntaxError):  # (a traceback shows a SyntaxError's msg, not its str: the calls as a note)
            exc.__notes__ = [called_from(exc).lstrip("\n")]

    def recursive_call(self, fn, args, kwargs, node, checkpointed: bool = False) -> ir.Expr:
        """`fn(args)` for a recursive `fn`: a call of it, its keyword arguments put in their places. Met before (a
        rule made), outside its own body: descended into once, as the first time it was met, so that what s2s makes
        of a function does not depend on what it transformed before (the first level's result is known a new value,
        not a view of an argument). `checkpointed`: a call of `s2s.checkpoint(fn)`, never descended into."""
        if not checkpointed and fn not in self.inlining and \
                not any(getattr(g, "__code__", None) is fn.__code__ for g in self.inlining):
            return self.inline(fn, args, kwargs, node)  # (its body's recursive calls come back here, then called)
        what = f"a call of s2s.checkpoint({fn.__name__})" if checkpointed else f"a recursive call of {fn.__name__}"
        if checkpointed:
            self.no_spread(args)
            self.no_spread(kwargs)
        if read_function(fn).tree.args.vararg:  # (its rules differentiate by position, *args' values too)
            raise self.error(node, f"{what}, which takes *args",
                             f"give {fn.__name__} named parameters (pass several values as one tuple or array)")
        if kwargs:
            tree_args = read_function(fn).tree.args
            params = [a.arg for a in tree_args.args]
            named = dict(kwargs)
            only = [k for k in named if k in {a.arg for a in tree_args.kwonlyargs}]
            if only:  # (its rules take the arguments by position)
                raise self.error(node, f"{what} with its keyword-only argument '{only[0]}'",
                                 f"make '{only[0]}' an ordinary parameter (before the *) and pass it by position")
            if any(k not in params[len(args):] for k in named):
                raise self.error(node, f"{what} with keyword arguments it does not take",
                                 "pass the arguments by position")
            rest = params[len(args):]
            last = max(rest.index(k) for k in named) + 1
            if any(p not in named for p in rest[:last]):
                raise self.error(node, f"{what} that leaves out an argument before a keyword argument",
                                 "pass the arguments by position")
            args = tuple(args) + tuple(named[p] for p in rest[:last])
        return self.fold_call(registry.RECURSIVE(fn), tuple(args))

    def inline_source(self, callee_src, name: str, args, kwargs, node, outer=None, defaults=(), kwdefaults=None,
                      returns_none: bool = False, settle=None) -> ir.Expr:
        """Build the body of `callee_src` in place, its parameters bound to `args`/`kwargs` (then to
        `defaults`, the values of the last positional parameters' defaults, and `kwdefaults`, the keyword-only
        ones'); `outer`: the builder whose variables a nested function reads. `returns_none`: called for its
        effect, the body may end without a return. `settle`: the generated code of an s2s transformation, whose
        results are made what its call returns (`settled`)."""
        if self.depth >= MAX_INLINE_DEPTH and outer is None:
            raise self.error(node, f"a call to {name} nested more than {MAX_INLINE_DEPTH} deep (recursion?)")
        if self.depth >= MAX_INLINE_DEPTH:  # (a nested def or a lambda: inlined at each call)
            raise self.error(node, f"a call to {name}, a function defined inside the function, nested more than "
                                   f"{MAX_INLINE_DEPTH} deep (recursion? s2s follows one that calls itself at module "
                                   f"level)", f"define {'the lambda as a function' if name == 'lambda' else name} at "
                                              f"module level, passing what it reads here as arguments, or write "
                                              f"the recursion as a loop")
        sub = type(self)(callee_src, self.shared, self.depth + 1)  # (the SSA builder, ssa.py: its tables shared)
        sub.outer = outer
        sub.loc, sub.library_call = self.loc, self.library_call or self.library_scope(callee_src.func, node)
        line = getattr(node, "lineno", 0)
        sub.calls = self.calls if self.src.filename.startswith("<") or not line else \
            ((self.src.filename, line, linecache.getline(self.src.filename, line), name),) + self.calls
        marked = sub.library_call is not None and self.library_call is None and self.loc is not None
        if marked:
            sub.loc = dataclasses.replace(self.loc, text=LibraryLine(self.loc.text, sub.library_call))
        bound = self.bind_arguments(name, parameters(callee_src.tree), args, kwargs, node, defaults, kwdefaults or {})
        sub.env = dict(bound)
        body = sub.function_body(callee_src.tree.body, callee_src.tree,
                                 returns_none or not returns_a_value(callee_src.tree.body))
        ret = body.pop()
        self.block.extend(body)
        if settle is not None:
            return self.settled(ret.value, settle, bound)
        if marked and isinstance(ret.value, ir.Var) and ret.value.name not in self.tuples and \
                ret.value.name not in self.dicts:  # (a library's result read at its call, marked as the call's:
            out = self.copy_at(ret.value, sub.loc)  # a refusal of that read names the call, not the variables)
            self.copies[out.name] = (ret.value, sub.library_call)
            return out
        return ret.value

    def settled(self, value: ir.Atom, settle: tuple, bound: dict) -> ir.Atom:
        """The result `value` of the inlined generated code of an s2s transformation made what the transformation's
        call returns (api/transformed.py, api/forward.py): `settle` is (kind, the wrt parameters, single wrt,
        returns the value too), from its `__s2s_settles__`, or ("pullback", the wrt arguments' atoms, single,
        False) for the pullback of an inlined vjp. A derivative with respect to a Python number is a float (a
        constant's: `float(g)`), else `rt.settled_like(g, x)`, as the argument asks at run time; jvp's tangent
        is in its value's dtype (`rt.narrowed_like`)."""
        kind, wrt, single, returns_value = settle
        pair = self.result_parts(value, 2) if kind in ("jvp", "vjp") or returns_value else (None, value)
        templates = wrt if kind == "pullback" else [bound[p] for p in wrt if p in bound]
        if pair is None or len(templates) != len(wrt):  # (nothing s2s generates: left as it is)
            return value
        primal, result = pair
        if kind == "jvp":
            return self.sequence("tuple", (primal, self.materialise(ir.Call(RT + "narrowed_like", (result, primal)))))
        if kind == "vjp":
            fv = function_of(result)
            return value if fv is None else self.sequence("tuple", (primal, ir.Const(dataclasses.replace(
                fv, settle=("pullback", templates, single, False)))))
        parts = [result] if single else self.result_parts(result, len(templates))
        if parts is None:
            return value
        parts = [self.settled_one(g, x) for g, x in zip(parts, templates)]
        grads = parts[0] if single else self.sequence("tuple", tuple(parts))
        return self.sequence("tuple", (primal, grads)) if returns_value else grads

    def settled_one(self, g: ir.Atom, x: ir.Atom) -> ir.Atom:
        """The derivative `g` with respect to the argument `x` as a transformation's call returns it."""
        if isinstance(x, ir.Const) and isinstance(x.value, (float, int)) and not isinstance(x.value, bool):
            return self.materialise(self.fold_call("builtins.float", (g,)))
        if isinstance(x, ir.Const) and type(x.value) is numpy.ndarray and x.value.dtype == numpy.float64 and \
                x.value.ndim:
            return g
        return self.materialise(ir.Call(RT + "settled_like", (g, x)))

    def result_parts(self, value: ir.Atom, count: int) -> list | None:
        """The `count` parts of the tuple `value` an inlined function returned: those it was built of, or read."""
        parts = self._tuple_parts(value)
        if parts is None:
            parts = [self.materialise(self.fold_call("getitem", (value, ir.Const(i)))) for i in range(count)]
        return list(parts) if len(parts) == count else None

    def copy_at(self, value: ir.Var, loc) -> ir.Var:
        """`t = value`, located at `loc`."""
        out = ir.Var(self.temp())
        self.emit(ir.Assign(out.name, value, loc))
        return out

    def bind_arguments(self, name: str, sig, args: tuple, kwargs: tuple, node, defaults: tuple = (),
                       kwdefaults: dict | None = None) -> dict:
        """Parameter name -> atom for a call of the helper `name` with parameters `sig`, as Python binds it:
        extra positional arguments in the `*args` tuple, extra keywords in the `**kwargs` dict, then the
        default atoms (`defaults` of the last positional parameters, `kwdefaults` of keyword-only ones)."""
        pos = sig.positional
        if args and isinstance(args[-1], Spread):  # f(a, *values): values fill the rest, counted at run time
            args = self.spread_into(name, sig, args, node, defaults, {k for k, _ in kwargs})
        self.no_spread(args[:-1] if args and isinstance(args[-1], Spread) and sig.vararg is not None else args)
        if len(args) > len(pos) and sig.vararg is None:
            raise self.error(node, f"a call to {name} with {len(args)} positional arguments; it takes {len(pos)}")
        bound = dict(zip(pos, args))
        if sig.vararg is not None:
            extra = args[len(pos):]
            bound[sig.vararg] = extra[0].atom if len(extra) == 1 and isinstance(extra[0], Spread) else \
                self.sequence("tuple", self.no_spread(extra))
        extra = []
        spread = [v for k, v in kwargs if k == "**"]
        kwargs = tuple((k, v) for k, v in kwargs if k != "**")
        for k, v in kwargs:
            if k in bound:
                raise self.error(node, f"a call to {name} with two values for its argument '{k}'")
            if k in pos or k in sig.kwonly:
                bound[k] = v
            elif sig.kwarg is not None:
                extra.append((k, v))
            else:
                raise self.error(node, f"the keyword argument '{k}' that {name} does not take")
        if len(spread) == 1 and sig.kwarg is not None and not extra and all(p in bound for p in pos + sig.kwonly):
            # wrapper(*args, **kwargs) calling another such: every key of d goes to its **kwargs, a new dict
            bound[sig.kwarg] = self.materialise(ir.Call("s2s.runtime.dict_from_pairs", (spread[0].atom,)))
            spread = []
        elif sig.kwarg is not None:  # a dict its body reads by constant keys: kwargs["scale"] is the atom passed
            var = self.materialise(ir.Call("dict", (), tuple(extra)))
            self.dicts[var.name] = dict(extra)
            bound[sig.kwarg] = var
        given = dict(zip(pos[len(pos) - len(defaults):], defaults)) if defaults else {}
        given.update(kwdefaults or {})
        if spread:  # f(x, **d), d's keys known only at run time: each parameter left is d's item, or its default
            if len(spread) > 1 or sig.kwarg is not None:
                raise self.error(node, f"a call to {name} with **mapping whose keys are known only at run time",
                                 "pass the keyword arguments one by one: f(a=d['a'], b=d['b'])")
            d = spread[0].atom
            left = [p for p in pos + sig.kwonly if p not in bound]
            self.emit(ir.Effect(ir.Call("s2s.runtime.require_keywords", (d, ir.Const(tuple(left)), ir.Const(name))),
                                self.loc))
            for p in left:
                default = (given[p],) if p in given else ()
                bound[p] = self.materialise(ir.Call("s2s.runtime.keyword", (d, ir.Const(p)) + default))
        for p, atom in given.items():
            bound.setdefault(p, atom)
        missing = [p for p in pos + sig.kwonly if p not in bound]
        if missing:
            raise self.error(node, f"a call to {name} missing the argument(s) {', '.join(missing)}")
        return bound

    def spread_into(self, name: str, sig, args: tuple, node, defaults: tuple = (), named=frozenset()) -> tuple:
        """`f(a, *values)` of a helper with parameters `sig`, `values` of a length known only at run time,
        iterated as Python does (a dict: its keys): its values fill the positional parameters left (those
        with a default take it where `values` runs out; another number raises Python's TypeError when it
        runs), the rest the helper's `*args` tuple."""
        rest, args = args[-1], args[:-1]
        left = list(sig.positional[len(args):])
        for i, p in enumerate(left):  # a parameter given by keyword ends what the values may fill
            if p in named:
                left = left[:i]
                break
        first_default = len(sig.positional) - len(defaults)
        seq = self.materialise(ir.Call("builtins.tuple", (rest.atom,)))
        lo = sum(1 for p in left if sig.positional.index(p) < first_default)
        hi = None if sig.vararg is not None else len(left)
        self.emit(ir.Effect(ir.Call("s2s.runtime.require_length", (seq, ir.Const(lo), ir.Const(hi), ir.Const(name))),
                            self.loc))
        parts = []
        for i, p in enumerate(left):
            at = sig.positional.index(p)
            if at < first_default:
                parts.append(self.materialise(self.fold_call("getitem", (seq, ir.Const(i)))))
            else:  # values[i] if there is one, else the default
                parts.append(self.materialise(ir.Call("s2s.runtime.keyword", (seq, ir.Const(i),
                                                                              defaults[at - first_default]))))
        if sig.vararg is None:
            return args + tuple(parts)
        tail = self.materialise(ir.Call("getitem", (seq, ir.Const(slice(len(left), None, None)))))
        return args + tuple(parts) + (Spread(tail, rest.node),)


class Spread:
    """`*values` in a call, of a length known only at run time (the helper called binds it)."""

    def __init__(self, atom, node):
        self.atom, self.node = atom, node
