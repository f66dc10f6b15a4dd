"""Tricky-but-legal programs (tests/tricky): each is differentiated exactly -- value, value_and_grad, vjp
and jvp against the original and central finite differences -- or refused at the user's line.

Programs s2s gets wrong today carry `xfail=` (strict): when one starts passing, remove the mark.
"""
import pytest

from tests.tricky import CASES


def _param(case):
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=f"{case.kind}-{case.id}", marks=marks)


def test_ids_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_tricky(case):
    case.check()
