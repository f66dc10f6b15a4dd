"""Functions as values while building SSA: nested `def`s, `lambda`s, helpers passed as arguments.

A function is a compile-time value (`FunctionValue`), held in the builder's
environment as an `ir.Const`: `act = np.tanh`, `def step(y): ...`,
`lambda t: t * w`, `functools.partial(f, a)` or a callable s2s returned
(`s2s.grad(loglike)`). Each call of one is resolved while building: a
primitive's call, or the callee's body inlined with its parameters bound, a
nested function reading the variables of the function that defined it as
Python does (their values when it is called). A function value never reaches
generated code: one that is stored, returned or chosen by a branch is refused
at the user's line (`check_no_function_values`).
"""
from __future__ import annotations

import ast
import inspect
import linecache
import re
import symtable
import textwrap
import types
from dataclasses import dataclass

from s2s import ir, prims
from s2s.errors import NonDifferentiableError, S2SError, SourceUnavailableError, UnsupportedSyntaxError, matrix_inside
from s2s.front.callbacks import library_callback
from s2s.front.effects import RAISE
from s2s.front.method_lookup import Dispatch, Method
from s2s.front.parameters import local_names
from s2s.front.source import Source, lambda_as_def
from s2s.rules import registry


@dataclass(frozen=True, eq=False)
class FunctionValue:
    """A function known while compiling (equal only to itself)."""

    name: str  # as the user wrote it
    obj: object = None  # a Python callable (module function, NumPy function, s2s transformation)
    node: ast.FunctionDef | None = None  # a nested def, or a lambda as a def
    definer: object = None  # the builder whose variables a nested function reads
    defaults: tuple = ()  # a nested def's default values (atoms), evaluated where it is defined
    bound_args: tuple = ()  # functools.partial(f, *args, **kwargs)
    bound_kwargs: tuple = ()
    settle: tuple | None = None  # the pullback of an inlined s2s.vjp: its result as the call's (inlining.settled)

    def __repr__(self):
        return f"<function {self.name}>"


def function_of(atom) -> FunctionValue | None:
    return atom.value if isinstance(atom, ir.Const) and isinstance(atom.value, FunctionValue) else None


