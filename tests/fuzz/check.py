"""Running one generated program through every transformation and judging the results.

The reference for values is the original function; the reference for derivatives
is central finite differences of the original, taken at three step sizes (a
point where they disagree is near a kink, a jump or a branch flip, and is drawn
again).  Second derivatives are checked against finite differences of the
(already checked) gradient.  A wrong derivative at a point where a differentiated
argument is integer-valued (a tie or kink whose two sides agree, which finite
differences cannot see) is checked again just off the integers; if it passes
there, the program is "unstable", not failing.
"""
from __future__ import annotations

import copy
import importlib.util
import itertools
import os
import random
import re
import signal
import traceback
import warnings
from dataclasses import dataclass, field

import numpy as np

import s2s

CLASSES = ["wrong-value", "wrong-derivative", "mutation", "internal-error", "rejected"]
REVERSE_CHECKS = ["value_and_grad", "grad", "vjp", "jacobian", "hessian", "grad_grad"]
FORWARD_CHECKS = ["jvp", "jacobian_forward"]
STEPS = (1e-4, 1e-5, 1e-6)
REFERENCE_STEP = 1e-5
TIMEOUT = 10.0
LIMIT = 1e6           # larger values or derivatives: the program is skipped (finite differences get unreliable)
# a wrong derivative is looked at again with these smaller steps: finite differences that move away from the reference
# as the step shrinks, by more than rounding explains, alias a part of f that oscillates faster than any step resolves
# (0.5 * cos(diff) of diff ~ 1e13 moves the cosine's argument by millions of radians at every step): `unresolved`
SMALL_STEPS = (1e-6, 1e-7, 1e-8)
ROUNDING = 1e-10      # f's evaluation noise, relative to its size, that rounding explains (C * 2.2e-16, C up to 5e5)
UNRESOLVED = "finite differences cannot resolve f here"   # how such an unstable program's message starts


class Invalid(Exception):
    """The original program itself fails or gives a non-finite or huge value: a generator problem, not s2s's."""


class Unstable(Exception):
    """Finite differences disagree at every point tried: a kink or jump is too close."""


class FuzzTimeout(Exception):
    pass


@dataclass
class Failure:
    cls: str                 # one of CLASSES
    check: str               # the transformation: grad, vjp, jvp, ...
    message: str             # one line
    signature: tuple = ()    # what must stay the same while reducing
    call: str = ""           # the call, as text, for the reproducer
    expected: object = None
    got: object = None
    extra: dict = field(default_factory=dict)   # literals the call needs (CT, TANGENTS, K)


@dataclass
class Outcome:
    status: str              # "ok", "fail", "invalid", "unstable", "skipped"
    failures: list = field(default_factory=list)
    message: str = ""
    args: list = None        # the point that was used
    checks: int = 0
    value: object = None     # the original's value at args


# ---------------------------------------------------------------------- loading
_counter = itertools.count()


def load(source: str, directory: str, tag: str = "prog"):
    """Write the program to a real file (s2s reads source with inspect) and import it."""
    name = f"s2s_fuzz_{tag}_{os.getpid()}_{next(_counter)}"
    path = os.path.join(directory, name + ".py")
    with open(path, "w") as fh:
        fh.write(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------- pytrees
def leaves(value):
    if isinstance(value, (tuple, list)):
        return [leaf for v in value for leaf in leaves(v)]
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in leaves(v)]
    return [value]


def flat(value) -> np.ndarray:
    parts = [np.ravel(np.asarray(leaf, dtype=float)) for leaf in leaves(value)]
    return np.concatenate(parts) if parts else np.zeros(0)


def rebuild(template, values, scalar_as_float=True):
    """template's structure with leaves taken from the 1-d array values (consumed in order)."""
    it = iter(values)

    def go(t):
        if isinstance(t, tuple):
            return tuple(go(v) for v in t)
        if isinstance(t, list):
            return [go(v) for v in t]
        if isinstance(t, dict):
            return {k: go(v) for k, v in t.items()}
        size = int(np.size(t))
        chunk = np.array([next(it) for _ in range(size)])
        if np.ndim(t) == 0:
            return float(chunk[0]) if scalar_as_float else chunk.reshape(())
        return chunk.reshape(np.shape(t))
    return go(template)


def same_structure(a, b):
    if isinstance(b, (tuple, list)):
        return isinstance(a, type(b)) and len(a) == len(b) and all(
            same_structure(x, y) for x, y in zip(a, b))
    if isinstance(b, dict):
        return isinstance(a, dict) and list(a) == list(b) and all(same_structure(a[k], b[k]) for k in b)
    if isinstance(a, (tuple, list, dict)):
        return False
    return np.shape(a) == np.shape(b)


