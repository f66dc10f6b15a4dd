"""Module data that tests/test_dotted_data.py reads through dotted names (`dotted_consts.W`)."""
import numpy as np

W = np.array([1.0, 2.0])


class Inner:
    w = np.array([3.0, 4.0])
