"""The suite, the finite-difference check, the timing and memory measurements, the table and the JSON."""
from __future__ import annotations

import datetime
import gc
import json
import os
import platform
import signal
import subprocess
import sys
import timeit
import tracemalloc
from dataclasses import dataclass, field

import numpy as np

from . import workloads as W
from .peers import NotRun, Rejected, Unavailable, all_tools, first_line


@dataclass
class Workload:
    key: str            # what --only matches
    name: str           # what the table shows
    func: str           # the function in workloads.py
    args: tuple
    wrt: object = 0
    kind: str = "grad"  # grad | jac_rev | jac_fwd | hessian
    hand: str | None = None
    ports: dict = field(default_factory=dict)
    memory: bool = False
    unrolled: int = 0   # Python loop iterations one call runs (what jax.jit unrolls)


def suite(quick: bool) -> list[Workload]:
    n_gmm = 100 if quick else 1000
    gmm_sizes = [(2, 5), (10, 25)] if quick else [(2, 5), (10, 25), (20, 50)]
    chars = 16 if quick else 64
    out = [Workload("gmm", f"GMM d={d} K={k} N={n_gmm}", "gmm_objective", W.gmm_inputs(d, k, n_gmm),
                    wrt=(0, 1, 2), hand="gmm_grad") for d, k in gmm_sizes]
    out += [
        Workload("ba", "BA 2x15 Jacobian, reverse", "ba_residual", W.ba_inputs(), kind="jac_rev",
                 hand="ba_jacobian"),
        Workload("ba", "BA 2x15 Jacobian, forward", "ba_residual", W.ba_inputs(), kind="jac_fwd",
                 hand="ba_jacobian"),
        Workload("lstm", f"LSTM l=2 b=14 c={chars} (list.append, as ADBench)", "lstm_objective",
                 W.lstm_inputs(chars=chars), wrt=(0, 1), hand="lstm_grad", memory=True, unrolled=(chars - 1) * 3),
        Workload("lstm", f"LSTM l=2 b=14 c={chars} (preallocated array)", "lstm_objective_prealloc",
                 W.lstm_inputs(chars=chars), wrt=(0, 1), hand="lstm_grad", memory=True, unrolled=(chars - 1) * 3,
                 ports={"jax": "lstm_objective_at_set"}),
        Workload("mlp", f"MLP 784-256-10 batch {32 if quick else 128}", "mlp_loss",
                 W.mlp_inputs(32 if quick else 128), wrt=(0, 1, 2, 3), hand="mlp_grad"),
        Workload("rnn", f"RNN tanh {50 if quick else 200} steps width 64", "rnn",
                 W.rnn_inputs(50 if quick else 200), wrt=(0, 1), hand="rnn_grad", memory=True,
                 unrolled=50 if quick else 200),
        Workload("scalar_loop", f"scalar loop {200 if quick else 1000} steps", "scalar_loop",
                 (0.7, 1.0, 200 if quick else 1000), hand="scalar_loop_grad", memory=True,
                 unrolled=200 if quick else 1000),
        Workload("element_loop", f"element-write loop n={1000 if quick else 10000}", "element_loop",
                 W.element_inputs(1000 if quick else 10000), hand="element_loop_grad", memory=True,
                 unrolled=1000 if quick else 10000, ports={"jax": "element_loop_at_set"}),
        Workload("quickstart", "quick-start (4 scalar ops)", "quickstart", (2.0, 5.0), wrt=(0, 1),
                 hand="quickstart_grad"),
        Workload("rosenbrock", "Rosenbrock n=20 Hessian", "rosenbrock", W.rosenbrock_inputs(), kind="hessian",
                 hand="rosenbrock_hessian", unrolled=0),
    ]
    return out


# --------------------------------------------------------------------------- finite differences

class Mismatch(Exception):
    pass


def _wrt_tuple(wl):
    return (wl.wrt,) if isinstance(wl.wrt, int) else tuple(wl.wrt)


