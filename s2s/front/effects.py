"""SSA construction of statements kept for their effect: `raise`, `with np.errstate(...)`, calls whose result is
discarded (print, logging, warnings, a helper of the user's), and the stacks of saved values in code s2s generated
(`y_saved.append(y)`, `y_saved.pop()`: a gradient transformed again). `EffectLowering` holds these methods of the
SSA builder (ssa.py).
"""
from __future__ import annotations

import ast
import inspect
import logging

import numpy

from s2s import ir, prims
from s2s.errors import S2SError
from s2s.front import fence
from s2s.front.source import MISSING
from s2s.rules import registry

RAISE = "raise"  # Effect(Call("raise", (exception class, *args))): `raise E(*args)` when it runs
EFFECTS = {"builtins.print", "s2s.runtime.require_scalar", "s2s.runtime.require_length",
           "s2s.runtime.require_keywords", "s2s.runtime.require_bound", "s2s.runtime.require_number",
           "s2s.runtime.require_immutable", "s2s.runtime.require_float_array"}
AT = {"numpy.add": "add", "numpy.subtract": "subtract"}  # the ufuncs whose .at is an element write (ufunc_at)
ADDED_AT = "s2s.runtime.added_at"


class EffectLowering:
    """(mixed into _Builder; reads the rest of its state through `self`)"""

    def exception_class(self, cls) -> ir.Atom:
        return self.constant_or_error(cls, cls.__name__, None)

    def raise_statement(self, s: ast.Raise) -> None:
        """`raise E(args)` or `raise E`: an effect that raises when it runs (no derivative flows through it)."""
        exc = s.exc
        func = exc.func if isinstance(exc, ast.Call) else exc
        cls = self.static_value(func) if exc is not None else MISSING
        if s.cause is not None or not (isinstance(cls, type) and issubclass(cls, BaseException)) or \
                isinstance(exc, ast.Call) and exc.keywords:
            raise self.error(s, "this raise statement",
                             "raise an exception class or a call of one with positional arguments, e.g. "
                             "raise ValueError('x must be positive')")
        args = tuple(self.atom(a) for a in exc.args) if isinstance(exc, ast.Call) else ()
        self.emit(ir.Effect(ir.Call(RAISE, (self.constant_or_error(cls, ast.unparse(func), func),) + args), self.loc))

    def errstate(self, node: ast.Call) -> None:
        """The start of `with np.errstate(...):`: an effect that codegen turns back into the with statement around
        what follows, up to the END_WITH effect (the forward sweep runs under it)."""
        if self.static_value(node.func) is not numpy.errstate or any(k.arg is None for k in node.keywords):
            raise self.error(node, "a with statement", fence.WITH_HINT)
        self.emit(ir.Effect(ir.Call(prims.ERRSTATE, tuple(self.atom(a) for a in node.args),
                                    tuple((k.arg, self.atom(k.value)) for k in node.keywords)), self.loc))

    def effect_call(self, node) -> None:
        """Calls kept for their effect, whose result is discarded: print, logging (`logging.info(...)`,
        `logger.debug(...)`), `warnings.warn`, a helper of the user's (inlined: what it computes that matters
        runs, and no derivative flows out of it), and the checks generated code makes (higher order)."""
        if self.stack_push(node) or self.grow(node) or self.ufunc_at(node):
            return
        if not isinstance(node, ast.Call) or any(isinstance(a, ast.Starred) for a in node.args) or \
                any(k.arg is None for k in node.keywords):
            raise self.error(node, "this expression statement",
                             "s2s differentiates pure functions; assign the result to a name")
        target = self.static_value(node.func)
        key = registry.key_of(target) if target is not MISSING else None
        if key in EFFECTS and (not node.keywords or key == "builtins.print" and all(k.arg for k in node.keywords)):
            args = tuple(self.atom(a) for a in node.args)
            kwargs = tuple((k.arg, self.atom(k.value)) for k in node.keywords)  # print(..., sep=", ")
            self.emit(ir.Effect(ir.Call(key, args, kwargs), self.loc))
            return
        if key is None and inspect.isfunction(target) and _user_function(target):
            args = tuple(self.atom(a) for a in node.args)
            kwargs = tuple((k.arg, self.atom(k.value)) for k in node.keywords)
            block = list(self.block)
            try:
                self.inline(target, args, kwargs, node, returns_none=True)
                return
            except S2SError:
                # a body s2s does not read (it appends to a module's list, formats a report...): it runs as it is,
                # like logging; it must not write into arrays the function differentiates (docs/syntax.md)
                self.block[:] = block
            callee = self.free_name(node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id, target)
            self.emit(ir.Effect(ir.Call("call", (ir.Var(callee),) + args, kwargs), self.loc))
            return
        if _reports(target):  # logging.info(...), warnings.warn(...): called as written
            callee = self.free_name(node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id, target)
            self.emit(ir.Effect(ir.Call("call", (ir.Var(callee),) + tuple(self.atom(a) for a in node.args),
                                        tuple((k.arg, self.atom(k.value)) for k in node.keywords)), self.loc))
            return
        if target is MISSING and isinstance(node.func, ast.Attribute):
            base = self.atom(node.func.value)
            obj = self.free[base.name][0] if isinstance(base, ir.Var) and base.name in self.free else None
            if isinstance(obj, logging.Logger) or isinstance(obj, logging.LoggerAdapter):  # logger.debug(...)
                self.emit(ir.Effect(ir.Call("callmethod", (base, ir.Const(node.func.attr)) + tuple(
                    self.atom(a) for a in node.args), tuple((k.arg, self.atom(k.value)) for k in node.keywords)),
                    self.loc))
                return
        raise self.error(node, "a call whose result is discarded",
                         "s2s keeps print, logging, warnings.warn and your own functions called for their effect; "
                         "a library function that writes into its argument (np.copyto, x.sort(), ...) is not "
                         "differentiated: assign the result to a name")

    def ufunc_at(self, node) -> bool:
        """`np.add.at(y, index, v)`, the scatter-add (an element an index repeats gets each of its values), is the
        element write `y[index] = rt.added_at(y, *index, v)`: accepted where `y[index] = ...` is (y an array the
        function made), refused where that is, and differentiated as element writes are (runtime/scatter.py).
        `np.subtract.at(y, index, v)` adds -v. Is `node` such a call? (Another ufunc's `.at` is refused here.)"""
        func = node.func if isinstance(node, ast.Call) else None
        if not (isinstance(func, ast.Attribute) and func.attr == "at"):
            return False
        ufunc = self.static_value(func.value)
        if not isinstance(ufunc, numpy.ufunc):
            return False
        spelled = f"{ast.unparse(func.value)}.at"
        key = registry.key_of(ufunc)
        if key not in AT:
            self.ufunc_method(ufunc, func, node)  # (raises: no ufunc's .at has a record; it says what to write)
            return False
        if node.keywords:
            name = node.keywords[0].arg
            raise self.error(node, f"{spelled}() with a keyword argument ({name or '**'}=); NumPy's takes none",
                             f"{spelled}(y, index, v) writes into y itself: drop out=" if name == "out" else
                             f"pass y, the index and the values by position: {spelled}(y, index, v)")
        starred = any(isinstance(a, ast.Starred) for a in node.args)
        if len(node.args) != 3 or starred:
            raise self.error(node, f"{spelled}(*args)" if starred else f"{spelled}() with {len(node.args)} arguments",
                             f"write its three arguments: {spelled}(y, index, v)")
        y, index, values = node.args
        if not isinstance(y, ast.Name):
            raise self.error(node, f"{spelled}() into an expression",
                             f"name the array first: y = ...; {spelled}(y, index, v)")
        base = self.read(y.id, y)
        parts = tuple(self.atom(e) for e in index.elts) if isinstance(index, ast.Tuple) else (self.atom(index),)
        value = self.atom(values)
        if AT[key] == "subtract":  # (y - v is y + -v exactly, in floats and in integers alike)
            made = self.definitions.get(value.name) if isinstance(value, ir.Var) else None
            listed = isinstance(value, ir.Const) and isinstance(value.value, (list, tuple)) or \
                made is not None and getattr(made, "op", None) in ("list", "tuple")
            if listed:  # (a list or tuple of values is the array NumPy makes of it)
                value = self.materialise(ir.Call(registry.key_of(numpy.array), (value,)))
            value = self.materialise(self.fold_call("neg", (value,)))
        value = self.materialise(ir.Call(ADDED_AT, (base,) + parts + (value,)))
        # the write's index is the values just read, evaluated once: `y[t2, t4] = rt.added_at(y, t2, t4, v)`
        target = ast.copy_location(ast.Subscript(value=ast.Name(y.id, ast.Load()), slice=index, ctx=ast.Store()), y)
        self.write_element(target, value, parts)
        return True

    # ----- stacks of saved values in generated code (higher order: grad(f) transformed again)
    def generated(self) -> bool:
        """Is this code s2s generated? Only there are list stacks (append, pop) accepted."""
        return self.src.filename.startswith("<s2s ")

    def stack_push(self, node) -> bool:
        """`y_saved.append(y)` in generated code becomes the effect `push(y_saved, y)`."""
        func = node.func if isinstance(node, ast.Call) else None
        if not (self.generated() and isinstance(func, ast.Attribute) and func.attr == "append"
                and len(node.args) == 1 and not node.keywords):
            return False
        stack, value = self.atom(func.value), self.atom(node.args[0])
        self.emit(ir.Effect(ir.Call("push", (stack, value)), self.loc))
        if isinstance(value, ir.Var):
            root = self.roots.get(value.name, value.name)
            self.pushed[root] = self.pushed.get(root, 0) + 1
        return True

    def stack_element(self, value: ir.Call) -> bool:
        """Is `value` an element of a stack in generated code (`for y in reversed(y_saved)`)? The gradient
        pushed that array as it was at the end of an iteration, and writes its old elements back into it."""
        return self.generated() and value.op == "getitem" and isinstance(value.args[0], ir.Var) and \
            self.definitions.get(value.args[0].name) == ir.Call("list", ())

    def stack_pop(self, node) -> bool:
        """Is `node` `y_saved.pop()` in generated code (the value `pop(y_saved)`)?"""
        return (self.generated() and isinstance(node.func, ast.Attribute) and node.func.attr == "pop"
                and not node.args and not node.keywords)


def scatter_target(node) -> str | None:
    """The name `np.add.at(y, index, v)` (a call of any `.at` with a name first, read by its spelling alone)
    writes into: before a loop's body is read, its header needs a phi for each array the body writes."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "at" and \
            node.args and isinstance(node.args[0], ast.Name):
        return node.args[0].id
    return None


def _user_function(fn) -> bool:
    """Is `fn` a function of the user's (not of a library s2s would call as it is)?"""
    module = getattr(fn, "__module__", None) or ""
    return not module.split(".")[0] in ("s2s", "numpy", "scipy", "logging", "warnings", "math", "builtins")


def _reports(fn) -> bool:
    """Does `fn` only report (log, warn), so that calling it as written is all there is to it?"""
    module = getattr(fn, "__module__", None) or ""
    return callable(fn) and module.split(".")[0] in ("logging", "warnings")
