"""scipy.ndimage's Gaussian filter (an optional family, loaded once the user's code has imported scipy.ndimage).

`scipy.ndimage.gaussian_filter(x, sigma, order=0, mode='reflect', cval=0.0, truncate=4.0, radius=, axes=)` is linear
in x (cval= a constant: 0 in the derivative): its tangent filters the tangent the same way, its adjoint is the
correlation with the same kernel along each axis, transposed at the boundary as the mode reads it
(rt.gaussian_filter_tangent, rt.gaussian_filter_adjoint: runtime/scipy.py), each the other's transpose, so higher
orders follow. A derivative in sigma is refused, saying how to write the blur in NumPy (signal_advice.py); order,
mode and truncate carry none.
"""
from __future__ import annotations

import scipy.ndimage  # noqa: F401  (the record names its function: this family needs it)

from s2s.rules.primitive import linear, non_default, refuse
from s2s.rules.symbolic import rt
from s2s.signal_advice import SIGNAL_INSTEAD

KEY = "scipy.ndimage.gaussian_filter"
RT = "s2s.runtime."


def _options(output, order, mode, truncate, radius, axes) -> dict:
    if output is not None:
        refuse(KEY, "output= (the filter written into an array the call is given) is not supported by s2s",
               "use the array the call returns: y = scipy.ndimage.gaussian_filter(x, sigma)")
    return non_default(order=(order, 0), mode=(mode, "reflect"), truncate=(truncate, 4.0), radius=(radius, None),
                       axes=(axes, None))


def _in_sigma(*_, **__):
    refuse(KEY, "the derivative in sigma is not supported by s2s (it is in x: a linear filter)",
           "write the blur in NumPy, whose kernel s2s differentiates in sigma: " + SIGNAL_INSTEAD[KEY])


linear(KEY, lambda g, ans, x, sigma, order=0, output=None, mode="reflect", cval=0.0, truncate=4.0, radius=None,
       axes=None: rt.gaussian_filter_adjoint(g, x, sigma, **_options(output, order, mode, truncate, radius, axes)),
       _in_sigma,
       tangent=[lambda d, ans, x, sigma, order=0, output=None, mode="reflect", cval=0.0, truncate=4.0, radius=None,
                axes=None: rt.gaussian_filter_tangent(d, x, sigma, **_options(output, order, mode, truncate, radius,
                                                                              axes)), _in_sigma])
# each helper linear in its first argument, the other its transpose; x (read for its shape), sigma and the options
# carry no derivative (a derivative in sigma was refused at the user's call)
_OTHERS = (None,) * 7
linear(RT + "gaussian_filter_tangent",
       lambda G, ans, d, x, sigma, **options: rt.gaussian_filter_adjoint(G, x, sigma, **options), *_OTHERS)
linear(RT + "gaussian_filter_adjoint",
       lambda G, ans, g, x, sigma, **options: rt.gaussian_filter_tangent(G, x, sigma, **options), *_OTHERS,
       rank_of_argument=1)
