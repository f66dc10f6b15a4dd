"""Optimisation passes on the IR, each a pure function `ir.Function -> ir.Function`.

`optimize(fn)` runs them in order: simplify (algebraic identities, constant
folding, copy propagation), common-subexpression elimination, simplify again
(merged values open new identities such as `a + a`), then dead-code
elimination.
"""
from __future__ import annotations

from s2s import ir
from s2s.optimize.cse import eliminate_common_subexpressions
from s2s.optimize.dce import eliminate_dead_code
from s2s.optimize.simplify import simplify

PASSES = (simplify, eliminate_common_subexpressions, simplify, eliminate_dead_code)


def optimize(fn: ir.Function) -> ir.Function:
    for p in PASSES:
        fn = p(fn)
    return fn
