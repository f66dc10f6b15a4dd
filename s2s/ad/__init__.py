"""Automatic differentiation on the SSA IR: activity analysis, the reverse and the forward transformation."""