def check_derivative(wl: Workload, got: list) -> str:
    """Compare a tool's derivative with central finite differences of the NumPy function; raise Mismatch."""
    f = getattr(W, wl.func)
    args = list(wl.args)
    if wl.kind in ("jac_rev", "jac_fwd"):
        p, rest = args[0], args[1:]
        eps = 1e-6
        cols = [(f(p + e, *rest) - f(p - e, *rest)) / (2 * eps) for e in np.eye(len(p)) * eps]
        fd = np.stack(cols, axis=-1)
        J = np.asarray(got[0], dtype=float)
        if J.shape != fd.shape:
            raise Mismatch(f"Jacobian shape {J.shape}, expected {fd.shape}")
        err = np.max(np.abs(J - fd))
        if err > 1e-5 * np.max(np.abs(fd)) + 1e-7:
            raise Mismatch(f"Jacobian differs from finite differences by {err:.3g}")
        return f"max |J - FD| = {err:.2g} (full {fd.shape[0]}x{fd.shape[1]} central differences)"
    if wl.kind == "hessian":
        x, rest = args[0], args[1:]
        n, h = len(x), 1e-3
        E = np.eye(n) * h
        fd = np.empty((n, n))
        for i in range(n):
            for j in range(n):
                fd[i, j] = (f(x + E[i] + E[j], *rest) - f(x + E[i] - E[j], *rest) - f(x - E[i] + E[j], *rest)
                            + f(x - E[i] - E[j], *rest)) / (4 * h * h)
        H = np.asarray(got[0], dtype=float)
        if H.shape != fd.shape:
            raise Mismatch(f"Hessian shape {H.shape}, expected {fd.shape}")
        err = np.max(np.abs(H - fd))
        if err > 1e-5 * np.max(np.abs(fd)) + 1e-3:
            raise Mismatch(f"Hessian differs from finite differences by {err:.3g}")
        return f"max |H - FD| = {err:.2g} (full {n}x{n} second differences)"
    wrt = _wrt_tuple(wl)
    if len(got) != len(wrt):
        raise Mismatch(f"{len(got)} gradients for {len(wrt)} arguments")
    grads = []
    for g, i in zip(got, wrt):
        g = np.asarray(g, dtype=float)
        if g.shape != np.shape(args[i]):
            raise Mismatch(f"gradient of argument {i} has shape {g.shape}, expected {np.shape(args[i])}")
        grads.append(g)
    cache = _FD_CACHE.setdefault(wl.name, {})
    if "f0" not in cache:
        cache["f0"] = float(f(*args))
    f0 = cache["f0"]
    eps = 1e-5
    noise = 1e-13 * max(1.0, abs(f0)) / eps  # rounding in f, magnified by the difference quotient
    gnorm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))

    def central(key, vs):
        """(f(x + eps v) - f(x - eps v)) / 2 eps for the direction vs (one array per wrt argument), cached."""
        if key not in cache:
            plus, minus = list(args), list(args)
            for i, v in zip(wrt, vs):
                plus[i] = args[i] + eps * v
                minus[i] = args[i] - eps * v
                if not isinstance(args[i], np.ndarray):
                    plus[i], minus[i] = float(plus[i]), float(minus[i])
            cache[key] = (f(*plus) - f(*minus)) / (2 * eps)
        return cache[key]

    worst = 0.0
    rng = np.random.default_rng(1234)
    for k in range(3):  # random directions: every entry of the gradient takes part
        vs = [rng.normal(size=np.shape(args[i])) for i in wrt]
        norm = np.sqrt(sum(np.sum(v * v) for v in vs))
        vs = [v / norm for v in vs]
        fd = central(("direction", k), vs)
        dd = sum(float(np.sum(g * v)) for g, v in zip(grads, vs))
        tol = 1e-6 * max(abs(fd), gnorm) + noise
        worst = max(worst, abs(dd - fd) / tol)
        if abs(dd - fd) > tol:
            raise Mismatch(f"directional derivative {dd:.10g}, finite differences {fd:.10g}")
    # single entries: a few at random in each argument, and the largest one of this tool's gradient
    entries = 0
    for a, (i, g) in enumerate(zip(wrt, grads)):
        size = int(np.size(g))
        picks = set(np.random.default_rng(100 + a).choice(size, size=min(size, 6), replace=False).tolist())
        picks.add(int(np.argmax(np.abs(g))) if size else 0)
        gmax = float(np.max(np.abs(g))) if size else 0.0
        for j in sorted(picks):
            vs = [np.zeros(np.shape(args[b])) for b in wrt]
            if np.ndim(vs[a]):
                vs[a].reshape(-1)[j] = 1.0
            else:
                vs[a] = 1.0
            fd = central(("entry", a, j), vs)
            gj = float(np.reshape(g, -1)[j])
            tol = 1e-6 * max(abs(fd), gmax) + noise
            worst = max(worst, abs(gj - fd) / tol)
            entries += 1
            if abs(gj - fd) > tol:
                raise Mismatch(f"d/d(argument {i})[{j}] = {gj:.10g}, finite differences {fd:.10g}")
    return (f"3 random directions and {entries} single entries agree with central differences "
            f"(worst |error|/tolerance {worst:.2g})")


