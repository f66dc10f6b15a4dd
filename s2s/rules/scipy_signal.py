"""scipy.signal's windows with a parameter that may carry a derivative (an optional family, loaded once the user's
code has imported scipy.signal).

`scipy.signal.windows.gaussian(M, std)` is read as scipy computes it, `np.exp(-n ** 2 / (2 * std * std))` with
`n = np.arange(M) - (M - 1.0) / 2.0` (bit for bit scipy's value), so its derivative in std comes from the rules of
those operations in every mode (sym=False: the first M of M + 1 samples, as scipy computes them). Windows of an int alone (hann(len(x))) are called as they are: nothing of them carries a
derivative (front/outside.made_outside).
"""
from __future__ import annotations

import scipy.signal.windows  # noqa: F401  (the record names its function: this family needs it)

from s2s import ir
from s2s.rules.primitive import Primitive, register
from s2s.rules.symbolic import np

KEY = "scipy.signal.windows.gaussian"
_PARAMETERS = ("M", "std", "sym")


def _gaussian(materialise, *args, **kwargs):
    bound = dict(zip(_PARAMETERS, args), **kwargs)
    sym = bound.get("sym", ir.Const(True))
    if set(bound) - set(_PARAMETERS) or not {"M", "std"} <= set(bound) or \
            not (isinstance(sym, ir.Const) and type(sym.value) is bool):
        return ir.Call(KEY, tuple(args), tuple(kwargs.items()))
    m, std = bound["M"], bound["std"]
    if not sym.value:  # (the first M of M + 1 samples, as scipy's _extend and _truncate; M <= 1: M samples, ones)
        m = materialise(ir.Call("add", (m, materialise(ir.Call("gt", (m, ir.Const(1)))))))
    centre = materialise(ir.Call("truediv", (materialise(ir.Call("sub", (m, ir.Const(1.0)))), ir.Const(2.0))))
    n = materialise(ir.Call("sub", (materialise(ir.Call(f"{np._prefix}.arange", (m,))), centre)))
    sig2 = materialise(ir.Call("mul", (materialise(ir.Call("mul", (ir.Const(2), std))), std)))
    square = materialise(ir.Call("neg", (materialise(ir.Call("pow", (n, ir.Const(2)))),)))
    w = ir.Call(f"{np._prefix}.exp", (materialise(ir.Call("truediv", (square, sig2))),))
    if sym.value:
        return w
    cut = materialise(ir.Call("slice", (ir.Const(None), bound["M"], ir.Const(None))))
    return ir.Call("getitem", (materialise(w), cut))


register(Primitive(KEY, lowered=_gaussian, facts={"kind": "composite", "keywords": True}))
