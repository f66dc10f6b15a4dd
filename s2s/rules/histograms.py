"""np.histogram: counts piecewise constant in the data, linear in the weights, edges that follow the data's extremes.

`hist, edges = np.histogram(a, bins, range, density, weights)` (runtime/histograms.py): the bin of each entry is
piecewise constant in `a`, so the counts carry no derivative in it; the weighted counts are linear in `weights=`
(the adjoint gathers each bin's g at its entries, the tangent sums the weights' tangent over each bin); the edges
are `bins` itself where it is an array, else, without `range=`, np.linspace(a.min(), a.max(), nbins + 1), which
carries a's derivative through its extremes. `density=True` is read as NumPy computes it, `n / np.diff(edges) /
np.sum(n)` of the counts n, so its derivatives in the weights and the edges come from those operations' rules.
`np.histogram2d(x, y, ...)` the same way: its cells' counts linear in the weights, each coordinate's edges following
that coordinate's extremes where its bins are a number and its range is not given. `np.histogramdd(sample, bins,
range, density, weights)` the same in D dimensions (sample an (N, D) array or a sequence of D arrays; the edges a
list); density=True there is refused, with the formula to write.
"""
from __future__ import annotations

import numpy

from s2s import ir
from s2s.rules.primitive import constant_is, define, emit, linear, non_default, nondiff, read_first, refuse
from s2s.rules.registry import REQUIRED
from s2s.rules.symbolic import Sym, np, rt

RT = "s2s.runtime."
KEY = "numpy.histogram"
_PARAMETERS = (("a", REQUIRED), ("bins", 10), ("range", None), ("density", None), ("weights", None))


def _plain(density) -> None:
    if isinstance(density, Sym):  # (a constant True is read apart: _density)
        refuse(KEY, "np.histogram with density= known only at run time has no derivative rule in s2s",
               "pass density=True or density=False as a constant")


def _range(range_) -> None:
    if isinstance(range_, Sym) or isinstance(range_, (tuple, list)) and any(isinstance(r, Sym) for r in range_):
        refuse(KEY, "the derivative of np.histogram in range= has no rule in s2s (only those in a, in an array of "
                    "edges given as bins, and in weights=)",
               "give the edges as an array: np.histogram(a, bins=np.linspace(lo, hi, n + 1)), whose derivative "
               "in lo and hi passes through np.linspace")


def _ends(bins, range_) -> dict:
    """fixed=: are the edges fixed (bins an array, or range given), not following a's extremes; known now or at
    run time (rt.histogram_fixed)."""
    if isinstance(bins, Sym) or isinstance(range_, Sym):
        return {"fixed": rt.histogram_fixed(bins, range_)}
    return {"fixed": True} if range_ is not None or numpy.ndim(bins) != 0 else {}  # (bins=np.int64(5) follows a)


def _a_adjoint(g, ans, a, bins=10, range=None, density=None, weights=None):
    _plain(density)
    return rt.histogram_ends_adjoint(g[1], a, ans[1], **_ends(bins, range))


def _bins_adjoint(g, ans, a, bins=10, range=None, density=None, weights=None):
    _plain(density)
    return rt.unbroadcast(g[1], bins)


def _range_adjoint(g, ans, a, bins=10, range=None, density=None, weights=None):
    _range(range)


def _weights_adjoint(g, ans, a, bins=10, range=None, density=None, weights=None):
    _plain(density)
    return rt.histogram_gather(g[0], a, ans[1], weights)


def _tangent(tangents, ans, a, bins=10, range=None, density=None, weights=None):
    _plain(density)
    da, dbins, drange, _, dweights = (tuple(tangents) + (None,) * 5)[:5]
    if drange is not None:
        _range(range)
    dhist = np.zeros(np.shape(ans[0])) if dweights is None else rt.histogram_scatter(dweights, a, ans[1])
    dedges = None if dbins is None else dbins
    if da is not None:
        ends = rt.histogram_ends_tangent(da, a, ans[1], **_ends(bins, range))
        dedges = ends if dedges is None else dedges + ends
    return emit("tuple", dhist, np.zeros(np.shape(ans[1])) if dedges is None else dedges)


