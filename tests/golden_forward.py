"""Functions whose forward-mode source is kept in tests/golden/ (their line numbers appear there)."""
import math


def quickstart(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)
