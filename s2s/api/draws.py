"""One draw of random numbers for a derivative computed by several calls of the generated code.

Where no vectorised sweep applies, a forward-mode Jacobian (and so a Hessian, forward over reverse) pushes
one basis tangent per call of the generated code, and each call runs the function again: a function that
draws random numbers inside (a dropout mask) would draw new ones for every column, and the matrix would be
the derivative of no one call (not even symmetric, for a Hessian); so would a gradient taken by forward
sweeps, one per entry (rt.forward_gradient, which asks for the `Draws` set in runtime/sweeps.py). `Draws`
makes every call draw what the first one drew: before the first call of generated code that may draw, it
saves the state of each random number generator that code can reach, and before every later call it puts
that state back. The generators are left as one call of the function leaves them.

Which generated code may draw is read once per generated function from its text and the names of its module:
a call of a function of `numpy.random` or of Python's `random`, of a generator's method, of a method of any
object other than the code's own stacks and arrays (`rng.normal(n)`, `self.rng.normal(n)`, `sampler.step()`),
of `next`, or of a callable s2s does not know to draw nothing (a function of the user's declared
s2s.nondifferentiable or with a rule, a library's function). Where it may draw, the generators saved are
NumPy's and Python's global ones and every generator reachable, a few steps deep, from the objects the code
names (its module's data and functions, `self` of a bound method, the functions it calls with their
globals and closures, the modules they name) and from the arguments: through containers, attributes of
objects, a function's globals and closure. What cannot be put back (an iterator's next item, a generator made
inside the function without a seed, `np.random.default_rng()`) gives each call other numbers all the same: the
calls' values are compared (`Draws.after`; a pullback that runs the function again, where the code may call
something other than a generator's draw, runs it once more first) and the derivative refused where they differ.
"""
from __future__ import annotations

import ast
import builtins
import functools
import itertools
import linecache
import random
import sys
import types

import numpy as np

from s2s import prims, runtime
from s2s.back.compile import GENERATED_MODULE
from s2s.errors import S2SError
from s2s.front.effects import DRAWS
from s2s.runtime import sweeps, trees

GENERATORS = (np.random.Generator, np.random.RandomState, np.random.BitGenerator, random.Random)
# NumPy's global generator (np.random.rand and the other functions of the module) and Python's (random.random)
GLOBAL_GENERATORS = (np.random.mtrand._rand, random.random.__self__)
# the packages whose functions draw nothing (numpy.random is told apart first; s2s's runtime calls only NumPy)
_DETERMINISTIC = frozenset(("numpy", "math", "cmath", "builtins", "operator", "s2s"))
_DETERMINISTIC_MODULES = ("scipy.special", "scipy.linalg")
_CACHE_KEY, _RERUNS_KEY = "_s2s_may_draw", "_s2s_reruns"
# the methods generated code calls on values of its own, which draw nothing: a loop's stack (`x_saved.append(x)`,
# `.pop()`) and NumPy's methods spelled as the user wrote them (`x.astype(np.float32)`, `x.item()`)
_OWN_METHODS = frozenset({"append", "pop", *prims.SPELLED_AS_METHOD.values()})
_DEPTH = 6  # how many steps (an item, an attribute, a function's globals) from a name or an argument
_ITEMS = 10_000  # the items of one list, tuple or set looked into
_LEAVES = (np.ndarray, np.generic, int, float, complex, str, bytes, bool, type(None), np.ufunc)


def _random_module(name) -> bool:
    return isinstance(name, str) and (name == "random" or name.startswith("numpy.random"))


def _deterministic(module) -> bool:
    return isinstance(module, str) and (module.split(".")[0] in _DETERMINISTIC or
                                        module.startswith(_DETERMINISTIC_MODULES))


def _library(module) -> bool:
    """Is `module` (a name) of Python's standard library or an installed package (whose data holds no generator
    of the user's: its own are saved, or not, as NumPy's and Python's global ones)?"""
    top = (module or "").split(".")[0]
    if top in _DETERMINISTIC or top in sys.stdlib_module_names:
        return True
    where = getattr(sys.modules.get(top), "__file__", None) or ""
    return "site-packages" in where or "dist-packages" in where