class FunctionLowering:
    """(mixed into the SSA builder, ssa.py; reads its state through `self`)"""

    outer = None  # for a nested function's body: the builder of the function that defined it

    # ----- making function values
    def define_function(self, s: ast.FunctionDef) -> None:
        """`def name(...): ...` inside the function: a function value bound to `name`."""
        if s.decorator_list:
            raise self.error(s.decorator_list[0], "a decorator on a nested function",
                             "call the decorator on the function: name = decorator(name)")
        self.check_parameters(s.args)
        defaults = tuple(self.atom(d) for d in s.args.defaults)
        self.env[s.name] = ir.Const(FunctionValue(s.name, node=s, definer=self, defaults=defaults))
        self.bound(s.name)

    def lambda_value(self, node: ast.Lambda) -> ir.Const:
        self.check_parameters(node.args)
        defaults = tuple(self.atom(d) for d in node.args.defaults)
        return ir.Const(FunctionValue("lambda", node=lambda_as_def(node), definer=self, defaults=defaults))

    def check_parameters(self, args: ast.arguments) -> None:
        extra = args.vararg or args.kwarg or (args.kwonlyargs[0] if args.kwonlyargs else None) or \
            (args.posonlyargs[0] if args.posonlyargs else None)
        if extra is not None:
            raise self.error(extra, "a *args, **kwargs, keyword-only or positional-only parameter of a nested "
                                    "function", "give it plain parameters")

    def sees(self, name: str) -> bool:
        """Is `name` a variable here or in a function this one is nested in (one it assigns somewhere is, from its
        first line: Python never reads the module's name of that spelling there)?"""
        return name in self.env or name in local_names(self.src.tree) or \
            (self.outer is not None and self.outer.sees(name))

    def read_enclosing(self, name: str, node):
        """A nested function reads a variable of the function that defined it: its value now, as Python
        does (a name the nested function assigns is its own, even before the assignment)."""
        if name in local_names(self.src.tree):
            raise self.error(node, f"reading '{name}' before this function assigns it",
                             f"assign '{name}' first, or give the local variable another name")
        return self.outer.read(name, node)

    # ----- calling them
    def apply(self, fv: FunctionValue, args: tuple, kwargs: tuple, node, returns_none: bool = False) -> ir.Expr:
        """The value of calling the function value `fv` (`returns_none`: a nested function called for its effect,
        which may end without a return)."""
        args, kwargs = fv.bound_args + tuple(args), fv.bound_kwargs + tuple(kwargs)
        if fv.node is None:
            return self.call_object(fv.obj, args, kwargs, node, fv.name)
        src = Source(tree=fv.node, filename=fv.definer.src.filename, text="", func=None,
                     globals=fv.definer.src.globals, closure=fv.definer.src.closure)
        return self.inline_source(src, fv.name, args, kwargs, node, outer=fv.definer, defaults=fv.defaults,
                                  returns_none=returns_none, settle=fv.settle)

    def choice_of(self, atom, bound: ir.Atom = ir.Const(True)):
        """The functions `atom` may be, as a tree: a FunctionValue, or (test, (then, else)) for the join of an if
        whose two operands are such trees (the test an SSA value in scope wherever the join is: it dominates
        it, and a branch on it sees what the if's arms defined, nested tests included), or NOTHING where the
        name holds None. `bound` is the name's flag where it is read (`<bound fn>`, a join of True and False
        where some path leaves it unbound, `else: raise ValueError(...)`): the read raised on those paths, so
        a call never takes them, and their side is left out. None if some leaf is not a function known while
        compiling, or none is."""
        tree = self._choice(atom, bound)
        return tree if tree is UNBOUND or tree is not None and _some_function(tree) else None

    def _choice(self, atom, bound: ir.Atom | None):
        if bound == ir.Const(False):
            return UNBOUND
        fv = function_of(atom)
        if fv is not None:
            return fv
        if atom == ir.Const(None):
            return NOTHING
        if isinstance(atom, ir.Var) and atom.name not in self.joins:  # (ACT['gelu']: a module dict's entry)
            entry = self.table_entry(atom)
            table, key = self.definitions[atom.name].args if entry is not None else (None, None)
            return None if entry is None else FunctionValue(f"{table.name}[{key.value!r}]", entry)
        if not isinstance(atom, ir.Var):
            return None
        test, operands = self.joins[atom.name]
        flags = (bound, bound) if isinstance(bound, ir.Const) else (None, None)
        if isinstance(bound, ir.Var) and self.joins.get(bound.name, (None,))[0] == test:
            flags = self.joins[bound.name][1]  # (the flag's join at the same if)
        sides = tuple(self._choice(o, f) for o, f in zip(operands, flags))
        if any(side is None for side in sides):
            return None
        if UNBOUND in sides:
            return sides[1] if sides[0] is UNBOUND else sides[0]
        if isinstance(test, ir.Const) and isinstance(test.value, (bool, int, float, str, type(None))):
            return sides[0] if test.value else sides[1]  # (chosen while compiling: np.sin if True else np.cos)
        if all(isinstance(side, FunctionValue) for side in sides) and _same_function(*sides):
            return sides[0]  # (np.sin on both sides: one call)
        return test, sides

    def call_choice(self, choice, args: tuple, kwargs: tuple, node) -> ir.Atom:
        """The value of calling the functions `choice` (a tree of `choice_of`): a branch on the test that chose
        them, each arm calling its own function, as one writes `np.sin(u) if c else np.cos(u)`."""
        if isinstance(choice, FunctionValue):
            return self.materialise(self.apply(choice, args, kwargs, node))
        if choice is UNBOUND:  # (a local name no path to here assigned: its read raised, nothing is called)
            return ir.Const(None)
        if choice is NOTHING:  # None called: Python's TypeError
            message = ir.Const("'NoneType' object is not callable")
            self.emit(ir.Effect(ir.Call(RAISE, (self.exception_class(TypeError), message)), self.loc))
            return ir.Const(None)
        test, sides = choice
        key = f"<chosen{len(self.block)}>"

        def arm(side):
            def run():
                self.env[key] = self.call_choice(side, args, kwargs, node)
            return run
        self._branch(test, arm(sides[0]), arm(sides[1]), node)
        return self.env.pop(key)

    def partial_value(self, args: tuple, kwargs: tuple, node) -> ir.Const:
        """`functools.partial(f, *args, **kwargs)` of a function value."""
        fv = function_of(args[0]) if args else None
        if fv is None:
            raise self.error(node, "functools.partial of something that is not a function known here",
                             "pass a function defined in your module, a nested def or a lambda")
        return ir.Const(FunctionValue(f"partial({fv.name})", fv.obj, fv.node, fv.definer, fv.defaults,
                                      fv.bound_args + tuple(args[1:]), fv.bound_kwargs + tuple(kwargs), fv.settle))

    def transform_now(self, transform, args: tuple, kwargs: tuple, node) -> ir.Const:
        """`s2s.grad(loglike)` (any s2s transformation) inside the function: transformed while compiling,
        so that its generated code is inlined where it is called. The function is one known here: a module-level
        function (or a name bound to it), or a method of a module-level object of the user's (`s2s.grad(M.loss)`)."""
        name = getattr(transform, "__name__", "transformation")
        fv = function_of(args[0]) if args else None
        if fv is None and args and node.args and isinstance(node.args[0], ast.Attribute):
            fv = self.method_value(node.args[0])
            if fv is None:
                fv = self.method_of_self(transform, name, args, kwargs, node)
                if isinstance(fv, ir.Const):
                    return fv
        rest = list(args[1:]) + [v for _, v in kwargs]
        if fv is not None and fv.node is not None and not fv.bound_args and not fv.bound_kwargs:
            fv = FunctionValue(fv.name, self.python_function(fv, name, node))
        if fv is None or fv.node is not None or fv.bound_args or fv.bound_kwargs:
            raise self.transform_refusal(name, fv, node)
        if not all(isinstance(a, ir.Const) and function_of(a) is None for a in rest):
            raise self.error(node, f"s2s.{name} with options that are not constants",
                             f"write the options as constants in the call: s2s.{name}(function, wrt=0)")
        made = transform(fv.obj, *(a.value for a in args[1:]), **{k: v.value for k, v in kwargs})
        return ir.Const(FunctionValue(f"{name}({fv.name})", made))

    def packed_arguments(self, target, args: tuple, kwargs: tuple, node, spelled: str) -> tuple[tuple, tuple]:
        """The arguments (args, kwargs) of the generated `jvp_f` for a call `jf(primals, tangents, **kw)` of an
        `s2s.jvp` transformation, the two tuples written in the call or in the function: the primals by position,
        f's keyword arguments by name, and the tangents by the names jvp_f gives them (`dx` for `x`). A positional
        parameter of f left out takes f's default, the value Python computed when f was defined (jvp_f has none
        for them, since its tangents follow them), as at top level."""
        parts = [self._tuple_parts(a) for a in args] if len(args) == 2 else [None]
        if any(p is None for p in parts):
            raise self.error(node, f"{spelled}(...) of an s2s.jvp with primals or tangents that are not tuples "
                                   "written in the function", f"write {spelled}((x, y), (dx,)): every positional "
                                                             "argument, then one tangent per wrt entry")
        named = dict(self.no_spread(kwargs))
        expected, tangent_names = target.__s2s_packed__(), target.__s2s_tangent_names__()
        primals, tangents = tuple(parts[0]), tuple(parts[1])
        if len(tangents) != len(tangent_names):
            raise self.error(node, f"{spelled}(primals, tangents) with {len(tangents)} tangent(s) where it "
                                   f"differentiates with respect to {len(tangent_names)} argument(s)",
                             "pass one tangent per wrt entry, in a tuple: (dx,) for one")
        left = [p for p in target._current().__code__.co_varnames[len(primals):expected] if p not in named]
        defaults = target.__s2s_defaults__(left)
        if any(p not in defaults for p in left):
            raise self.error(node, f"{spelled}(primals, tangents) with {len(primals)} primal(s) where the function "
                                   f"takes {expected} positional argument(s)",
                             "pass every positional argument in primals (those without a default at least)")
        for p in left:  # (f's own default: the one object Python made when f was defined, as a call of f reads it)
            named[p] = self.constant_or_error(defaults[p], f"{p}_default", node)
        return primals, tuple(named.items()) + tuple(zip(tangent_names, tangents))

    def python_function(self, fv: FunctionValue, transform: str, node):
        """The Python function a nested `def` or `lambda` of the function being compiled is where it reads nothing of
        that function's (or of the functions it is nested in) but their closure and module: made from its own text
        in the user's file (where s2s reads its source again), its free variables cells holding the closure's values
        (`lambda z: np.sum(f(z))` of `def g(x)`, f a variable of the factory g is made in). One that reads a variable
        of the function itself, whose value only the run knows, is refused, saying what to write."""
        definer, spelled = fv.definer, ast.unparse(node.args[0])
        found = _definition_at(definer.src.filename, fv.node)
        if found is None:
            raise self.transform_refusal(transform, fv, node)
        tree, text = found
        cells = {}
        for free in _free_names(text):
            scope = definer
            while scope is not None and not (free in scope.env or free in local_names(scope.src.tree)):
                scope = scope.outer
            known = _known_value(scope, free) if scope is not None else _UNKNOWN
            if known is not _UNKNOWN:
                cells[free] = known
                continue
            if scope is not None:
                own = spelled if spelled.isidentifier() else "h"  # (its own name: `h` may be the user's step)
                written = f"lambda z, {free}: ..." if fv.name == "lambda" else own
                made = written if fv.name == "lambda" else f"def {own}(z, {free}): ..."
                fix = f"make '{free}' a parameter of it ({made}) and pick the derivative with wrt=0: " \
                      f"s2s.{transform}({written}, wrt=0)(z, {free})"
                if transform in ("jacobian", "hessian"):  # (whose matrix s2s cannot differentiate again)
                    named = f"{own} = {written}" if fv.name == "lambda" else made
                    inside = matrix_inside(transform == "hessian", own)
                    fix = f"make '{free}' a parameter of it ({named}); then, as s2s does not differentiate the " \
                          f"matrix s2s.{transform} makes, {inside[0].lower()}{inside[1:]}"
                raise self.error(node, f"s2s.{transform} of '{spelled}', a function defined inside the function "
                                       f"that reads '{free}', a variable of the function whose value only the run "
                                       f"knows", fix)
            if free in definer.src.closure:
                cells[free] = definer.src.closure[free]
        if not all(isinstance(d, ir.Const) and function_of(d) is None for d in fv.defaults):
            raise self.transform_refusal(transform, fv, node)
        # compiled inside a function whose variables are its free ones (Python then reads them from cells)
        at = lambda n: ast.copy_location(n, tree)  # noqa: E731 (the made statements at the definition's line)
        body = [at(ast.Assign([at(ast.Name(v, ast.Store()))], at(ast.Constant(None)))) for v in cells]
        body.append(tree if isinstance(tree, ast.FunctionDef) else at(ast.Expr(tree)))
        outer = at(ast.FunctionDef(name="_s2s_outer", args=ast.arguments([], [], None, [], [], None, []), body=body,
                                   decorator_list=[], returns=None, type_comment=None,
                                   **({"type_params": []} if "type_params" in ast.FunctionDef._fields else {})))
        module = ast.Module([outer], type_ignores=[])
        code = compile(ast.fix_missing_locations(module), definer.src.filename, "exec", dont_inherit=True)
        name = "<lambda>" if fv.name == "lambda" else tree.name
        inner = next(c for c in next(c for c in code.co_consts if isinstance(c, types.CodeType)).co_consts
                     if isinstance(c, types.CodeType) and c.co_name == name)
        made = types.FunctionType(inner, definer.src.globals, name,
                                  tuple(d.value for d in fv.defaults) or None,
                                  tuple(types.CellType(cells[v]) for v in inner.co_freevars))
        made.__qualname__ = f"{definer.src.name}.<locals>.{name}"
        return made

    def unreadable(self, fn, exc: SourceUnavailableError, node) -> NonDifferentiableError:
        """The refusal of the call `node` of `fn`, whose source s2s could not read (`exc`): a module edited since it
        was imported, a transformation (`s2s.grad(max)(x)`) of a function without source, or a function without
        source or rule."""
        line = self.src.line(node.lineno)
        if "not the code Python runs" in str(exc):  # (its file edited since it was imported: reload it)
            return NonDifferentiableError(fn.__qualname__, self.src.filename, node.lineno, line,
                                          str(exc).split(": ", 1)[-1].split(": reload")[0],
                                          "Reload the module that defines it (importlib.reload, or restart the "
                                          "kernel), so that s2s differentiates what runs.")
        written_in_c = "; transform a Python function" in str(exc)
        if written_in_c and getattr(fn, "__s2s_generated__", None) is not None:  # (s2s.grad(max): what it transforms)
            spelled = ast.unparse(node.func)
            inner = ast.unparse(node.func.args[0]) if isinstance(node.func, ast.Call) and node.func.args else exc.name
            written = spelled.replace(inner, f"lambda x: {inner}(x)", 1) if inner in spelled else spelled
            return NonDifferentiableError(spelled, self.src.filename, node.lineno, line, str(exc).split(
                "; transform a Python function")[0], f"Transform a function that calls it instead: {written}")
        return NonDifferentiableError(fn.__qualname__, self.src.filename, node.lineno, line,
                                      "it has no derivative rule and its source is unavailable")

    def method_of_self(self, transform, name: str, args: tuple, kwargs: tuple, node) -> ir.Const | None:
        """`s2s.grad(self.loss)` in a method whose object is known only as the code runs (a parameter `self`,
        its class known): the transformation of the method's function, its wrt counted after `self` (as for a
        bound method at top level), called with the object first (`s2s.grad(Learner.loss, wrt=1)(self, w)`),
        after the check that the object's class runs that method (`dispatch`); None where the object's class finds
        several methods of that name, or none."""
        found = self.method_of(node.args[0]) if name != "jvp" else None  # (jvp's primals: a tuple, self not first)
        if not isinstance(found, Dispatch) or len(found.arms) != 1 or found.by_class:
            return None
        method = found.arms[0][0]
        if not inspect.isfunction(method.fn) or method.takes not in ("self", "class"):
            return None
        options = dict(zip(("wrt",), args[1:]), **dict(kwargs))
        if len(args) > 2 or not all(isinstance(a, ir.Const) and function_of(a) is None for a in options.values()):
            return None  # (refused below: options that are not constants, or given by position after wrt)
        options = {k: v.value for k, v in options.items()}
        wrt = options.get("wrt", 0)
        after = (lambda w: w + 1 if type(w) is int and w >= 0 else w)  # noqa: E731
        options["wrt"] = tuple(map(after, wrt)) if isinstance(wrt, (tuple, list)) else after(wrt)
        made = transform(method.fn, **options)
        spelled = ast.unparse(node.args[0])
        return self.dispatch(found, found.base, lambda m, first: ir.Const(FunctionValue(
            f"{name}({spelled})", made, bound_args=first)), node, None)

    def method_value(self, spelled: ast.Attribute) -> FunctionValue | None:
        """`M.loss` for a module-level object M of a class of the user's that defines the method `loss`: the
        method bound to M (the object is data, read by reference), as s2s descends into `M.loss(x)`."""
        found = self.method_of(spelled)  # (front/methods.py: a Method where the object is known while compiling)
        if not isinstance(found, Method) or not inspect.isfunction(found.fn):
            return None
        obj = self.free[found.base.name][0]
        return FunctionValue(ast.unparse(spelled), getattr(obj, spelled.attr))

    def transform_refusal(self, name: str, fv, node) -> S2SError:
        """The refusal of `s2s.grad(f)` inside the function where `f` is no module-level function known here."""
        spelled = ast.unparse(node.args[0]) if node.args else "f"
        if fv is not None and fv.node is not None:
            return self.error(node, f"s2s.{name} of '{spelled}', a function defined inside the function",
                              f"define it outside this function: in the function that makes this one (a closure "
                              f"of it), or at module level, passing what it reads from here as arguments, and "
                              f"call s2s.{name} of it here")
        if fv is not None:
            return self.error(node, f"s2s.{name} of '{spelled}', a function with arguments bound by "
                                    "functools.partial", f"define a module-level function that takes them as "
                                                         f"parameters, and pick the derivative with wrt=")
        found = self.method_of(node.args[0]) if node.args and isinstance(node.args[0], ast.Attribute) else None
        if isinstance(found, Dispatch):  # (self.loss of an object known as the code runs: its class's function)
            owner = found.arms[0][0].owner.__name__ if found.arms else found.cls.__name__
            base, attr = ast.unparse(node.args[0].value), node.args[0].attr
            call = f"s2s.{name}({owner}.{attr}, wrt=1)" + (f"(({base}, x), (dx,))" if name == "jvp" else f"({base}, x)")
            if found.arms and found.arms[0][0].takes != "self":  # (a class method: Learner.make is bound already)
                call = f"s2s.{name}({owner}.{attr})" + ("((x,), (dx,))" if name == "jvp" else "(x)")
            if len(found.arms) > 1:  # (each class's own: chosen by the object's class, as a call self.loss(x) is)
                owners = [m.owner.__name__ for m, _ in found.arms]
                return self.error(node, f"s2s.{name} of '{spelled}', a method of an object known only as the code "
                                        f"runs, which the classes {', '.join(owners)} define each their own way",
                                  f"transform each class's function, its wrt counted after '{base}', in a branch on "
                                  f"the object's class: {call} if isinstance({base}, {owner}) else ...")
            return self.error(node, f"s2s.{name} of '{spelled}', a method of an object known only as the code runs",
                              f"transform the class's function, its wrt counted after '{base}': {call}")
        if node.args and isinstance(node.args[0], ast.Subscript):
            held, index = ast.unparse(node.args[0].value), node.args[0].slice
            if not isinstance(index, ast.Constant):  # (s2s.grad(LOSSES[t]) in a loop over t: no name to bind)
                i = ast.unparse(index)
                listed = "" if type(self.static_value(node.args[0].value)) is not list else \
                    f", {held} made a tuple ({held} = (...) in place of [...]: a list may change between calls of " \
                    f"what s2s compiled once)"
                return self.error(node, f"s2s.{name} of '{spelled}', a function taken from a container by an index "
                                        "only the run time knows", f"loop over the functions themselves, which s2s "
                                  f"follows one by one: for fn in {held}: ... s2s.{name}(fn) ... (for {i}, fn in "
                                  f"enumerate({held}) where {i} is read too){listed}; to pick one by a value, bind "
                                  f"each to a module-level name (f0 = {held}[0]) and choose the call with if/elif: "
                                  f"s2s.{name}(f0) if {i} == 0 else s2s.{name}(f1)")
            return self.error(node, f"s2s.{name} of '{spelled}', a function taken from a container (s2s does not "
                                    "check later that the entry stays the same)",
                              f"bind the function to a module-level name, f = {spelled}, and call "
                              f"s2s.{name}(f)")
        passed = self.passed_function(self.env.get(node.args[0].id), name) \
            if node.args and isinstance(node.args[0], ast.Name) else None
        if passed is not None:
            return self.error(node, f"s2s.{name} of '{spelled}', {passed[0]}", passed[1])
        return self.error(node, f"s2s.{name} of '{spelled}', which is not a function s2s knows while compiling "
                                "(a parameter, or a value the code computes)",
                          f"call s2s.{name} of a module-level function by its name, or make the transformed "
                          f"function at module level and pass what differs as an argument")


