"""The tools under comparison: s2s, a hand-written gradient, and the optional peers.

Each tool turns (workload, NumPy arguments) into a `Prepared`: the function and
its derivative as that tool runs them, the arguments converted to its array
type, and a converter of its derivative back to NumPy for the finite-difference
check. A peer that is not installed is reported by `available()` and skipped.

The peers run the workloads' own source: `workload_namespace(tool)` loads a
fresh copy of workloads.py (and ports.py) with `np` and `math` rebound.
"""
from __future__ import annotations

import importlib
import importlib.util
import itertools
import math
import os
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
_copies = itertools.count()


class Unavailable(Exception):
    """The tool cannot run this workload at all (no such mode): the cell says n/a."""


class NotRun(Exception):
    """Not run to keep the whole run within its time budget: the cell says not run: <why>."""


class Rejected(Exception):
    """s2s refused to transform the workload: the cell says rejected: <first line>."""


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".strip()


# --------------------------------------------------------------------------- namespaces

def fresh_workloads_module():
    """A new module object from workloads.py: new code objects, so s2s transforms its functions afresh."""
    name = f"benchmarks._workloads_copy_{next(_copies)}"
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, "workloads.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def workload_namespace(np_like, math_like):
    """A copy of workloads.py with ports.py run inside it, its `np` and `math` rebound."""
    module = fresh_workloads_module()
    with open(os.path.join(HERE, "ports.py")) as fh:
        exec(compile(fh.read(), os.path.join(HERE, "ports.py"), "exec"), module.__dict__)
    module.np = np_like
    module.math = math_like
    return module


class MathDispatch:
    """`math` for a peer: a framework array goes to the framework's function, a plain number to math's."""

    def __init__(self, ns, is_array):
        self._ns, self._is_array = ns, is_array

    def __getattr__(self, name):
        plain = getattr(math, name)
        if not callable(plain):
            return plain
        framework = getattr(self._ns, name, None)
        is_array = self._is_array

        def call(*args):
            if framework is not None and any(is_array(a) for a in args):
                return framework(*args)
            return plain(*args)
        return call


class TorchNumpy:
    """The few NumPy spellings the workloads use, in torch (float64)."""

    def __init__(self, torch):
        self.torch = torch

    def __getattr__(self, name):
        return getattr(self.torch, name)

    def _elementwise(name):  # noqa: N805
        def fn(self, x):
            if isinstance(x, self.torch.Tensor):
                return getattr(self.torch, name)(x)
            return getattr(math, name)(x)
        return fn

    exp, log, sin, cos = _elementwise("exp"), _elementwise("log"), _elementwise("sin"), _elementwise("cos")
    tanh, sqrt = _elementwise("tanh"), _elementwise("sqrt")

    def sum(self, a, axis=None, keepdims=False):
        return self.torch.sum(a) if axis is None else self.torch.sum(a, dim=axis, keepdim=keepdims)

    def max(self, a, axis=None, keepdims=False):
        return self.torch.max(a) if axis is None else self.torch.amax(a, dim=axis, keepdim=keepdims)

    def zeros(self, shape):
        return self.torch.zeros(shape, dtype=self.torch.float64)

    def concatenate(self, seq, axis=0):
        return self.torch.cat(tuple(seq), dim=axis)

    def stack(self, seq, axis=0):
        return self.torch.stack(tuple(seq), dim=axis)

    def cross(self, a, b):
        return self.torch.linalg.cross(a, b)


# --------------------------------------------------------------------------- prepared calls

class Prepared:
    """f() and d() run the function and the derivative on the tool's arguments; to_numpy(d()) is the
    derivative as NumPy arrays in `wrt` order (one array for a Jacobian or Hessian)."""

    def __init__(self, f, d, to_numpy, transform_s=None, cached_s=None, label=None, note=None, memory=True,
                 includes_call=False):
        self.f, self.d, self.to_numpy = f, d, to_numpy
        self.transform_s, self.cached_s = transform_s, cached_s
        self.includes_call = includes_call  # transform_s and cached_s include one call of d (jax.jit's first call)
        self.label, self.note, self.memory = label, note, memory


