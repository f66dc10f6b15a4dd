"""A differential fuzzer for s2s: random programs, every transformation, finite differences as the reference.

Run it with `python -m tests.fuzz --n 100 --seed 0`; see docs/testing.md.
"""
from .check import CLASSES, Checker
from .cli import fuzz, main
from .gen import Program, generate

__all__ = ["CLASSES", "Checker", "Program", "fuzz", "generate", "main"]