def check_no_function_values(body: list, filename: str, opaque: dict | None = None) -> None:
    """Drop the unused statements that hold function values (a tuple of activations never read whole);
    a function value still used at run time (returned, stored, passed to a call s2s does not descend
    into, chosen by a branch) is refused at its line; passed to a library call s2s calls as it is (its name
    in `opaque`: `scipy.integrate.solve_ivp(rhs, ...)`), the refusal names that call and says what to write."""
    while True:
        used = {a.name for s in ir.statements(body) for a in ir.operands(s) if isinstance(a, ir.Var)}
        removed = _drop_unused(body, used, _joins_of_functions(body) | _displays_of_functions(body))
        if not removed:
            break
    for s in ir.statements(body):
        for a in ir.operands(s):
            found = _function_in(a)
            if found is not None:
                loc = s.loc
                text = loc.text if loc is not None else ""
                value = getattr(s, "value", None)
                if isinstance(value, ir.Call) and value.op == "call" and _generated(found.obj):
                    # (rt.forward_gradient(jvp_grad_f, ...): the second derivative s2s generated, api/transform.py)
                    raise S2SError(
                        f"a third derivative of a function whose loops keep values for their gradient: its second "
                        f"derivative is forward mode over the gradient's loops, rt.forward_gradient of {found.name} "
                        f"({loc.file if loc is not None and loc.file else filename}), which s2s does not "
                        f"differentiate again. Take the third derivative by "
                        f"central differences of the second, (g2(x + h) - g2(x - h)) / (2 * h) with g2 = "
                        f"s2s.grad(s2s.grad(f)), or write the loop's iterations out if it has few")
                file = loc.file or filename if loc else filename
                raw = linecache.getline(file, loc.line) if loc else ""
                if not getattr(text, "call", ""):  # (a library's line at the user's call keeps what it calls)
                    text = raw if raw.strip() and raw.strip() == text.strip() else text  # (at the name's column)
                at = re.search(rf"(?<![\w.]){re.escape(found.name)}\b", text)
                if isinstance(value, ir.Call) and value.op in registry.RECURSIVE_KEYS:
                    callee = getattr(prims.python_object(value.op), "__name__", "the recursive function")
                    raise UnsupportedSyntaxError(
                        f"the function '{found.name}' passed to the recursive function {callee}, whose derivative "
                        f"s2s makes once for all its calls, while it resolves every call of a function value as it "
                        f"compiles", file, loc.line if loc else 0, at.start() if at else len(text) - len(
                            text.lstrip()), text,
                        f"call {found.name} by its name inside {callee} (and leave it out of {callee}'s "
                        f"parameters); for several functions, write one recursive function for each")
                column = at.start() if at else len(text) - len(text.lstrip())
                callee = value.args[0] if isinstance(value, ir.Call) and value.op == "call" and value.args else None
                if isinstance(callee, ir.Var) and (opaque or {}).get(callee.name) is not None and a is not callee:
                    raise UnsupportedSyntaxError(*library_callback(opaque[callee.name], found.name, file,
                                                                   loc.line if loc else 0, column, text))
                raise UnsupportedSyntaxError(
                    f"the function '{found.name}' used as a value here (stored, returned, passed to a call s2s "
                    "does not descend into, or chosen by a branch)", file, loc.line if loc else 0,
                    at.start() if at else len(text) - len(text.lstrip()), text,
                    "call it where it is needed: s2s resolves every call of a function value while compiling")