def _module_of(obj):
    module = getattr(obj, "__module__", None)
    if module is None:  # (a method descriptor: np.ndarray.dot; a bound method of a C object)
        owner = getattr(obj, "__objclass__", None) or getattr(obj, "__self__", None)
        module = getattr(owner if isinstance(owner, type) else type(owner), "__module__", None)
    return module


def _reaches(namespace: dict, seen: set) -> tuple:
    """(may the generated code of the module `namespace` draw, the objects from which what it may draw from is
    reached, may it do what s2s cannot put back: an iterator's next item, a helper's call): from its text, with
    the generated modules it calls."""
    seen.add(id(namespace))
    try:
        tree = ast.parse("".join(linecache.getlines(namespace.get("__file__", ""))))
    except SyntaxError:
        tree = None
    drawing = unsure = tree is None or not tree.body
    roots = []
    for node in ast.walk(tree) if tree is not None else ():
        if type(node) is not ast.Call:
            continue
        func = node.func
        if type(func) is ast.Attribute:
            base = _resolve(func.value, namespace)
            if base is _UNKNOWN or not isinstance(base, (type, types.ModuleType)):  # a method of an object
                if base is _UNKNOWN and func.attr in _OWN_METHODS:
                    continue
                drawing = True
                unsure = unsure or not (isinstance(base, GENERATORS) or base is _UNKNOWN and func.attr in DRAWS)
                if base is not _UNKNOWN:
                    roots.append(base)
                continue
            obj = _attribute(base, func.attr)
        else:
            obj = _resolve(func, namespace)
        if type(obj) is types.FunctionType and obj.__module__ == GENERATED_MODULE:  # generated code: what it reaches
            continue  # (below)
        if obj is runtime.standard_draw:  # (the standard draw of rng.uniform(lo, hi), random.gauss(mu, sigma)...)
            drawing = True
            roots += [r for r in (_resolve(a, namespace) for a in node.args[:1]) if r is not _UNKNOWN]
            continue
        if isinstance(obj, GENERATORS) or isinstance(getattr(obj, "__self__", None), GENERATORS) or \
                not isinstance(obj, np.ufunc) and _random_module(_module_of(obj)):
            drawing = True
            roots.append(obj)
        elif obj is _UNKNOWN or obj is next or not isinstance(obj, np.ufunc) and not _deterministic(_module_of(obj)):
            drawing = unsure = True  # (an iterator's next item may be drawn by the generator function it runs)
            if obj is not _UNKNOWN:
                roots.append(obj)
    for v in list(namespace.values()):  # (generated code it calls, or hands on: rt.forward_gradient(jvp_f, ...))
        if type(v) is types.FunctionType and v.__module__ == GENERATED_MODULE and id(v.__globals__) not in seen:
            more, also, unknown = _reaches(v.__globals__, seen)
            drawing, roots, unsure = drawing or more, roots + also, unsure or unknown
    if drawing:  # (what the code names may be handed to what draws: rt.call(f, RNG))
        roots += [v for k, v in namespace.items() if not k.startswith("__") and not (
            isinstance(v, types.ModuleType) and _library(v.__name__))]
    return drawing, roots, unsure


_UNKNOWN = object()  # (a name of the code's own, or an attribute its object lacks)


