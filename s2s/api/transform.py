"""The public reverse-mode transformations: grad, value_and_grad, vjp, and `stages`.

Each runs the stages of `pipeline.py` in order, then compiles and caches:

    source -> ssa -> alias -> result -> reverse -> optimize -> python -> compile -> cache

`stages(f, ...)` returns the text after each stage (what `S2S_DUMP=1` prints).
The object they return, `Transformed`, is in `api/transformed.py`.
"""
from __future__ import annotations

import dataclasses
import difflib
import inspect

from s2s import ir, pipeline
from s2s.api.transformed import TRANSFORMS as _TRANSFORMS, Transformed
from s2s.back.codegen import generate, generate_vjp
from s2s.back.compile import compile_source, pseudo_filename
from s2s.ir.names import Namer
from s2s.optimize import optimize
from s2s.optimize.scatter import buffers
from s2s.ir.printer import print_function
from s2s.ad.reverse import ADJOINT_BEGINS, reverse
from s2s.back.sourcemap import attach_user_frames  # noqa: F401 (api/forward.py reads it from here)
from s2s.ir.walk import defined_names, used_names
from s2s import prims
from s2s.errors import S2SError
from s2s.ir.walk import calls_in
from s2s.ad.forward import forward
from s2s.ad.analysis import scalars

def _primal(f, kind=None):
    """The front half of the pipeline: (SSA of f checked for `kind`, its Source)."""
    return pipeline.primal(f, kind)


def _namer_for(fn) -> Namer:
    names = set(fn.params) | set(defined_names(fn.body)) | used_names(fn.body) | set(prims.RESERVED_NAMES)
    namer = Namer(names)
    namer.temps = set(fn.temps)
    return namer


def resolve_wrt(params: list[str], wrt, fname: str, src=None) -> tuple[list[str], bool]:
    """Parameter names for `wrt` and whether a single derivative (not a tuple) is wanted.

    A `wrt` that names no parameter is refused with the function's parameters, the name meant and, given
    `src` (the function's `Source`), the file and line of its `def`."""
    single = not isinstance(wrt, (tuple, list))
    items = [wrt] if single else list(wrt)
    names = []
    where = ""
    if src is not None:
        where = f"\n  {src.filename}:{src.tree.lineno}\n    {src.line(src.tree.lineno).strip()}"
    for w in items:
        if isinstance(w, bool) or not isinstance(w, (int, str)):
            raise TypeError(f"wrt must be a parameter position, a name, or a tuple of them; got {w!r}: write "
                            f"wrt=0 or wrt={params[0] if params else 'x'!r}, or wrt=(0, 1) for several{where}")
        if isinstance(w, int):
            if not -len(params) <= w < len(params):
                raise ValueError(f"wrt={w} is out of range: {fname} has {len(params)} parameter(s) {params}; "
                                 f"positions count from 0, so the last is wrt={len(params) - 1}{where}")
            name = params[w]
        else:
            if w not in params:
                close = difflib.get_close_matches(w, params, n=1)
                meant = f": did you mean wrt={close[0]!r}?" if close else \
                    f"; name one of them, or give its position (wrt=0 for {params[0]!r})" if params else ""
                raise ValueError(f"wrt={w!r} is not a parameter of {fname}; its parameters are {params}{meant}"
                                 f"{where}")
            name = w
        if name in names:
            raise ValueError(f"wrt={wrt!r} names the parameter '{name}' of {fname} twice; name each parameter "
                             f"once{where}")
        names.append(name)
    return names, single


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
    if mode == "forward":
        from s2s.api.forward import stages_forward
        return stages_forward(f, wrt)
    kind = "value_and_grad" if return_value else "grad"
    return _grad_pipeline(*_primal(f, kind), wrt, return_value).text()


def stage_texts(f, wrt=0, return_value=False, mode="reverse") -> dict:
    """Every stage's text (`pipeline.NAMES` order) for `grad(f, ...)`, or `jvp(f, wrt)` with mode="forward",
    transformed afresh: what `S2S_DUMP=1` prints, for `python -m s2s show --stage NAME`."""
    with pipeline.capture() as texts:
        stages(f, wrt, return_value, mode)
    return {name: texts[name] for name in pipeline.NAMES if name in texts}


class _GradStages:
    """What each stage of the grad pipeline produced (for `stages` and for compiling)."""

    def __init__(self, src, primal, adjoint, optimized, python, name):
        self.src, self.primal, self.adjoint, self.optimized, self.python, self.name = \
            src, primal, adjoint, optimized, python, name

    def text(self) -> dict:
        return {"source": self.src.text, "ssa": print_function(self.primal), "adjoint": print_function(self.adjoint),
                "optimized": print_function(self.optimized), "python": self.python}


