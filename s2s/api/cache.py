"""The in-memory cache of transformed functions, safe to use from several threads.

A bucket is found by (transformation, the function's code object, wrt,
options); within it, an entry is reused only if the facts recorded when it was
transformed still hold (see `facts.py`): the function's code, module and
defaults, the closure values and module constants it read, the helpers it
inlined, their code (IPython's autoreload replaces it in the same function
object), defaults and constants, the class and module attributes it reached, and, for a
transformation of a transformation, the inner one's current code. Equal code
objects in different modules, a function redefined with other defaults, or a
module constant edited after the first call therefore never share an entry.

The facts are checked again on every call of a transformed function by one
compiled identity test (`Entry.check`); when a fact changed, the function is
transformed again (or an entry made earlier for those values is reused).
Registering a custom rule (`clear`) retires every entry. With `S2S_CACHE_DIR`
set, entries are also looked up on and written to disk (`persistent.py`).

A transformation that found no vector-mode form (`NotBatchable`, what
`jacobian(mode="forward")` tries first; also a function keeping loop stacks)
is remembered as that failure, so that a new Jacobian object does not
transform again to learn it.

The transformations built from others (`jacobian`, `hessian`) keep what they
make for a function in a state that every object of that kind for the same
function shares (`shared`): a new `hessian(f)` of a function already
differentiated makes no transformation objects and looks nothing up again.
"""
from __future__ import annotations

import collections
import inspect
import threading
import types
import weakref

from s2s.api import facts as facts_mod
from s2s.api import persistent
from s2s.front.source import read_function, record_reads
from s2s.rules import custom
from s2s.rules.registry import NotBatchable

BUCKET = 8  # entries kept per (transformation, code, options): other modules, other constant values

_lock = threading.RLock()
_building: dict = {}  # key -> (threading.Event set when the build is done, the building thread's id)
_entries: dict = {}  # key -> [Entry], most recently made first
_made: weakref.WeakSet = weakref.WeakSet()  # every entry alive, in a bucket or held by a function
_parameters: dict = {}  # code object -> (its parameter names, how many are positional) (parameter_names)


# failures that depend only on what the transformation read, kept like a result: raised again (a new
# exception of the same class and arguments) while the facts hold
REMEMBERED = (NotBatchable,)


class Entry:
    """One transformation: generated text and function, and the facts it depended on (or the
    failure it ended in, `error`: one of REMEMBERED)."""

    __slots__ = ("text", "fn", "facts", "check", "live", "error", "__weakref__")

    def __init__(self, text: str, fn, facts: list, error: BaseException | None = None):
        self.text, self.fn, self.facts, self.live, self.error = text, fn, facts, True, error
        self.check = facts_mod.checker(facts, self)
        with _lock:
            _made.add(self)


def get_or_build(key, f, build) -> Entry:
    """An entry of `key` whose facts hold for `f`, building one if there is none (other threads
    asking for the same key meanwhile wait for it, then look again). A remembered failure is raised."""
    found = _get_or_build(key, f, build)
    if found.error is not None:
        raise type(found.error)(*found.error.args)
    return found


def _get_or_build(key, f, build) -> Entry:
    me = threading.get_ident()
    while True:
        found = _find(key, f)
        if found is not None:
            return found
        with _lock:
            claim = _building.get(key)
            # a claim of this thread is stale: its build was interrupted (Ctrl-C) before it could let go
            owner = claim is None or claim[1] == me
            if owner:
                event = threading.Event()
                _building[key] = (event, me)
        if owner:
            break
        claim[0].wait()
    try:
        found = _find(key, f)  # finished by another thread between the look and taking ownership
        if found is None:
            found = build()
            _add(key, found)
        return found
    finally:
        with _lock:
            if _building.get(key, (None,))[0] is event:
                del _building[key]
        event.set()


def _find(key, f) -> Entry | None:
    bucket = tuple(_entries.get(key, ()))
    for entry in bucket:
        if entry.check(f):
            return entry
    for entry in bucket:  # equal constants that are other objects: the same code, new identities
        if entry.live:
            now = facts_mod.still_hold(entry.facts, f)
            if now is not None:
                fresh = Entry(entry.text, entry.fn, now, entry.error)
                _add(key, fresh)
                return fresh
    return None


def _add(key, entry: Entry) -> None:
    with _lock:
        bucket = _entries.setdefault(key, [])
        bucket.insert(0, entry)
        del bucket[BUCKET:]