_FD_CACHE: dict = {}


def same_value(wl: Workload, value) -> None:
    ref = float(getattr(W, wl.func)(*wl.args)) if wl.kind != "jac_rev" and wl.kind != "jac_fwd" else None
    if ref is None:
        ref_arr = getattr(W, wl.func)(*wl.args)
        if not np.allclose(np.asarray(value, dtype=float), ref_arr, rtol=1e-9, atol=1e-12):
            raise Mismatch("function value differs from the NumPy function's")
        return
    if not np.isclose(float(np.asarray(value, dtype=float)), ref, rtol=1e-9, atol=1e-12):
        raise Mismatch(f"function value {float(np.asarray(value)):.12g} differs from NumPy's {ref:.12g}")


# --------------------------------------------------------------------------- timing and memory

def _run(fn, number):
    return timeit.Timer(fn).timeit(number)  # timeit switches the garbage collector off while timing


def _calibrate(fn, target):
    """(number, seconds per call): timeit-style autorange, `number` calls lasting >= target seconds."""
    n = 1
    while True:
        t = _run(fn, n)
        if t >= target or n >= 10 ** 6:
            return n, t / n
        n = n * max(2, min(10, int(1.3 * target / max(t, 1e-9)) + 1))


def time_round_robin(fns, target, repeats, budget_each):
    """Seconds per call of each fn: the median over repeats, where each repeat runs every fn for one
    autoranged batch (>= target seconds) in turn, so a burst of load on the machine falls on all of them
    alike. A fn whose single call takes over a second is timed on its own, once more after calibration.
    Returns [(seconds, repeats, number)]."""
    cal = [_calibrate(fn, target) for fn in fns]
    slow = [c[1] > 1.0 for c in cal]
    fast = [i for i in range(len(fns)) if not slow[i]]
    per_round = sum(cal[i][0] * cal[i][1] for i in fast)
    reps = max(3, min(repeats, int(budget_each * max(len(fast), 1) / max(per_round, 1e-9))))
    samples = {i: [] for i in range(len(fns))}
    for _ in range(reps):
        for i in fast:
            samples[i].append(_run(fns[i], cal[i][0]) / cal[i][0])
    for i in range(len(fns)):
        if slow[i]:
            samples[i] = [cal[i][1], _run(fns[i], 1)]
    return [(float(np.median(samples[i])), len(samples[i]), cal[i][0]) for i in range(len(fns))]


