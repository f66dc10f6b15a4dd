"""Optimisation passes on the IR, each a pure function `ir.Function -> ir.Function`.

`optimize(fn)` runs them in order: simplify (algebraic identities, constant
folding, copy propagation), then dead-code elimination.
"""
from __future__ import annotations

from .. import ir
from .dce import eliminate_dead_code
from .simplify import simplify

PASSES = (simplify, eliminate_dead_code)


def optimize(fn: ir.Function) -> ir.Function:
    for p in PASSES:
        fn = p(fn)
    return fn
