"""The refusal of a function passed to a library call s2s calls as it is, with no derivative rule and no source it
follows: `scipy.integrate.solve_ivp(rhs, ...)`, `scipy.integrate.quad(lambda t: ..., 0, 1)`, `scipy.optimize.minimize`.
The callback itself is fine; what s2s cannot differentiate is the call it is given to, so the message names that call
and says what to write: the computation as a loop s2s follows, or the call inside a function of the user's own given a
rule with @s2s.adjoint (and @s2s.tangent), or the call moved out of the function where no derivative passes through it.
"""
from __future__ import annotations

_INTEGRATORS = ("integrate.", "odeint", "solve_ivp", "quad")
_SOLVERS = ("optimize.", "minimize", "root", "brentq", "fsolve", "newton", "bisect")


def library_callback(shown: str, name: str, file: str, line: int, column: int, text: str) -> tuple:
    """The arguments of UnsupportedSyntaxError for the function `name` passed to the library call `shown` (as the
    user spelled it, with the function's own name after it in parentheses where that differs)."""
    spelled = shown.split(" (")[0]
    short = spelled.rsplit(".", 1)[-1]
    given = "a lambda" if name == "lambda" else f"the function '{name}'"
    rhs = "rhs" if name == "lambda" else name
    if any(k in shown for k in _INTEGRATORS):
        loop = f"the integrator's steps as a loop in your function (y = y + h * {rhs}(t, y), or RK4 steps)"
    elif any(k in shown for k in _SOLVERS):
        loop = "the solver's iterations as a loop in your function (Newton or gradient steps)"
    else:
        loop = "what it computes with operations s2s differentiates"
    message = (f"{spelled} given {given} (a library call with no derivative rule, which calls the function it is "
               f"given in code s2s does not follow)")
    hint = (f"write {loop}; or put the call in a function of your own, e.g. def solve(k): return {short}(...), and "
            f"give it a rule with @s2s.adjoint(solve) (and @s2s.tangent(solve) for forward mode), calling solve in "
            f"the function you differentiate; where no derivative need pass through it, compute it outside the "
            f"function and pass the result in")
    return message, file, line, column, text, hint
