"""The IR's generic traversal (ir.blocks, ir.operands, ir.statements) that the passes' walks are built on."""
import numpy as np

from s2s import ir, pipeline
from s2s.ir.walk import count_uses, used_names


def f(x, n):
    y = x * x
    for i in range(n):
        if y > 1.0:
            y = y / 2.0
        else:
            y = y + x
    return np.sin(y)


def test_statements_visit_every_nested_statement_once_in_order():
    fn, _, _ = pipeline.primal(f)
    kinds = [type(s).__name__ for s in ir.statements(fn.body)]
    assert kinds[0] == "Assign" and kinds[-1] == "Return"
    assert kinds.count("Loop") == 1 and kinds.count("If") == 1
    loop = next(s for s in ir.statements(fn.body) if isinstance(s, ir.Loop))
    inner = list(ir.statements([loop]))
    assert inner[0] is loop and any(isinstance(s, ir.If) for s in inner[1:])


def test_operands_are_what_a_statement_reads_itself():
    fn, _, _ = pipeline.primal(f)
    loop = next(s for s in ir.statements(fn.body) if isinstance(s, ir.Loop))
    branch = next(s for s in ir.statements(fn.body) if isinstance(s, ir.If))
    assert branch.test in ir.operands(branch)
    assert all(o in ir.operands(branch) for p in branch.phis for o in p.operands)
    assert loop.iter in ir.operands(loop)
    assert ir.blocks(branch) == (branch.body, branch.orelse) and ir.blocks(loop) == (loop.header, loop.body)
    names = used_names(fn.body)
    assert {"x", "n"} <= names
    uses: dict = {}
    count_uses(fn.body, uses)
    assert uses["x"] >= 3  # x * x (twice) and y + x