_UNKNOWN = object()


def _known_value(scope, name: str):
    """The value of the variable `name` of the function `scope` builds, where it is known while compiling and stays
    so (a function, `f` of a factory inlined here, or a constant; bound once there), else _UNKNOWN."""
    atom = scope.env.get(name)
    fv = function_of(atom)
    if not isinstance(atom, ir.Const) or fv is not None and (fv.node is not None or fv.bound_args or fv.bound_kwargs):
        return _UNKNOWN
    if fv is None and not isinstance(atom.value, (bool, int, float, str, type(None))):
        return _UNKNOWN
    tree = scope.src.tree
    stores = sum(isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and n.id == name
                 for s in tree.body for n in ast.walk(s))
    if stores + (name in {a.arg for a in tree.args.args}) != 1:
        return _UNKNOWN
    return fv.obj if fv is not None else atom.value


def _definition_at(filename: str, node: ast.FunctionDef):
    """(the `def` or `lambda` of the user's file at `node`'s place, parsed afresh from the file, and its text), or
    None where the file's text does not hold it (s2s's own lowering may have rewritten `node`)."""
    lines = linecache.getlines(filename)
    try:
        module = ast.parse("".join(lines))
    except (SyntaxError, ValueError):
        return None
    kind = ast.Lambda if node.name == "<lambda>" else ast.FunctionDef
    for found in ast.walk(module):
        if isinstance(found, kind) and (found.lineno, found.col_offset) == (node.lineno, node.col_offset):
            text = ast.get_source_segment("".join(lines), found, padded=True)
            return (found, text) if text is not None else None
    return None