def _grad_pipeline(primal, src, wrt, return_value) -> _GradStages:
    """reverse -> optimize -> python, for `grad(f, wrt, return_value)` (`_primal(f, kind)` made the SSA)."""
    names, single = resolve_wrt(primal.params, wrt, primal.name, src)
    name = ("value_and_grad_" if return_value else "grad_") + primal.name
    adj = pipeline.stage("reverse", reverse, primal, names, return_value=return_value, namer=_namer_for(primal),
                         name=name, single=single)
    opt = pipeline.stage("optimize", optimize, adj)
    return _GradStages(src, primal, adj, opt, pipeline.python(generate(opt, _header(primal, "gradient")), name), name)


def _header(primal, what: str) -> str:
    return f"# Generated by s2s: {what} of {primal.name}. Do not edit; regenerate from the source."


def _uses_stacks(stmts) -> bool:
    """Does the function push to or pop from lists (the loop stacks of generated gradient code)?"""
    return any(c.op in ("push", "pop") for c in calls_in(stmts))


def _grad_transform(f, wrt, return_value=False):
    primal, src = _primal(f, "value_and_grad" if return_value else "grad")
    if _uses_stacks(primal.body):
        names, single = resolve_wrt(primal.params, wrt, primal.name, src)
        name = ("value_and_grad_" if return_value else "grad_") + primal.name
        return _grad_by_forward_mode(primal, src, names, single, return_value, name)
    st = _grad_pipeline(primal, src, wrt, return_value)
    filename = pseudo_filename("gradient", st.primal.name, st.src.filename, st.src.tree.lineno)
    return st.python, compile_source(st.python, filename, st.name, st.optimized.free, st.src.filename,
                                     st.primal.name, st.primal.deps)


def _signature(fn) -> str:
    """A function's parameter list as source text, defaults included (a constant, or the name of the data)."""
    text = lambda d: d.name if isinstance(d, ir.Var) else repr(d)  # noqa: E731
    sig = fn.signature
    positional = fn.params if sig is None else fn.params[:sig.positional]
    first_default = len(positional) - len(fn.defaults)
    parts = [p if i < first_default else f"{p}={text(fn.defaults[i - first_default])}"
             for i, p in enumerate(positional)]
    if sig is not None:
        parts += [f"*{sig.vararg}"] if sig.vararg else ["*"] if sig.kwonly else []
        parts += [f"{p}={text(sig.kwdefaults[p])}" if p in sig.kwdefaults else p for p in sig.kwonly]
        parts += [f"**{sig.kwarg}"] if sig.kwarg else []
    return ", ".join(parts)


def _call(fn, *extra: str) -> str:
    """The arguments of a call passing a function's own parameters on (`x, *args, k=k, **options`), then
    `extra` (keyword-only where the function has more than positional parameters)."""
    sig = fn.signature
    if sig is None:
        return ", ".join(list(fn.params) + list(extra))
    parts = list(fn.params[:sig.positional]) + ([f"*{sig.vararg}"] if sig.vararg else [])
    parts += [f"{p}={p}" for p in list(sig.kwonly) + list(extra)] + ([f"**{sig.kwarg}"] if sig.kwarg else [])
    return ", ".join(parts)


def _grad_by_forward_mode(primal, src, names, single, return_value, name):
    """The gradient of generated gradient code whose loops keep stacks: forward mode over it.

    A derivative of a scalar result with respect to a number is one forward
    sweep (tangent 1.0): the same value reverse mode would give, with the
    stacks simply carried along with their tangents (`dy_saved`)."""
    if primal.signature is not None:
        raise S2SError(f"the gradient of generated code with loop stacks and *args or keyword-only parameters "
                       f"({primal.name}): use s2s.jacobian(..., mode='forward') of it instead")
    namer = _namer_for(primal)
    jvp_name = namer.fresh("jvp_" + primal.name)
    fwd = pipeline.stage("forward", forward, primal, names, namer, name=jvp_name)
    opt = pipeline.stage("optimize", optimize, fwd)
    args = ", ".join(primal.params)
    if single and names[0] in scalars(primal, result_is_scalar=True):
        # a number: one sweep with tangent 1.0, written out so that it can be transformed again
        call = f"{jvp_name}({args}, 1.0)"
        entry = (f"def {name}({_signature(primal)}):\n    rt.require_scalar({names[0]})\n"
                 f"    return {call if return_value else call + '[1]'}\n")
    else:
        positions = ", ".join(str(primal.params.index(n)) for n in names)
        entry = (f"def {name}({_signature(primal)}):\n"
                 f"    return rt.forward_gradient({jvp_name}, ({args}{',' if len(primal.params) == 1 else ''}), "
                 f"({positions}{',' if len(names) == 1 else ''}), single={single}, value={bool(return_value)})\n")
    text = pipeline.python(generate(opt, _header(primal, "gradient, by forward mode over generated code with loop "
                                                 "stacks"), after=entry), name)
    filename = pseudo_filename("gradient", primal.name, src.filename, src.tree.lineno)
    return text, compile_source(text, filename, name, opt.free, src.filename, primal.name, primal.deps)


