"""A function the overhead benchmark transforms for the first time."""
import math


def fresh(x):
    y = math.sin(x) * x
    for i in range(3):
        y = y * math.cos(y) + x
    return y
