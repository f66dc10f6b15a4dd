"""s2s benchmarks: `python -m benchmarks` (see benchmarks/README.md). Nothing here imports NumPy, so
`__main__` can pin BLAS to one thread before NumPy loads."""
