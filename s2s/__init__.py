"""s2s: source-to-source automatic differentiation for Python and NumPy.

Decorate a function with `@s2s.grad` and get back a readable Python function
computing its derivative; `.source` shows it.

- Transformations: `grad`, `value_and_grad`, `vjp` (reverse mode), `jvp`
  (forward mode), `jacobian`, `hessian`; they compose. `checkpoint` marks a
  helper whose calls save only their arguments (recomputed in the reverse sweep).
- Generated code: `source`, `ssa`, `stages`; `python -m s2s show FILE.py:FUNC`.
- Pictures: `graph` (Graphviz DOT of the dataflow); `python -m s2s graph FILE.py:FUNC`.
- Your own derivatives: `adjoint`, `tangent`, `nondifferentiable`; checked
  with `check_grad`. Containers of parameters: `flatten`.
- Snapshot tests of generated code: `s2s.testing.assert_source_matches`.
- Errors: `S2SError` and its subclasses `UnsupportedSyntaxError`,
  `NonDifferentiableError`, `SourceUnavailableError`, `ResultTypeError`.

The documentation is in the repository's docs/ (docs/index.md; the API
reference is docs/reference/).

>>> import s2s
>>> def f(x, y):
...     return x * y + y
>>> s2s.grad(f, wrt=(0, 1))(2.0, 3.0)
(3.0, 3.0)
"""
from s2s.api.transform import grad, source, ssa, value_and_grad, vjp
from s2s.api.forward import jvp
from s2s.api.stages import stages
from s2s.errors import (ArgumentTypeError, CallError, NonDifferentiableError, ResultTypeError, RuleError, S2SError,
                        SourceUnavailableError, UnsupportedSyntaxError)
from s2s.api.checks import check_grad
from s2s.api.derived import hessian, jacobian
from s2s.api.pytree import flatten
from s2s.api import recursion as _recursion  # noqa: F401  (recursive functions get their own derivatives)
from s2s.api.checkpoint import checkpoint
from s2s.rules.custom import adjoint, nondifferentiable, tangent
from s2s.api.graph import graph
from s2s.version import __version__

for _t in (grad, value_and_grad, vjp, jvp, jacobian, hessian, checkpoint):
    _t.__s2s_transformation__ = True  # called inside a differentiated function: transformed while compiling
del _t

__all__ = [
    "grad", "value_and_grad", "vjp", "jvp", "source", "ssa", "stages", "adjoint", "tangent", "nondifferentiable",
    "jacobian", "hessian", "check_grad", "flatten", "graph", "checkpoint",
    "S2SError", "UnsupportedSyntaxError", "NonDifferentiableError", "SourceUnavailableError",
    "ResultTypeError", "CallError", "ArgumentTypeError", "RuleError",
]
