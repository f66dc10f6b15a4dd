"""Random draws of a location-scale family whose location or scale carries a derivative: the reparameterisation.

NumPy draws `rng.normal(loc, scale, size)` as `loc + scale * z`, z drawn by `rng.standard_normal(shape)` from the same
stream (numpy/random/src/distributions: random_normal is loc + scale * random_standard_normal), bit for bit, for a
Generator and for a RandomState (np.random.normal: the global one's); so `rng.exponential(scale)` is `scale * z` of
`rng.standard_exponential(shape)`, and `rng.laplace`, `rng.gumbel`, `rng.logistic` are `loc + scale * z` of their
own draw at loc 0.0 and scale 1.0. (Checked bit for bit, signs of zero too, for every broadcast of loc, scale and
size, NumPy 1.25 and 2.x: tests/test_fix18_prob.py.) `located_draws(fn, wrt, namer)` writes such a call whose loc
or scale the derivative flows through as that composition:

    shape = rt.draw_shape(rng.normal, 5, mu, sigma)  # (NumPy's checks: a generator of NumPy's, scale >= 0, size)
    t1 = rng.standard_normal(shape)
    t2 = sigma * t1
    z = mu + t2

whose rules give d/dloc = 1 and d/dscale = z, the very draw the value was made of (a Jacobian's or a Hessian's
calls draw it again from the state saved, api/draws.py). Other draws (rng.lognormal: NumPy's C exp, not np.exp;
rng.uniform, rng.gamma) stay refused, with the rewrite to write (errors.py).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from s2s import ir
from s2s.ad.analysis import activity
from s2s.front.libraries import home_module
from s2s.ir.names import Namer
from s2s.ir.walk import map_blocks

DRAW_SHAPE = "s2s.runtime.draw_shape"
# method -> (its parameters before size, with their defaults; the standard draw's method; its own arguments)
LOCATED = {
    "normal": ((("loc", 0.0), ("scale", 1.0)), "standard_normal", ()),
    "exponential": ((("scale", 1.0),), "standard_exponential", ()),
    "laplace": ((("loc", 0.0), ("scale", 1.0)), "laplace", (0.0, 1.0)),
    "gumbel": ((("loc", 0.0), ("scale", 1.0)), "gumbel", (0.0, 1.0)),
    "logistic": ((("loc", 0.0), ("scale", 1.0)), "logistic", (0.0, 1.0)),
}
_GENERATORS = (np.random.Generator, np.random.RandomState)


def located_draws(fn: ir.Function, wrt: list, namer: Namer) -> ir.Function:
    """`fn` with each draw of `LOCATED` whose loc or scale the derivative flows through written as loc + scale * z
    (z its standard draw). Returns new IR (the input is not modified)."""
    found = [s for s in ir.statements(fn.body) if type(s) is ir.Assign and _parts(s.value, fn.free) is not None]
    if not found:
        return fn
    active = activity(fn, wrt)
    chosen = {id(s) for s in found if any(type(a) is ir.Var and a.name in active
                                          for a in _parts(s.value, fn.free)[2].values())}
    if not chosen:
        return fn
    free = dict(fn.free)

    def block(_, items):
        out = []
        for s in items:
            if id(s) in chosen:
                out += _composition(s, free, namer)
            else:
                out.append(s)
        return out
    return dataclasses.replace(fn, body=map_blocks(fn.body, block), free=free)


def _parts(value, free: dict):
    """(the generator's draw: ("method", rng) or ("global", the bound method's free name), the method's name, its
    parameters {name: atom}, size) of a call of a `LOCATED` draw whose arguments s2s can name; None otherwise."""
    if type(value) is not ir.Call:
        return None
    if value.op == "callmethod" and type(value.args[1]) is ir.Const and value.args[1].value in LOCATED and \
            type(value.args[0]) is ir.Var:
        name, how, args = value.args[1].value, ("method", value.args[0]), value.args[2:]
    elif value.op == "call" and type(value.args[0]) is ir.Var and value.args[0].name in free:
        obj = free[value.args[0].name][0]
        name = getattr(obj, "__name__", None)
        if name not in LOCATED or getattr(obj, "__self__", None) is not np.random.mtrand._rand:
            return None  # (np.random.normal: the global RandomState's method)
        how, args = ("global", value.args[0]), value.args[1:]
    else:
        return None
    names = [p for p, _ in LOCATED[name][0]] + ["size"]
    given = dict(value.kwargs)
    if len(args) > len(names) or any(k not in names for k in given) or \
            any(names[i] in given for i in range(len(args))) or any(type(a) is ir.Call for a in args):
        return None
    given.update(zip(names, args))
    parameters = {p: given.get(p, ir.Const(default)) for p, default in LOCATED[name][0]}
    return how, name, parameters, given.get("size", ir.Const(None))


def _composition(s: ir.Assign, free: dict, namer: Namer) -> list:
    """The statements `rt.draw_shape(...)`, the standard draw, loc + scale * z, the last one `s`'s target."""
    (how, base), name, parameters, size = _parts(s.value, free)
    _, standard, own = LOCATED[name]
    out = []

    def temp(value) -> ir.Var:
        t = namer.fresh("t")
        out.append(ir.Assign(t, value, s.loc, temp=True))
        return ir.Var(t)
    if how == "method":
        draw = temp(ir.Call("getattr", (base, ir.Const(name))))
    else:
        draw = base
    shape = ir.Var(namer.fresh("shape"))  # (its own line: the checks before the draw's method is read)
    out.append(ir.Assign(shape.name, ir.Call(DRAW_SHAPE, (draw, size) + tuple(parameters.values())), s.loc))
    own = tuple(ir.Const(v) for v in own)
    if how == "method":
        z = temp(ir.Call("callmethod", (base, ir.Const(standard)) + own + (shape,)))
    else:
        function = getattr(np.random, standard)
        spelled = next((k for k, (v, _) in free.items() if v is function), None)
        if spelled is None:
            spelled = standard if standard not in free and standard not in namer.taken else namer.fresh(standard)
            namer.reserve(spelled)
            free[spelled] = (function, home_module(function, spelled))
        z = temp(ir.Call("call", (ir.Var(spelled),) + own + (shape,)))
    scale = parameters["scale"]
    scaled = z if scale == ir.Const(1.0) else temp(ir.Call("mul", (scale, z)))
    value = ir.Call("add", (parameters["loc"], scaled)) if "loc" in parameters else scaled
    out.append(dataclasses.replace(s, value=value))
    return out
