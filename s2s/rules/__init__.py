"""Derivative rules: one record per primitive (`primitive.Primitive`), one module per family.

`registry` holds the tables the transformations read; `primitive` the ways of
writing a record (`elementwise`, `linear`, `bilinear`, `define`, `nondiff`);
`symbolic` the values rules are written with; `custom` the user's rules.
"""
FAMILIES = ("elementwise", "linear", "differences", "products", "reductions", "indexing", "linalg", "runtime_helpers",
            "runtime_helpers_linalg", "methods", "nondiff", "ufuncs", "breadth", "histograms", "numpy1")  # (numpy1: last, it copies
# records of the others)
# families of optional libraries: family -> the library; loaded once the user's code has imported it (s2s
# itself never imports scipy)
OPTIONAL = {"scipy": "scipy", "scipy_linalg": "scipy", "scipy_signal": "scipy.signal", "scipy_ndimage": "scipy.ndimage"}
