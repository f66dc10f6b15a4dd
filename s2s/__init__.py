"""s2s: source-to-source automatic differentiation for Python and NumPy.

Decorate a function with `@s2s.grad` and get back a readable Python function
computing its derivative; `.source` shows it.
"""
from .api import grad, source, ssa, stages, value_and_grad, vjp
from .api_forward import jvp
from .errors import (NonDifferentiableError, ResultTypeError, S2SError, SourceUnavailableError,
                     UnsupportedSyntaxError)
from .derived import check_grad, hessian, jacobian
from .pytree import flatten
from .rules.custom import adjoint, nondifferentiable, tangent

__version__ = "0.1.0"

__all__ = [
    "grad", "value_and_grad", "vjp", "jvp", "source", "ssa", "stages", "adjoint", "tangent", "nondifferentiable",
    "jacobian", "hessian", "check_grad", "flatten",
    "S2SError", "UnsupportedSyntaxError", "NonDifferentiableError", "SourceUnavailableError",
    "ResultTypeError",
]