def _density(materialise, *args, **kwargs):
    """np.histogram(a, bins, range, density=True, weights) as NumPy computes it: the counts n and edges of the
    call without density, then n / np.diff(edges) / np.sum(n) (bit for bit NumPy's n/db/n.sum()); other calls
    kept, with the rules above."""
    bound = dict(zip([name for name, _ in _PARAMETERS], args), **kwargs)
    density = bound.get("density", ir.Const(None))
    if not constant_is(density, True) or set(bound) - {name for name, _ in _PARAMETERS}:
        return ir.Call(KEY, tuple(args), tuple(kwargs.items()))
    plain = tuple(bound.get(name, ir.Const(default)) for name, default in _PARAMETERS[1:3])
    weights = bound.get("weights", ir.Const(None))
    made = materialise(ir.Call(KEY, (bound["a"],) + plain + (() if constant_is(weights, None) else
                                                              (ir.Const(None), weights))))
    n = materialise(ir.Call("getitem", (made, ir.Const(0))))
    edges = materialise(ir.Call("getitem", (made, ir.Const(1))))
    widths = materialise(ir.Call(f"{np._prefix}.diff", (edges,)))
    total = materialise(ir.Call(f"{np._prefix}.sum", (n,)))
    hist = materialise(ir.Call("truediv", (materialise(ir.Call("truediv", (n, widths))), total)))
    parts = (hist, edges)
    sequence = getattr(getattr(materialise, "__self__", None), "sequence", None)
    return sequence("tuple", parts) if sequence is not None else ir.Call("tuple", parts)


_histogram = define(KEY, [_a_adjoint, _bins_adjoint, _range_adjoint, None, _weights_adjoint], tangent_fn=_tangent)
read_first(_histogram, _density, _PARAMETERS)

# the helpers its derivatives call: the bins carry no derivative; gathering g at the bins and summing over them
# are each other's transposes, and so are the edges' adjoint and tangent in a's extremes
nondiff(RT + "histogram_bins", RT + "histogram_fixed")
linear(RT + "histogram_gather", lambda G, ans, g, a, edges, like: rt.histogram_scatter(G, a, edges), None, None,
       None, rank_of_argument=3)
linear(RT + "histogram_scatter", lambda G, ans, v, a, edges: rt.histogram_gather(G, a, edges, v), None, None,
       rank=lambda ranks, keywords: 1)
linear(RT + "histogram_ends_adjoint", lambda G, ans, g, a, edges, fixed=False:
       rt.histogram_ends_tangent(G, a, edges, **non_default(fixed=(fixed, False))), None, None, rank_of_argument=1)
linear(RT + "histogram_ends_tangent", lambda G, ans, d, a, edges, fixed=False:
       rt.histogram_ends_adjoint(G, a, edges, **non_default(fixed=(fixed, False))), None, None,
       rank=lambda ranks, keywords: 1)


# ---------------------------------------------------------------- np.histogram2d(x, y, bins, range, density, weights)
KEY2 = "numpy.histogram2d"
_PARAMETERS2 = (("x", REQUIRED), ("y", REQUIRED), ("bins", 10), ("range", None), ("density", None), ("weights", None))


def _fixed2(bins, range_, axis: int) -> dict:
    if isinstance(bins, Sym) or isinstance(range_, Sym) or isinstance(range_, (tuple, list)) and \
            any(isinstance(r, Sym) for r in range_):
        return {"fixed": rt.histogram2d_fixed(bins, range_, axis)}
    try:
        count = len(bins)
    except TypeError:
        count = 1
    own = bins[axis] if count == 2 else bins if count == 1 else numpy.asarray(bins)
    return {"fixed": True} if numpy.ndim(own) != 0 or range_ is not None and range_[axis] is not None else {}


