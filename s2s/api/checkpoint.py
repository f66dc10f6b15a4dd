"""`s2s.checkpoint(fn)`: a call of `fn` inside a differentiated function that saves only its arguments.

Inside a function s2s differentiates, a call of a checkpointed function is not
descended into: it stays a call of `fn`, with the rules s2s makes for recursive
functions (api/recursion.py). Its reverse rule is `s2s.vjp(fn)`'s pullback,
which runs `fn`'s forward sweep again in the reverse sweep; its tangent rule is
`s2s.jvp(fn)`; second derivatives have rules made the same way. So the forward
sweep keeps the call's arguments and its result, none of `fn`'s intermediate
values, and the reverse sweep pays one more forward pass of `fn` per call
(JAX's `jax.checkpoint`, "rematerialisation").

Called outside differentiation the wrapper is `fn` itself: the same value, the
same signature (functools.wraps).
"""
from __future__ import annotations

import functools
import inspect
import weakref

from s2s.api import recursion
from s2s.errors import S2SError

CHECKPOINTED = "__s2s_checkpointed__"  # the attribute of the wrapper holding the function it checkpoints
# function -> a weak reference to its wrapper (`s2s.checkpoint(step)(h)` in a loop: made once while it is held).
# Weak both ways: the wrapper holds the function, so a strong reference to either would keep every closure
# checkpointed at a call (`s2s.checkpoint(lambda h: ...)` in a function called many times) alive; and the user's
# function itself is left as it was (no attribute set on it)
_WRAPPERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def checkpoint(fn):
    """Mark `fn` so that, inside a function s2s differentiates, its calls save only their arguments.

    A call of `s2s.checkpoint(fn)` (or of a function decorated with `@s2s.checkpoint`) is not
    descended into: the generated code calls `fn` in the forward sweep and keeps none of its
    intermediate values, only the arguments and the result of the call; in the reverse sweep it
    runs `fn`'s forward sweep again and then its pullback (the `vjp` of `fn`). Forward mode
    calls `fn`'s `jvp` after `fn` (forward mode saves nothing, so there the mark only costs
    that second pass); second derivatives have rules made the same way. The values and the
    derivatives are those of `fn` written in place; the cost is one more forward pass of each
    checkpointed call. As `jax.checkpoint` (`jax.remat`). An extension: the API specification
    does not name it.

    Parameters
    ----------
    fn : function
        A Python function whose source s2s can read (a `def` or a `lambda`) with positional
        parameters (defaults allowed; no `*args` or keyword-only parameters). Called with
        arrays, numbers, integers, and tuples, lists and dicts of them.

    Returns
    -------
    function
        `fn` itself outside differentiation: a wrapper (`functools.wraps`) with the same value,
        name and signature. Marking it again returns it; marking the same `fn` twice gives
        the same wrapper.

    Raises
    ------
    S2SError
        `fn` is not a Python function (a ufunc, a bound method: checkpoint a function of your
        own calling it) or takes `*args` or keyword-only parameters. When differentiating: `fn`
        draws random numbers or takes an iterator's next item (running it again would draw
        others); a method marked in its class, called on its object (checkpoint a module-level
        function of the arrays it reads); third derivatives through a checkpointed call.

    See Also
    --------
    - `vjp`: the pullback that runs in the reverse sweep.

    Examples
    --------
    >>> import numpy as np
    >>> import s2s
    >>> @s2s.checkpoint
    ... def layer(h, w):
    ...     return np.tanh(w * h)
    >>> def loss(w, h):
    ...     for _ in range(3):
    ...         h = layer(h, w)
    ...     return np.sum(h)
    >>> float(loss(0.5, np.ones(2)))  # outside differentiation: layer itself
    0.2260624320200089
    >>> round(float(s2s.grad(loss)(0.5, np.ones(2))), 6)
    1.249153
    """
    if getattr(fn, CHECKPOINTED, None) is not None:  # (checkpoint(checkpoint(f)): one mark)
        return fn
    held = _WRAPPERS.get(fn) if inspect.isfunction(fn) else None
    made = held() if held is not None else None
    if made is not None:
        return made
    if not inspect.isfunction(fn):
        kind = "a bound method" if inspect.ismethod(fn) else f"a {type(fn).__name__}"
        raise S2SError(f"s2s.checkpoint of {kind} ({fn!r}): it takes a Python function with source (a def or a "
                       f"lambda); checkpoint a function of your own that calls it")
    # (a function marked before passed the check: `s2s.checkpoint(step)(h)` in a loop, its wrapper let go each time)
    if fn not in recursion.CHECKPOINTED and \
            any(p.kind in (p.VAR_POSITIONAL, p.KEYWORD_ONLY) for p in inspect.signature(fn).parameters.values()):
        raise S2SError(f"s2s.checkpoint of {fn.__name__}, which takes *args or keyword-only parameters (its "
                       f"derivatives take the arguments by position): give {fn.__name__} ordinary named parameters "
                       f"(pass several values as one tuple or array)")

    recursion.CHECKPOINTED.add(fn)

    @functools.wraps(fn)
    def checkpointed(*args, **kwargs):
        return fn(*args, **kwargs)

    setattr(checkpointed, CHECKPOINTED, fn)
    _WRAPPERS[fn] = weakref.ref(checkpointed)
    return checkpointed