def _free_names(text: str) -> set:
    """The names the function `text` (a def's or a lambda's) reads from outside itself and its nested scopes."""
    body = textwrap.dedent(text).strip()
    table = symtable.symtable(f"({body})" if body.startswith("lambda") else body, "<s2s>", "exec")
    out, todo = set(), list(table.get_children())
    while todo:
        scope = todo.pop()
        out |= {s.get_name() for s in scope.get_symbols() if s.is_global()}
        todo += scope.get_children()
    return out


NOTHING = "None"  # (a leaf of a choice where the name holds None: calling it raises TypeError)
UNBOUND = "unbound"  # (where the name is unbound: the read raised, no call takes that side)


def _generated(obj) -> bool:
    """Is `obj` a function s2s generated (its code's pseudo-file is s2s's, `<s2s ...>`)?"""
    return getattr(getattr(obj, "__code__", None), "co_filename", "").startswith("<s2s")


def _some_function(tree) -> bool:
    if isinstance(tree, FunctionValue):
        return True
    return tree is not NOTHING and any(_some_function(side) for side in tree[1])


def _same_function(a: FunctionValue, b: FunctionValue) -> bool:
    """Do `a` and `b` call the same thing with the same bound arguments (np.sin written on both sides)?"""
    return a is b or (a.node is None and b.node is None and a.obj is b.obj and not a.bound_args and
                      not b.bound_args and not a.bound_kwargs and not b.bound_kwargs)


