"""The IR's generic traversal (ir.blocks, ir.operands, ir.statements) that the passes' walks are built on."""
import numpy as np

from s2s import ir, pipeline
from s2s.ir.printer import print_function
from s2s.ir.walk import count_uses, defined_names, map_blocks, map_statements, rename, substitute, used_names


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


def test_rename_returns_new_statements_and_leaves_its_input_alone():
    fn, _, _ = pipeline.primal(f)
    before = print_function(fn)
    loop = next(s for s in ir.statements(fn.body) if isinstance(s, ir.Loop))
    carried = loop.phis[0].target  # y's header phi
    out = rename(fn.body, {carried: "y_carried", "x": "x0"})
    assert out is not fn.body
    assert carried in defined_names(fn.body) and "x" in used_names(fn.body)  # the input is unchanged
    assert "y_carried" in defined_names(out) and carried not in defined_names(out)
    assert "x0" in used_names(out) and "x" not in used_names(out) and carried not in used_names(out)
    new_loop = next(s for s in ir.statements(out) if isinstance(s, ir.Loop))
    assert new_loop is not loop and new_loop.phis[0].target == "y_carried"
    # a statement that mentions neither name is the same object
    untouched = [s for s in fn.body if isinstance(s, ir.Assign) and not {"x", carried} & used_names([s])]
    assert [s.target for s in untouched] == ["t1"] and any(t is untouched[0] for t in out)
    assert rename(fn.body, {}) is fn.body
    assert print_function(fn) == before


def test_map_blocks_rebuilds_only_around_the_blocks_that_change():
    fn, _, _ = pipeline.primal(f)
    loop = next(s for s in fn.body if isinstance(s, ir.Loop))
    branch = next(s for s in ir.statements(fn.body) if isinstance(s, ir.If))
    marker = ir.Effect(ir.Call("print", (ir.Const("then"),)))
    out = map_blocks(fn.body, lambda block, items: [marker] + items if block is branch.body else items)
    assert branch.body[0] is not marker  # the input is unchanged
    new_branch = next(s for s in ir.statements(out) if isinstance(s, ir.If))
    assert new_branch is not branch and new_branch.body[0] is marker and new_branch.body[1:] == branch.body
    assert new_branch.orelse is branch.orelse and new_branch.phis is branch.phis
    assert next(s for s in out if isinstance(s, ir.Loop)) is not loop
    assert out[0] is fn.body[0]
    assert map_blocks(fn.body, lambda block, items: items) is fn.body  # nothing changed: the same list
    kinds = [type(s).__name__ for s in ir.statements(map_statements(fn.body, lambda s: s))]
    assert kinds == [type(s).__name__ for s in ir.statements(fn.body)]


def test_substitute_replaces_reads_in_new_statements_only():
    fn, _, _ = pipeline.primal(f)
    before = print_function(fn)
    out = substitute(fn.body, {"x": ir.Const(2.0)})
    assert print_function(fn) == before  # the input is unchanged
    assert "x" in used_names(fn.body) and "x" not in used_names(out)
    assert defined_names(out) == defined_names(fn.body)  # definitions keep their names
    branch = next(s for s in ir.statements(out) if isinstance(s, ir.If))
    assert [s.value for s in branch.orelse] == [ir.Call("add", (ir.Var("y_1"), ir.Const(2.0)))]  # y + x
    assert out[1] is fn.body[1]  # t1 = range(n) reads no x: the same statement
    assert substitute(fn.body, {}) is fn.body