def _vjp_transform(f, wrt):
    """`vjp_f(*args) -> (value, pullback)`, the pullback calling any number of times.

    The pullback is a closure over the forward sweep's values. Where the adjoint
    would consume what the forward sweep saved (stack pops) or write arrays back
    (element writes), it instead re-runs the forward sweep with the adjoint:
    `pullback_f(*args, cotangent)`."""
    primal, src = _primal(f, "vjp")
    names, single = resolve_wrt(primal.params, wrt, primal.name, src)
    namer = _namer_for(primal)
    seed = namer.fresh("cotangent")
    name = "vjp_" + primal.name
    closure = pipeline.stage("reverse", reverse, primal, names, seed=seed, namer=namer, name=name, single=single)
    closure = pipeline.stage("optimize", optimize, closure)
    # (the adjoint buffers optimize/scatter.py makes are new on every call of the pullback: no obstacle)
    if not set(closure.arrays.values()) - buffers(closure) and not any(c.op == "pop" for c in calls_in(closure.body)):
        text = pipeline.python(generate_vjp(closure, seed, _header(primal, "vector-Jacobian product (vjp)")), name)
        filename = pseudo_filename("vjp", primal.name, src.filename, src.tree.lineno)
        return text, compile_source(text, filename, name, closure.free, src.filename, primal.name, primal.deps)
    namer = _namer_for(primal)
    seed = namer.fresh("cotangent")
    pull_name = namer.fresh("pullback_" + primal.name)
    adj = pipeline.stage("reverse", reverse, primal, names, seed=seed, namer=namer, name=pull_name, single=single)
    adj.body = [s for s in adj.body if not (isinstance(s, ir.Effect) and s.value.op == ADJOINT_BEGINS)]
    adj.defaults = ()  # pullback_f(*args, cotangent): every argument is passed
    if adj.signature is not None:
        adj.signature = dataclasses.replace(adj.signature, kwdefaults={})
    forward_fn = pipeline.stage("optimize", optimize, primal)
    if primal.name in primal.params:  # a parameter called like the function: the forward sweep is renamed
        forward_fn = dataclasses.replace(forward_fn, name=namer.fresh(primal.name))
    name = "vjp_" + primal.name
    entry = (f"def {name}({_signature(primal)}):\n"
             f"    return {forward_fn.name}({_call(primal)}), lambda {seed}: {pull_name}({_call(primal, seed)})\n")
    text = pipeline.python(generate(pipeline.stage("optimize", optimize, adj), _header(
        primal, "vector-Jacobian product (vjp)"), before=(forward_fn,), after=entry), name)
    filename = pseudo_filename("vjp", primal.name, src.filename, src.tree.lineno)
    free = dict(primal.free)
    return text, compile_source(text, filename, name, free, src.filename, primal.name, primal.deps)


_TRANSFORMS.update({"grad": _grad_transform, "vjp": _vjp_transform})


def _decorator(kind, f, **options):
    if f is not None and inspect.ismethod(f):
        # a bound method: transform its function; positions in wrt count from after `self`
        wrt = options.get("wrt", 0)
        shift = (lambda w: w + 1 if isinstance(w, int) and not isinstance(w, bool) and w >= 0 else w)
        options["wrt"] = tuple(shift(w) for w in wrt) if isinstance(wrt, (tuple, list)) else shift(wrt)
        return Transformed(f.__func__, kind, options["wrt"], {k: v for k, v in options.items() if k != "wrt"}
                           ).__get__(f.__self__)
    if f is None:
        return lambda g: _decorator(kind, g, **options)
    require_callable(kind, f)
    return Transformed(f, kind, options.get("wrt", 0), {k: v for k, v in options.items() if k != "wrt"})