def first_draw(fn):
    """The first call in the text of the generated function `fn` that draws a random number or takes an
    iterator's next item (`rng.random()`, `np.random.rand()`, `RNG.normal()` of a module's generator, `next(it)`):
    (its line in that text, True for next), or None. Making a generator (`np.random.default_rng(0)`) draws nothing;
    calls of other functions are not looked into (their generated code is their own)."""
    namespace = fn.__globals__
    try:
        tree = ast.parse("".join(linecache.getlines(fn.__code__.co_filename)))
    except SyntaxError:
        return None
    for node in sorted((n for n in ast.walk(tree) if type(n) is ast.Call), key=lambda n: (n.lineno, n.col_offset)):
        func = node.func
        if type(func) is ast.Attribute:
            base = _resolve(func.value, namespace)
            if isinstance(base, GENERATORS) or base is _UNKNOWN and func.attr in DRAWS:
                return node.lineno, False
            obj = _attribute(base, func.attr) if isinstance(base, (type, types.ModuleType)) else _UNKNOWN
        else:
            obj = _resolve(func, namespace)
        if obj is next:
            return node.lineno, True
        if obj is runtime.standard_draw:
            return node.lineno, False
        maker = isinstance(obj, type) or obj is np.random.default_rng
        if not maker and (isinstance(getattr(obj, "__self__", None), GENERATORS) or
                          not isinstance(obj, np.ufunc) and _random_module(_module_of(obj))):
            return node.lineno, False
    return None


def _resolve(node, namespace: dict):
    """The object an expression of names and attributes refers to as the code starts (`np.random`, `self.rng`,
    `CONFIG`); _UNKNOWN for a name of the code's own, or anything else."""
    if type(node) is ast.Name:
        if node.id in namespace:
            return namespace[node.id]
        return getattr(builtins, node.id, _UNKNOWN)
    if type(node) is ast.Attribute:
        base = _resolve(node.value, namespace)
        return _UNKNOWN if base is _UNKNOWN else _attribute(base, node.attr)
    return _UNKNOWN


def _attribute(obj, name: str):
    """`obj.name` of a module or a class; of another object, only as its own data (no property of the user's runs)."""
    if isinstance(obj, (types.ModuleType, type)):
        try:
            return getattr(obj, name, _UNKNOWN)
        except Exception:
            return _UNKNOWN
    own = getattr(obj, "__dict__", None)
    return own.get(name, _UNKNOWN) if isinstance(own, dict) else _UNKNOWN


def may_draw(fn) -> tuple:
    """`_reaches` of the generated function `fn`'s module, found once per function."""
    cached = getattr(fn, _CACHE_KEY, None)
    if cached is None:
        cached = _reaches(fn.__globals__, set())
        try:
            setattr(fn, _CACHE_KEY, cached)
        except AttributeError:
            pass
    return cached


def replaying(fn, args: tuple, kwargs: dict):
    """For a call of the generated vjp `fn` whose pullback runs the forward sweep again (`pullback_f(*args,
    cotangent)`, where the adjoint would consume what the forward sweep saved) and may draw: the `Draws` saved
    before the call, whose `replay` runs the pullback on the call's draws. None for any other vjp."""
    if not _reruns(fn):
        return None
    draws = Draws(args, kwargs)
    draws.before(fn)
    draws._vjp = fn
    return draws if draws._saved else None


def _reruns(fn) -> bool:
    """Does the generated vjp `fn` hand out a pullback that runs the forward sweep again (transform.py names it
    `pullback_<f>`, a function of the module; the other pullback is a closure)? Found once per function."""
    found = getattr(fn, _RERUNS_KEY, None)
    if found is None:
        found = any(type(v) is types.FunctionType and v.__name__.startswith("pullback_") and v.__globals__ is
                    fn.__globals__ for v in fn.__globals__.values())
        try:
            setattr(fn, _RERUNS_KEY, found)
        except AttributeError:
            pass
    return found


def reachable_generators(roots) -> list:
    """The generators reachable from the objects `roots` in at most `_DEPTH` steps: an item of a container, an
    attribute of an object, a function's globals, closure and defaults, a bound method's object, the data of a
    module of the user's (not a library's: its generators are the global ones)."""
    found, seen = [], set()
    todo = [(r, 0) for r in roots]
    while todo:
        obj, depth = todo.pop()
        if id(obj) in seen or isinstance(obj, _LEAVES):
            continue
        seen.add(id(obj))
        if isinstance(obj, GENERATORS):
            found.append(obj)
        elif depth < _DEPTH:
            try:
                todo += [(part, depth + 1) for part in _parts(obj)]
            except Exception:  # (an object whose attributes cannot be read as data)
                pass
    return found


