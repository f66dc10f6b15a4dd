"""The few helpers generated code calls (imported there as `rt`).

Each is small, pure (it returns new values and never changes its inputs, except
`push`-style list appends that generated loops own) and has a docstring saying
which derivative it implements, so a reader of generated code can look it up.
"""
from s2s.runtime.core import *  # noqa: F401,F403  (unbroadcasting, container adjoints, zeros)
from s2s.runtime.sweeps import *  # noqa: F401,F403  (a gradient by forward-mode sweeps, one per input element)
from s2s.runtime.products import *  # noqa: F401,F403  (sums, means, matmul, dot, transpose adjoints)
from s2s.runtime.indexing import *  # noqa: F401,F403  (x[i], x.name, y[i] = v and loop accumulators)
from s2s.runtime.containers import *  # noqa: F401,F403  (lists, tuples and dicts the function builds or reads)
from s2s.runtime.grown import *  # noqa: F401,F403  (a grown list's adjoint cut back in place by its reversed loop)
from s2s.runtime.elementwise import *  # noqa: F401,F403  (powers, sign, ratios and logs at kinks and zeros)
from s2s.runtime.checks import *  # noqa: F401,F403  (the checks generated code runs: results, names, in-place writes)
from s2s.runtime.items import *  # noqa: F401,F403  (the check of an in-place operator on a container's item)
from s2s.runtime.foreign import *  # noqa: F401,F403  (a value read from data whose class defines the operation)
from s2s.runtime.arrays import *  # noqa: F401,F403  (reductions, shapes, joining, selection: NumPy rule helpers)
from s2s.runtime.cumprod import *  # noqa: F401,F403  (np.cumprod's derivatives, exact where entries are 0)
from s2s.runtime.running import *  # noqa: F401,F403  (np.maximum.accumulate's and np.minimum's derivatives)
from s2s.runtime.scatter import *  # noqa: F401,F403  (np.add.at(y, index, v) as the element write it is)
from s2s.runtime.linalg import *  # noqa: F401,F403  (products and linear algebra: NumPy rule helpers)
from s2s.runtime.padding import *  # noqa: F401,F403  (np.pad's tangent and adjoint)
from s2s.runtime.batched import *  # noqa: F401,F403  (vector forward mode: tangents with a leading batch axis)
from s2s.runtime.higher import *  # noqa: F401,F403  (vector-mode forms for differentiating generated code again)
from s2s.runtime.second import *  # noqa: F401,F403  (second derivatives of the adjoint helpers: hessians through them)
from s2s.runtime.spectral import *  # noqa: F401,F403  (the same for eigvalsh, eigh and svd)
from s2s.runtime.scipy import *  # noqa: F401,F403  (the covariance forms of scipy.stats.multivariate_normal)
from s2s.runtime.breadth import *  # noqa: F401,F403  (np.partition, np.unique, np.block, np.insert, ...: their transposes)
from s2s.runtime.scipy_linalg import *  # noqa: F401,F403  (scipy.linalg's rules: the rows of an LU factorization)
from s2s.runtime.methods import *  # noqa: F401,F403  (ndarray methods: astype, item, tolist)
from s2s.runtime.numerics import *  # noqa: F401,F403  (polynomials, finite differences, quantiles)
from s2s.runtime.masked import *  # noqa: F401,F403  (reductions with where= and initial=: np.max(x, where=m))
from s2s.runtime.settled import *  # noqa: F401,F403  (an inner transformation's results, as its call returns them)
from s2s.runtime.iterators import *  # noqa: F401,F403  (iterators a loop reads only in part: zip(xs, itertools.count()))
