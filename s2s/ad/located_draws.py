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
calls draw it again from the state saved, api/draws.py). So too rng.uniform(low, high) (low + (high - low) * z of
rng.random(shape)), rng.lognormal(mean, sigma) (C's exp of mean + sigma * z, rt.draw_exp) and Python's random.gauss,
normalvariate and uniform (Lib/random.py: mu + z * sigma of the same method at (0.0, 1.0), a + (b - a) *
random()), bit for bit (tests/test_fix19_lib.py). Other draws (rng.gamma, rng.beta: no standard draw of the same
numbers) stay refused, with the rewrite to write where there is one (errors.py).
"""
from __future__ import annotations

import dataclasses
import random

import numpy as np

from s2s import ir, prims
from s2s.ad.analysis import activity
from s2s.front.libraries import home_module
from s2s.ir.names import Namer
from s2s.ir.walk import map_blocks

DRAW_SHAPE = "s2s.runtime.draw_shape"
STANDARD_DRAW = "s2s.runtime.standard_draw"
DRAW_EXP = "s2s.runtime.draw_exp"
# method -> (its parameters before size, with their defaults; the standard draw's method (None: rt.standard_draw,
# rng.random(shape) for uniform, Python's r.random() or r.gauss(0.0, 1.0)); its own arguments; how the draw is made of z: "located" loc + scale * z,
# "between" low + (high - low) * z, "exp" C's exp of mean + sigma * z, rt.draw_exp)
LOCATED = {
    "normal": ((("loc", 0.0), ("scale", 1.0)), "standard_normal", (), "located"),
    "exponential": ((("scale", 1.0),), "standard_exponential", (), "located"),
    "laplace": ((("loc", 0.0), ("scale", 1.0)), "laplace", (0.0, 1.0), "located"),
    "gumbel": ((("loc", 0.0), ("scale", 1.0)), "gumbel", (0.0, 1.0), "located"),
    "logistic": ((("loc", 0.0), ("scale", 1.0)), "logistic", (0.0, 1.0), "located"),
    "uniform": ((("low", 0.0), ("high", 1.0)), None, (), "between"),
    "lognormal": ((("mean", 0.0), ("sigma", 1.0)), "standard_normal", (), "exp"),
}
# Python's random (a random.Random's methods, random.gauss the global one's): mu + z * sigma of the same method at
# (0.0, 1.0), a + (b - a) * r.random() (Lib/random.py; bit for bit, tests/test_fix19_lib.py)
PYTHON_LOCATED = {
    "gauss": ((("loc", 0.0), ("scale", 1.0)), None, (), "located"),
    "normalvariate": ((("loc", 0.0), ("scale", 1.0)), None, (), "located"),
    "uniform": ((("low", 0.0), ("high", 1.0)), None, (), "between"),
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
    parameters {name: atom}, size, its table entry) of a call of a `LOCATED` (NumPy's) or `PYTHON_LOCATED` draw
    whose arguments s2s can name; None otherwise."""
    if type(value) is not ir.Call:
        return None
    if value.op == "callmethod" and type(value.args[1]) is ir.Const and type(value.args[0]) is ir.Var and \
            (value.args[1].value in LOCATED or value.args[1].value in PYTHON_LOCATED):
        name, how, args = value.args[1].value, ("method", value.args[0]), value.args[2:]
        table = LOCATED if name in LOCATED else PYTHON_LOCATED  # (uniform: either, the same form)
    elif value.op == "call" and type(value.args[0]) is ir.Var and value.args[0].name in free:
        obj = free[value.args[0].name][0]
        name, owner = getattr(obj, "__name__", None), getattr(obj, "__self__", None)
        if owner is np.random.mtrand._rand and name in LOCATED:
            table = LOCATED  # (np.random.normal: the global RandomState's method)
        elif isinstance(owner, random.Random) and name in PYTHON_LOCATED:
            table = PYTHON_LOCATED  # (random.gauss: the global random.Random's)
        else:
            return None
        how, args = ("global", value.args[0]), value.args[1:]
    else:
        return None
    names = [p for p, _ in table[name][0]] + (["size"] if table is LOCATED else [])
    given = dict(value.kwargs)
    if table is PYTHON_LOCATED:  # (Python's own names of the parameters)
        spelled = {"mu": "loc", "sigma": "scale", "a": "low", "b": "high"}
        given = {spelled.get(k, k): v for k, v in given.items()}
    if len(args) > len(names) or any(k not in names for k in given) or \
            any(names[i] in given for i in range(len(args))) or any(type(a) is ir.Call for a in args):
        return None
    given.update(zip(names, args))
    parameters = {p: given.get(p, ir.Const(default)) for p, default in table[name][0]}
    return how, name, parameters, given.get("size", ir.Const(None)), table[name]


def _composition(s: ir.Assign, free: dict, namer: Namer) -> list:
    """The statements `rt.draw_shape(...)`, the standard draw, the draw made of it, the last one `s`'s target."""
    (how, base), name, parameters, size, (_, standard, own, form) = _parts(s.value, free)
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
    if standard is None:
        z = temp(ir.Call(STANDARD_DRAW, (draw, shape)))
    elif how == "method":
        z = temp(ir.Call("callmethod", (base, ir.Const(standard)) + own + (shape,)))
    else:
        function = getattr(np.random, standard)
        spelled = next((k for k, (v, _) in free.items() if v is function), None)
        if spelled is None:
            spelled = standard if standard not in free and standard not in namer.taken else namer.fresh(standard)
            namer.reserve(spelled)
            free[spelled] = (function, home_module(function, spelled))
        z = temp(ir.Call("call", (ir.Var(spelled),) + own + (shape,)))
    if form == "between":
        low, high = parameters["low"], parameters["high"]
        # (NumPy takes the bounds as doubles: high - low of two float32 bounds is a double's difference; Python's
        # random.uniform computes with what it is given. A method's receiver is taken for NumPy's)
        python = how == "global" and isinstance(getattr(free[base.name][0], "__self__", None), random.Random)
        high = high if python else temp(ir.Call(prims.FLOAT64, (high,)))
        scaled = temp(ir.Call("mul", (temp(ir.Call("sub", (high, low))), z)))
        value = ir.Call("add", (low, scaled))
    else:
        loc = parameters.get("loc", parameters.get("mean"))
        scale = parameters.get("scale", parameters.get("sigma"))
        scaled = z if scale == ir.Const(1.0) else temp(ir.Call("mul", (scale, z)))
        value = ir.Call("add", (loc, scaled)) if loc is not None else scaled
        if form == "exp":
            value = ir.Call(DRAW_EXP, (temp(value),))
    out.append(dataclasses.replace(s, value=value))
    return out
