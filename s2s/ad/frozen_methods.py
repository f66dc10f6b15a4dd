"""A method without a rule of a frozen distribution whose parameters carry a derivative: refused at its own line.

`d = stats.norm(mu, s)` makes a frozen distribution, whose methods with records are read as the distribution's
functions (`d.logpdf(x)` is `stats.norm.logpdf(x, mu, s)`: front/calls.py), so that the constructor itself has no
derivative of its own and no rule. A method without a record (`d.mean()`, `d.entropy()`, `d.rvs()`) is called as
written; where the derivative would flow through it, `refuse_frozen_methods(fn, wrt)` raises before either mode
meets the constructor, naming the method, its line, the distribution's methods that have rules, and what to write
instead (the value from the parameters, or a rule on a function of the user's that computes it): never
s2s.nondifferentiable of the constructor, which would make logpdf's derivative 0 too.
"""
from __future__ import annotations

from s2s import ir
from s2s.ad.analysis import activity
from s2s.errors import NonDifferentiableError
from s2s.prims import spelling
from s2s.rules import registry

# the methods of a frozen distribution that may have records, for the message
_RULED = ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf", "logpmf", "pmf")
# stats.norm(loc, scale)'s methods from its parameters (what to write instead)
_NORMAL = {"mean": "loc", "median": "loc", "std": "scale", "var": "scale ** 2",
           "entropy": "0.5 * np.log(2 * np.pi * np.e * scale ** 2)",
           "rvs": "loc + scale * rng.standard_normal(size)"}


def refuse_frozen_methods(fn: ir.Function, wrt: list) -> None:
    """Raise the refusal of the first method without a record of a frozen distribution (a call of a distribution
    of `fn`) that the derivative w.r.t. `wrt` would flow through; nothing where there is none."""
    made = {s.target: s for s in ir.statements(fn.body) if type(s) is ir.Assign and type(s.value) is ir.Call and
            registry.frozen_method(s.value.op) == s.value.op}
    if not made:
        return
    uses = [s for s in ir.statements(fn.body) if type(s) is ir.Assign and type(s.value) is ir.Call and
            s.value.op == "callmethod" and type(s.value.args[0]) is ir.Var and s.value.args[0].name in made]
    if not uses:
        return
    active = activity(fn, wrt)
    for s in uses:
        if s.target in active and s.value.args[0].name in active:
            raise _refusal(s, made[s.value.args[0].name].value.op, fn.filename)


def _refusal(s: ir.Assign, op: str, filename: str) -> NonDifferentiableError:
    method = s.value.args[1].value
    spelled = spelling(op).split(" (")[0]
    ruled = ", ".join(m for m in _RULED if registry.frozen_method(op, m) is not None)
    why = (f"it has no derivative rule (the frozen distribution's {ruled} have theirs)" if ruled else
           "it has no derivative rule")
    if op == "scipy.stats.norm" and method in _NORMAL:
        instead = f"write it from the parameters, {_NORMAL[method]} for d.{method}() of d = {spelled}(loc, scale)"
    else:
        instead = "write it from the distribution's parameters with NumPy"
    short = spelled.rpartition(".")[2]
    fix = (f"Keep the frozen distribution for the methods with rules and {instead}; or compute it in a function of "
           f"your own with a rule, def {short}_{method}(loc, scale): return {spelled}(loc, scale).{method}(), "
           f"registered with @s2s.adjoint({short}_{method}) (and @s2s.tangent for forward mode).")
    loc = s.loc
    return NonDifferentiableError(f"the method .{method}() of the frozen distribution {spelled}(...)",
                                  loc.file if loc is not None and loc.file else filename,
                                  loc.line if loc is not None else 0, loc.text if loc is not None else "", why, fix)
