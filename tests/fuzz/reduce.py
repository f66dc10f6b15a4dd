"""Delta debugging of a failing program down to a small reproducer.

Greedy passes over the module's AST, each kept only when the program still fails
the same check in the same class (and, for internal errors, with the same
exception type) at the same arguments:

- remove a helper function;
- remove a statement (a body left empty gets `pass`);
- replace an if by its body or its else, a loop by its body (a range loop by
  its first iteration, `i = first` then the body), drop a loop's else;
- shrink a range to one iteration;
- replace an expression by one of its operands, a parameter, or a constant;
  a condition by True or False.
"""
from __future__ import annotations

import ast
import copy
import time

from .check import Checker, pyrepr

CONSTANTS = (1.5, 0.5)


def _stmt_lists(tree):
    """(node, field) for every list of statements, in a fixed order."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Module):
            continue
        for fld in ("body", "orelse"):
            value = getattr(node, fld, None)
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                out.append((node, fld))
    return out


def _expr_slots(tree):
    """(parent, field, index) for every expression read (not assignment targets, not callees)."""
    out = []
    for parent in ast.walk(tree):
        for fld, value in ast.iter_fields(parent):
            if fld in ("targets", "target", "func", "decorator_list", "returns", "annotation"):
                continue
            if isinstance(parent, ast.Attribute) or isinstance(parent, ast.Subscript) and fld == "slice":
                continue
            if isinstance(parent, ast.For) and fld == "iter":
                continue
            if isinstance(value, ast.expr):
                out.append((parent, fld, None))
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    if isinstance(v, ast.expr):
                        out.append((parent, fld, i))
    return out


def _get(parent, fld, idx):
    v = getattr(parent, fld)
    return v if idx is None else v[idx]


def _set(parent, fld, idx, new):
    if idx is None:
        setattr(parent, fld, new)
    else:
        getattr(parent, fld)[idx] = new


def _children(node):
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.BoolOp):
        return list(node.values)
    if isinstance(node, ast.IfExp):
        return [node.body, node.orelse]
    if isinstance(node, ast.Call):
        return list(node.args) + [k.value for k in node.keywords]
    if isinstance(node, ast.Attribute) and node.attr in ("T",):
        return [node.value]
    if isinstance(node, ast.Tuple) and isinstance(getattr(node, "ctx", None), ast.Load):
        return list(node.elts)
    return []


def _range_values(node):
    if (isinstance(node, ast.For) and isinstance(node.iter, ast.Call) and isinstance(node.iter.func, ast.Name)
            and node.iter.func.id == "range" and all(isinstance(a, ast.Constant) or
                                                     isinstance(a, ast.UnaryOp) and isinstance(a.operand, ast.Constant)
                                                     for a in node.iter.args)):
        try:
            return list(range(*[ast.literal_eval(a) for a in node.iter.args]))
        except Exception:  # noqa: BLE001
            return None
    return None


class Reducer:
    def __init__(self, checker: Checker, program, failure, args, time_budget=20.0, max_tests=600):
        self.checker = checker
        self.program = program
        self.failure = failure
        self.args = args
        self.deadline = time.monotonic() + time_budget
        self.tests = 0
        self.max_tests = max_tests
        self.last_failure = failure
        self.params = program.params
        self.like = None

    def interesting(self, tree) -> bool:
        if time.monotonic() > self.deadline or self.tests >= self.max_tests:
            raise TimeoutError
        try:
            source = ast.unparse(ast.fix_missing_locations(tree)) + "\n"
            compile(source, "<candidate>", "exec")
        except Exception:  # noqa: BLE001
            return False
        self.tests += 1
        outcome = self.checker.run(self.program, source=source, only=[self.failure.check], args=self.args,
                                   like=self.like)
        if outcome is None or outcome.status != "fail":
            return False
        for fl in outcome.failures:
            if fl.signature == self.failure.signature:
                self.last_failure = fl
                return True
        return False

    def candidates(self, tree):
        """Yield candidate trees, the most reducing first."""
        # helpers
        for i, node in enumerate(tree.body):
            if isinstance(node, ast.FunctionDef) and node.name != "f":
                t = copy.deepcopy(tree)
                del t.body[i]
                yield t
        # statements: chunks, then single ones
        lists = _stmt_lists(tree)
        for li in range(len(lists)):
            node, fld = lists[li]
            n = len(getattr(node, fld))
            for size in (4, 2, 1):
                if size > n and size != 1:
                    continue
                for start in range(n - 1, -1, -1):
                    if start + size > n:
                        continue
                    t = copy.deepcopy(tree)
                    tnode, tfld = _stmt_lists(t)[li]
                    body = getattr(tnode, tfld)
                    if isinstance(body[start], ast.Return) and start == len(body) - 1 and isinstance(tnode, ast.FunctionDef):
                        continue
                    del body[start:start + size]
                    if not body and tfld == "body":
                        body.append(ast.Pass())
                    yield t
        # compound statements
        for li in range(len(lists)):
            node, fld = lists[li]
            for si, st in enumerate(getattr(node, fld)):
                options = []
                if isinstance(st, ast.If):
                    options += ["then", "else"] + (["drop-else"] if st.orelse else [])
                if isinstance(st, (ast.For, ast.While)):
                    options += ["drop-else"] if st.orelse else []
                    vals = _range_values(st)
                    if vals:
                        options += ["first-iteration"] + (["one-iteration"] if len(vals) > 1 else [])
                    options.append("body")
                for opt in options:
                    t = copy.deepcopy(tree)
                    tnode, tfld = _stmt_lists(t)[li]
                    body = getattr(tnode, tfld)
                    tst = body[si]
                    if opt == "drop-else":
                        tst.orelse = []
                    elif opt == "one-iteration":
                        first = _range_values(tst)[0]
                        tst.iter = ast.Call(ast.Name("range", ast.Load()),
                                            [ast.Constant(first), ast.Constant(first + 1)], [])
                    else:
                        if opt == "first-iteration":
                            new = [ast.Assign([tst.target], ast.Constant(_range_values(tst)[0]))] + tst.body
                        elif opt == "else":
                            new = tst.orelse
                        else:
                            new = tst.body
                        body[si:si + 1] = new
                        if not body:
                            body.append(ast.Pass())
                    yield t
        # expressions
        slots = _expr_slots(tree)
        for k in range(len(slots)):
            parent, fld, idx = slots[k]
            node = _get(parent, fld, idx)
            repl = []
            if isinstance(node, (ast.Compare, ast.BoolOp)) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
                repl += [ast.Constant(True), ast.Constant(False)]
            repl += _children(node)
            if not isinstance(node, (ast.Constant, ast.Name)):
                repl += [ast.Name(p, ast.Load()) for p in self.params]
                repl += [ast.Constant(c) for c in CONSTANTS]
            elif isinstance(node, ast.Name) and node.id not in self.params:
                repl += [ast.Name(p, ast.Load()) for p in self.params] + [ast.Constant(1.5)]
            elif isinstance(node, ast.Constant) and node.value not in (1.5, True, False) and not isinstance(node.value, str):
                repl += [ast.Constant(1.5)]
            for r in repl:
                t = copy.deepcopy(tree)
                tparent, tfld, tidx = _expr_slots(t)[k]
                _set(tparent, tfld, tidx, copy.deepcopy(r))
                yield t

    def reduce(self, source: str) -> str:
        tree = ast.parse(source)
        best = tree
        try:
            progress = True
            while progress:
                progress = False
                for cand in self.candidates(best):
                    if ast.dump(cand) == ast.dump(best):
                        continue
                    if self.interesting(cand):
                        best = cand
                        progress = True
                        break
        except TimeoutError:
            pass
        return ast.unparse(best) + "\n"


def reduce_failure(checker, program, failure, args, time_budget=20.0, like=None):
    saved = checker.timeout
    if "FuzzTimeout" in failure.signature:
        checker.timeout = 2.0           # a hang: each interesting candidate costs a timeout
        time_budget *= 3
    try:
        r = Reducer(checker, program, failure, args, time_budget=time_budget)
        r.like = like
        source = r.reduce(program.source)
    finally:
        checker.timeout = saved
    return source, r.last_failure, r.tests


# ---------------------------------------------------------------------- reproducer files
def reproducer(program, failure, source, args) -> str:
    """A file that runs on its own: the program, the call, expected vs got."""
    from .gen import tidy
    body = tidy(source)
    lines = [l for l in body.splitlines() if l not in ("import math", "import numpy as np")]
    body = "\n".join(lines).strip("\n")
    header = (f'"""s2s fuzz reproducer: seed {program.seed}, level {program.level}: {failure.cls} in {failure.check}.\n\n'
              f"{failure.message}\n\n"
              f"Regenerate with: python -m tests.fuzz --n 1 --seed {program.seed} --level {program.level}\n"
              '"""\n')
    text = header + "import copy\nimport math\n\nimport numpy as np\n\nimport s2s\n\n\n" + body + "\n\n\n"
    text += f"ARGS = {pyrepr(list(args))}\n"
    for key, value in failure.extra.items():
        text += f"{key} = {pyrepr(value)}\n"
    wrt = program.wrt if isinstance(program.wrt, tuple) else (program.wrt,)
    positions = [program.params.index(w) if isinstance(w, str) else w for w in wrt]
    if "CT" in failure.call and "CT" not in failure.extra:
        text += "CT = f(*copy.deepcopy(ARGS))  # any cotangent with the result's structure\n"
    if "TANGENTS" in failure.call and "TANGENTS" not in failure.extra:
        text += f"TANGENTS = tuple(copy.deepcopy(ARGS[k]) for k in {positions!r})\n"
    if "K)" in failure.call and "K" not in failure.extra:
        text += f"K = {positions[0]}\n"
    if failure.cls in ("wrong-value", "wrong-derivative"):
        what = "f(*ARGS)" if failure.cls == "wrong-value" else "central finite differences"
        text += f"EXPECTED = {pyrepr(failure.expected)}  # {what}\n\n"
        text += f"got = {failure.call}\n"
        text += 'print("expected", EXPECTED)\nprint("got     ", got)\n'
    elif failure.cls == "mutation":
        text += "\n"
        text += "a = copy.deepcopy(ARGS)\nf(*a)\n"
        text += "b = copy.deepcopy(ARGS)\n"
        call = failure.call.replace("*copy.deepcopy(ARGS)", "*b").replace("tuple(copy.deepcopy(ARGS))", "tuple(b)")
        text += f"{call}\n"
        text += 'print("arguments after f:          ", a)\nprint("arguments after the transform:", b)\n'
    else:
        text += f"\nprint({failure.call})  # raises: {failure.message[:150]}\n"
    return text
