"""SSA construction of attribute reads, `a.b`: a dotted name known while compiling (`np.linalg.inv`, a module's
constant) as its value, a record's field, property or class constant, an object's attribute read as the code runs,
and NumPy's array attributes (`m.T`, `m.flat`) as NumPy's functions. `AttributeLowering` holds these methods of the
SSA builder (ssa.py).
"""
from __future__ import annotations

import ast
import difflib
import inspect
import types

from s2s import ir, prims
from s2s.front import records
from s2s.front.functions import function_of
from s2s.front.method_lookup import LIBRARIES, user_object
from s2s.front.source import MISSING
from s2s.rules import registry

# operators, whose result's attribute means a class's operator ran
_OPERATORS = frozenset({"add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "neg", "pos"})
# an array's attributes read as NumPy's functions: `m.flat` (m.flat[4], for v in m.flat) as np.ravel(m), a view
_ARRAY_ATTRIBUTES = {**prims.ATTRIBUTES, "flat": prims.METHODS["ravel"]}
# what a function known while compiling is named: strings, which a log line reads (f"calling {fn.__name__}")
_NAMES = frozenset({"__name__", "__qualname__", "__module__", "__doc__"})


class AttributeLowering:
    """(mixed into the SSA builder, ssa.py; reads its state through `self`)"""

    def attribute(self, node: ast.Attribute) -> ir.Expr:
        obj = self.static_value(node)
        if obj is not MISSING:
            return self.constant_or_error(obj, ast.unparse(node), node)
        held = self.class_read(node.value)
        if held is not None:  # type(self).scale, self.__class__.scale: of a record whose class is known, its constant
            atom = self.atom(held)
            cls = self.class_of(atom)
            kind, value = records.attribute_kind(cls, node.attr) if cls is not None else (None, None)
            exact = isinstance(atom, ir.Var) and atom.name in self.records  # (built here: of that class itself)
            if kind == "constant" or exact and kind == "subclassed" and value is not MISSING and \
                    not inspect.isfunction(value) and not hasattr(type(value), "__get__"):
                return self.constant_or_error(value, f"{cls.__name__}.{node.attr}", node)
            if not exact and (cls is not None or not self.records):  # (an object's, read as the code runs)
                made = self.materialise(ir.Call("builtins.type", (atom,)))
                return ir.Call("getattr", (made, ir.Const(node.attr)))
        base = self.atom(node.value)
        named = function_name(function_of(base), node.attr) if node.attr in _NAMES else MISSING
        if named is not MISSING:  # (inner.__name__ of a nested def or a lambda, for a log line: its string)
            return ir.Const(named)
        cls = self.class_of(base)
        if cls is not None and not (isinstance(base, ir.Var) and base.name in self.free):
            read = self.record_attribute(cls, base, node)  # (self.l2 of a record: a property, a class constant)
            if read is not None:
                return read
            if node.attr in self.records.get(base.name, ()):  # p.a of a record P(x, y) built here: x itself
                return self.records[base.name][node.attr]
        key = _ARRAY_ATTRIBUTES.get(node.attr)
        if key is None or cls is not None or self.surely_object(node.value) or self.built_field(base, node.attr):
            # an attribute of an object: self.W (data the method reads), params.W (a field of a dataclass
            # argument, differentiated, whatever its name: g.T of a record Gas(T, P)); read when the code runs
            made = self.definitions.get(base.name) if isinstance(base, ir.Var) else None
            if cls is None and self.records:
                self.refuse_unknown_record_attribute(node)
            if made is not None and key is None and \
                    records.is_record_derivative(self.definitions, made, _OPERATORS):  # (g = s2s.grad(loss)(p, x))
                raise self.error(node, records.DERIVATIVE_READ[0].format(name=node.attr), records.DERIVATIVE_READ[1])
            if made is not None and made.op in _OPERATORS and key is None:
                # (`q = p * s; q.W`: an operator made an object with fields, so a class's __mul__ ran, which s2s
                # would differentiate as NumPy's product of every field)
                plain = self.operand_class(made)
                if plain is not None:  # (Q * Quat(0, 1, 2, 0.5) of a class with its own __init__)
                    name, fields = plain.__name__, ", ".join(_init_parameters(plain)) or "w"
                    raise self.error(node, f"reading .{node.attr} of what an operator made of objects of {name}, "
                                           f"a plain class (no dataclass), whose attributes carry no derivative "
                                           f"in s2s", f"make {name} a dataclass (@dataclasses.dataclass above the "
                                           f"class, its fields {fields} declared with their types in place of "
                                           f"__init__): s2s follows its fields and calls its __{made.op}__ for "
                                           f"the operator")
                raise self.error(node, f"reading .{node.attr} of what an operator made (an object of a class that "
                                       f"defines it, as __{made.op}__)",
                                 "call a function or a method for the operation instead (q = p.scale(s), not "
                                 "p * s): s2s differentiates an operator as NumPy's arithmetic, not as the "
                                 "class's method")
            return ir.Call("getattr", (base, ir.Const(node.attr)))
        return self.array_attribute(key, base, node)

    def class_read(self, node) -> ast.expr | None:
        """The name `x` of `type(x)` or `x.__class__` (the class of x, whose attribute is read), else None."""
        if isinstance(node, ast.Attribute) and node.attr == "__class__":
            held = node.value
        elif isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords and \
                self.static_value(node.func) is type:
            held = node.args[0]
        else:
            return None
        return held if isinstance(held, ast.Name) else None  # (read once: atom is asked again where it is not this)

    def operand_class(self, made: ir.Call, seen: frozenset = frozenset()):
        """The plain class (no dataclass, no namedtuple) of an operand of the operator call
        `made` made by calling it (`Q = Quat(...)`) or by another operator of its objects, where the class defines
        the operator; None where s2s does not know such a class while compiling."""
        for a in made.args:
            d = self.definitions.get(a.name) if isinstance(a, ir.Var) and a.name not in seen else None
            if d is None:
                continue
            if d.op in _OPERATORS:
                cls = self.operand_class(d, seen | {a.name})
            elif d.op == "call" and d.args and isinstance(d.args[0], ir.Var) and d.args[0].name in self.free:
                cls = self.free[d.args[0].name][0]  # (Quat, the class a module-level name holds)
                cls = cls if isinstance(cls, type) and (cls.__module__ or "").split(".")[0] not in LIBRARIES and \
                    records.record_fields(cls) is None else None
            else:
                continue
            if cls is not None and (hasattr(cls, f"__{made.op}__") or hasattr(cls, f"__r{made.op}__")):
                return cls
        return None

    def record_attribute(self, cls: type, base: ir.Var, node: ast.Attribute) -> ir.Expr | None:
        """`obj.name` where obj is a record (a dataclass, a namedtuple) of the class `cls` or a subclass of it,
        known while compiling but not the object (the parameter `self` of a method): None for a field (read as
        the code runs, differentiated), a method, or an object that is no record; a property's getter inlined
        as a method of the record (its derivative is its body's); a class constant (`EPS: ClassVar = 0.5`) as
        a constant. Anything else is no function of the fields s2s follows: refused at the user's line."""
        kind, value = records.attribute_kind(cls, node.attr)
        if kind == "property":
            return self.inline(value.fget, (base,), (), node)
        if kind == "constant":
            return self.constant_or_error(value, f"{cls.__name__}.{node.attr}", node)
        if kind in records.REFUSED:
            construct, hint = records.REFUSED[kind]
            raise self.error(node, construct.format(spelled=ast.unparse(node), cls=cls.__name__, name=node.attr,
                                                    what=type(value).__name__),
                             hint.format(spelled=ast.unparse(node), cls=cls.__name__, name=node.attr))
        return None

    def surely_object(self, node) -> bool:
        """Is `node` a value the function reads an attribute of which no ndarray and no number has (`g.P` of a
        record Gas(T, P), `cf.amount` of `for cf in flows`: `records.object_names`)? Then `g.T` is that object's
        attribute too, not NumPy's transpose (`prims.ATTRIBUTES`), and `b.mean()` its method, not np.mean."""
        found = getattr(self, "_objects", None)
        if found is None or found[0] is not self.src.tree:
            tree = self.src.tree
            users = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | \
                {n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)}
            found = self._objects = (tree, records.object_names(tree), users)
        return records.object_key(node, users=found[2]) in found[1]

    def class_of(self, atom):
        """The class of the user's object `atom` holds, where it is known before the code runs: the object a
        bound method is bound to (data), or the `self` parameter of a method defined in a class."""
        if not isinstance(atom, ir.Var):
            return None
        if atom.name in self.free:
            obj = self.free[atom.name][0]
            return type(obj) if user_object(obj) else None
        return self.classes.get(atom.name) or self.joined_class(atom)

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
            if node.attr in _NAMES and callable(base) and not isinstance(base, type):
                return getattr(base, node.attr, MISSING)  # (fn.__name__ for a log line: a string known now)
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


def _init_parameters(cls: type) -> list:
    """The names of the parameters of a class's __init__ after self (none where Python cannot tell)."""
    code = getattr(getattr(cls, "__init__", None), "__code__", None)
    return list(code.co_varnames[1:code.co_argcount]) if code is not None else []


def function_name(fv, attr: str):
    """`attr` (`__name__`, `__qualname__`, `__module__`, `__doc__`) of the function `fv` known while compiling: a
    Python function's own, or what Python gives a nested def or a lambda defined in the function being compiled
    (`outer.<locals>.inner`; the docstring as the running Python's compiler keeps it); else MISSING."""
    if fv is None or fv.bound_args or fv.bound_kwargs:
        return MISSING
    if fv.node is None:
        return getattr(fv.obj, attr, MISSING) if callable(fv.obj) and not isinstance(fv.obj, type) else MISSING
    name, src = fv.node.name, getattr(fv.definer, "src", None)
    if attr == "__name__":
        return name
    if src is None:
        return MISSING
    if attr == "__qualname__":
        return f"{src.name}.<locals>.{name}"
    if attr == "__module__":
        return src.globals.get("__name__", MISSING)
    raw = ast.get_docstring(fv.node, clean=False) if name != "<lambda>" else None
    if raw is None:
        return None
    made: dict = {}
    exec(f"def _():\n    {raw!r}\n", made)  # (3.13's compiler strips the docstring's indentation: its own way)
    return made["_"].__doc__