def peak_bytes(fn):
    """Peak bytes traced by tracemalloc while fn runs, above what was allocated before (result kept)."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del result
    return peak - base


class TooSlow(Exception):
    pass


def within(seconds, fn):
    """fn(), stopped with TooSlow after `seconds` (a signal: Python-level work only, which is where the slow
    calls here spend their time -- op-by-op dispatch)."""
    def alarm(signum, frame):
        raise TooSlow(f"one call took longer than {seconds:g} s (stopped; too slow to time in this run)")
    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# --------------------------------------------------------------------------- running

def _prepare_and_check(wl, tool, row, limit, log):
    """The tool's Prepared, after the value and derivative checks; None (row updated) when it cannot run."""
    def fail(status, reason):
        row.update(status=status, reason=reason)
        log(f"  {tool.name}: {status}: {reason}")
    try:
        prep = tool.prepare(wl, wl.args)
    except Unavailable as exc:
        return fail("n/a", str(exc))
    except Rejected as exc:
        return fail("rejected", str(exc))
    except NotRun as exc:
        return fail("not run", str(exc))
    except Exception as exc:  # noqa: BLE001
        return fail("fails", first_line(exc))
    if prep.label:
        row["label"] = prep.label
    if prep.note:
        row["note"] = prep.note
    try:
        value = within(limit, prep.f)
        same_value(wl, prep.to_numpy([value])[0])
    except TooSlow as exc:
        return fail("not run", f"function: {exc}")
    except Exception as exc:  # noqa: BLE001
        return fail("fails", "function: " + (str(exc) if isinstance(exc, Mismatch) else first_line(exc)))
    try:
        row["check"] = check_derivative(wl, prep.to_numpy(within(limit, prep.d)))
    except TooSlow as exc:
        return fail("not run", str(exc))
    except Exception as exc:  # noqa: BLE001
        return fail("fails", str(exc) if isinstance(exc, Mismatch) else first_line(exc))
    return prep


NUMPY_TOOLS = ("s2s", "hand-written NumPy")  # their function is the plain NumPy function: timed once


def run_all(wls, tools, quick, log):
    target, repeats, budget_each = (0.02, 3, 0.15) if quick else (0.1, 7, 0.8)
    limit = 10.0 if quick else 20.0  # seconds the first call of a function or derivative may take
    results, memory, skipped = [], [], {}
    usable = []
    for tool in tools:
        why = tool.available()
        if why:
            skipped[tool.name] = why
        else:
            usable.append(tool)
    for wl in wls:
        log(f"{wl.name}:")
        ready = []
        for tool in usable:
            row = {"workload": wl.name, "key": wl.key, "kind": wl.kind, "tool": tool.name}
            results.append(row)
            prep = _prepare_and_check(wl, tool, row, limit, log)
            if prep is not None:
                ready.append((tool, row, prep))
        if not ready:
            continue
        # one round-robin over every function and derivative of this workload
        fns, slots = [], {}
        for tool, row, prep in ready:
            if tool.name in NUMPY_TOOLS:
                if "numpy f" not in slots:
                    slots["numpy f"] = len(fns)
                    fns.append(prep.f)
                f_slot = slots["numpy f"]
            else:
                f_slot = len(fns)
                fns.append(prep.f)
            slots[(tool.name, "f")] = f_slot
            slots[(tool.name, "d")] = len(fns)
            fns.append(prep.d)
        timed = time_round_robin(fns, target, repeats, budget_each)
        numpy_f = timed[slots["numpy f"]][0] if "numpy f" in slots else None
        for tool, row, prep in ready:
            (f_s, f_reps, f_n), (d_s, d_reps, d_n) = timed[slots[(tool.name, "f")]], timed[slots[(tool.name, "d")]]
            row.update(status="ok", f_s=f_s, d_s=d_s, ratio=d_s / f_s, repeats=[f_reps, d_reps], numbers=[f_n, d_n])
            if prep.transform_s is not None:
                sub = d_s if prep.includes_call else 0.0
                row["transform_s"] = prep.transform_s - sub
                if prep.cached_s is not None:
                    row["cached_transform_s"] = prep.cached_s - sub
                row["transform_note"] = ("first call of a new jax.jit(derivative) minus one steady call"
                                         if prep.includes_call else
                                         "time to the generated code (.source) of a new transformation object")
            log(f"  {tool.name}: f {fmt_time(f_s)}, derivative {fmt_time(d_s)} ({d_s / f_s:.2f}x)")
            if wl.memory and prep.memory:
                try:
                    pf = peak_bytes(prep.f)
                    pd = peak_bytes(prep.d)
                    memory.append({"workload": wl.name, "tool": row.get("label", tool.name),
                                   "f_peak_bytes": pf, "d_peak_bytes": pd, "extra_bytes": pd - pf})
                except Exception as exc:  # noqa: BLE001
                    log(f"  {tool.name}: memory not measured: {first_line(exc)}")
        hand = next((row["d_s"] for tool, row, prep in ready if tool.name == "hand-written NumPy"), None)
        for tool, row, prep in ready:
            if numpy_f:
                row["vs_numpy_f"] = row["d_s"] / numpy_f
            if hand:
                row["vs_hand"] = row["d_s"] / hand
    for m in memory:
        hand = next((x for x in memory if x["workload"] == m["workload"] and x["tool"] == "hand-written NumPy"), None)
        if hand and hand["extra_bytes"] > 0:
            m["extra_vs_hand"] = m["extra_bytes"] / hand["extra_bytes"]
    return results, memory, skipped