def require_callable(kind: str, f) -> None:
    """`s2s.grad(0)` (a wrt passed as f) or another non-function: the TypeError Python gives a bad argument."""
    if not callable(f):
        also = f"; to choose the parameter, write s2s.{kind}(f, wrt={f!r})" if isinstance(f, (int, str, tuple)) else ""
        raise TypeError(f"s2s.{kind} transforms a function, but got {f!r}, which is not callable{also}")


def grad(f=None, wrt=0, return_value=False):
    """Transform `f` into a function returning the gradient of its scalar result (reverse mode).

    s2s reads the source of `f`, compiles it to SSA form and generates a new Python function that
    runs the forward computation and then the adjoint statements in reverse order. The
    transformation happens on the first call (or the first read of `.source`) and is cached for the
    life of the process (and across processes with `S2S_CACHE_DIR`); the errors below are raised
    then, not by `grad` itself.

    Works directly, as a decorator, or as a decorator with arguments: `s2s.grad(f)`, `@s2s.grad`,
    `@s2s.grad(wrt="w")`.

    Parameters
    ----------
    f : callable, optional
        A Python function whose source s2s can read (defined in a file or a notebook cell), or a
        function already transformed by s2s (transformations compose). It must return a number: a
        Python float or int, or a NumPy scalar or 0-d array. Leave it out to get a decorator.
    wrt : int, str, or tuple of int and str, default 0
        The parameter(s) to differentiate with respect to: a position (`0`; negative counts from
        the end), a name (`"w"`), or a tuple or list of them (`(0, "b")`). A single `wrt` gives a
        single derivative; a tuple gives a tuple of derivatives in the same order, even a 1-tuple.
    return_value : bool, default False
        If true, the transformed function returns `(value, gradient)` (as `value_and_grad`).

    Returns
    -------
    callable
        A function taking the same arguments as `f` and returning the gradient (or a tuple of
        gradients, one per `wrt` entry). A gradient has the structure and shape of its argument:
        a Python float for a float or int, an ndarray of the argument's shape for an ndarray, and
        the same tuple/list/dict nesting for containers of those. The function has `.source` (the
        generated Python module, a str) and `.__wrapped__` (`f`). Without `f`: a decorator.

    Raises
    ------
    UnsupportedSyntaxError
        `f` uses a construct s2s does not handle (`try`, `with`, `yield`, `class`, ...).
    NonDifferentiableError
        `f` calls a function that has no derivative rule and no Python source to descend into.
    SourceUnavailableError
        The source of `f` cannot be read (typed at the REPL, made with `exec`, a builtin).
    ResultTypeError
        `f` returns `None`, a string or a bool: something with no derivative.
    ValueError
        `f`'s result is not a scalar (use `vjp` or `jacobian`), or `wrt` is not a parameter of `f`.
    TypeError
        `wrt` is not a position, a name or a tuple of them; the arguments do not fit `f`; or a
        `wrt` argument is a bool or an integer array (pass floats).


    See Also
    --------
    - `value_and_grad`: the value and the gradient in one call.
    - `vjp`: derivatives of functions whose result is an array or a tuple.
    - `jacobian`, `hessian`: whole derivative matrices.

    Examples
    --------
    >>> import s2s
    >>> def f(x, y):
    ...     return x * x * y
    >>> s2s.grad(f)(3.0, 2.0)
    12.0
    >>> s2s.grad(f, wrt=(0, "y"))(3.0, 2.0)
    (12.0, 9.0)
    >>> s2s.grad(f, return_value=True)(3.0, 2.0)
    (18.0, 12.0)
    """
    return _decorator("grad", f, wrt=wrt, return_value=bool(return_value))


def value_and_grad(f=None, wrt=0):
    """Transform `f` into a function returning `(value, gradient)` of its scalar result.

    The same as `grad(f, wrt, return_value=True)`: one call runs the forward computation once and
    gives both `f(*args)` and its gradient.

    Parameters
    ----------
    f : callable, optional
        A Python function returning a number (see `grad`). Leave it out to get a decorator.
    wrt : int, str, or tuple of int and str, default 0
        The parameter(s) to differentiate with respect to, as in `grad`.

    Returns
    -------
    callable
        A function taking the same arguments as `f` and returning `(value, gradient)`, where
        `value` is what `f` returns and `gradient` is what `grad(f, wrt)` returns (a tuple of
        gradients for a tuple `wrt`). It has `.source` and `.__wrapped__`.

    Raises
    ------
    S2SError, ValueError, TypeError
        As `grad`, when the transformed function is first called.

    See Also
    --------
    - `grad`: the gradient alone, or with `return_value=True` the same as this.

    Examples
    --------
    >>> import numpy as np
    >>> import s2s
    >>> def loss(w, x):
    ...     return np.sum((x @ w) ** 2)
    >>> value, g = s2s.value_and_grad(loss)(np.array([1.0, 2.0]), np.eye(2))
    >>> float(value), g.tolist()
    (5.0, [2.0, 4.0])
    """
    return _decorator("grad", f, wrt=wrt, return_value=True)


