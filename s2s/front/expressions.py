"""SSA construction of expressions: each Python expression becomes three-address statements and an atom.

Calls are recognised here (a primitive with a rule, a helper to inline, a
runtime helper of generated code, an opaque callable), `and`/`or`/`x if c else
y` become conditionals so that only the operand Python evaluates is evaluated,
and constants are folded. `ExpressionLowering` holds these methods of the SSA
builder (ssa.py).
"""
from __future__ import annotations

import ast
import difflib
import functools
import inspect
import numbers
import types

import numpy
from numpy import ndarray as numpy_ndarray

from s2s import ir, prims
from s2s.errors import NonDifferentiableError, S2SError
from s2s.front import fence
from s2s.front.functions import function_of
from s2s.front.source import MISSING, parameters, read_function
from s2s.rules import registry


MAX_INLINE_DEPTH = 20

_FOLDABLE = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "truediv": lambda a, b: a / b, "pow": lambda a, b: a ** b, "neg": lambda a: -a,
    "floordiv": lambda a, b: a // b, "mod": lambda a, b: a % b,
}


class ExpressionLowering:
    """(mixed into _Builder; reads the rest of its state through `self`)"""

    def _resolves_to(self, func_node, obj) -> bool:
        return isinstance(func_node, ast.Name) and not self.sees(func_node.id) and self.src.resolve(func_node.id) is obj

    def atom(self, node, hint: str | None = None) -> ir.Atom:
        return self.materialise(self.expr(node, hint), hint)

    def fold_call(self, op: str, args: tuple, kwargs: tuple = ()) -> ir.Expr:
        """A Call, or its value when every operand is a constant of a pure operator."""
        if all(isinstance(a, ir.Const) for a in args) and not kwargs and op in _FOLDABLE:
            try:
                return ir.Const(_FOLDABLE[op](*[a.value for a in args]))
            except Exception:
                pass
        if op == "getitem" and len(args) == 2 and isinstance(args[1], ir.Const) and isinstance(args[1].value, int):
            parts = self._tuple_parts(args[0])
            if parts is not None:
                return parts[args[1].value]
        if op == "getitem" and len(args) == 2 and isinstance(args[1], ir.Const) and isinstance(args[1].value, slice):
            parts = self._tuple_parts(args[0])  # t[:2] of a tuple or list written here: its values, known here
            made = self.definitions.get(args[0].name) if isinstance(args[0], ir.Var) else None
            kind = "tuple" if isinstance(args[0], ir.Const) else getattr(made, "op", None)
            if parts is not None and kind in ("tuple", "list"):
                var = self.sequence(kind, tuple(parts[args[1].value]))
                if isinstance(var, ir.Var):
                    self.tuples[var.name] = list(parts[args[1].value])
                return var
        if op == "getitem" and len(args) == 2 and isinstance(args[1], ir.Const) and isinstance(args[0], ir.Var) \
                and args[0].name in self.dicts and args[1].value in self.dicts[args[0].name]:
            return self.dicts[args[0].name][args[1].value]  # d["w"] of a dict written out here: its value
        return ir.Call(op, tuple(args), tuple(kwargs))

    def expr(self, node, hint: str | None = None) -> ir.Expr:
        if isinstance(node, ast.Constant):
            return ir.Const(node.value)
        if isinstance(node, ast.Name):
            return self.read(node.id, node)
        if isinstance(node, ast.BinOp):
            found = self.joined(node, hint)  # xs + [v] of a list the function made: a new list
            if found is not None and found[1] is not None:
                return found[1]
            left = found[0] if found is not None else self.atom(node.left)
            return self.fold_call(prims.AST_TO_OP[type(node.op)], (left, self.atom(node.right)))
        if isinstance(node, ast.UnaryOp):
            operand = self.atom(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            return self.fold_call(prims.AST_TO_OP[type(node.op)], (operand,))
        if isinstance(node, ast.Compare):
            return self.comparison(self.atom(node.left), node.ops, node.comparators, node)
        if isinstance(node, ast.BoolOp):
            first = self.atom(node.values[0])
            if len(node.values) == 1:
                return first
            rest = ast.copy_location(ast.BoolOp(node.op, node.values[1:]), node.values[1])
            return self.short_circuit(first, lambda: self.atom(rest), isinstance(node.op, ast.And), node)
        if isinstance(node, ast.IfExp):
            return self.if_expression(node, hint)
        if isinstance(node, (ast.Tuple, ast.List)):
            parts = self.no_spread(self.spread(node.elts))
            op = "tuple" if isinstance(node, ast.Tuple) else "list"
            if all(isinstance(p, ir.Const) for p in parts) and op == "tuple":
                return ir.Const(tuple(p.value for p in parts))
            var = self.materialise(ir.Call(op, parts), hint)
            self.tuples[var.name] = list(parts)  # (a list's too: each version of it is a value of its own)
            return var
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Call):
            return self.call(node, hint)
        if isinstance(node, ast.Slice):
            return self.slice(node)
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                raise self.error(node, "**mapping in a dict display", "write each key: {'w': w, 'b': b}")
            return self.dict_display([self.atom(k) for k in node.keys], [self.atom(v) for v in node.values], node,
                                     hint)
        if isinstance(node, ast.Lambda):
            return self.lambda_value(node)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.DictComp, ast.SetComp)):
            return self.comprehension(node, hint)
        raise self.error(node, f"the expression {type(node).__name__}")

    def dict_display(self, keys, values, node, hint) -> ir.Atom:
        """`{"w": w, "b": b}` (or `dict(w=w, b=b)`) with constant keys: a dict whose values are known here, so
        that `d["w"]` reads `w` itself."""
        if not all(isinstance(k, ir.Const) and isinstance(k.value, (str, int)) for k in keys):
            raise self.error(node, "a dict display with keys computed at run time",
                             "use string or integer constants as keys: {'w': w, 'b': b}")
        names = tuple(k.value for k in keys)
        vals = tuple(values)
        var = self.materialise(ir.Call("s2s.runtime.dict_of", (ir.Const(names),) + vals), hint)
        self.dicts[var.name] = dict(zip(names, vals))
        return var

    def spread(self, nodes) -> tuple:
        """The atoms of argument or display expressions, `*xs` spread into the values `xs` holds when they
        are known here (a tuple or list written in the function, a constant tuple)."""
        out = []
        for n in nodes:
            if not isinstance(n, ast.Starred):
                out.append(self.atom(n))
                continue
            atom = self.atom(n.value)
            parts = self._tuple_parts(atom)
            if parts is None:  # known only at run time: a helper s2s descends into takes it (bind_arguments)
                out.append(Spread(atom, n))
            else:
                out.extend(parts)
        return tuple(out)

    def keywords(self, keywords) -> tuple:
        """(name, atom) pairs of a call's keyword arguments, `**d` spread into its items where the dict is
        written out here, else kept as ("**", Spread) for a helper s2s descends into (bind_arguments)."""
        out = []
        for k in keywords:
            if k.arg is not None:
                out.append((k.arg, self.atom(k.value)))
                continue
            atom = self.atom(k.value)
            known = self.dicts.get(atom.name) if isinstance(atom, ir.Var) else None
            if known is not None:
                out.extend(known.items())
            else:
                out.append(("**", Spread(atom, k.value)))
        return tuple(out)

    def no_spread(self, args: tuple) -> tuple:
        """`args` where the callee needs every value while compiling (a display, a library call)."""
        for a in args:
            if isinstance(a, Spread):
                raise self.error(a.node, f"*{ast.unparse(a.node.value)}, whose number of values is known only at "
                                         "run time", "pass the values one by one, or index them: f(xs[0], xs[1])")
            if isinstance(a, tuple) and len(a) == 2 and isinstance(a[1], Spread):
                raise self.error(a[1].node, f"**{ast.unparse(a[1].node)}, whose keys are known only at run time",
                                 "pass the keyword arguments one by one: f(a=d['a'], b=d['b'])")
        return args

    def comparison(self, left: ir.Atom, ops: list, comparators: list, node) -> ir.Expr:
        """`a < b < c` is `a < b and b < c` with b evaluated once and c only when `a < b` holds."""
        right = self.atom(comparators[0])
        first = self.fold_call(prims.AST_TO_OP[type(ops[0])], (left, right))
        if len(ops) == 1:
            return first
        rest = lambda: self.materialise(self.comparison(right, ops[1:], comparators[1:], node))  # noqa: E731
        return self.short_circuit(self.materialise(first), rest, True, node)

    def short_circuit(self, first: ir.Atom, rest, is_and: bool, node) -> ir.Atom:
        """Python's `first and rest` (`rest if first else first`) or `first or rest` (`first if first
        else rest`): a conditional, so that the result is an operand and `rest()` runs only when needed."""
        if isinstance(first, ir.Const):
            try:
                truth = bool(first.value)
            except Exception:
                truth = None
            if truth is not None:
                return rest() if truth == is_and else first
        self.boolops += 1
        key = f"<boolop{self.boolops}>"

        def evaluate():
            self.env[key] = rest()

        def keep():
            self.env[key] = first
        self._branch(first, evaluate if is_and else keep, keep if is_and else evaluate, node)
        return self.env.pop(key)

    def if_expression(self, node: ast.IfExp, hint) -> ir.Expr:
        test = self.atom(node.test)
        key = f"<ifexp{len(self.block)}>"
        def branch(value_node):
            def run():
                self.env[key] = self.atom(value_node)
            return run
        self._branch(test, branch(node.body), branch(node.orelse), node)
        value = self.env.pop(key)
        if hint is not None and isinstance(value, ir.Var) and self.block and isinstance(self.block[-1], ir.If):
            # name the join after the user's variable: y = a if c else b  ->  phi y
            for phi in self.block[-1].phis:
                if phi.target == value.name:
                    new = self.version(hint)
                    phi.target = new
                    return ir.Var(new)
        return value

    def slice(self, node: ast.Slice) -> ir.Atom:
        parts = tuple(self.atom(p) if p is not None else ir.Const(None) for p in (node.lower, node.upper, node.step))
        if all(isinstance(p, ir.Const) for p in parts):
            return ir.Const(slice(*(p.value for p in parts)))
        return self.materialise(ir.Call("slice", parts))

    def subscript(self, node: ast.Subscript) -> ir.Expr:
        base = self.atom(node.value)
        index = node.slice
        if isinstance(index, ast.Tuple):
            parts = tuple(self.atom(e) for e in index.elts)
        else:
            parts = (self.atom(index),)
        return self.fold_call("getitem", (base,) + parts)

    def attribute(self, node: ast.Attribute) -> ir.Expr:
        obj = self.static_value(node)
        if obj is not MISSING:
            return self.constant_or_error(obj, ast.unparse(node), node)
        base = self.atom(node.value)
        key = prims.ATTRIBUTES.get(node.attr)
        if key is None or self.class_of(base) is not None:
            # an attribute of an object: self.W (data the method reads), params.W (a field of a dataclass
            # argument, differentiated); read when the code runs
            return ir.Call("getattr", (base, ir.Const(node.attr)))
        return ir.Call(key, (base,))

    def class_of(self, atom):
        """The class of the user's object `atom` holds, where it is known before the code runs: the object a
        bound method is bound to (data), or the `self` parameter of a method defined in a class."""
        if not isinstance(atom, ir.Var):
            return None
        if atom.name in self.free:
            obj = self.free[atom.name][0]
            return type(obj) if user_object(obj) else None
        return self.classes.get(atom.name)

    def user_method(self, func: ast.Attribute):
        """(function, leading arguments) for `obj.method(...)` on an object of the user's whose class defines
        `method`: the method is inlined like any helper, with the object as its first argument."""
        if not isinstance(func.value, (ast.Name, ast.Attribute)):
            return None
        base = self.atom(func.value)
        cls = self.class_of(base)
        if cls is None:
            return None
        found = inspect.getattr_static(cls, func.attr, None)
        if isinstance(found, staticmethod):
            return found.__func__, (), cls
        if isinstance(found, classmethod):
            return found.__func__, (self.constant_or_error(cls, cls.__name__, func),), cls
        if inspect.isfunction(found):
            return found, (base,), cls
        return None

    def static_value(self, node):
        """The object a dotted name like `np.linalg.inv` refers to, or MISSING if it is not static."""
        if isinstance(node, ast.Name):
            if self.sees(node.id):
                return MISSING
            return self.src.resolve(node.id)
        if isinstance(node, ast.Attribute):
            base = self.static_value(node.value)
            if base is MISSING:
                return MISSING
            if not isinstance(base, types.ModuleType) and not isinstance(base, type) and \
                    not registry.has_methods(base):  # (stats.norm.logpdf: a method with a record)
                return MISSING
            value = getattr(base, node.attr, MISSING)
            if value is MISSING and isinstance(base, types.ModuleType):
                raise self.missing_attribute(node, base)
            return value
        return MISSING

    def missing_attribute(self, node: ast.Attribute, module) -> AttributeError:
        """What Python raises for `np.summ`, at the user's line, with the names it may have meant."""
        name = getattr(module, "__name__", "?")
        close = difflib.get_close_matches(node.attr, [n for n in dir(module) if not n.startswith("_")], n=3)
        hint = f" Did you mean: {', '.join(repr(c) for c in close)}?" if close else ""
        line, col = node.lineno, node.col_offset + 1
        text = self.src.line(line).rstrip("\n")
        caret = " " * (col - 1) + "^"
        return AttributeError(f"module '{name}' has no attribute '{node.attr}'.{hint}\n"
                              f"  {self.src.filename}:{line}:{col}\n    {text}\n    {caret}")

    def call(self, node: ast.Call, hint) -> ir.Expr:
        func = node.func
        target = self.static_value(func)
        if target is MISSING and self.stack_pop(node):
            return ir.Call("pop", (self.atom(func.value),))
        method = self.user_method(func) if target is MISSING and isinstance(func, ast.Attribute) else None
        if method is not None:  # self.forward_pass(params, x): a method of the user's class, inlined
            fn, first, cls = method
            args = first + tuple(self.atom(a) for a in node.args)
            kwargs = self.keywords(node.keywords)
            if first and isinstance(first[0], ir.Var) and first[0].name not in self.free:
                self.classes[first[0].name] = cls
            return self.inline(fn, args, kwargs, node)
        if target is MISSING and isinstance(func, ast.Attribute):
            key = prims.METHODS.get(func.attr)
            if key is None:
                base = self.atom(func.value)
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
                if self.is_opaque(base):  # a method of an object an opaque call made (a random generator...)
                    args = (base, ir.Const(func.attr)) + tuple(self.atom(a) for a in node.args)
                    kwargs = self.keywords(node.keywords)
                    return ir.Call("callmethod", args, kwargs)
                raise self.error(node, f"the method call '.{func.attr}()'")
            base = self.atom(func.value)
            args = (base,) + tuple(self.atom(a) for a in node.args)
            kwargs = self.keywords(node.keywords)
            if key == "numpy.reshape" and len(args) > 2:  # x.reshape(2, 3) -> np.reshape(x, (2, 3))
                args = (base, self.pack(args[1:]))
            if key == "numpy.transpose" and len(args) > 2:
                args = (base, self.pack(args[1:]))
            if key == "numpy.ndarray.astype":
                kind = self.dtype_kind(node)  # x.astype(int): no derivative flows through it
                key += "_integer" if kind and kind in "biu" else "" if kind else "_any"
            return ir.Call(key, args, kwargs)
        if target is MISSING and not isinstance(func, ast.Attribute):
            callee = self.expr(func)  # a function value: a nested def, a lambda, a helper passed in
            fv = function_of(callee)
            if fv is None:
                raise self.error(func, f"a call of '{ast.unparse(func)}', a value computed at run time (say, a "
                                       "function chosen by a branch), not a function s2s sees while compiling",
                                 "call the function where it is chosen: y = np.sin(x) if c else np.cos(x)")
            args = self.spread(node.args)
            kwargs = self.keywords(node.keywords)
            return self.apply(fv, args, kwargs, node)
        if target is MISSING:
            raise self.error(func, f"a call to '{ast.unparse(func)}', which is not defined here")
        args = self.spread(node.args)
        kwargs = self.keywords(node.keywords)
        return self.call_object(target, args, kwargs, node, _spelled(func))

    def call_object(self, target, args: tuple, kwargs: tuple, node, spelled: str) -> ir.Expr:
        """A call of the Python object `target` (spelled so by the user): a primitive, a user function
        inlined, a compile-time function value (`functools.partial`, `s2s.grad(f)`), or an opaque call."""
        if not (inspect.isfunction(target) and not (getattr(target, "__module__", None) or "").startswith("s2s.")):
            self.no_spread(args)
            self.no_spread(kwargs)
        if getattr(target, "__s2s_transformation__", False):
            return self.transform_now(target, args, kwargs, node)
        if target is functools.partial:
            return self.partial_value(args, kwargs, node)
        if target is map and not kwargs:  # map(f, xs): the list of f(x), as a comprehension
            return self.map_call(self.no_spread(args), node, None)
        if target is sorted:  # the items in the order of their keys (which carries no derivative)
            return self.sorted_call(self.no_spread(args), self.no_spread(kwargs), node, None)
        if target is dict and not args:  # dict(w=w, b=b)
            return self.dict_display([ir.Const(k) for k, _ in kwargs], [v for _, v in kwargs], node, None)
        key = registry.key_of(target)
        if key in registry.RECURSIVE_KEYS:  # a recursive function met before: called, its keywords placed
            return self.recursive_call(target, args, kwargs, node)
        if key in ("builtins.max", "builtins.min") and (len(args) == 1 or kwargs):
            name = key.split(".")[1]
            raise self.error(node, f"{name}() of a sequence, or with keyword arguments",
                             f"use np.{name}(np.array(values)), or {name}(a, b) of two values")
        if key in ("builtins.max", "builtins.min") and len(args) > 2:
            # max(a, b, c) is max(max(a, b), c): the same first maximal operand, pairwise rules
            first = self.fold_call(key, args[:2])
            for a in args[2:]:
                first = self.fold_call(key, (self.materialise(first), a))
            return first
        if key is not None:
            args, kwargs = registry.positional(key, args, kwargs, ir.Const, target)  # norm.logpdf(x, scale=s)
            return self.fold_call(key, args, kwargs)
        if target is slice and not kwargs:  # slice(None, -1, None), as generated code spells x[:-1]
            return ir.Const(slice(*(a.value for a in args))) if all(isinstance(a, ir.Const) for a in args) \
                else ir.Call("slice", args)
        if getattr(target, "__s2s_packed__", False):  # jf(primals, tangents) of s2s.jvp: jvp_f takes them one by one
            args, kwargs = self.packed_arguments(target, args, kwargs, node, spelled), ()
        if inspect.isfunction(target) and not (getattr(target, "__module__", None) or "").startswith("s2s.") \
                or getattr(target, "__s2s_generated__", None) is not None:
            return self.inline(target, args, kwargs, node)  # (s2s's own helpers have rules, or none)
        if not callable(target):
            raise self.error(node.func, f"a call to '{spelled}', which is not callable")
        # no rule and no source: called as it is; an error only where a derivative must pass through it
        callee = self.free_name(spelled.rsplit(".", 1)[-1], target)
        real = getattr(target, "__name__", "")
        self.opaque[callee] = spelled if not real or real in spelled else f"{spelled} ({real})"
        return ir.Call("call", (ir.Var(callee),) + args, kwargs)

    def packed_arguments(self, target, args: tuple, kwargs: tuple, node, spelled: str) -> tuple:
        """The arguments of the generated `jvp_f(*primals, *tangents)` for a call `jf(primals, tangents)` of an
        `s2s.jvp` transformation, the two tuples written in the call or in the function."""
        parts = [self._tuple_parts(a) for a in args] if len(args) == 2 and not kwargs else [None]
        if any(p is None for p in parts):
            raise self.error(node, f"{spelled}(...) of an s2s.jvp with primals or tangents that are not tuples "
                                   "written in the function", f"write {spelled}((x, y), (dx,)): every positional "
                                                             "argument, then one tangent per wrt entry")
        expected = target.__s2s_packed__()
        if len(parts[0]) != expected:
            raise self.error(node, f"{spelled}(primals, tangents) with {len(parts[0])} primal(s) where the function "
                                   f"takes {expected} positional argument(s)",
                             "pass every positional argument in primals, defaults included")
        return tuple(parts[0]) + tuple(parts[1])

    def dtype_kind(self, node: ast.Call) -> str | None:
        """The kind (numpy's `dtype.kind`: "f", "i", "b", ...) of the type in `x.astype(dtype)` when it is known
        before the code runs (`np.float32`, `int`, `"int32"`); None when only the run time knows it."""
        spelled = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "dtype"), None)
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

    def inline(self, fn, args, kwargs, node, returns_none: bool = False) -> ir.Expr:
        """Descend into a user function: its body is built in place, its parameters bound to `args`.
        A function that is already being descended into (recursion) is called instead, with the
        derivatives s2s makes for it (api/recursion.py)."""
        if fn in self.inlining:
            return self.recursive_call(fn, args, kwargs, node)
        try:
            callee_src = read_function(fn)
        except S2SError:
            raise NonDifferentiableError(fn.__qualname__, self.src.filename, node.lineno, self.src.line(node.lineno),
                                         "it has no derivative rule and its source is unavailable") from None
        fence.check(callee_src)
        self.deps[f"{getattr(fn, '__module__', '')}:{fn.__qualname__}"] = callee_src.text
        # the defaults are the values Python computed when fn was defined (`scale=np.pi / 2`, an array)
        sig = parameters(callee_src.tree, fn)
        defaults = tuple(self.constant_or_error(v, f"{p}_default", node)
                         for p, v in zip(sig.positional[len(sig.positional) - len(sig.defaults):], sig.defaults))
        kwdefaults = {p: self.constant_or_error(v, f"{p}_default", node) for p, v in sig.kwdefaults.items()}
        self.inlining.append(fn)
        try:
            return self.inline_source(callee_src, fn.__name__, args, kwargs, node, defaults=defaults,
                                      kwdefaults=kwdefaults, returns_none=returns_none)
        finally:
            self.inlining.pop()

    def recursive_call(self, fn, args, kwargs, node) -> ir.Expr:
        """`fn(args)` for a recursive `fn`: a call of it, its keyword arguments put in their places."""
        if read_function(fn).tree.args.vararg:  # (its rules differentiate by position, *args' values too)
            raise self.error(node, f"a recursive call of {fn.__name__}, which takes *args",
                             f"give {fn.__name__} named parameters (pass several values as one tuple or array)")
        if kwargs:
            params = [a.arg for a in read_function(fn).tree.args.args]
            named = dict(kwargs)
            if any(k not in params[len(args):] for k in named):
                raise self.error(node, f"a recursive call of {fn.__name__} with keyword arguments it does not take",
                                 "pass the arguments by position")
            rest = params[len(args):]
            last = max(rest.index(k) for k in named) + 1
            if any(p not in named for p in rest[:last]):
                raise self.error(node, f"a recursive call of {fn.__name__} that leaves out an argument before a "
                                       "keyword argument", "pass the arguments by position")
            args = tuple(args) + tuple(named[p] for p in rest[:last])
        return self.fold_call(registry.RECURSIVE(fn), tuple(args))

    def inline_source(self, callee_src, name: str, args, kwargs, node, outer=None, defaults=(), kwdefaults=None,
                      returns_none: bool = False) -> ir.Expr:
        """Build the body of `callee_src` in place, its parameters bound to `args`/`kwargs` (then to
        `defaults`, the values of the last positional parameters' defaults, and `kwdefaults`, the keyword-only
        ones'); `outer`: the builder whose variables a nested function reads. `returns_none`: called for its
        effect, the body may end without a return."""
        if self.depth >= MAX_INLINE_DEPTH:
            raise self.error(node, f"a call to {name} nested more than {MAX_INLINE_DEPTH} deep (recursion?)")
        sub = type(self)(callee_src, self.namer, self.depth + 1)  # (the SSA builder, ssa.py)
        sub.outer = outer
        sub.deps = self.deps
        sub.definitions = self.definitions
        sub.opaque = self.opaque
        sub.roots = self.roots
        sub.defined = self.defined
        sub.tuples = self.tuples
        sub.list_roots, sub.shared_lists, sub.list_owner = self.list_roots, self.shared_lists, self.list_owner
        sub.inlining = self.inlining
        sub.dicts = self.dicts
        sub.free = self.free
        sub.loc = self.loc
        sub.classes = self.classes
        bound = self.bind_arguments(name, parameters(callee_src.tree), args, kwargs, node, defaults, kwdefaults or {})
        sub.env = dict(bound)
        body = sub.function_body(callee_src.tree.body, callee_src.tree, returns_none)
        ret = body.pop()
        self.block.extend(body)
        return ret.value

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
        if sig.kwarg is not None:  # a dict its body reads by constant keys: kwargs["scale"] is the atom passed
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

    def sequence(self, op: str, parts: tuple) -> ir.Atom:
        """A tuple (or list) of `parts` built here, whose elements indexing by a constant finds again."""
        if op == "tuple" and all(isinstance(p, ir.Const) for p in parts):
            return ir.Const(tuple(p.value for p in parts))
        var = self.materialise(ir.Call(op, tuple(parts)))
        if op == "tuple":
            self.tuples[var.name] = list(parts)
        return var


LIBRARIES = ("numpy", "scipy", "builtins", "math", "functools", "s2s", "logging", "warnings", "collections", "typing")


def user_object(obj) -> bool:
    """Is `obj` an instance of a class of the user's (a model, a parameter record), not a function, a class or a
    library's object?"""
    if inspect.isroutine(obj) or isinstance(obj, (type, types.ModuleType)):
        return False
    return (type(obj).__module__ or "").split(".")[0] not in LIBRARIES


def _home_module(obj, name: str) -> str | None:
    """The module a library callable can be imported from under `name` (for generated imports)."""
    import importlib
    module = getattr(obj, "__module__", None)
    if not module or getattr(obj, "__name__", None) != name:
        return None
    try:
        return module if getattr(importlib.import_module(module), name, None) is obj else None
    except Exception:
        return None


class Spread:
    """`*values` in a call, of a length known only at run time (the helper called binds it)."""

    def __init__(self, atom, node):
        self.atom, self.node = atom, node


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
