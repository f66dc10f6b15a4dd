"""One draw of random numbers for a derivative computed by several calls of the generated code.

Where no vectorised sweep applies, a forward-mode Jacobian (and so a Hessian, forward over reverse) pushes
one basis tangent per call of the generated code, and each call runs the function again: a function that
draws random numbers inside (a dropout mask) would draw new ones for every column, and the matrix would be
the derivative of no one call (not even symmetric, for a Hessian). `Draws` makes every call draw what the
first one drew: before the first call of generated code that may draw, it saves the state of each random
number generator that code can reach, and before every later call it puts that state back. The generators
are left as one call of the function leaves them.

Which generated code may draw is read once per generated function from what its module refers to: a function
of `numpy.random` or of Python's `random` (NumPy's and Python's global generators), a method of a generator,
a generator object itself (a global `rng`), or a callable s2s knows nothing of (a custom rule, a library
function), which might draw from the global generators. The generators saved are those global ones, the
generators the module refers to, and the `np.random.Generator`, `RandomState` and `random.Random` objects
among the arguments (inside containers and dataclasses, or attributes of an object passed in, too), whose methods
generated code may call (`rng.random(n)`) without its module naming them. A generator made inside the function without a
seed (`np.random.default_rng()`) draws new numbers at every call all the same: pass it in, or seed it.
"""
from __future__ import annotations

import random
import types

import numpy as np

from s2s.api import pytree
from s2s.back.compile import GENERATED_MODULE

GENERATORS = (np.random.Generator, np.random.RandomState, np.random.BitGenerator, random.Random)
# NumPy's global generator (np.random.rand and the other functions of the module) and Python's (random.random)
GLOBAL_GENERATORS = (np.random.mtrand._rand, random.random.__self__)
# the packages whose functions draw nothing (numpy.random is told apart first; s2s's runtime calls only NumPy)
_DETERMINISTIC = frozenset(("numpy", "math", "cmath", "builtins", "operator", "s2s"))
_DETERMINISTIC_MODULES = ("scipy.special", "scipy.linalg")
_CACHE_KEY, _RERUNS_KEY = "_s2s_may_draw", "_s2s_reruns"
_NOT_OBJECTS = (np.ndarray, type, types.ModuleType, types.FunctionType)  # (whose attributes are no generators)


def _random_module(name) -> bool:
    return isinstance(name, str) and (name == "random" or name.startswith("numpy.random"))


def _deterministic(module) -> bool:
    return isinstance(module, str) and (module.split(".")[0] in _DETERMINISTIC or
                                        module.startswith(_DETERMINISTIC_MODULES))


def _reaches(namespace: dict, seen=None) -> tuple:
    """(may it draw, the generator objects it refers to, whether the global generators may be drawn from) for
    generated code whose module namespace is `namespace` (with the generated modules it calls)."""
    found: list = []
    uses_globals = False
    seen = set() if seen is None else seen
    seen.add(id(namespace))
    for name, v in namespace.items():
        if name.startswith("__"):
            continue
        if type(v) is types.FunctionType and v.__module__ == GENERATED_MODULE:  # generated code: what it reaches
            if id(v.__globals__) not in seen:
                _, more, also = _reaches(v.__globals__, seen)
                found += more
                uses_globals = uses_globals or also
            continue
        if isinstance(v, GENERATORS):
            found.append(v)
            continue
        if isinstance(v, types.ModuleType):
            uses_globals = uses_globals or _random_module(v.__name__) or v is random
            continue
        if not callable(v) or isinstance(v, (type, np.ufunc)):
            continue
        owner = getattr(v, "__self__", None)
        if isinstance(owner, GENERATORS):
            found.append(owner)  # (np.random.rand is NumPy's global generator's method; random.random Python's)
            continue
        module = getattr(v, "__module__", None)
        if owner is not None and module is None:
            module = type(owner).__module__
        if _random_module(module) or not _deterministic(module):
            uses_globals = True  # (or a callable s2s knows nothing of: it might draw from the global generators)
    return bool(found) or uses_globals, found, uses_globals


def may_draw(fn) -> tuple:
    """`_reaches` of the generated function `fn`'s module, found once per function."""
    cached = getattr(fn, _CACHE_KEY, None)
    if cached is None:
        cached = _reaches(fn.__globals__)
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


def argument_generators(args: tuple, kwargs: dict) -> list:
    """The generators among the arguments: passed as they are, held by a container or a dataclass, or an
    attribute of an object passed in (`self.rng` of a method's object); generated code may call their methods
    (`rng.random(n)`), which its module does not name."""
    out = []
    for a in list(args) + list(kwargs.values()):
        if type(a) is np.ndarray or type(a) is float:
            continue
        for part in pytree.leaves(a) if pytree.is_container(a) else [a]:
            if isinstance(part, GENERATORS):
                out.append(part)
            elif hasattr(part, "__dict__") and not isinstance(part, _NOT_OBJECTS):
                out += [v for v in vars(part).values() if isinstance(v, GENERATORS)]
    return out


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
        self._passed: list | None = None  # the generators among the arguments (`argument_generators`), found once

    def before(self, fn) -> None:
        drawing, found, uses_globals = may_draw(fn)
        if self._passed is None:
            self._passed = argument_generators(self._args, self._kwargs)
        if not drawing and not self._passed:
            return
        if self._saved is None:  # the first call that may draw: what it starts from
            self._saved = {}
            self._save(found, uses_globals)
            return
        self._save(found, uses_globals)  # (generators this function reaches that an earlier one did not)
        for g, state in self._saved.values():
            _restore(g, state)

    def replay(self, pullback):
        """`pullback`, run on the draws of the first call: the generators are put back to where that call
        started, and after the pullback to where they were (it draws nothing the caller sees)."""
        def replayed(*args, **kwargs):
            now = [(g, _state(g)) for g, _ in self._saved.values()]
            for g, state in self._saved.values():
                _restore(g, state)
            try:
                return pullback(*args, **kwargs)
            finally:
                for g, state in now:
                    _restore(g, state)
        replayed.__name__ = replayed.__qualname__ = getattr(pullback, "__name__", "pullback")
        return replayed

    def _save(self, found: list, uses_globals: bool) -> None:
        saved = self._saved
        candidates = list(found) + self._passed
        if uses_globals:
            candidates += GLOBAL_GENERATORS
        for g in candidates:
            if id(g) not in saved:
                saved[id(g)] = (g, _state(g))

