"""A corpus of complete programs of the kind people differentiate (tests/programs/README.md lists them).

Each module is a realistic model written in plain NumPy/scipy, with a seeded `make_data(seed=0,
small=True)`, its loss, a `problem(seed=0, small=True)` returning `(loss, args, wrt)` for the tests
(tests/test_real_programs.py), and a `__main__` block that runs it as an example. `classic` holds the
older, smaller functions of tests/test_programs.py.
"""