# --------------------------------------------------------------------------- output

def fmt_time(s):
    if s is None:
        return ""
    if s < 0:
        return "~0"
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    if s < 1.0:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def fmt_bytes(b):
    if abs(b) < 1024:
        return f"{b} B"
    if abs(b) < 1024 ** 2:
        return f"{b / 1024:.1f} KiB"
    return f"{b / 1024 ** 2:.2f} MiB"


def _x(v):
    return "" if v is None else f"{v:.2f}x"


KIND = {"grad": "gradient", "jac_rev": "Jacobian (reverse mode)", "jac_fwd": "Jacobian (forward mode)",
        "hessian": "Hessian"}


def table(results) -> str:
    head = (f"{'tool':<30} {'function':>10} {'derivative':>11} {'deriv/f':>8} {'vs NumPy f':>10} "
            f"{'vs hand':>8} {'transform':>10} {'cached':>9}")
    lines = [head, "-" * len(head)]
    current = None
    for r in results:
        if r["workload"] != current:
            current = r["workload"]
            lines.append(f"{current}  [{KIND[r['kind']]}]")
        name = "  " + r.get("label", r["tool"])
        if r.get("status") == "ok":
            lines.append(f"{name:<30} {fmt_time(r['f_s']):>10} {fmt_time(r['d_s']):>11} {_x(r['ratio']):>8} "
                         f"{_x(r.get('vs_numpy_f')):>10} {_x(r.get('vs_hand')):>8} "
                         f"{fmt_time(r.get('transform_s')):>10} {fmt_time(r.get('cached_transform_s')):>9}")
        else:
            reason = r.get("reason", "")
            if len(reason) > 100:
                reason = reason[:97] + "..."
            lines.append(f"{name:<30} {r['status']}: {reason}")
    return "\n".join(lines)


def memory_table(memory) -> str:
    head = f"{'workload':<44} {'tool':<30} {'function peak':>13} {'gradient peak':>13} {'extra':>11} {'vs hand':>8}"
    lines = [head, "-" * len(head)]
    for m in memory:
        lines.append(f"{m['workload']:<44} {m['tool']:<30} {fmt_bytes(m['f_peak_bytes']):>13} "
                     f"{fmt_bytes(m['d_peak_bytes']):>13} {fmt_bytes(m['extra_bytes']):>11} "
                     f"{_x(m.get('extra_vs_hand')):>8}")
    return "\n".join(lines)


