"""The pipeline, as data: the stages every transformation runs, in order, from one place.

    source -> ssa -> keys -> alias -> result -> fold -> cse -> reverse | forward -> optimize -> python

`STAGES` lists them; `primal(f, kind)` runs the front half (the same for every
transformation), `stage(name, fn, ...)` runs one of the later ones. Each stage
is a pure function returning new IR, checked by the IR verifier when
`S2S_VERIFY=1` and printed to stderr as it runs when `S2S_DUMP=1` (or
`S2S_DUMP=ssa,reverse`: only those stages). `s2s.stages` and
`python -m s2s show --stage NAME` show them too.
"""
from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

from s2s import ir
from s2s.ad.inactive import iterated_keys
from s2s.errors import S2SError, with_calls
from s2s.front import fence
from s2s.front.alias import check_aliases
from s2s.front.dict_lists import named_entries
from s2s.front.rule_calls import own_rule
from s2s.front.source import read_function
from s2s.ir.printer import print_function
from s2s.front.results import check_result
from s2s.front.ssa import build_ssa
from s2s.ir.verify import verify
from s2s.optimize.branches import fold_constant_branches
from s2s.optimize.cse import eliminate_common_subexpressions
from s2s.optimize.invariant_reads import hoist_invariant_reads


@dataclass(frozen=True)
class Stage:
    name: str
    what: str  # one line for the docs and the CLI's help


STAGES = (
    Stage("source", "the function's source, read with inspect and checked by the fence"),
    Stage("ssa", "structured SSA (ssa.py): one assignment per name, phis at joins"),
    Stage("keys", "a loop over a container it reads at its items (for k in p: p[k]) iterates the dict's keys "
                  "(ad/inactive.py): rt.dict_keys(p), rt.dict_keys_only(p) where that read runs on some paths only"),
    Stage("alias", "aliasing and mutation checked (alias.py): stale reads rewritten, unsafe ones refused"),
    Stage("result", "the result checked for the transformation (results.py): a scalar for grad"),
    Stage("fold", "constant conditions folded (optimize/branches.py): the branch an if on a constant does not "
                  "take is dropped"),
    Stage("cse", "common subexpressions merged (optimize/cse.py): what the function computes twice is computed, "
                 "saved and differentiated once"),
    Stage("reverse", "the adjoint program (reverse.py): forward sweep, then adjoints in reverse order"),
    Stage("forward", "the tangent program (forward.py): each value followed by its tangent"),
    Stage("optimize", "simplification, CSE and dead-code elimination (optimize/)"),
    Stage("python", "the generated Python text (outofssa.py, growing.py: lists extended in place, codegen.py)"),
)
NAMES = tuple(s.name for s in STAGES)


def _wanted() -> frozenset | None:
    value = os.environ.get("S2S_DUMP", "").strip()
    if value in ("", "0"):
        return None
    if value in ("1", "all", "yes", "true"):
        return frozenset(NAMES)
    return frozenset(v.strip() for v in value.split(","))


_captures = threading.local()  # .texts: the dict `capture()` fills in this thread (or None)


@contextmanager
def capture():
    """Collect each stage's text (name -> text, the last run of each) while active in this thread."""
    texts: dict = {}
    outer = getattr(_captures, "texts", None)
    _captures.texts = texts
    try:
        yield texts
    finally:
        _captures.texts = outer


def dump(name: str, text, function: str) -> None:
    """Print one stage's text to stderr if S2S_DUMP asks for it (and keep it for `capture`). `text` is the
    text or a function making it: IR is printed only when someone asks for it."""
    texts = getattr(_captures, "texts", None)
    wanted = _wanted()
    if texts is None and (wanted is None or name not in wanted):
        return
    text = text() if callable(text) else text
    if texts is not None:
        texts[name] = text
    if wanted is not None and name in wanted:
        print(f"==== s2s {name}: {function} ====\n{text.rstrip()}\n", file=sys.stderr)


VERIFY = os.environ.get("S2S_VERIFY", "") not in ("", "0")  # (the tests turn it on)


def verified(fn):
    if VERIFY:
        verify(fn)
    return fn


def stage(which: str, run: Callable, /, *args, **kwargs):
    """Run the stage `which` (`run(*args, **kwargs)` returns new IR): verified, and dumped on request. A refusal
    at a line of a helper the function calls names the user's calls that led there (`calls_at`)."""
    try:
        out = run(*args, **kwargs)
    except S2SError as exc:
        fn = next((a for a in args if isinstance(a, ir.Function)), None)
        if fn is not None:
            with_calls(exc, calls_at(fn, getattr(exc, "filename", None), getattr(exc, "lineno", None)))
        raise
    return checked(which, out)


def calls_at(fn, filename, line) -> tuple:
    """The user's calls that led to the helper's line `filename:line` inlined in `fn` (ir.Loc.calls), where one
    chain of calls did; () where none or several did (the helper called from two lines)."""
    chains = {s.loc.calls for s in ir.statements(fn.body) if getattr(s, "loc", None) is not None and
              s.loc.calls and s.loc.line == line and s.loc.file == filename}
    return chains.pop() if len(chains) == 1 else ()


def checked(which: str, fn):
    """`fn`, the IR the stage `which` made: verified, and dumped on request."""
    assert which in NAMES, which
    fn = verified(fn)
    dump(which, lambda: print_function(fn), fn.name)
    return fn


def primal(f, kind: str | None = None):
    """source -> ssa -> keys -> alias -> result -> fold -> cse: the function as SSA, checked for the transformation
    `kind` ("grad", "value_and_grad", "vjp", "jvp"; None: the result is not checked). Returns (ir, source,
    inlined): `inlined` is the source text of each user function the SSA descended into, by
    "module:qualname" (compiled code keeps it: the disk cache checks that none of them changed)."""
    src = own_rule(read_function(f))  # (a function with the user's rule: a call of it)
    src = named_entries(src)  # (bins['pos'].append(v) of bins = {'pos': [], ...} read only at its keys: bins_pos)
    fence.check(src)
    dump("source", src.text, getattr(src.tree, "name", "?"))
    fn, inlined = build_ssa(src)
    fn = checked("ssa", fn)
    fn = stage("keys", iterated_keys, fn)  # (before the alias check reads rt.iterated(p) as p itself, and cse
    # merges two loops' rt.iterated(p))
    if not src.filename.startswith("<s2s "):  # (generated code keeps its views right by its restores)
        fn = stage("alias", check_aliases, fn)
    if kind is not None:
        fn = stage("result", check_result, fn, kind)
    # (`rot(a, 2)` of a helper testing `axis == 0`: the branches it cannot take are neither differentiated nor
    # generated; `y[i - 1]` read three times in a loop's line: one read, one saved value, one adjoint; `m.F` of a
    # record the loop cannot change: read once before the loop, its adjoint a number the reversed loop adds to)
    fn = stage("fold", fold_constant_branches, fn)
    fn = stage("cse", lambda g: eliminate_common_subexpressions(hoist_invariant_reads(g)), fn)
    return fn, src, inlined


def python(text: str, function: str) -> str:
    dump("python", text, function)
    return text