def _joins_of_functions(body: list) -> set:
    """The phis that may hold a function value: one of their operands is one, or such a phi (`fn` chosen inside
    a branch, joined again with None at its end, where the name is unbound on the other side)."""
    names: set = set()
    phis = [p for s in ir.statements(body) if isinstance(s, (ir.If, ir.Loop)) for p in s.phis]
    while True:
        found = {p.target for p in phis if p.target not in names and any(
            _function_in(o) or isinstance(o, ir.Var) and o.name in names for o in p.operands if o is not None)}
        if not found:
            return names
        names |= found


def _displays_of_functions(body: list) -> set:
    """The tuples and lists written in the function that hold a function value, directly or in a display they hold
    (`layers = [(W1, gelu), (W2, np.tanh)]`, whose items a constant index or an unrolled loop reads while
    compiling: unused then, as the function values are)."""
    made = [s for s in ir.statements(body) if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call) and
            s.value.op in _DISPLAYS]
    names: set = set()
    while True:
        found = {s.target for s in made if s.target not in names and any(
            _function_in(a) or isinstance(a, ir.Var) and a.name in names for a in s.value.args)}
        if not found:
            return names
        names |= found


_DISPLAYS = frozenset({"tuple", "list"})


def _drop_unused(stmts: list, used: set, holders: set) -> bool:
    removed = False
    keep = []
    for s in stmts:
        if isinstance(s, ir.Assign) and s.target not in used and (s.target in holders or any(
                _function_in(a) for a in ir.operands(s))):
            removed = True
            continue
        for block in ir.blocks(s):
            removed |= _drop_unused(block, used, holders)
        if isinstance(s, (ir.If, ir.Loop)):
            kept = [p for p in s.phis if p.target in used or p.target not in holders]
            removed |= len(kept) != len(s.phis)
            s.phis[:] = kept
        keep.append(s)
    stmts[:] = keep
    return removed


def _function_in(atom) -> FunctionValue | None:
    if not isinstance(atom, ir.Const):
        return None
    v = atom.value
    if isinstance(v, FunctionValue):
        return v
    if isinstance(v, tuple):
        for part in v:
            found = _function_in(ir.Const(part))
            if found is not None:
                return found
    return None