def _git(*a):
    try:
        return subprocess.run(["git", *a], capture_output=True, text=True, timeout=10,
                              cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    except Exception:  # noqa: BLE001
        return ""


def s2s_commit() -> str:
    """The commit the s2s package was at when the run started (and whether s2s/ had uncommitted changes)."""
    dirty = " (with uncommitted changes in s2s/)" if _git("status", "--porcelain", "--", ":(top)s2s") else ""
    return _git("rev-parse", "--short", "HEAD") + dirty


def meta(tools, skipped, quick, argv, started, commit) -> dict:
    versions = {"python": platform.python_version(), "numpy": np.__version__}
    for tool in tools:
        if tool.package and tool.name not in skipped:
            try:
                versions[tool.package] = tool.version()
            except Exception:  # noqa: BLE001
                pass
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        versions["numpy BLAS"] = f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # noqa: BLE001
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), "")
    except OSError:
        pass
    return {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "duration_s": round((datetime.datetime.now(datetime.timezone.utc) - started).total_seconds(), 1),
        "machine": f"{platform.machine()}, {cpu}, {os.cpu_count()} cores, {platform.platform()}",
        "versions": versions,
        "s2s_commit": commit,
        "threads": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                                   "XLA_FLAGS")},
        "quick": quick,
        "argv": argv,
        "skipped_peers": skipped,
        "method": ("each tool's derivative is first checked against central finite differences of the NumPy "
                   "function (3 random directions and a few single entries for gradients, every entry for Jacobians "
                   "and Hessians); times "
                   "are medians over repeats of timeit batches autoranged to >= 0.1 s (0.02 s with --quick), "
                   "every tool's function and derivative taking turns in each repeat (calls over 1 s: 2 "
                   "calls); single-threaded BLAS/XLA/torch"),
    }


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time the derivatives s2s generates against a hand-written NumPy derivative and, where "
                    "installed, autograd, PyTorch and JAX (pip install '.[bench]'), on a suite of workloads. "
                    "Every derivative is first checked against central finite differences; the table shows "
                    "each one's time, its ratio to the function's time and to the hand-written derivative's.")
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only the workloads NAME (repeatable): gmm, ba, lstm, mlp, rnn, scalar_loop, "
                             "element_loop, quickstart, rosenbrock, or a part of a workload's name ('d=10')")
    parser.add_argument("--tools", help="comma-separated subset of tools: s2s,hand,autograd,torch,jax,jit")
    parser.add_argument("--json", metavar="PATH", help="write all results to PATH as JSON")
    opts = parser.parse_args(argv)

    wls = suite(opts.quick)
    if opts.only:
        wanted = [w.lower() for w in opts.only]
        keys = {w.key for w in wls}
        wls = [w for w in wls if any(x == w.key if x in keys else x in w.name.lower() for x in wanted)]
        if not wls:
            parser.error(f"no workload matches {opts.only}")
    tools = all_tools(opts.quick)
    if opts.tools:
        names = {"s2s": "s2s", "hand": "hand-written NumPy", "autograd": "autograd", "torch": "PyTorch eager",
                 "jax": "JAX eager", "jit": "jax.jit"}
        keep = {names.get(t.strip(), t.strip()) for t in opts.tools.split(",")}
        tools = [t for t in tools if t.name in keep]

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    started = datetime.datetime.now(datetime.timezone.utc)
    commit = s2s_commit()
    results, memory, skipped = run_all(wls, tools, opts.quick, log)
    info = meta(tools, skipped, opts.quick, sys.argv[1:] if argv is None else argv, started, commit)
    print(f"s2s benchmarks, {info['date']} (s2s at {info['s2s_commit']}); {info['machine']}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    for name, why in skipped.items():
        print(f"note: {name} skipped: {why}")
    print("times are medians; 'deriv/f' is the derivative's time over the same tool's function time, 'vs NumPy f'"
          " over the plain NumPy function's, 'vs hand' over the hand-written NumPy derivative's; 'transform' is"
          " s2s's first transformation (jax.jit: compile), 'cached' the same request again\n")
    print(table(results))
    if memory:
        print("\npeak memory above what was allocated before the call (tracemalloc; NumPy-based tools only)\n")
        print(memory_table(memory))
    if opts.json:
        with open(opts.json, "w") as fh:
            json.dump({"meta": info, "results": results, "memory": memory}, fh, indent=1)
        print(f"\nwrote {opts.json}")
    return 0
