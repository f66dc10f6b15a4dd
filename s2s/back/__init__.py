"""Leaving SSA and writing Python: out of SSA, code generation, compilation with source maps."""