def _plain2(bins, density) -> None:
    _plain(density)
    if isinstance(bins, Sym) or isinstance(bins, (tuple, list)) and any(isinstance(b, Sym) for b in bins):
        refuse(KEY2, "the derivative of np.histogram2d in its edges given as bins has no rule in s2s (only those in "
                     "x and y through their extremes, and in weights=)", "pass bins as constants, or a number")


def _coordinate_adjoint(axis: int):
    def adjoint(g, ans, x, y, bins=10, range=None, density=None, weights=None):
        _plain(density)
        return rt.histogram_ends_adjoint(g[axis + 1], (x, y)[axis], ans[axis + 1], **_fixed2(bins, range, axis))
    return adjoint


def _bins2_adjoint(g, ans, x, y, bins=10, range=None, density=None, weights=None):
    _plain2(bins, density)


def _range2_adjoint(g, ans, x, y, bins=10, range=None, density=None, weights=None):
    _range(range)


def _weights2_adjoint(g, ans, x, y, bins=10, range=None, density=None, weights=None):
    _plain(density)
    return rt.histogram2d_gather(g[0], x, y, ans[1], ans[2], weights)


def _tangent2(tangents, ans, x, y, bins=10, range=None, density=None, weights=None):
    _plain(density)
    dx, dy, dbins, drange, _, dweights = (tuple(tangents) + (None,) * 6)[:6]
    if dbins is not None:
        _plain2(bins, density)
    if drange is not None:
        _range(range)
    dhist = np.zeros(np.shape(ans[0])) if dweights is None else rt.histogram2d_scatter(dweights, x, y, ans[1], ans[2])
    dedges = [np.zeros(np.shape(ans[axis + 1])) if d is None else
              rt.histogram_ends_tangent(d, (x, y)[axis], ans[axis + 1], **_fixed2(bins, range, axis))
              for axis, d in enumerate((dx, dy))]
    return emit("tuple", dhist, *dedges)


def _density2(materialise, *args, **kwargs):
    """np.histogram2d(x, y, bins, range, density=True, weights) as NumPy's histogramdd computes it: the counts n
    and edges of the call without density, then n / dx[:, None] / dy[None, :] / np.sum(n)."""
    bound = dict(zip([name for name, _ in _PARAMETERS2], args), **kwargs)
    if not constant_is(bound.get("density", ir.Const(None)), True) or \
            set(bound) - {name for name, _ in _PARAMETERS2}:
        return ir.Call(KEY2, tuple(args), tuple(kwargs.items()))
    plain = tuple(bound.get(name, ir.Const(default)) for name, default in _PARAMETERS2[:4])
    weights = bound.get("weights", ir.Const(None))
    made = materialise(ir.Call(KEY2, plain + (() if constant_is(weights, None) else (ir.Const(None), weights))))
    parts = [materialise(ir.Call("getitem", (made, ir.Const(i)))) for i in (0, 1, 2)]
    hist = parts[0]
    for axis, shape in ((1, (-1, 1)), (2, (1, -1))):
        widths = materialise(ir.Call(f"{np._prefix}.diff", (parts[axis],)))
        widths = materialise(ir.Call(f"{np._prefix}.reshape", (widths, ir.Const(shape))))
        hist = materialise(ir.Call("truediv", (hist, widths)))
    hist = materialise(ir.Call("truediv", (hist, materialise(ir.Call(f"{np._prefix}.sum", (parts[0],))))))
    sequence = getattr(getattr(materialise, "__self__", None), "sequence", None)
    out = (hist, parts[1], parts[2])
    return sequence("tuple", out) if sequence is not None else ir.Call("tuple", out)


read_first(define(KEY2, [_coordinate_adjoint(0), _coordinate_adjoint(1), _bins2_adjoint, _range2_adjoint, None,
                         _weights2_adjoint], tangent_fn=_tangent2), _density2, _PARAMETERS2)
nondiff(RT + "histogram2d_fixed")
linear(RT + "histogram2d_gather", lambda G, ans, g, x, y, xedges, yedges, like:
       rt.histogram2d_scatter(G, x, y, xedges, yedges), None, None, None, None, None, rank_of_argument=5)