def same_value(a, b, rtol=1e-12, atol=1e-13):
    if not same_structure(a, b):
        return False
    fa, fb = flat(a), flat(b)
    if fa.shape != fb.shape:
        return False
    both_nan = np.isnan(fa) & np.isnan(fb)
    return bool(np.all(both_nan | (np.abs(fa - fb) <= atol + rtol * np.maximum(np.abs(fa), np.abs(fb)))))


def identical(a, b):
    """For the mutation check: exactly equal, same structure and types of containers."""
    if isinstance(b, (tuple, list, dict)):
        return same_structure(a, b) and all(identical(x, y) for x, y in zip(leaves(a), leaves(b)))
    return np.shape(a) == np.shape(b) and bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))


def pyrepr(value) -> str:
    """Python source text that rebuilds value (floats, ints, arrays, containers)."""
    if isinstance(value, tuple):
        inner = ", ".join(pyrepr(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(pyrepr(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {pyrepr(v)}" for k, v in value.items()) + "}"
    if isinstance(value, np.ndarray):
        single = ", dtype=np.float32" if value.dtype == np.float32 else ""
        if value.ndim == 0:
            return f"np.array({float(value)!r}{single})"
        return f"np.array({np.asarray(value, dtype=float).tolist()!r}{single})"
    if isinstance(value, np.float32):
        return f"np.float32({float(value)!r})"
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (int, np.integer)):
        return repr(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return repr(value)


# ---------------------------------------------------------------------- integer points
NUDGE = 1e-3          # how far an integer-valued argument is moved to look at a failure again
KINK_AT_INTEGER = "a kink or tie at an integer argument"   # how such an unstable program's message starts


def off_integers(value, rng=None):
    """(value with each integer-valued number as a float, moved up by NUDGE times its own draw from rng in
    [0.5, 1] (without rng, not moved), whether there was any).  Each entry gets its own offset, so that equal
    entries do not stay tied."""
    if isinstance(value, (tuple, list)):
        parts = [off_integers(v, rng) for v in value]
        return type(value)(p for p, _ in parts), any(m for _, m in parts)
    if isinstance(value, dict):
        parts = {k: off_integers(v, rng) for k, v in value.items()}
        return {k: p for k, (p, _) in parts.items()}, any(m for _, m in parts.values())
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number, np.ndarray)):
        return value, False
    x = np.array(value, dtype=float)
    on = np.isfinite(x) & (x == np.round(x))
    if not on.any():
        return value, False
    if rng is not None:
        x[on] += NUDGE * np.array([rng.uniform(0.5, 1.0) for _ in range(int(on.sum()))])
    return (x if isinstance(value, np.ndarray) else float(x)), True


def int_typed(value) -> bool:
    """Whether value holds an int (or an array of ints) somewhere."""
    if isinstance(value, (tuple, list)):
        return any(int_typed(v) for v in value)
    if isinstance(value, dict):
        return any(int_typed(v) for v in value.values())
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, (int, np.integer)) or isinstance(value, np.ndarray) and value.dtype.kind in "iu"


# ---------------------------------------------------------------------- timeouts
def _alarm(signum, frame):
    raise FuzzTimeout("no result in time (a hang?)")


class time_limit:
    def __init__(self, seconds=None):
        self.seconds = seconds if seconds is not None else TIMEOUT
        self.active = False

    def __enter__(self):
        import threading
        if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
            self.old = signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
            self.active = True

    def __exit__(self, *exc):
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)


# ---------------------------------------------------------------------- the checker
def short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    msg = text[0] if text else ""
    tb = traceback.extract_tb(exc.__traceback__)
    where = ""
    for frame in reversed(tb):
        if "/s2s/" in frame.filename or "s2s_fuzz_" in frame.filename or frame.filename.startswith("<s2s"):
            where = f" [{os.path.basename(frame.filename)}:{frame.lineno} {frame.name}]"
            break
    return f"{type(exc).__name__}: {msg[:160]}{where}"


def classify_exception(exc):
    if isinstance(exc, SyntaxError) and "s2s_fuzz_" not in str(getattr(exc, "filename", "") or ""):
        return "internal-error"   # s2s refuses code it generated itself (higher order): not the user's construct
    if isinstance(exc, s2s.S2SError) and not isinstance(exc, s2s.SourceUnavailableError):
        return "rejected"      # a clean refusal with a message (UnsupportedSyntaxError, NonDifferentiableError, ...)
    return "internal-error"