def _parts(obj):
    if isinstance(obj, dict):
        return itertools.islice(obj.values(), _ITEMS)
    if isinstance(obj, (list, tuple, set, frozenset)):
        return itertools.islice(obj, _ITEMS)
    if isinstance(obj, types.ModuleType):
        return () if _library(obj.__name__) else list(vars(obj).values())
    if isinstance(obj, types.FunctionType):
        if _library(obj.__module__) and obj.__module__ != GENERATED_MODULE:
            return ()
        cells = [c.cell_contents for c in obj.__closure__ or () if _filled(c)]
        return cells + [obj.__globals__, obj.__defaults__ or (), obj.__kwdefaults__ or {}]
    if isinstance(obj, types.MethodType):
        return obj.__self__, obj.__func__
    if isinstance(obj, functools.partial):  # (a rule of the user's: runtime.user_rules.RuleCall)
        return obj.func, obj.args, obj.keywords
    if isinstance(obj, type):
        return () if _library(obj.__module__) else [vars(obj), sys.modules.get(obj.__module__)]
    if isinstance(obj, types.BuiltinFunctionType):
        return () if isinstance(obj.__self__, types.ModuleType) else (obj.__self__,)
    own = getattr(obj, "__dict__", None)
    slots = [getattr(obj, s, None) for c in type(obj).__mro__ for s in _slots(c)]
    return (list(own.values()) if isinstance(own, dict) else []) + slots


def _unrepeatable(name: str, filename: str, line: int, what: str) -> S2SError:
    """The refusal of a derivative computed by several calls of `name` (defined at `filename`:`line`) whose calls,
    from the same arguments and generator states, gave different values (`what`)."""
    where = f"\n  {filename}:{line}\n    {linecache.getline(filename, line).strip()}" if line else ""
    return S2SError(f"{what} from the same arguments and the same states of the random generators {name} reaches: "
                    f"{name} takes something whose state s2s cannot put back between the calls (an iterator's next "
                    f"item, a generator made inside without a seed, a helper counting its calls){where}\n"
                    f"Take the batch or draw the numbers before the call and pass them in as an argument "
                    f"({name}(w, batch)), or seed the generator where it is made")


def _def_line(filename: str, name: str) -> int:
    """The line of `def name(` in `filename` (0 where none is)."""
    for number, text in enumerate(linecache.getlines(filename), 1):
        if text.lstrip().startswith(f"def {name}("):
            return number
    return 0


def same(a, b) -> bool:
    """Are the values `a` and `b` (numbers, arrays, containers of them) equal, to rounding?"""
    leaves_a, leaves_b = trees.leaves(a), trees.leaves(b)
    if len(leaves_a) != len(leaves_b):
        return False
    try:
        return all(np.shape(x) == np.shape(y) and np.allclose(x, y, rtol=1e-9, atol=1e-300, equal_nan=True)
                   for x, y in zip(leaves_a, leaves_b))
    except TypeError:  # (not numbers)
        return all(x is y or x == y for x, y in zip(leaves_a, leaves_b))


def _filled(cell) -> bool:
    try:
        cell.cell_contents
        return True
    except ValueError:
        return False


def _slots(cls) -> tuple:
    slots = cls.__dict__.get("__slots__", ())
    return (slots,) if isinstance(slots, str) else tuple(s for s in slots if s not in ("__dict__", "__weakref__"))


def _state(g):
    if isinstance(g, np.random.Generator):
        return g.bit_generator.state
    if isinstance(g, np.random.RandomState):
        return g.get_state()
    if isinstance(g, np.random.BitGenerator):
        return g.state
    return g.getstate()


def _restore(g, state) -> None:
    if isinstance(g, np.random.Generator):
        g.bit_generator.state = state
    elif isinstance(g, np.random.RandomState):
        g.set_state(state)
    elif isinstance(g, np.random.BitGenerator):
        g.state = state
    else:
        g.setstate(state)


