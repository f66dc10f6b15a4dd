"""`stages`: the text after each stage of the pipeline, for reverse or forward mode.

It sits above both modes' modules (`transform.py`, `forward.py`), which each
give their stages' texts; `stage_texts` is what `S2S_DUMP=1` prints and
`python -m s2s show --stage NAME` shows.
"""
from __future__ import annotations

from s2s import pipeline
from s2s.api import forward, transform, wrappers


def stages(f, wrt=0, return_value=False, mode="reverse") -> dict:
    """The text after each stage of the pipeline that `grad(f, wrt, return_value)` runs.

    Shows how s2s turned `f` into its derivative, one stage at a time: the source it read, the SSA
    form, the adjoint (or tangent) program, the optimised program, and the generated Python.
    With `mode="forward"`, the stages of `jvp(f, wrt)`.

    Parameters
    ----------
    f : callable
        A Python function whose source s2s can read.
    wrt : int, str, or tuple of int and str, default 0
        The parameter(s) to differentiate with respect to, as in `grad`.
    return_value : bool, default False
        As in `grad` (reverse mode only).
    mode : {"reverse", "forward"}, default "reverse"
        Which transformation's stages to show.

    Returns
    -------
    dict of str to str
        Stage name to text, in pipeline order: `"source"`, `"ssa"`, `"adjoint"` (`"tangent"` in
        forward mode), `"optimized"`, `"python"`. `"python"` is the text `.source` returns.

    Raises
    ------
    S2SError, ValueError, TypeError
        As `grad`.

    Examples
    --------
    >>> import s2s
    >>> def f(x):
    ...     return x * x
    >>> list(s2s.stages(f))
    ['source', 'ssa', 'adjoint', 'optimized', 'python']
    >>> list(s2s.stages(f, mode="forward"))
    ['source', 'ssa', 'tangent', 'optimized', 'python']
    """
    f = wrappers.forwarded(f)  # (as every transformation reads a functools.wraps wrapper: api/wrappers.py)
    if mode == "forward":
        return forward.stages_forward(f, wrt)
    return transform.grad_stages(f, wrt, return_value)


def stage_texts(f, wrt=0, return_value=False, mode="reverse") -> dict:
    """Every stage's text (`pipeline.NAMES` order) for `grad(f, ...)`, or `jvp(f, wrt)` with mode="forward",
    transformed afresh: what `S2S_DUMP=1` prints, for `python -m s2s show --stage NAME`."""
    with pipeline.capture() as texts:
        stages(f, wrt, return_value, mode)
    return {name: texts[name] for name in pipeline.NAMES if name in texts}
