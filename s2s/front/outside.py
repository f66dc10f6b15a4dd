"""Names the function reads from outside its text: constants folded into generated code, data (arrays,
lists, classes) given names generated code imports or is given, and refusals of what s2s cannot read
(complex numbers, ndarray subclasses, modules used as values); calls of what s2s does not read, their results
constants (`opaque_call`), and whether values are made of data from outside alone (`made_outside`).
`OutsideLowering` holds these methods of the SSA builder (ssa.py)."""
from __future__ import annotations

import ast
import builtins
import types

import numpy as np

from s2s import ir, prims
from s2s.errors import LibraryCall, S2SError
from s2s.front.inlining import RT
from s2s.front.libraries import home_module, library_function, shown
from s2s.front import numpy_callers
from s2s.front.functions import FunctionValue, function_of
from s2s.front.method_lookup import LIBRARIES, user_object
from s2s.front.source import MISSING
from s2s.rules import registry

# calls with no derivative of their own whose items are their arguments' (a loop over enumerate(x) reads x's)
_ITEMS_PASSED = frozenset(("builtins.enumerate", "builtins.zip"))
_LITERAL = frozenset((bool, int, float, str, type(None)))  # the values generated code writes as literals


class OutsideLowering:
    """(mixed into _Builder; reads the rest of its state through `self`)"""

    def constant_or_error(self, obj, name, node) -> ir.Atom:
        if isinstance(obj, (complex, np.complexfloating)) or \
                isinstance(obj, type) and issubclass(obj, (complex, np.complexfloating)) or \
                isinstance(obj, np.ndarray) and obj.dtype.kind == "c":
            what = "type" if isinstance(obj, type) else "array" if isinstance(obj, np.ndarray) else "number"
            raise self.error(node, f"the complex {what} '{name}'")  # (docs/limitations.md, Complex numbers)
        if isinstance(obj, np.ndarray) and type(obj) is not np.ndarray and not isinstance(obj, np.memmap):
            raise self.error(node, f"'{name}', a {type(obj).__name__} (a subclass of ndarray whose operations NumPy "
                                   f"defines differently)", f"read np.asarray({name}) into a module name of its own")
        # (a literal is a Python value: np.float64, a float of NumPy's, keeps its name, since generated code
        # would spell it 2.0, which NumPy 2 reads as a weak scalar: float32 * np.float64(2.0) is float64)
        if type(obj) in _LITERAL or obj is Ellipsis:
            return ir.Const(obj)
        if type(obj) is tuple and all(type(v) in _LITERAL for v in obj):
            return ir.Const(obj)
        if isinstance(obj, type):  # a class as a value: isinstance(x, np.ndarray)
            return ir.Var(self.free_name(name.rsplit(".", 1)[-1], obj))
        if callable(obj) and not isinstance(obj, types.ModuleType) and not user_object(obj):  # act = np.tanh
            return ir.Const(FunctionValue(name, obj))  # (a model with __call__ is data: self.W, self.layer)
        if isinstance(obj, types.ModuleType):
            raise self.error(node, f"the function or module '{name}' used as a value",
                             "call it, or pass the data it holds as an argument")
        return ir.Var(self.free_name(name, obj))

    def default_or_error(self, obj, name: str, node) -> ir.Atom:
        """The default value of the function's parameter `name`, as `constant_or_error` reads a value; a function
        (`h=act`, `h=lambda t: t * 5.0`) is data the generated signature reads (`def grad_f(x, h=act)`), as an
        array default is: a call of the parameter is refused, whatever its default (only the run time knows it)."""
        atom = self.constant_or_error(obj, name, node)
        if isinstance(atom, ir.Const) and isinstance(atom.value, FunctionValue):
            return ir.Var(self.free_name(name, obj))
        return atom

    def module_attribute(self, target, node: ast.Call) -> ir.Atom | None:
        """`hasattr(np, "trapezoid")` or `getattr(np, "trapezoid", np.trapz)` of a module named in the text (a version
        check): read while compiling, as `np.trapezoid` is, the cache checking the attribute stays present or absent
        (api/facts.py); None for any other call of `target` (hasattr or getattr)."""
        args = node.args
        if node.keywords or not 2 <= len(args) <= (2 if target is hasattr else 3) or \
                not isinstance(args[1], ast.Constant) or type(args[1].value) is not str or \
                any(isinstance(a, ast.Starred) for a in args):
            return None
        module = self.static_value(args[0])
        if not isinstance(module, types.ModuleType):
            made = self.made_container(args[0]) if target is hasattr else None
            # (hasattr(xs, 'keys') of a list, a tuple or a dict the function made: its type's, known here, so that
            # the branch not taken, `[xs[k] for k in xs]`, is never built)
            return None if made is None else ir.Const(hasattr(made(), args[1].value))
        present = hasattr(module, args[1].value)
        if target is hasattr:
            return ir.Const(present)
        if present or len(args) == 2:  # (absent without a default: Python's AttributeError, at the user's line)
            return self.atom(ast.copy_location(ast.Attribute(args[0], args[1].value, ast.Load()), node))
        return self.atom(args[2])

    def type_test(self, node) -> ir.Const | None:
        """`isinstance(xs, dict)`, `type(xs) is dict` (`is not`, `==`, `!=`) of a list, tuple or dict the function
        made, folded to its type's answer as `hasattr(xs, 'keys')` is (the branch not taken, `[xs[k] for k in xs]`
        of a list, is never built); None for any other test."""
        if isinstance(node, ast.Call) and self.static_value(node.func) is isinstance and len(node.args) == 2 and \
                not node.keywords:
            made, classes = self.made_container(node.args[0]), self.static_classes(node.args[1])
            return None if made is None or classes is None else ir.Const(isinstance(made(), classes))
        if not isinstance(node, ast.Compare) or len(node.ops) != 1 or \
                not isinstance(node.ops[0], (ast.Is, ast.IsNot, ast.Eq, ast.NotEq)):
            return None
        left, right = node.left, node.comparators[0]
        if not (isinstance(left, ast.Call) and self.static_value(left.func) is type):
            left, right = right, left  # (dict is type(xs))
        if not (isinstance(left, ast.Call) and self.static_value(left.func) is type and len(left.args) == 1 and
                not left.keywords):
            return None
        made, other = self.made_container(left.args[0]), self.static_value(right)
        if made is None or not isinstance(other, type):
            return None
        same = made is other
        return ir.Const(same if isinstance(node.ops[0], (ast.Is, ast.Eq)) else not same)

    def static_classes(self, node) -> type | tuple | None:
        """The class, or tuple of classes, that isinstance's second argument names while compiling, else None."""
        parts = node.elts if isinstance(node, ast.Tuple) else [node]
        classes = tuple(self.static_value(p) for p in parts)
        if not all(isinstance(c, type) for c in classes):
            return None
        return classes if isinstance(node, ast.Tuple) else classes[0]

    def made_container(self, node) -> type | None:
        """list, tuple or dict where `node` names one the function made (a display, list(...), tuple(...), dict(...):
        built-in types, whose attributes their type alone decides), else None."""
        if not isinstance(node, ast.Name) or node.id not in self.env:
            return None
        atom = self.env[node.id]
        if not isinstance(atom, ir.Var):
            return None
        made = self.definitions.get(atom.name)
        if self.list_root(atom) is not None:
            return list
        if self.surely_tuple(atom):
            return tuple
        if made is not None and made.op in prims.DICT_MAKERS or atom.name in self.dicts:
            return dict
        return None

    def free_name(self, name: str, obj) -> str:
        """A name for data the function reads from its module or closure (an array, a list...). Data read
        through a dotted name (`consts.W`, `Config.w`, `Mode.L1`) keeps it: its first part is the free name
        generated code imports or is given."""
        for existing, (value, _) in self.free.items():
            if value is obj:
                return existing
        if "." in name:
            root = name.partition(".")[0]
            root_obj = self.src.resolve(root)
            taken = root in self.defined or root in self.free and self.free[root][0] is not root_obj
            if root_obj is MISSING or taken:
                name = name.replace(".", "_")  # (given to the generated code's namespace as a value)
            else:
                self.free_name(root, root_obj)
                self.free[name] = (obj, None)
                return name
        if name in self.free or name in self.defined:
            name = self.namer.fresh(name)
        self.namer.reserve(name)
        module = getattr(self.src.func, "__module__", None) if name not in self.src.closure else None
        if module is not None and (self.src.globals.get(name) is not obj or getattr(builtins, name, None) is obj):
            module = home_module(obj, name)  # (generated code's namespace holds the builtins it read: `tuple`)
        self.free[name] = (obj, module)
        return name

    def helper_arguments(self, key: str, args: tuple) -> tuple:
        """`args` of a call of s2s's runtime helper `key` without a derivative, each library function among them
        (`gauss` of `rt.draw_shape(gauss, None, mu, sigma)`, the draw random.gauss(mu, sigma) is made of: generated
        code read again for a second derivative) the data generated code imports, as the first derivative's did."""
        if not key.startswith(RT) or not registry.is_nondiff(key):
            return args
        return tuple(ir.Var(self.free_name(a.value.name.rsplit(".", 1)[-1], a.value.obj))
                     if function_of(a) is not None and a.value.node is None and a.value.obj is not None and
                     not user_object(a.value.obj) and _library_callable(a.value.obj) else a for a in args)

    def refuse_uncalled(self, target, node, spelled: str) -> None:
        """Refuse what s2s cannot call as written: what is not callable, and the builtins that read the names of the
        code running them (globals(), locals(), eval(...): in s2s, the generated code's, silently other names)."""
        if not callable(target):
            raise self.error(node.func, f"a call to '{spelled}', which is not callable")
        frame = next((n for n in prims.READS_THE_FRAME if target is getattr(builtins, n)), None)
        if frame is not None and not (frame in ("vars", "dir") and node.args):  # (vars(obj): obj's attributes)
            raise self.error(node.func, f"{spelled}(), which reads the names of the code that runs it",
                             prims.READS_THE_FRAME[frame])

    def refuse_numpy_caller(self, target, args: tuple, kwargs: tuple, node, spelled: str) -> None:
        """Refuse a call of a NumPy function that calls functions it is given (np.piecewise's funclist,
        np.apply_along_axis's func1d: front/numpy_callers.py), where it is given any, at that argument."""
        def holds(atom) -> bool:
            parts = self.tuples.get(atom.name) if isinstance(atom, ir.Var) else None
            return function_of(atom) is not None or parts is not None and any(holds(p) for p in parts)
        if numpy_callers.caller(target) is not None and any(holds(a) for a in args + tuple(v for _, v in kwargs)):
            raise self.error(*numpy_callers.refusal(target, node, spelled))

    def opaque_call(self, target, args: tuple, kwargs: tuple, shown: str,
                    unfollowed: S2SError | None = None) -> ir.Call:
        """A call of `target` as it is, its result a constant: the AD stages refuse it where a derivative must pass
        through it, naming it as `shown` (and saying why s2s did not follow its source: `unfollowed`)."""
        if unfollowed is not None:
            why = (str(unfollowed).splitlines() or [type(unfollowed).__name__])[0].split(" (")[0]
            shown = LibraryCall(shown)
            shown.unfollowed = f"{target.__module__} ({why})"
        if self.library_call is not None:  # (special.zeta's _ufuncs._zeta: named as the user's call)
            shown = shown if isinstance(shown, LibraryCall) else LibraryCall(shown)
            shown.inside = self.library_call
        callee = self.free_name(shown.split(" (")[0].rsplit(".", 1)[-1], target)
        self.opaque[callee] = shown
        return ir.Call("call", (ir.Var(callee),) + args, kwargs)

    def library_scope(self, fn, node: ast.Call) -> str | None:
        """How the user called the library function `fn` whose source s2s follows (`special.zeta`), None for a
        function of the user's: its statements keep that call's line, and a refusal there names it."""
        return shown(node, fn) if fn is not None and library_function(fn) else None

    def constructed_class(self, atom) -> type | None:
        """The user's class `C` where `atom` is the object a call `C(...)` made as it is (a plain class, no record:
        its attributes are set by its __init__ as the code runs), else None. A plain `type` whose `__new__` is
        object's makes an object of `C` itself, whose methods are then `C`'s (`arm.fk(q)` as `Arm.fk(arm, q)`;
        the generated code checks, as for any object, that the object holds no `fk` of its own)."""
        made = self.definitions.get(atom.name) if isinstance(atom, ir.Var) else None
        if made is None or made.op != "call" or not isinstance(made.args[0], ir.Var):
            return None
        cls = self.free.get(made.args[0].name, (None,))[0]
        if not isinstance(cls, type) or type(cls) is not type or cls.__new__ is not object.__new__ or \
                (cls.__module__ or "").split(".")[0] in LIBRARIES:
            return None
        return cls

    def made_outside(self, args: tuple, kwargs: tuple) -> bool:
        """Are `args` and the values of `kwargs` made of constants and the module's data alone, by calls of them,
        never of the function's parameters (which every derivative is taken in), or by calls whose results carry
        no derivative whatever their arguments (len(x), x.shape, np.argmax(x))? A library function given only
        such values is called, not followed: its result carries no derivative (docs/limitations.md)."""
        known: dict = {}

        def outside(a) -> bool:
            if isinstance(a, ir.Const):
                return True
            if not isinstance(a, ir.Var):  # (a *spread)
                return False
            if a.name not in known:
                known[a.name] = False  # (until shown)
                made = self.definitions.get(a.name)
                known[a.name] = a.name in self.free and a.name not in self.defined or made is not None and (
                    registry.is_nondiff(made.op) and made.op not in _ITEMS_PASSED or
                    all(outside(b) for b in made.args + tuple(v for _, v in made.kwargs)))
            return known[a.name]
        return all(outside(a) for a in args) and all(isinstance(k, tuple) and outside(k[1]) for k in kwargs)


def _library_callable(obj) -> bool:
    """Is `obj` a library's function, or a method of a library's object (np.random.uniform of NumPy 1's global
    RandomState, a builtin method whose own module NumPy 1 does not name)?"""
    owner = getattr(obj, "__self__", None)
    return library_function(obj) or owner is not None and not isinstance(owner, types.ModuleType) and \
        (type(owner).__module__ or "").split(".")[0] in LIBRARIES