class Draws:
    """The random draws of several calls of generated code with the arguments `args` and `kwargs`, made one:
    call `before(fn)` before each call of the generated function `fn`."""

    def __init__(self, args: tuple, kwargs: dict | None = None):
        self._args = args
        self._kwargs = kwargs or {}
        self._saved: dict | None = None  # id -> (generator, state) of every generator saved
        self._seen: set = set()  # the generated functions whose generators are saved
        self._values: dict = {}  # id of a generated function that may draw -> the value its first call gave
        self._vjp = None  # (`replaying`'s: the generated vjp called)

    def before(self, fn) -> None:
        drawing, roots, _ = may_draw(fn)
        if not drawing:
            return
        if self._saved is None:  # the first call that may draw: what it starts from
            self._saved = {}
            self._save(fn, roots, list(self._args) + list(self._kwargs.values()))
            return
        self._save(fn, roots, [])  # (generators this function reaches that an earlier one did not)
        for g, state in self._saved.values():
            _restore(g, state)

    def after(self, fn, value, f) -> None:
        """Refuse, after a call of `fn` (a derivative of `f`) that may draw, a value other than its first call's at
        the same point: `f` draws from a state s2s cannot put back (an iterator's next item, a generator made inside
        without a seed), and the columns of the matrix would be derivatives of different functions."""
        if not may_draw(fn)[0]:
            return
        first = self._values.setdefault(id(fn), value)
        if first is value or same(first, value):
            return
        for _ in range(8):  # (a Hessian's: the function beneath the gradient s2s made)
            f = getattr(f, "__wrapped__", f)
        f = getattr(f, "__func__", f)
        code = getattr(f, "__code__", None)
        name = getattr(f, "__name__", "f")
        filename, line = (code.co_filename, code.co_firstlineno) if code else ("", 0)
        if getattr(f, "__module__", None) == GENERATED_MODULE:  # (rt.forward_gradient's sweeps: the user's function)
            filename, name = next((v.__s2s_user__ for v in f.__globals__.values()
                                   if hasattr(v, "__s2s_user__")), (filename, name))
            line = _def_line(filename, name)
        raise _unrepeatable(name, filename, line, f"the calls s2s made of the derivative of {name}, one per column "
                            f"of its Jacobian or Hessian (or entry of its gradient), gave different values ({name}'s, "
                            f"or its gradient's)")

    def replay(self, pullback, value):
        """`pullback`, run on the draws of the first call (whose value was `value`): the generators are put back to
        where that call started, and after the pullback to where they were (it draws nothing the caller sees).
        Where the code may take what s2s cannot put back (an iterator's next item, a helper's call), the function is
        run again first from those states, and the pullback refused if its value is not `value`."""
        unsure = may_draw(self._vjp)[2]

        def replayed(*args, **kwargs):
            now = [(g, _state(g)) for g, _ in self._saved.values()]
            try:
                if unsure:
                    for g, state in self._saved.values():
                        _restore(g, state)
                    if not same(value, self._vjp(*self._args, **self._kwargs)[0]):
                        user_file, user_name = getattr(self._vjp, "__s2s_user__", ("", "f"))
                        raise _unrepeatable(user_name, user_file, _def_line(user_file, user_name),
                                            f"the pullback of {user_name}, which runs {user_name} again, found "
                                            f"another value of it")
                for g, state in self._saved.values():
                    _restore(g, state)
                return pullback(*args, **kwargs)
            finally:
                for g, state in now:
                    _restore(g, state)
        replayed.__name__ = replayed.__qualname__ = getattr(pullback, "__name__", "pullback")
        return replayed

    def _save(self, fn, roots: list, arguments: list) -> None:
        if id(fn) in self._seen:
            return
        self._seen.add(id(fn))
        saved = self._saved
        for g in GLOBAL_GENERATORS + tuple(reachable_generators(list(roots) + arguments)):
            if id(g) not in saved:
                saved[id(g)] = (g, _state(g))


sweeps.SAME_DRAWS[0] = Draws  # (rt.forward_gradient's sweeps, one per entry of a gradient, on one draw)
