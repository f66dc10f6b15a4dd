"""A stable, readable text form of the IR (`s2s.ssa(f)`).

One statement per line, nested regions indented, phis printed where they
join: `y_2 = phi(y, y_1)` after an `if`, `y = phi(y0, y_1)` at a loop header.
"""
from __future__ import annotations

from s2s import ir, prims


def format_atom(a) -> str:
    if isinstance(a, ir.Var):
        return a.name
    if a is None:
        return "?"
    v = a.value
    if isinstance(v, slice):
        text = ("" if v.start is None else repr(v.start)) + ":" + ("" if v.stop is None else repr(v.stop))
        return text if v.step is None else f"{text}:{v.step!r}"  # (1: is 1:, not 1: the colon stripped off)
    if v is Ellipsis:
        return "..."
    return repr(v)


_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "floordiv": "//", "mod": "%", "pow": "**",
            "matmul": "@", "eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "is": "is",
            "isnot": "is not", "in": "in", "notin": "not in", "and": "and", "or": "or", "bitand": "&",
            "bitor": "|", "bitxor": "^", "lshift": "<<", "rshift": ">>"}
_UNARY = {"neg": "-", "pos": "+", "not": "not ", "invert": "~"}


def format_expr(e) -> str:
    """Three-address expressions in Python's own spelling: `x1 * x2`, `np.tanh(t2)`, `x[1:3]`."""
    if not isinstance(e, ir.Call):
        return format_atom(e)
    args = [format_atom(a) for a in e.args]
    if e.op in _SYMBOLS and len(args) == 2 and not e.kwargs:
        return f"{args[0]} {_SYMBOLS[e.op]} {args[1]}"
    if e.op in _UNARY and len(args) == 1:
        return f"{_UNARY[e.op]}{args[0]}"
    if e.op == "getitem":
        return f"{args[0]}[{', '.join(args[1:])}]"
    if e.op == "tuple":
        return f"({', '.join(args)}{',' if len(args) == 1 else ''})"
    if e.op == "list":
        return f"[{', '.join(args)}]"
    args += [f"{k}={format_atom(v)}" for k, v in e.kwargs]
    if e.op in prims.SPELLED_AS_METHOD:
        return f"{args[0]}.{prims.SPELLED_AS_METHOD[e.op]}({', '.join(args[1:])})"
    if e.op == "getattr":
        return f"{args[0]}.{e.args[1].value}"
    if e.op in prims.SPELLED_AS_ATTRIBUTE:
        return f"{args[0]}.{prims.SPELLED_AS_ATTRIBUTE[e.op]}"
    name = prims.spelling(e.op) if "." in e.op else e.op
    return f"{name}({', '.join(args)})"


def print_function(fn: ir.Function) -> str:
    lines = [f"def {fn.name}({', '.join(fn.params)}):"]
    _block(fn.body, 1, lines)
    return "\n".join(lines) + "\n"


def _block(stmts: list, depth: int, lines: list) -> None:
    pad = "    " * depth
    if not stmts:
        lines.append(pad + "pass")
    for s in stmts:
        if isinstance(s, ir.Assign):
            restores = f"  # restores {s.restores}" if s.restores is not None else ""
            lines.append(f"{pad}{s.target} = {format_expr(s.value)}{restores}")
        elif isinstance(s, ir.Effect):
            lines.append(f"{pad}{format_expr(s.value)}")
        elif isinstance(s, ir.Return):
            lines.append(f"{pad}return {format_atom(s.value)}")
        elif isinstance(s, (ir.Break, ir.Continue)):
            word = "break" if isinstance(s, ir.Break) else "continue"
            values = ", ".join(f"{k}={format_atom(v)}" for k, v in s.values.items())
            lines.append(f"{pad}{word}" + (f" [{values}]" if values else ""))
        elif isinstance(s, ir.If):
            lines.append(f"{pad}if {format_atom(s.test)}:")
            _block(s.body, depth + 1, lines)
            if s.orelse:
                lines.append(f"{pad}else:")
                _block(s.orelse, depth + 1, lines)
            for p in s.phis:
                lines.append(f"{pad}{p.target} = phi({', '.join(format_atom(o) for o in p.operands)})")
        elif isinstance(s, ir.Loop):
            if s.kind == "for":
                target = s.target if isinstance(s.target, str) else ", ".join(s.target)
                restores = "; ".join(f"{k} restores {v}" for k, v in s.restores.items())
                lines.append(f"{pad}for {target} in {format_atom(s.iter)}:" + (f"  # {restores}" if restores else ""))
            else:
                lines.append(f"{pad}while True:")
            for p in s.phis:
                lines.append(f"{pad}    {p.target} = phi({', '.join(format_atom(o) for o in p.operands)})")
            if s.kind != "for":  # the header runs before each iteration's test
                if s.header:
                    _block(s.header, depth + 1, lines)
                lines.append(f"{pad}    if not {format_atom(s.test)}: break")
            _block(s.body, depth + 1, lines)