linear(RT + "histogram2d_scatter", lambda G, ans, v, x, y, xedges, yedges:
       rt.histogram2d_gather(G, x, y, xedges, yedges, v), None, None, None, None, rank=lambda ranks, keywords: 2)



# ---------------------------------------------------------------- np.histogramdd(sample, bins, range, density, weights)
KEYD = "numpy.histogramdd"


def _plaind(bins, range_, density) -> None:
    if not (density is None or density is False):
        refuse(KEYD, "np.histogramdd with density= has no derivative rule in s2s",
               "compute the counts and divide as NumPy does: n, edges = np.histogramdd(sample, bins, weights=w); "
               "then for each axis k, n = n / np.diff(edges[k]) reshaped along axis k (for 2 dimensions "
               "np.diff(edges[0])[:, None] and np.diff(edges[1])[None, :]); finally n / np.sum(counts)")


def _ranged_adjoint(*_, **__):
    refuse(KEYD, "the derivative of np.histogramdd in range= has no rule in s2s (only those in sample, through its "
                 "extremes, and in weights=)", "pass range as constants")


def _sampled_adjoint(g, ans, sample, bins=10, range=None, density=None, weights=None):
    _plaind(bins, range, density)
    return rt.histogramdd_ends_adjoint(g[1], sample, ans[1], **non_default(bins=(bins, 10), range=(range, None)))


def _binsd_adjoint(g, ans, sample, bins=10, range=None, density=None, weights=None):
    refuse(KEYD, "the derivative of np.histogramdd in its edges given as bins has no rule in s2s (only those in "
                 "sample, through its extremes, and in weights=)", "pass bins as constants, or numbers")


def _weightsd_adjoint(g, ans, sample, bins=10, range=None, density=None, weights=None):
    _plaind(bins, range, density)
    return rt.histogramdd_gather(g[0], sample, ans[1], weights)


def _tangentd(tangents, ans, sample, bins=10, range=None, density=None, weights=None):
    _plaind(bins, range, density)
    dsample, dbins, drange, _, dweights = (tuple(tangents) + (None,) * 5)[:5]
    if dbins is not None:
        _binsd_adjoint(None, ans, sample)
    if drange is not None:
        _ranged_adjoint()
    dhist = np.zeros(np.shape(ans[0])) if dweights is None else rt.histogramdd_scatter(dweights, sample, ans[1])
    dedges = rt.histogramdd_ends_tangent(np.zeros(np.shape(sample)) if dsample is None else dsample, sample, ans[1],
                                         **non_default(bins=(bins, 10), range=(range, None)))
    return emit("tuple", dhist, dedges)


_PARAMETERSD = (("sample", REQUIRED), ("bins", 10), ("range", None), ("density", None), ("weights", None))
read_first(define(KEYD, [_sampled_adjoint, _binsd_adjoint, _ranged_adjoint, None, _weightsd_adjoint],
                  tangent_fn=_tangentd),
           lambda materialise, *args, **kwargs: ir.Call(KEYD, tuple(args), tuple(kwargs.items())), _PARAMETERSD)
linear(RT + "histogramdd_gather", lambda G, ans, g, sample, edges, like: rt.histogramdd_scatter(G, sample, edges),
       None, None, None, rank_of_argument=3)
linear(RT + "histogramdd_scatter", lambda G, ans, v, sample, edges: rt.histogramdd_gather(G, sample, edges, v),
       None, None)
linear(RT + "histogramdd_ends_adjoint", lambda G, ans, g, sample, edges, bins=10, range=None:
       rt.histogramdd_ends_tangent(G, sample, edges, **non_default(bins=(bins, 10), range=(range, None))),
       None, None, None, None, rank_of_argument=1)
linear(RT + "histogramdd_ends_tangent", lambda G, ans, d, sample, edges, bins=10, range=None:
       rt.histogramdd_ends_adjoint(G, sample, edges, **non_default(bins=(bins, 10), range=(range, None))),
       None, None, None, None)
