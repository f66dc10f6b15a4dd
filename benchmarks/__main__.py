"""python -m benchmarks [--quick] [--only NAME] [--tools LIST] [--json PATH]

Every tool runs single-threaded: the BLAS variables are set before NumPy is
imported, XLA's CPU backend is told to use one thread, torch.set_num_threads(1).
"""
import os
import sys

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                           " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1").strip()
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ["JAX_ENABLE_X64"] = "1"  # every tool computes in float64
os.environ.pop("S2S_CACHE_DIR", None)  # transform times are of real transformations, not disk reads


def _pin_peers():
    try:
        import torch
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
    except Exception:  # noqa: BLE001  (not installed: skipped later with a note)
        pass
    try:
        import jax
        jax.config.update("jax_enable_x64", True)
    except Exception:  # noqa: BLE001
        pass


if __name__ == "__main__":
    _pin_peers()
    from .harness import main
    sys.exit(main())