def vjp(f=None, wrt=0):
    """Transform `f` into a function returning its value and a pullback (reverse mode).

    `vjp(f, wrt)(*args)` returns `(value, pullback)`; `pullback(cotangent)` returns the gradient of
    `sum(cotangent * f(*args))` with respect to `wrt`, the vector-Jacobian product. Unlike `grad`,
    `f`'s result may be an array, a number, or a tuple, list or dict of them. The pullback may be
    called any number of times, with different cotangents.

    Parameters
    ----------
    f : callable, optional
        A Python function whose source s2s can read. Leave it out to get a decorator.
    wrt : int, str, or tuple of int and str, default 0
        The parameter(s) to differentiate with respect to, as in `grad`.

    Returns
    -------
    callable
        A function taking the same arguments as `f` and returning `(value, pullback)`. `cotangent`
        must have the structure and shapes of `value`; `pullback` returns one gradient (a tuple of
        them for a tuple `wrt`), each with the structure and shape of its argument. The function
        has `.source` and `.__wrapped__`.

    Raises
    ------
    S2SError, ValueError, TypeError
        As `grad` (except that the result need not be a scalar), when the transformed function
        is first called.

    See Also
    --------
    - `jacobian`: the whole Jacobian, one pullback per element of the value.
    - `jvp`: forward mode.

    Examples
    --------
    >>> import numpy as np
    >>> import s2s
    >>> def scaled_sin(x, a):
    ...     return a * np.sin(x)
    >>> value, pullback = s2s.vjp(scaled_sin)(np.array([0.0, np.pi]), 2.0)
    >>> pullback(np.array([1.0, 1.0])).tolist()
    [2.0, -2.0]
    """
    return _decorator("vjp", f, wrt=wrt)


def source(fn) -> str:
    """The generated Python source of a function transformed by s2s.

    The same text as `fn.source`: a complete, self-contained Python module whose last top-level
    function is the entry point (it takes `f`'s parameters and returns what `fn` returns). The
    forward computation comes first, the adjoint statements follow in reverse order, and names
    derive from yours (`bx` is the adjoint of `x`). The text is deterministic: byte-identical in
    every process and on every supported Python version.

    Parameters
    ----------
    fn : callable
        A function returned by an s2s transformation (`grad`, `value_and_grad`, `vjp`, `jvp`,
        `jacobian`, `hessian`) or anything else with a `.source` string.

    Returns
    -------
    str
        The generated module text. Reading it transforms `f` if that has not happened yet.

    Raises
    ------
    TypeError
        `fn` is not a transformed function.
    S2SError
        The transformation itself fails (see `grad`).

    Examples
    --------
    >>> import s2s
    >>> def f(x):
    ...     return 3.0 * x * x
    >>> print(s2s.source(s2s.grad(f)).splitlines()[0])
    # Generated by s2s: gradient of f. Do not edit; regenerate from the source.
    >>> "def grad_f(x):" in s2s.source(s2s.grad(f))
    True
    """
    if isinstance(fn, Transformed):
        return fn.source
    text = getattr(fn, "source", None)
    if isinstance(text, str):
        return text
    raise TypeError(f"{fn!r} is not a function transformed by s2s")


def ssa(f) -> str:
    """The SSA (static single assignment) form of `f`, as readable text.

    The intermediate representation every transformation starts from: each name is assigned once
    (`y`, `y_1`, ...; `t1`, `t2`, ... for the values of subexpressions), branches and loops keep
    their structure, and where values meet (after a branch, at the head of a loop) they are joined
    by `phi(...)`. Useful to see how s2s understood a function.

    Parameters
    ----------
    f : callable
        A Python function whose source s2s can read.

    Returns
    -------
    str
        The SSA form, one statement per line.

    Raises
    ------
    UnsupportedSyntaxError, SourceUnavailableError
        As `grad`: the function cannot be read or uses an unsupported construct.

    See Also
    --------
    - `stages`: the text after every stage of the pipeline.

    Examples
    --------
    >>> import s2s
    >>> def f(x):
    ...     y = x * x
    ...     y = y + 1.0
    ...     return y
    >>> print(s2s.ssa(f))
    def f(x):
        y = x * x
        y_1 = y + 1.0
        return y_1
    """
    primal, _ = _primal(f)
    return print_function(primal)