class Checker:
    def __init__(self, directory: str, mode: str = "both", higher: bool | None = None):
        self.directory = directory
        self.mode = mode
        self.higher = higher
        self.timeout = TIMEOUT

    def wanted(self, program):
        checks = []
        if self.mode in ("reverse", "both"):
            checks += REVERSE_CHECKS
        if self.mode in ("forward", "both"):
            checks += FORWARD_CHECKS
        higher = self.higher
        if higher is None:
            # level 6 (NumPy breadth) checks the second derivatives of its rules on half its programs
            share = 0.2 if program.level < 6 else 0.5
            higher = random.Random(f"s2s-fuzz-higher:{program.seed}:{program.level}").random() < share
        if not higher:
            checks = [c for c in checks if c not in ("hessian", "grad_grad", "jacobian", "jacobian_forward")]
        if program.result != "scalar":
            checks = [c for c in checks if c not in ("value_and_grad", "grad", "hessian", "grad_grad")]
        if program.result == "tuple":
            checks = [c for c in checks if not c.startswith("jacobian")]
        return checks + ["float32"]

    # -------------------------------------------------------------- the entry
    def run(self, program, source=None, only=None, args=None, redraws=5, like=None) -> Outcome:
        """like: a value the result must match in structure and shape (the reducer keeps the result's type)."""
        self.like = like
        source = program.source if source is None else source
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                try:
                    with time_limit(self.timeout):
                        module = load(source, self.directory)
                except FuzzTimeout:
                    return Outcome("invalid", message="timeout importing")
                except Exception as exc:  # noqa: BLE001 - the program does not even import
                    return Outcome("invalid", message=short(exc))
                f = getattr(module, "f", None)
                if f is None:
                    return Outcome("invalid", message="no function f")
                checks = self.wanted(program) if only is None else list(only)
                attempts = [args] if args is not None else [program.args] + [program.draw_args(k) for k in range(1, redraws)]
                last = None
                for point in attempts:
                    try:
                        ref = self.reference(f, program, point)
                    except Unstable as exc:
                        last = Outcome("unstable", message=str(exc))
                        continue
                    except Invalid as exc:
                        return Outcome("invalid", message=str(exc))
                    return self.check_all(f, program, point, ref, checks)
                return last

    # -------------------------------------------------------------- references
    def wrt_positions(self, program):
        wrt = program.wrt
        entries = wrt if isinstance(wrt, tuple) else (wrt,)
        return [program.params.index(e) if isinstance(e, str) else e for e in entries]

    def call_original(self, f, args):
        a = copy.deepcopy(args)
        try:
            with time_limit(self.timeout):
                value = f(*a)
            with np.errstate(divide="raise", over="raise", invalid="raise"):
                f(*copy.deepcopy(args))
        except FuzzTimeout:
            raise Invalid("the original does not finish")
        except FloatingPointError as exc:
            # an inf or nan on the way (np.log1p(-1.0)) even if the result is finite: there the chain rule
            # meets 0 * inf and every AD tool (s2s, JAX, autograd) gives nan; not a point to test at
            raise Invalid(f"the original computes a non-finite value on the way ({exc})")
        except Exception as exc:  # noqa: BLE001
            raise Invalid(f"the original raises {short(exc)}")
        return value, a

    def reference(self, f, program, args):
        value, after = self.call_original(f, args)
        try:
            fv = flat(value)
        except Exception as exc:  # noqa: BLE001
            raise Invalid(f"the result is not numeric: {exc}")
        if getattr(self, "like", None) is not None and not same_structure(value, self.like):
            raise Invalid("the result's structure changed")
        if any(getattr(leaf, "dtype", np.float64) in (np.float16, np.float32) for leaf in leaves(value)):
            # (np.tanh(True) is a float16: finite differences at 1e-6 see only rounding there)
            raise Invalid("the result is computed in low precision (float16 or float32)")
        if not np.all(np.isfinite(fv)) or np.any(np.abs(fv) > LIMIT):
            raise Invalid("the value is not finite or too large")
        positions = self.wrt_positions(program)
        templates = [args[p] for p in positions]
        theta = flat(templates)

        def F(t):
            new = list(args)
            parts = rebuild(tuple(templates), t)
            for p, part in zip(positions, parts):
                new[p] = part
            return flat(f(*copy.deepcopy(new)))

        jacs = [self.jacobian_at(F, fv.size, theta, h) for h in STEPS]
        J = jacs[STEPS.index(REFERENCE_STEP)]
        if not np.all(np.isfinite(J)):
            raise Unstable("non-finite finite differences")
        scale = max(1.0, float(np.max(np.abs(J), initial=0.0)))
        if scale > LIMIT:
            raise Invalid("derivatives too large")
        for other in jacs:
            if not np.all(np.abs(other - J) <= 1e-5 * scale + 1e-4 * np.abs(J)):
                raise Unstable("finite differences disagree between step sizes (a kink or a branch flip nearby)")
        # a kink right at the point (max(z, 2) at z == 2, an integer argument) keeps central differences
        # consistent across steps but not the one-sided ones: there s2s may take either side
        h = 1e-5
        try:
            with time_limit(self.timeout):
                center = F(theta)
                for i in range(theta.size):
                    tp, tm = theta.copy(), theta.copy()
                    tp[i] += h
                    tm[i] -= h
                    right, left = (F(tp) - center) / h, (center - F(tm)) / h
                    if not np.all(np.abs(right - left) <= 1e-3 * scale):
                        raise Unstable("one-sided differences disagree (a kink at the point)")
        except FuzzTimeout:  # (the original itself too slow here, on a busy machine: no reference, not a failure)
            raise Unstable("the one-sided differences take longer than the time limit") from None
        return {"value": value, "after": after, "J": J, "positions": positions, "templates": templates,
                "scale": scale, "difference": lambda h: self.jacobian_at(F, fv.size, theta, h)}  # (`unresolved`)

    def jacobian_at(self, F, rows, theta, h):
        """Central finite differences of F at theta with the step h."""
        J = np.zeros((rows, theta.size))
        for i in range(theta.size):
            tp, tm = theta.copy(), theta.copy()
            tp[i] += h
            tm[i] -= h
            try:
                with time_limit(self.timeout):
                    J[:, i] = (F(tp) - F(tm)) / (2 * h)
            except Exception as exc:  # noqa: BLE001 - e.g. the value's shape changes with the point
                raise Unstable(f"the original fails near the point: {short(exc)}")
        return J

    def unresolved(self, ref, failures):
        """(the failures that stand, why the others do not).

        Finite differences agree between the steps 1e-4 to 1e-6 where f has a part that oscillates so fast that
        every step moves it by many periods, if that part is small: they see a smooth function plus noise, and
        the derivative s2s computes (that part's, huge) is taken for wrong (seed 3600043, level 9: 0.5 *
        cos(0.8 * diff) of diff ~ 2.6e13, d diff/db ~ 2.4e14).  A wrong first derivative is looked at again with
        SMALL_STEPS: where the differences move away from the reference as the step shrinks (noise of amplitude
        a grows as a / h, where truncation error shrinks as h ** 2), a is more than rounding explains (ROUNDING
        times f's size), and the derivative is off by far more than that noise at the reference step and than
        the derivatives themselves (the fast part's slope), the reference is unreliable there.  A derivative
        wrong in a smooth function (noise at rounding's level) stands."""
        first = [fl for fl in failures if fl.cls == "wrong-derivative" and fl.check not in ("hessian", "grad_grad")]
        if not first or "difference" not in ref:
            return failures, ""
        try:
            spreads = [(h, float(np.max(np.abs(ref["difference"](h) - ref["J"]), initial=0.0))) for h in SMALL_STEPS]
        except (Unstable, FuzzTimeout):
            return failures, ""
        amplitude = max(s * h for h, s in spreads)
        size = max(1.0, float(np.max(np.abs(flat(ref["value"])), initial=0.0)))
        if amplitude <= ROUNDING * size or not spreads[-1][1] > spreads[0][1]:
            return failures, ""
        noise = amplitude / REFERENCE_STEP

        def off(fl):
            try:
                return float(np.max(np.abs(flat(fl.got) - flat(fl.expected)), initial=0.0))
            except (TypeError, ValueError):
                return 0.0
        cleared = [fl for fl in first if off(fl) > 100.0 * max(noise, ref["scale"])]
        if len(cleared) < len(first):
            return failures, ""
        # (a second derivative's reference, finite differences of the gradient, sees the same noise)
        cleared += [fl for fl in failures if fl.cls == "wrong-derivative" and fl.check in ("hessian", "grad_grad")]
        why = (f"{UNRESOLVED}: {', '.join(fl.check for fl in first)} off by far more than finite differences "
               f"resolve ({first[0].message}), and the differences move away as the step shrinks ("
               + ", ".join(f"{s:.3g} at {h:g}" for h, s in spreads) + "): a part of f oscillates faster than a step")
        return [fl for fl in failures if not any(fl is c for c in cleared)], why

    # -------------------------------------------------------------- the checks
    def check_all(self, f, program, args, ref, checks) -> Outcome:
        failures = []
        done = 0
        for name in checks:
            try:
                with time_limit(self.timeout):
                    failure = getattr(self, "check_" + name)(f, program, args, ref)
            except Exception as exc:  # noqa: BLE001 - anything s2s raises
                failure = Failure(classify_exception(exc), name, short(exc),
                                  (classify_exception(exc), name, type(exc).__name__),
                                  call=self.call_text(name, program), extra=getattr(exc, "fuzz_extra", {}))
            done += 1
            if failure is not None:
                failures.append(failure)
                if failure.cls == "rejected" and name not in ("hessian", "grad_grad"):
                    break   # (a refused second derivative, through recursion say, leaves the first ones to check)
        standing, kink = self.unresolved(ref, failures)
        if not kink:
            standing, kink = self.off_integer_point(f, program, args, ref, failures)
        if failures and not standing:
            return Outcome("unstable", message=kink, args=args, checks=done, value=ref["value"])
        return Outcome("fail" if standing else "ok", standing, args=args, checks=done, value=ref["value"])

    def off_integer_point(self, f, program, args, ref, failures):
        """(the failures that stand, why the others do not).

        At an integer argument (the generator draws 1, 2, -1) a program can sit exactly on a tie or a kink
        whose two sides agree, so that finite differences see a smooth function while s2s takes one branch's
        derivative: min(z % 1.0, floor(x)) at z == 2 has both arguments 0.0, flat on either side.  A wrong
        derivative there is checked again with the differentiated integer-valued entries moved off the
        integers (the reference recomputed there); the failures that pass there are the point's, not s2s's.
        So that an int's own bug (an int adjoint buffer, say) is not taken for a kink, a failure at an int
        argument must also fail with the ints as floats at the same point.  Values, mutations and errors are
        judged at the point as drawn."""
        suspects = [fl for fl in failures if fl.cls == "wrong-derivative"]
        if not suspects:
            return failures, ""
        rng = random.Random(f"s2s-fuzz-nudge:{program.seed}:{program.level}")
        as_floats, nudged, moved = list(args), list(args), []
        for p in ref["positions"]:
            nudged[p], m = off_integers(args[p], rng)
            if m:
                as_floats[p] = off_integers(args[p])[0]
                moved.append(p)
        if not moved:
            return failures, ""
        names = [fl.check for fl in suspects]
        if any(int_typed(args[p]) for p in moved):
            again = self.recheck(f, program, as_floats, names)
            names = [n for n in names if again and again[n] is not None and again[n].cls == "wrong-derivative"]
        off = self.recheck(f, program, nudged, names) if names else None
        cleared = [fl for fl in suspects if off and fl.check in off and off[fl.check] is None]
        if not cleared:
            return failures, ""
        at = ", ".join(f"{program.params[p]} = {fmt(args[p])}" for p in moved)
        there = ", ".join(f"{program.params[p]} = {fmt(nudged[p])}" for p in moved)
        kink = (f"{KINK_AT_INTEGER} ({at}): {', '.join(fl.check for fl in cleared)} "
                f"disagree with finite differences there ({cleared[0].message}) but not at {there}")
        return [fl for fl in failures if not any(fl is c for c in cleared)], kink

    def recheck(self, f, program, point, names):
        """The checks `names` again at `point` (its own reference): name -> failure or None; None where finite
        differences are not reliable there."""
        try:
            ref = self.reference(f, program, point)
        except (Unstable, Invalid):
            return None
        out = {}
        for name in names:
            try:
                with time_limit(self.timeout):
                    out[name] = getattr(self, "check_" + name)(f, program, point, ref)
            except Exception as exc:  # noqa: BLE001 - failing otherwise there
                out[name] = Failure(classify_exception(exc), name, short(exc))
        return out

    def call_text(self, name, program):
        wrt = pyrepr(program.wrt)
        return {
            "grad": f"s2s.grad(f, wrt={wrt})(*copy.deepcopy(ARGS))",
            "value_and_grad": f"s2s.value_and_grad(f, wrt={wrt})(*copy.deepcopy(ARGS))",
            "vjp": f"s2s.vjp(f, wrt={wrt})(*copy.deepcopy(ARGS))[1](CT)",
            "jvp": f"s2s.jvp(f, wrt={wrt})(tuple(copy.deepcopy(ARGS)), TANGENTS)",
            "jacobian": f"s2s.jacobian(f, wrt={wrt})(*copy.deepcopy(ARGS))",
            "jacobian_forward": f"s2s.jacobian(f, wrt={wrt}, mode='forward')(*copy.deepcopy(ARGS))",
            "hessian": "s2s.hessian(f, wrt=K)(*copy.deepcopy(ARGS))",
            "grad_grad": "s2s.grad(s2s.grad(f, wrt=K), wrt=K)(*copy.deepcopy(ARGS))",
            "float32": f"s2s.jvp(f, wrt={wrt})(tuple(copy.deepcopy(ARGS32)), TANGENTS32)[0]" + (
                f", s2s.value_and_grad(f, wrt={wrt})(*copy.deepcopy(ARGS32))[0]" if program.result == "scalar" else ""),
        }[name]

    def transformed(self, name, program, fn, args, ref, call_args=None):
        """Call fn on copies; returns (result, failure-or-None for argument mutation)."""
        a = copy.deepcopy(args)
        result = fn(*(a if call_args is None else call_args(a)))
        if not identical(a, ref["after"]):
            return result, Failure("mutation", name,
                                   "the arguments after the call differ from the original's" +
                                   (" (the original mutates them)" if not identical(ref["after"], args) else
                                    " (the original leaves them alone)"),
                                   ("mutation", name), call=self.call_text(name, program),
                                   expected=ref["after"], got=a)
        return result, None

    def grad_struct(self, program, ref, flat_grad):
        """The expected gradient, structured like wrt."""
        parts = rebuild(tuple(ref["templates"]), flat_grad)
        return parts if isinstance(program.wrt, tuple) else parts[0]

    def compare(self, name, program, got, expected, ref, what="derivative", scale=None):
        scale = ref["scale"] if scale is None else scale
        if not same_structure(got, expected):
            return Failure("wrong-derivative", name,
                           f"{what} has the wrong structure/shape: {describe(got)} instead of {describe(expected)}",
                           ("wrong-derivative", name), call=self.call_text(name, program), expected=expected, got=got)
        g, e = flat(got), flat(expected)
        if g.shape != e.shape or not np.all(np.abs(g - e) <= 1e-5 * scale + 1e-4 * np.abs(e)):
            err = float(np.max(np.abs(g - e))) if g.shape == e.shape else float("nan")
            return Failure("wrong-derivative", name, f"{what} off by {err:.3g}: got {fmt(got)}, expected {fmt(expected)}",
                           ("wrong-derivative", name), call=self.call_text(name, program), expected=expected, got=got)
        return None

    def value_failure(self, name, program, got, ref):
        if not same_value(got, ref["value"]):
            wrt = pyrepr(program.wrt)
            call = {"value_and_grad": f"s2s.value_and_grad(f, wrt={wrt})(*copy.deepcopy(ARGS))[0]",
                    "vjp": f"s2s.vjp(f, wrt={wrt})(*copy.deepcopy(ARGS))[0]",
                    "jvp": f"s2s.jvp(f, wrt={wrt})(tuple(copy.deepcopy(ARGS)), TANGENTS)[0]"}[name]
            return Failure("wrong-value", name, f"value {fmt(got)} but the original gives {fmt(ref['value'])}",
                           ("wrong-value", name), call=call, expected=ref["value"], got=got)
        return None

    def check_grad(self, f, program, args, ref):
        g, mut = self.transformed("grad", program, s2s.grad(f, wrt=program.wrt), args, ref)
        return mut or self.compare("grad", program, g, self.grad_struct(program, ref, ref["J"][0]), ref)

    def check_value_and_grad(self, f, program, args, ref):
        (v, g), mut = self.transformed("value_and_grad", program, s2s.value_and_grad(f, wrt=program.wrt), args, ref)
        return (mut or self.value_failure("value_and_grad", program, v, ref)
                or self.compare("value_and_grad", program, g, self.grad_struct(program, ref, ref["J"][0]), ref))

    def cotangent(self, program, value):
        rng = np.random.default_rng(program.seed * 10 + program.level)
        return rebuild(value, np.round(rng.uniform(-1.5, 1.5, flat(value).size), 3))

    def check_vjp(self, f, program, args, ref):
        (v, pullback), mut = self.transformed("vjp", program, s2s.vjp(f, wrt=program.wrt), args, ref)
        if mut or self.value_failure("vjp", program, v, ref):
            return mut or self.value_failure("vjp", program, v, ref)
        ct = self.cotangent(program, ref["value"])
        got = pullback(ct)
        failure = self.compare("vjp", program, got, self.grad_struct(program, ref, flat(ct) @ ref["J"]), ref)
        if failure:
            failure.extra["CT"] = ct
        return failure

    def check_jvp(self, f, program, args, ref):
        rng = np.random.default_rng(program.seed * 10 + program.level + 1)
        theta = flat(ref["templates"])
        t = np.round(rng.uniform(-1.5, 1.5, theta.size), 3)
        tangents = rebuild(tuple(ref["templates"]), t)
        a = copy.deepcopy(args)
        (v, tv) = s2s.jvp(f, wrt=program.wrt)(tuple(a), tangents)
        extra = {"TANGENTS": tangents}
        if not identical(a, ref["after"]):
            return Failure("mutation", "jvp", "the arguments after the call differ from the original's",
                           ("mutation", "jvp"), call=self.call_text("jvp", program), expected=ref["after"], got=a,
                           extra=extra)
        failure = self.value_failure("jvp", program, v, ref)
        if failure is None:
            expected = rebuild(ref["value"], ref["J"] @ t, scalar_as_float=True)
            failure = self.compare("jvp", program, tv, expected, ref, what="tangent")
            if failure:
                failure.call += "[1]"
        if failure:
            failure.extra.update(extra)
        return failure

    def check_float32(self, f, program, args, ref):
        """The program on float32 copies of its float arguments: the value jvp (and value_and_grad) returns is
        the function's own, leaf by leaf of the same dtype and bit for bit (a constant generated code spells
        otherwise, or a rewrite, can change NumPy's promotion: np.float64(1.0) written as 1.0 kept float32)."""
        args32 = to_float32(args)
        if identical(args32, args) and all(type(a) is type(b) for a, b in zip(leaves(args32), leaves(args))):
            return None  # (no float argument)
        try:
            with np.errstate(all="ignore"), time_limit(self.timeout):
                expected = f(*copy.deepcopy(args32))
        except Exception:  # noqa: BLE001 - in float32 the original may fail (an overflow): nothing to compare
            return None
        if not all(np.all(np.isfinite(np.asarray(leaf, dtype=float))) for leaf in leaves(expected)):
            return None
        templates = [args32[p] for p in self.wrt_positions(program)]
        tangents = rebuild(tuple(templates), np.ones(flat(templates).size))
        try:
            with np.errstate(all="ignore"):
                got = s2s.jvp(f, wrt=program.wrt)(tuple(copy.deepcopy(args32)), tangents)[0]
                if program.result == "scalar":
                    got = (got, s2s.value_and_grad(f, wrt=program.wrt)(*copy.deepcopy(args32))[0])
                    expected = (expected, expected)
        except Exception as exc:  # (the reproducer's call reads these literals)
            exc.fuzz_extra = {"ARGS32": args32, "TANGENTS32": tangents}
            raise
        # (NumPy 1.x promotes NumPy scalars by their values: np.float32(b) * 1.0 is a float64 there, b itself once
        # simplified; its float32 values are the function's to float32's precision only, as for in-place operators)
        in_place = IN_PLACE.search(program.source) is not None or LEGACY_PROMOTION
        if not same_structure(got, expected) or not all(
                _same32(a, b, in_place) for a, b in zip(leaves(got), leaves(expected))):
            kinds = [np.result_type(leaf).name for leaf in leaves(got)]
            return Failure("wrong-value", "float32", f"on float32 arguments the value is {fmt(got)} ({kinds}) but "
                           f"the original gives {fmt(expected)}", ("wrong-value", "float32"),
                           call=self.call_text("float32", program), expected=expected, got=got,
                           extra={"ARGS32": args32, "TANGENTS32": tangents})
        return None

    def expected_jacobian(self, program, ref):
        out_shape = np.shape(ref["value"])
        J = ref["J"]
        cols = iter(range(J.shape[1]))
        parts = []

        def go(t):
            if isinstance(t, tuple):
                return tuple(go(v) for v in t)
            if isinstance(t, list):
                return [go(v) for v in t]
            if isinstance(t, dict):
                return {k: go(v) for k, v in t.items()}
            idx = [next(cols) for _ in range(int(np.size(t)))]
            return J[:, idx].reshape(out_shape + np.shape(t))
        for tmpl in ref["templates"]:
            parts.append(go(tmpl))
        return tuple(parts) if isinstance(program.wrt, tuple) else parts[0]

    def check_jacobian(self, f, program, args, ref, mode="reverse"):
        name = "jacobian" if mode == "reverse" else "jacobian_forward"
        jac, mut = self.transformed(name, program, s2s.jacobian(f, wrt=program.wrt, mode=mode), args, ref)
        return mut or self.compare(name, program, jac, self.expected_jacobian(program, ref), ref, what="jacobian")

    def check_jacobian_forward(self, f, program, args, ref):
        return self.check_jacobian(f, program, args, ref, mode="forward")

    def second_order_position(self, program, args, scalar_only=False):
        for p in self.wrt_positions(program):
            a = args[p]
            if isinstance(a, (tuple, list, dict)):
                continue
            if scalar_only and np.ndim(a) != 0:
                continue
            return p
        return None

    def fd_of_grad(self, f, args, k):
        """Finite differences of s2s.grad(f, wrt=k), at two steps; None when they disagree."""
        g = s2s.grad(f, wrt=k)
        x0 = np.asarray(args[k], dtype=float)
        results = []
        for h in (1e-4, 1e-5):
            cols = []
            for i in range(x0.size):
                xp, xm = x0.ravel().copy(), x0.ravel().copy()
                xp[i] += h
                xm[i] -= h
                ap, am = list(args), list(args)
                ap[k] = float(xp[0]) if x0.ndim == 0 else xp.reshape(x0.shape)
                am[k] = float(xm[0]) if x0.ndim == 0 else xm.reshape(x0.shape)
                cols.append((flat(g(*copy.deepcopy(ap))) - flat(g(*copy.deepcopy(am)))) / (2 * h))
            results.append(np.array(cols).T.reshape(x0.shape + x0.shape))
        scale = max(1.0, float(np.max(np.abs(results[1]), initial=0.0)))
        if not np.all(np.abs(results[0] - results[1]) <= 1e-5 * scale + 1e-4 * np.abs(results[1])):
            return None, scale
        return results[1], scale

    def check_hessian(self, f, program, args, ref):
        k = self.second_order_position(program, args)
        if k is None:
            return None
        H, mut = self.transformed("hessian", program, s2s.hessian(f, wrt=k), args, ref)
        if mut:
            mut.extra["K"] = k
            return mut
        expected, scale = self.fd_of_grad(f, args, k)
        if expected is None:
            return None
        if np.ndim(args[k]) == 0:
            expected = float(expected)
        failure = self.compare("hessian", program, H, expected, ref, what="hessian", scale=scale)
        if failure:
            failure.extra["K"] = k
        return failure

    def check_grad_grad(self, f, program, args, ref):
        k = self.second_order_position(program, args, scalar_only=True)
        if k is None:
            return None
        gg, mut = self.transformed("grad_grad", program, s2s.grad(s2s.grad(f, wrt=k), wrt=k), args, ref)
        if mut:
            mut.extra["K"] = k
            return mut
        expected, scale = self.fd_of_grad(f, args, k)
        if expected is None:
            return None
        failure = self.compare("grad_grad", program, gg, float(expected), ref, what="second derivative", scale=scale)
        if failure:
            failure.extra["K"] = k
        return failure


