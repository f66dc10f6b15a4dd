"""AST lowering before SSA: exits and loop clauses in the shapes the SSA builder expects.

Pure functions on lists of `ast` statements (new lists; nodes keep the user's
line numbers):
- `normalise_exits`: the statements after an `if` that may leave the block
  (return/break/continue) move into its non-leaving paths, so every exit ends
  its block;
- `lower_loop_returns`: `return e` inside a loop becomes `result = e;
  returned = True; break`, each enclosing loop is left with `if returned:
  break`, and the outermost one is followed by `if returned: return result`;
- `flag_breaks`: each break of one loop level replaced (to set a flag before it).
"""
from __future__ import annotations

import ast
import copy


def always_exits(stmts: list) -> bool:
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, (ast.Return, ast.Break, ast.Continue)):
        return True
    if isinstance(last, ast.If):
        return always_exits(last.body) and always_exits(last.orelse)
    return False


def _may_exit(stmts: list, loop_level: bool = False) -> bool:
    """Does any path through `stmts` return (or break/continue at this loop level)?"""
    for s in stmts:
        if isinstance(s, ast.Return):
            return True
        if isinstance(s, (ast.Break, ast.Continue)) and not loop_level:
            return True
        if isinstance(s, ast.If) and (_may_exit(s.body, loop_level) or _may_exit(s.orelse, loop_level)):
            return True
        if isinstance(s, (ast.For, ast.While)) and (any(isinstance(n, ast.Return) for n in ast.walk(s)) or
                                                   _may_exit(s.orelse, loop_level)):
            return True  # (a break or continue in a nested loop's else clause is this level's)
    return False


def normalise_exits(stmts: list, fresh=None) -> list:
    """Move the statements after an `if` that may leave the block into its non-leaving paths.

    After this, every return/break/continue is the last statement of its block.
    A branch that only sometimes leaves gets its own copy of the rest. A loop's
    `else` clause that may leave the block is such an `if` too: the rest of the
    block when no break leaves the loop, else `if not broke: ...` with a flag
    (named by `fresh`) set before each break.
    """
    out = []
    for i, s in enumerate(stmts):
        if isinstance(s, (ast.Return, ast.Break, ast.Continue)):
            out.append(s)
            return out  # anything after is dead code
        if isinstance(s, ast.If) and (_may_exit(s.body) or _may_exit(s.orelse)):
            rest = stmts[i + 1:]
            s = copy.copy(s)
            s.body = normalise_exits(_append_rest(s.body, rest), fresh)
            s.orelse = normalise_exits(_append_rest(s.orelse, copy.deepcopy(rest) if rest else []), fresh)
            out.append(s)
            return out
        if isinstance(s, (ast.For, ast.While)) and s.orelse and _may_exit(s.orelse):
            # the else clause may continue or return: what follows the loop runs only on its other paths
            loop = copy.copy(s)
            loop.orelse = []
            rest = list(stmts[i + 1:])
            if not any(isinstance(n, ast.Break) for n in loop_level_nodes(s.body)):
                # no break leaves the loop: the else clause always runs, as the rest of this block
                return out + [loop] + normalise_exits(list(s.orelse) + rest, fresh)
            if fresh is not None:
                flag = fresh("broke")
                at = lambda node, where=s: ast.copy_location(node, where)  # noqa: E731
                store = lambda where: at(ast.Name(flag, ast.Store()), where)  # noqa: E731
                loop.body = flag_breaks(s.body, lambda brk: [at(ast.Assign(
                    targets=[store(brk)], value=at(ast.Constant(True), brk), type_comment=None), brk), brk])
                start = at(ast.Assign(targets=[store(s)], value=at(ast.Constant(False)), type_comment=None))
                guard = at(ast.If(test=at(ast.UnaryOp(ast.Not(), at(ast.Name(flag, ast.Load())))),
                                  body=list(s.orelse), orelse=[]))
                return out + [start, loop] + normalise_exits([guard] + rest, fresh)
        if isinstance(s, ast.If):
            s = copy.copy(s)
            s.body = normalise_exits(s.body, fresh)
            s.orelse = normalise_exits(s.orelse, fresh)
        out.append(s)
    return out


def _append_rest(block: list, rest: list) -> list:
    if always_exits(block):
        return list(block)
    return list(block) + list(rest)


# --------------------------------------------------------------------------- the builder


