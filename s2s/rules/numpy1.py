"""NumPy 1.x's names of functions that NumPy 2 renamed or dropped: `np.trapz`, before NumPy 2.0 the only name of
the trapezoidal rule (NumPy 2's np.trapezoid), `np.product`, `np.cumproduct` and `np.round_` (np.prod, np.cumprod,
np.round). Where this NumPy has the name, it gets a record of its own with the rules of the function it is (called
by its own name in generated code, as the user's code calls it); on NumPy 2, whose numpy module has none of them,
nothing is registered. Loaded after the families that hold those functions' records (rules/__init__.py)."""
from __future__ import annotations

import dataclasses

import numpy

from s2s.rules import registry
from s2s.rules.primitive import nondiff, register

# the key of NumPy 1's name -> the name of the function it is, whose record it copies
ALIASES = {"numpy.trapz": "trapezoid", "numpy.product": "prod", "numpy.cumproduct": "cumprod", "numpy.round_": "round"}

for _key, _name in ALIASES.items():
    if not hasattr(numpy, _key.rpartition(".")[2]):
        continue
    if f"numpy.{_name}" in registry.NONDIFF:  # (np.round_: a rounding, no derivative)
        nondiff(_key)
    else:
        register(dataclasses.replace(registry.PRIMITIVES[f"numpy.{_name}"], key=_key,
                                     facts=dict(registry.PRIMITIVES[f"numpy.{_name}"].facts)))