def _as_list(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


def _median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


class Tool:
    name = "?"
    package = None

    def available(self) -> str | None:
        """None when usable, else why not."""
        if self.package is None:
            return None
        try:
            importlib.import_module(self.package)
        except Exception as exc:  # noqa: BLE001
            return f"not installed ({first_line(exc)})"
        return None

    def version(self) -> str:
        from importlib import metadata
        return metadata.version(self.package)


class S2S(Tool):
    name = "s2s"
    package = "s2s"

    def __init__(self, fresh_copies=3):
        self.fresh_copies = fresh_copies

    def _transform(self, f, wl):
        import s2s
        if wl.kind == "grad":
            return s2s.grad(f, wrt=wl.wrt)
        if wl.kind == "jac_rev":
            return s2s.jacobian(f, wrt=wl.wrt, mode="reverse")
        if wl.kind == "jac_fwd":
            return s2s.jacobian(f, wrt=wl.wrt, mode="forward")
        if wl.kind == "hessian":
            return s2s.hessian(f, wrt=wl.wrt)
        raise ValueError(wl.kind)

    def prepare(self, wl, args):
        import s2s

        from . import workloads
        f = getattr(workloads, wl.func)
        g = self._transform(f, wl)
        try:
            g.source
        except s2s.S2SError as exc:
            raise Rejected(first_line(exc)) from exc
        # transform: a new s2s.grad(f) of a function s2s has never seen (a fresh copy of the module),
        # up to its generated code -- the work the first call does before running it
        firsts = []
        for _ in range(self.fresh_copies):
            g_new = self._transform(getattr(fresh_workloads_module(), wl.func), wl)
            t0 = time.perf_counter()
            g_new.source
            firsts.append(time.perf_counter() - t0)
        # cached: the same request again -- a new s2s.grad(f) of the same function, up to its code
        cached = []
        deadline = time.perf_counter() + 0.5
        while len(cached) < 5 or (len(cached) < 101 and time.perf_counter() < deadline):
            t0 = time.perf_counter()
            self._transform(f, wl).source
            cached.append(time.perf_counter() - t0)
        return Prepared(lambda: f(*args), lambda: g(*args), _as_list, _median(firsts), _median(cached))


class Hand(Tool):
    name = "hand-written NumPy"

    def prepare(self, wl, args):
        from . import handwritten, workloads
        if wl.hand is None:
            raise Unavailable("no hand-written derivative")
        f, h = getattr(workloads, wl.func), getattr(handwritten, wl.hand)
        return Prepared(lambda: f(*args), lambda: h(*args), _as_list)


def _packed(f, wrt, args):
    """f as a function of the tuple of its wrt arguments (for autograd's single argnum)."""
    def packed(params, *rest):
        full = list(rest)
        for i, p in zip(wrt, params):
            full.insert(i, p)
        return f(*full)
    rest = [a for i, a in enumerate(args) if i not in wrt]
    return packed, rest


class Autograd(Tool):
    name = "autograd"
    package = "autograd"

    def prepare(self, wl, args):
        import autograd
        import autograd.numpy as anp
        from autograd.tracer import Box

        ns = workload_namespace(anp, MathDispatch(anp, lambda a: isinstance(a, (Box, np.ndarray))))
        f = getattr(ns, wl.func)
        if wl.kind == "grad":
            if isinstance(wl.wrt, int):
                g = autograd.grad(f, wl.wrt)
                d = lambda: g(*args)  # noqa: E731
            else:
                packed, rest = _packed(f, wl.wrt, args)
                g = autograd.grad(packed, 0)
                params = tuple(args[i] for i in wl.wrt)
                d = lambda: g(params, *rest)  # noqa: E731
        elif wl.kind == "jac_rev":
            g = autograd.jacobian(f, wl.wrt)
            d = lambda: g(*args)  # noqa: E731
        elif wl.kind == "jac_fwd":
            # autograd has forward mode (make_jvp) but no forward Jacobian: one jvp per input direction
            from autograd.differential_operators import make_jvp
            jvp = make_jvp(f, wl.wrt)
            n = np.size(args[wl.wrt])
            basis = np.eye(n).reshape((n,) + np.shape(args[wl.wrt]))
            d = lambda: np.stack([jvp(*args)(e)[1] for e in basis], axis=-1)  # noqa: E731
            label = f"{self.name} (jvp per column)"
        elif wl.kind == "hessian":
            g = autograd.hessian(f, wl.wrt)
            d = lambda: g(*args)  # noqa: E731
        return Prepared(lambda: f(*args), d, _as_list, label=label if wl.kind == "jac_fwd" else None)


class Torch(Tool):
    name = "PyTorch eager"
    package = "torch"

    def prepare(self, wl, args):
        import torch

        ns = workload_namespace(TorchNumpy(torch), MathDispatch(torch, lambda a: isinstance(a, torch.Tensor)))
        f = getattr(ns, wl.func)
        wrt = (wl.wrt,) if isinstance(wl.wrt, int) else wl.wrt

        def convert(a, grad):
            if isinstance(a, np.ndarray) or (grad and isinstance(a, float)):
                return torch.tensor(a, dtype=torch.float64, requires_grad=grad)
            return a
        plain = [convert(a, False) for a in args]
        targs = [convert(a, i in wrt) for i, a in enumerate(args)]

        def to_numpy(result):
            return [r.detach().numpy() if isinstance(r, torch.Tensor) else r for r in _as_list(result)]

        if wl.kind == "grad":
            inputs = [targs[i] for i in wrt]
            d = lambda: torch.autograd.grad(f(*targs), inputs)  # noqa: E731
        else:
            i = wrt[0]

            def partial(x):
                return f(*plain[:i], x, *plain[i + 1:])
            x0 = plain[i]
            if wl.kind == "jac_rev":
                d = lambda: torch.autograd.functional.jacobian(partial, x0)  # noqa: E731
            elif wl.kind == "jac_fwd":
                d = lambda: torch.autograd.functional.jacobian(partial, x0, strategy="forward-mode",  # noqa: E731
                                                                vectorize=True)
            else:
                d = lambda: torch.autograd.functional.hessian(partial, x0)  # noqa: E731
        return Prepared(lambda: f(*plain), d, to_numpy, memory=False)


def _jax_transform(jax, f, wl):
    argnums = wl.wrt
    if wl.kind == "grad":
        return jax.grad(f, argnums=argnums)
    if wl.kind == "jac_rev":
        return jax.jacrev(f, argnums=argnums)
    if wl.kind == "jac_fwd":
        return jax.jacfwd(f, argnums=argnums)
    return jax.hessian(f, argnums=argnums)


class JaxEager(Tool):
    name = "JAX eager"
    package = "jax"
    jit = False

    def available(self):
        why = super().available()
        if why is None:  # start the backend now, not inside the first workload's timed or time-limited calls
            import jax
            import jax.numpy as jnp
            jax.block_until_ready(jax.grad(lambda x: jnp.sum(jnp.sin(x) * x))(jnp.ones(3)))
        return why

    def prepare(self, wl, args):
        import jax
        import jax.numpy as jnp

        is_array = lambda a: isinstance(a, (jax.Array, jax.core.Tracer))  # noqa: E731
        ns = workload_namespace(jnp, MathDispatch(jnp, is_array))
        func = wl.ports.get("jax", wl.func)
        f = getattr(ns, func)
        label = f"{self.name} (.at[].set port)" if func != wl.func else None
        wrt = (wl.wrt,) if isinstance(wl.wrt, int) else wl.wrt
        jargs = [jnp.asarray(a) if isinstance(a, np.ndarray) else a for a in args]
        d_fn = _jax_transform(jax, f, wl)

        def to_numpy(result):
            return [np.asarray(r) for r in _as_list(result)]

        if not self.jit:
            return Prepared(lambda: f(*jargs), lambda: d_fn(*jargs), to_numpy, label=label, memory=False)
        if wl.unrolled > self.unroll_limit:
            raise NotRun(f"jax.jit would trace the Python loop into {wl.unrolled:,} unrolled iterations "
                         f"(compile time grows with it; this run's limit is {self.unroll_limit:,})")
        # numbers that are not differentiated (loop counts, hyper-parameters) are compile-time constants
        static = tuple(i for i, a in enumerate(args) if not isinstance(a, np.ndarray) and i not in wrt)
        f_jit = jax.jit(f, static_argnums=static)
        d_jit = jax.jit(d_fn, static_argnums=static)

        def block(x):
            return jax.block_until_ready(x)
        t0 = time.perf_counter()
        block(f_jit(*jargs))
        f_compile = time.perf_counter() - t0
        t0 = time.perf_counter()
        block(d_jit(*jargs))
        d_first = time.perf_counter() - t0
        # the same derivative asked for again: a new jax.jit(jax.grad(f)) object, first call (it compiles
        # again: measured only where compiling is quick)
        d_again_first = None
        if d_first < 2.0:
            d_again = jax.jit(_jax_transform(jax, f, wl), static_argnums=static)
            t0 = time.perf_counter()
            block(d_again(*jargs))
            d_again_first = time.perf_counter() - t0
        prepared = Prepared(lambda: block(f_jit(*jargs)), lambda: block(d_jit(*jargs)), to_numpy,
                            transform_s=d_first, cached_s=d_again_first, label=label, memory=False,
                            includes_call=True)
        prepared.note = f"first call of jit(f) {f_compile:.3g} s"
        return prepared


class JaxJit(JaxEager):
    name = "jax.jit"
    jit = True

    def __init__(self, unroll_limit):
        self.unroll_limit = unroll_limit


def all_tools(quick: bool):
    return [S2S(fresh_copies=1 if quick else 3), Hand(), Autograd(), Torch(), JaxEager(),
            JaxJit(unroll_limit=250 if quick else 1500)]