def lower_loop_returns(stmts: list, namer, error) -> list:
    """`return e` inside a loop becomes `result = e; returned = True; break`, each enclosing
    loop is left with `if returned: break`, and the outermost one is followed by
    `if returned: return result` (the rest of the function moves into its else branch)."""
    if not any(_in_loop(s, n) for s in stmts if isinstance(s, (ast.For, ast.While, ast.If))
               for n in ast.walk(s) if isinstance(n, ast.Return)):  # (only a return is looked for in loops)
        return stmts
    flag, value = namer.fresh("returned"), namer.fresh("result")

    def name(n, ctx, at):
        return ast.copy_location(ast.Name(n, ctx), at)

    def assign(n, v, at):
        return ast.copy_location(ast.Assign(targets=[name(n, ast.Store(), at)], value=v, type_comment=None), at)

    def rewrite(block: list, depth: int) -> list:
        out = []
        for s in block:
            if isinstance(s, ast.Return) and depth > 0:
                if s.value is None:
                    raise error(s, "a return without a value")
                out += [assign(value, s.value, s), assign(flag, ast.copy_location(ast.Constant(True), s), s),
                        ast.copy_location(ast.Break(), s)]
                continue
            if isinstance(s, ast.If):
                s = copy.copy(s)
                s.body, s.orelse = rewrite(s.body, depth), rewrite(s.orelse, depth)
            elif isinstance(s, (ast.For, ast.While)):
                has_return = any(isinstance(n, ast.Return) for n in ast.walk(s))
                forever = isinstance(s, ast.While) and isinstance(s.test, ast.Constant) and s.test.value \
                    and not any(isinstance(n, ast.Break) for n in loop_level_nodes(s.body))
                user_breaks = any(isinstance(n, ast.Break) for n in loop_level_nodes(s.body))
                s = copy.copy(s)
                s.body = rewrite(s.body, depth + 1)
                # (the break that leaves the loop skips its else clause, as the return did; the else clause
                # runs in the enclosing block, where a return leaves as any other of that block does)
                s.orelse = rewrite(s.orelse, depth)
                # an else clause that always leaves, on a loop no break of the user's leaves: past the loop,
                # only a return's break got there
                forever = forever or (not user_breaks and always_exits(s.orelse))
                out.append(s)
                if has_return:
                    test = name(flag, ast.Load(), s)
                    leave = ast.copy_location(ast.Break(), s) if depth > 0 else \
                        ast.copy_location(ast.Return(value=name(value, ast.Load(), s)), s)
                    # a `while True` left only by returns: what follows it cannot run
                    out.append(leave if forever else ast.copy_location(ast.If(test=test, body=[leave], orelse=[]), s))
                continue
            out.append(s)
        return out

    at = stmts[0]
    none = ast.copy_location(ast.Constant(None), at)
    return [assign(flag, ast.copy_location(ast.Constant(False), at), at), assign(value, none, at)] + \
        rewrite(stmts, 0)


def _in_loop(top, node) -> bool:
    """Is `node` inside a loop within statement `top`?"""
    for n in ast.walk(top):
        if isinstance(n, (ast.For, ast.While)) and any(m is node for m in ast.walk(n)):
            return True
    return False


def flag_breaks(stmts: list, replace) -> list:
    """`stmts` with each break of this loop level replaced by `replace(break)` (nested loops untouched, but
    not their `else` clauses: a break there leaves this loop)."""
    out = []
    for s in stmts:
        if isinstance(s, ast.Break):
            out += replace(s)
        elif isinstance(s, ast.If):
            s = copy.copy(s)
            s.body, s.orelse = flag_breaks(s.body, replace), flag_breaks(s.orelse, replace)
            out.append(s)
        elif isinstance(s, (ast.For, ast.While)) and s.orelse:
            s = copy.copy(s)
            s.orelse = flag_breaks(s.orelse, replace)
            out.append(s)
        else:
            out.append(s)
    return out


def loop_level_nodes(stmts):
    """The statements of this loop level: into ifs, and into the `else` clauses of nested loops (a break or
    continue there is this loop's), not into nested loop bodies."""
    for s in stmts:
        yield s
        if isinstance(s, ast.If):
            yield from loop_level_nodes(s.body)
            yield from loop_level_nodes(s.orelse)
        elif isinstance(s, (ast.For, ast.While)):
            yield from loop_level_nodes(s.orelse)