LEGACY_PROMOTION = int(np.__version__.split(".")[0]) < 2
IN_PLACE = re.compile(r"[\w\]]\s*(\+|-|\*|/|//|%|\*\*)=[^=]")  # an augmented assignment in a program's text


def _same32(got, expected, in_place: bool) -> bool:
    """A leaf of a value on float32 arguments: the original's, bit for bit and of its dtype. In a program with an
    in-place operator, a float64 where the original kept float32, or a float64 computed from values kept in
    float64 there, equal to it to float32's precision: `y -= x` computes `y - x`, which NumPy promotes
    (docs/limitations.md)."""
    if np.result_type(got) == np.result_type(expected) and np.array_equal(got, expected, equal_nan=True):
        return True
    return in_place and np.result_type(got) == np.float64 and \
        np.result_type(expected) in (np.float32, np.float64) and \
        np.allclose(got, np.asarray(expected, dtype=np.float64), rtol=1e-5, atol=1e-6, equal_nan=True)


def to_float32(value):
    """`value` with each float array made float32 and each float an np.float32 (containers kept)."""
    if isinstance(value, tuple):
        return tuple(to_float32(v) for v in value)
    if isinstance(value, list):
        return [to_float32(v) for v in value]
    if isinstance(value, dict):
        return {k: to_float32(v) for k, v in value.items()}
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(np.float32)
    if type(value) is float or type(value) is np.float64:
        return np.float32(value)
    return value


def describe(v):
    if isinstance(v, (tuple, list)):
        return type(v).__name__ + "(" + ", ".join(describe(x) for x in v) + ")"
    if isinstance(v, dict):
        return "dict(" + ", ".join(f"{k}: {describe(x)}" for k, x in v.items()) + ")"
    if isinstance(v, np.ndarray):
        return f"array{v.shape}"
    return type(v).__name__


def fmt(v):
    with np.printoptions(precision=6, suppress=True, threshold=20):
        text = pyrepr_short(v)
    return text if len(text) < 200 else text[:200] + "..."


def pyrepr_short(v):
    if isinstance(v, tuple):
        return "(" + ", ".join(pyrepr_short(x) for x in v) + ")"
    if isinstance(v, list):
        return "[" + ", ".join(pyrepr_short(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k!r}: {pyrepr_short(x)}" for k, x in v.items()) + "}"
    if isinstance(v, np.ndarray):
        return np.array2string(v, separator=", ").replace("\n", "")
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.6g}"
    return repr(v)