def build_entry(f, kind: str, wrt, options: dict, transform) -> Entry:
    """Transform `f` (or compile the text stored on disk for it), recording what it read."""
    inner = f._current() if getattr(f, "__s2s_generated__", None) is not None else None
    key = persistent.key_for(f, kind, wrt, options)
    if key is not None:
        found = persistent.load(key, f)
        if found is not None:
            text, fn, rows = found
            return Entry(text, fn, facts_mod.function_facts(f, inner) + rows)
    log: list = []
    try:
        with record_reads(log):
            text, fn = transform(f, wrt, **options)
    except REMEMBERED as exc:
        return Entry(None, None, facts_mod.collect(f, log, inner), error=exc)
    facts = facts_mod.collect(f, log, inner)
    if key is not None:
        persistent.store(key, text, fn, facts, f)
    return Entry(text, fn, facts)


class SharedState:
    """The base of what the objects of one kind made for one function share (see `shared`)."""

    def __init__(self, f):
        self.of = f

    def __getstate__(self):
        """Pickled (and copied) without the entry points it compiled in this process (`made`, generated code a
        pickle cannot name), which the copy compiles again on its first call."""
        state = dict(self.__dict__)
        if "made" in state:
            state["made"] = {} if isinstance(state["made"], dict) else None
        return state


SHARED_RECENT = 32  # the states asked for last, kept even when no object holds them (a loop of new objects)
_shared: weakref.WeakValueDictionary = weakref.WeakValueDictionary()  # (id(f), label) -> SharedState
_recent: collections.deque = collections.deque(maxlen=SHARED_RECENT)


def shared(f, label, make) -> SharedState:
    """The state `make()` made for `f` and `label`, made once while an object holds it (or it is among the
    SHARED_RECENT asked for last), so that a new object for the same function starts where the others are.

    What a state holds must stay right for `f` whatever changes: the transformations in it check their facts
    before every call. `clear` forgets every state."""
    key = (id(f), label)
    state = _shared.get(key)
    if state is None or state.of is not f:  # (an id reused by another object)
        state = make()
        with _lock:
            _shared[key] = state
    if not _recent or _recent[-1] is not state:
        _recent.append(state)
    return state


def code_key(f):
    """What identifies `f` in a cache key: its code object (entries are told apart by their facts), the key
    of the transformation it is (`grad(f)` transformed again), else its id (with a fact on `f` itself)."""
    if hasattr(f, "_key") and getattr(f, "__s2s_generated__", None) is not None:
        return f._key()  # not id(f): a collected object's id is reused by the next one
    code = getattr(f, "__code__", None)
    return code if code is not None else id(f)


def clear() -> None:
    """Forget every entry; functions already made transform again on their next call."""
    with _lock:
        for entry in list(_made):
            entry.live = False
        _entries.clear()
        _shared.clear()
        _recent.clear()


custom.ON_REGISTER.append(clear)  # registering a custom rule retires every entry


def size() -> int:
    return sum(len(bucket) for bucket in _entries.values())


def parameter_names(f) -> list:
    """`list(inspect.signature(f).parameters)`, read once per code object (inspect.signature takes tens of
    microseconds: a new `jacobian(f)` or `hessian(f)` of a function already transformed asks again)."""
    return list(_parameter_facts(f)[0])


def positional_count(f) -> int:
    """How many of `parameter_names(f)` come first and are bound by position (before a `*args`, a keyword-only
    parameter or a `**kwargs`)."""
    return _parameter_facts(f)[1]


def _parameter_facts(f) -> tuple:
    inner = inspect.unwrap(f, stop=lambda g: hasattr(g, "__signature__") or isinstance(g, types.MethodType))
    if type(inner) is not types.FunctionType or hasattr(inner, "__signature__"):
        try:
            return _facts_of(inspect.signature(f))  # (a method, a partial, a declared signature: as asked)
        except ValueError:  # (a C function with no signature, math.hypot, max: and no source, which s2s.grad says)
            read_function(f)
            raise
    found = _parameters.get(inner.__code__)
    if found is None:
        found = _parameters[inner.__code__] = _facts_of(inspect.signature(inner))
    return found


def _facts_of(signature: inspect.Signature) -> tuple:
    """(names, how many come first and are positional) of a signature's parameters."""
    kinds = [p.kind for p in signature.parameters.values()]
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    count = next((i for i, kind in enumerate(kinds) if kind not in positional), len(kinds))
    return tuple(signature.parameters), count
