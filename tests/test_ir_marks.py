"""What a later stage reads of the IR is on the nodes (or returned by a stage), never a field of ir.Function set
for a later pass: a stack pop's `restores`, a definition's `temp`/`adjoint`/`array`, the sources the SSA inlined."""
import dataclasses

import numpy as np
import pytest

import s2s
from s2s import ir, pipeline
from s2s.ad.reverse import reverse
from s2s.api.transform import _namer_for
from s2s.ir.printer import print_function
from s2s.ir.verify import VerificationError, verify
from s2s.ir.walk import adjoint_names, array_versions, definitions, temporaries


def nested(x, n):
    y = x
    for i in range(n):
        for j in range(n):
            y = np.sin(y) * x
    return y


def squared(v):
    return v * v


def calls_a_helper(x):
    return squared(x) + 1.0


def written(x, n):
    y = np.zeros(3)
    for i in range(n):
        y[i] = x * i
    return np.sum(y)


def _adjoint(f):
    primal, _, _ = pipeline.primal(f, "grad")
    return reverse(primal, [primal.params[0]], namer=_namer_for(primal), name="grad_" + primal.name, single=True)


def test_no_side_channel_fields_on_function():
    fields = {f.name for f in dataclasses.fields(ir.Function)}
    assert not fields & {"temps", "loop_temps", "restores", "deps", "arrays"}


def test_a_stack_pop_knows_the_name_it_restores():
    adj = _adjoint(nested)
    pops = [s for s in ir.statements(adj.body) if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call)
            and s.value.op == "pop"]
    assert pops and all(s.restores is not None for s in pops)
    defined = {d.target for d in definitions(adj.body)}
    assert all(s.restores in defined for s in pops)  # (before optimisation, the forward name is there)
    text = print_function(adj)
    assert f"{pops[0].target} = pop(" in text and f"# restores {pops[0].restores}" in text
    # codegen gives the popped value its forward name back: y_1 = y_1_saved.pop() reads as the forward sweep
    assert ".pop()" in s2s.grad(nested).source
    # and the gradient is right (d/dx of the 4-fold composition, against central differences)
    h = 1e-6
    fd = (nested(0.3 + h, 2) - nested(0.3 - h, 2)) / (2 * h)
    assert s2s.grad(nested)(0.3, 2) == pytest.approx(fd, rel=1e-6)


def test_the_verifier_checks_the_marks():
    fn, _, _ = pipeline.primal(nested)
    verify(fn)
    first = next(s for s in ir.statements(fn.body) if isinstance(s, ir.Assign) and not s.temp)
    first.restores = "y"  # not a stack pop
    with pytest.raises(VerificationError, match="not a stack pop"):
        verify(fn)
    first.restores, first.temp = None, True  # a user's name marked a temporary
    with pytest.raises(VerificationError, match="compiler temporary"):
        verify(fn)
    first.temp = False
    verify(fn)


def test_temporaries_and_adjoints_are_marked_on_their_definitions():
    fn, _, _ = pipeline.primal(nested)
    temps = temporaries(fn.body)
    assert temps and all(t.startswith("t") and t[1:].isdigit() for t in temps)
    adj = _adjoint(nested)
    assert temps <= temporaries(adj.body)
    bs = adjoint_names(adj.body)
    assert "bx" in bs and all(b.startswith("b") for b in bs) and not bs & temporaries(adj.body)


def test_versions_of_a_written_array_name_the_array():
    fn, _, _ = pipeline.primal(written)
    versions = array_versions(fn.body)
    assert versions["y"] == "y" and len(versions) >= 3 and set(versions.values()) == {"y"}
    # the adjoint program keeps the marks, and the generated code writes the one array y
    assert array_versions(_adjoint(written).body).items() >= versions.items()
    src = s2s.grad(written).source
    assert "y[i] = " in src
    assert s2s.grad(written)(2.0, 3) == pytest.approx(0.0 + 1.0 + 2.0)


def test_the_ssa_stage_returns_the_sources_it_inlined():
    fn, src, inlined = pipeline.primal(calls_a_helper)
    assert src.name == "calls_a_helper"
    assert list(inlined) == [f"{__name__}:squared"] and "return v * v" in inlined[f"{__name__}:squared"]
    assert not any(isinstance(s, ir.Assign) and isinstance(s.value, ir.Call) and s.value.op.endswith("squared")
                   for s in ir.statements(fn.body))  # (inlined: no call of it is left)
