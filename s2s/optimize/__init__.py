"""Optimisation passes on the IR, each a pure function `ir.Function -> ir.Function`.

`optimize(fn)` runs them in order: simplify (algebraic identities, constant
folding, copy propagation), common-subexpression elimination, simplify again
(merged values open new identities such as `a + a`), a bool or integer's conversion `1.0 * m` dropped where
only floats read it (drop_conversions), the adjoints of several
reads of one array written into one buffer (scatter), a product's adjoint no
longer summed back to a product made only for its shape (products), a reversed
loop's outer products gathered and added several at a time (outer_sums), shapes
read from values kept anyway rather than from arrays kept for their shape
(shapes), the adjoint statements reading an adjoint an `if` joins with zero moved into the branch that gives
it (sink_into_branches: no 0 * NaN where the path taken never read the value), then dead-code elimination. It copies `fn` once; a pass that offers a form changing
its argument itself (`p.in_place`) runs in that form on the copy, so the IR is
not copied again before every pass.
"""
from __future__ import annotations

import copy

from s2s import ir
from s2s.optimize.cse import eliminate_common_subexpressions
from s2s.optimize.dce import eliminate_dead_code
from s2s.optimize.first_writes import first_writes
from s2s.optimize.last_reads import last_reads
from s2s.optimize.outer_sums import gather_outer_products
from s2s.optimize.products import fold_product_shapes
from s2s.optimize.scatter import scatter_adjoints
from s2s.optimize.shapes import shape_sources
from s2s.optimize.simplify import drop_conversions, simplify
from s2s.optimize.zero_branches import sink_into_branches



def _sink_and_simplify(fn: ir.Function) -> ir.Function:
    """sink_into_branches, then simplify where it moved statements: in the live branch the if's joins are their
    values on that path, often constants (`bc + bt1 * d` where bc is 0.0 and bt1 1.0 there: `d`)."""
    out = sink_into_branches(fn)
    return out if out is fn else simplify(out)


PASSES = (simplify, eliminate_common_subexpressions, simplify, drop_conversions, scatter_adjoints, fold_product_shapes,
          gather_outer_products, shape_sources, _sink_and_simplify, first_writes,
          last_reads, eliminate_dead_code)


def optimize(fn: ir.Function) -> ir.Function:
    fn = copy.deepcopy(fn)
    for p in PASSES:
        fn = getattr(p, "in_place", p)(fn)
    return fn
