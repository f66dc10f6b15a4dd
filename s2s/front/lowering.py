"""AST lowering before SSA: exits and loop clauses in the shapes the SSA builder expects.

Pure functions on lists of `ast` statements (new lists; nodes keep the user's
line numbers):
- `normalise_exits`: the statements after an `if` that may leave the block
  (return/break/continue) move into its non-leaving paths, so every exit ends
  its block;
- `lower_loop_returns`: `return e` inside a loop becomes `result = e;
  returned = True; break`, each enclosing loop is left with `if returned:
  break`, and the outermost one is followed by `if returned: return result`;
- `flag_breaks`: each break of one loop level replaced (to set a flag before it);
- `inline_iterators`: an iterator stored in a name and read once later (`pairs = zip(x, w)`, a generator
  expression) made where it is read, of its arguments evaluated where it was made.
"""
from __future__ import annotations

import ast
import copy
import keyword


def always_exits(stmts: list) -> bool:
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, (ast.Return, ast.Break, ast.Continue)):
        return True
    if isinstance(last, ast.If):
        return always_exits(last.body) and always_exits(last.orelse)
    return False


def returns_a_value(stmts: list) -> bool:
    """Does the function body `stmts` hold a `return` with a value (nested functions and classes aside)? One
    without, called for its value, returns None, as Python's implicit `return None` does."""
    todo = list(stmts)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Return) and node.value is not None:
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            todo.extend(ast.iter_child_nodes(node))
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
            return out + _raise_first(s)
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
            out += _raise_first(s)
            continue
        out.append(s)
    return out


def _raise_first(s: ast.If) -> list:
    """`if c: <path> else: raise E(...)` (or the other way round) as `if c: pass else: raise E(...)` followed by
    <path>: the raise is an exit of the function on its path (a function ending `else: raise ValueError(...)`
    returns a value on every path it returns on), and the SSA builder keeps `raise` as an effect that raises
    where it runs, so what follows runs only where it did not."""
    raises = [_always_raises(s.body), _always_raises(s.orelse)]
    if raises[0] == raises[1]:
        return [s]
    pass_ = ast.copy_location(ast.Pass(), s)
    first = copy.copy(s)
    first.body, first.orelse = (s.body, []) if raises[0] else ([pass_], s.orelse)
    return [first] + list(s.orelse if raises[0] else s.body)


def _always_raises(block: list) -> bool:
    """Does every path through `block` end in a raise statement?"""
    if not block:
        return False
    last = block[-1]
    if isinstance(last, ast.Raise):
        return True
    return isinstance(last, ast.If) and _always_raises(last.body) and _always_raises(last.orelse)


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


# --------------------------------------------------------------------------- iterators made, then read once

def inline_iterators(stmts: list, is_iterator, fresh, error) -> list:
    """`pairs = zip(x, w)` read once, later (`for a, b in pairs:`, `sum(g)`): Python's iterator reads the
    sequences it was given when it is read. Its arguments are evaluated where it is made, into names of their own
    (`pairs_1 = x`), and the iterator is made where it is read, `for a, b in zip(pairs_1, pairs_2)`: the same
    values, as long as nothing between changes a sequence in place or grows a list. A generator expression keeps
    its body where it is read, which reads the names as they are then, as Python's does (late binding).

    `is_iterator(node)`: is `node` an iterator (a generator expression, zip(...), map(...)...)? An iterator read
    twice, in a loop, in a function or lambda, or after a statement that may change what it reads, is refused at
    that read: Python's is used up by its first read, or reads the values as they are then."""
    if not any(isinstance(s, ast.Assign) and is_iterator(s.value) for s in _statements(stmts)):
        return stmts
    loads: dict = {}
    stores: dict = {}
    for s in stmts:
        for n in ast.walk(s):
            if isinstance(n, ast.Name):
                table = loads if isinstance(n.ctx, ast.Load) else stores
                table.setdefault(n.id, []).append(n)
    return _inline_block(stmts, is_iterator, fresh, error, loads, stores)


def _statements(stmts):
    """Every statement of `stmts`, into the blocks of ifs and loops."""
    for s in stmts:
        yield s
        if isinstance(s, (ast.If, ast.For, ast.While)):
            yield from _statements(s.body)
            yield from _statements(s.orelse)


def _inline_block(stmts, is_iterator, fresh, error, loads, stores) -> list:
    stmts = list(stmts)
    i = 0
    while i < len(stmts):
        s = stmts[i]
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name) \
                and is_iterator(s.value) and len(stores.get(s.targets[0].id, ())) == 1 \
                and loads.get(s.targets[0].id):
            name = s.targets[0].id
            uses = loads[name]
            what = f"'{name}', {_spelled_iterator(s.value)} made at line {s.lineno},"
            if len(uses) > 1:
                second = sorted(uses, key=lambda n: (n.lineno, n.col_offset))[1]
                raise error(second, f"{what} read a second time (Python's iterator is used up by its first read)",
                            f"make a list where it is made: {name} = {_as_list(s.value)}")
            use = uses[0]
            j = next((k for k in range(i + 1, len(stmts)) if any(n is use for n in ast.walk(stmts[k]))), None)
            if j is None:
                raise error(use, f"{what} read in another block than the one that makes it",
                            f"make a list where it is made: {name} = {_as_list(s.value)}")
            if not _read_once(stmts[j], use):
                raise error(use, f"{what} read in a loop, a function or a lambda (Python's iterator is used up by "
                                 "its first read)", f"make a list where it is made: {name} = {_as_list(s.value)}")
            changes = next((n for n in stmts[i + 1:j] + [stmts[j]] if _may_change_values(n, use)), None)
            if changes is not None:
                raise error(use, f"{what} read after line {changes.lineno}, which may change what it reads "
                                 "(Python's iterator reads the values as they are when it is read)",
                            f"make the iterator where it is read, or a list where it is made: "
                            f"{name} = {_as_list(s.value)}")
            made, again = _made_again(s, name, fresh, is_iterator)
            stmts[i:j + 1] = made + stmts[i + 1:j] + [_replaced(stmts[j], use, ast.copy_location(again, use))]
            i += len(made)
            continue
        i += 1
    out = []
    for s in stmts:
        if isinstance(s, (ast.If, ast.For, ast.While)):
            s = copy.copy(s)
            s.body = _inline_block(s.body, is_iterator, fresh, error, loads, stores)
            s.orelse = _inline_block(s.orelse, is_iterator, fresh, error, loads, stores)
        out.append(s)
    return out


def _as_list(node) -> str:
    """`node`, an iterator, made a list where it is made: [v * x for v in vs], list(zip(a, b))."""
    if isinstance(node, ast.GeneratorExp):
        return ast.unparse(ast.ListComp(elt=node.elt, generators=node.generators))
    return f"list({ast.unparse(node)})"


def _spelled_iterator(node) -> str:
    if isinstance(node, ast.GeneratorExp):
        return "a generator expression"
    return f"{ast.unparse(node.func)}(...)"


def _made_again(s: ast.Assign, name: str, fresh, is_iterator) -> tuple[list, ast.expr]:
    """(the statements evaluating the iterator's arguments into names of their own, the iterator made of them;
    an argument that is an iterator itself, `enumerate(zip(a, b))`, made again of its own arguments so)."""
    made = []

    def evaluated(e):
        if isinstance(e, ast.Constant) or isinstance(e, ast.Lambda) and not (e.args.defaults or e.args.kw_defaults):
            return e  # (nothing to evaluate: a lambda's body reads its names when it is called, as Python's)
        if is_iterator(e):
            return again(e)
        temp = fresh(name)
        made.append(ast.copy_location(ast.Assign(targets=[ast.copy_location(ast.Name(temp, ast.Store()), e)],
                                                 value=e, type_comment=None), s))
        return ast.copy_location(ast.Name(temp, ast.Load()), e)

    def again(value):
        out = copy.copy(value)
        if isinstance(value, ast.GeneratorExp):  # (its first iterable is evaluated where it is made; the rest later)
            first = copy.copy(value.generators[0])
            first.iter = evaluated(first.iter)
            out.generators = [first] + list(value.generators[1:])
            return out
        out.args = [ast.copy_location(ast.Starred(evaluated(a.value), a.ctx), a) if isinstance(a, ast.Starred)
                    else evaluated(a) for a in value.args]
        out.keywords = [ast.keyword(k.arg, evaluated(k.value)) for k in value.keywords]
        return out
    made_of = again(s.value)
    return made, made_of


def _read_once(top, use) -> bool:
    """Is `use`, inside statement `top`, evaluated at most once each time `top` runs (not in a loop's body or
    test, a comprehension's body, a function or a lambda)?"""
    def walk(node) -> bool | None:  # True: found, once; False: found, maybe more; None: not here
        if node is use:
            return True
        if isinstance(node, (ast.FunctionDef, ast.Lambda)):
            return False if any(n is use for n in ast.walk(node)) else None
        if isinstance(node, ast.For):
            found = walk(node.iter)
            if found is not None:
                return found
            return False if any(n is use for n in ast.walk(node)) else None
        if isinstance(node, ast.While):
            return False if any(n is use for n in ast.walk(node)) else None
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)):
            found = walk(node.generators[0].iter)
            if found is not None:
                return found
            return False if any(n is use for n in ast.walk(node)) else None
        for child in ast.iter_child_nodes(node):
            found = walk(child)
            if found is not None:
                return found
        return None
    return bool(walk(top))


def _may_change_values(stmt, use) -> bool:
    """May `stmt` (up to `use`, read at its end) change a sequence in place or grow a list: a call for its effect
    (`ys.append(v)`), an augmented assignment, an element write, a del? The body of a loop over `use` itself runs
    as the iterator is read, as it would over the iterator made there."""
    for node in ast.walk(stmt):
        if isinstance(node, ast.For) and any(n is use for n in ast.walk(node.iter)):
            continue
        docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if isinstance(node, (ast.Expr, ast.AugAssign, ast.Delete)) and not docstring and \
                not _inside_loop_over(stmt, node, use):
            return True
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and not _inside_loop_over(stmt, node, use):
            return True
    return False


def _inside_loop_over(top, node, use) -> bool:
    """Is `node` inside the body of the for loop (within `top`) whose iterable holds `use`?"""
    return any(isinstance(f, ast.For) and any(n is use for n in ast.walk(f.iter)) and
               any(n is node for b in f.body + f.orelse for n in ast.walk(b)) for f in ast.walk(top))


def _replaced(node, old, new):
    """A copy of `node` with the node `old` (by identity) replaced by `new`: the nodes on the path to it copied,
    the rest shared (the user's tree stays as it is)."""
    if node is old:
        return new
    if not isinstance(node, ast.AST):
        return node
    fields, changed = {}, False
    for field, value in ast.iter_fields(node):
        if isinstance(value, list):
            new_value = [_replaced(v, old, new) for v in value]
            changed = changed or any(a is not b for a, b in zip(new_value, value))
        else:
            new_value = _replaced(value, old, new)
            changed = changed or new_value is not value
        fields[field] = new_value
    if not changed:
        return node
    out = copy.copy(node)
    for field, value in fields.items():
        setattr(out, field, value)
    return out


def listed_call(stmts: list, resolve):
    """The first callee `LAYERS[0]` of `stmts` (`LAYERS[0](x)`) that indexes a module's list of functions or layer
    objects (see `listed_functions`), or None. `resolve`: as for `called_entries`."""
    for n in (n for stmt in stmts for n in ast.walk(stmt)):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Subscript) and \
                isinstance(n.func.value, (ast.Name, ast.Attribute)):
            table = resolve(n.func.value)
            if type(table) is list and table and all(map(callable, table)):
                return n.func
    return None


def listed_functions(spelled: str, table: list, called: str) -> str:
    """What to write for a call (`called`) of a function a module's list holds (`LAYERS = [np.tanh, relu]`), whose
    entries may change between calls of the function s2s compiled once with them; for objects of one class of the
    user's (layers), also the call through the class, which s2s follows whatever the list holds."""
    kinds = {type(t) for t in table}
    cls = kinds.pop() if len(kinds) == 1 else None
    through = f"; or call it through its class, which s2s follows: {cls.__name__}.__call__({called}, x)" if \
        cls is not None and not isinstance(table[0], type) and "__call__" in vars(cls) and \
        getattr(cls, "__module__", "").split(".")[0] not in ("numpy", "scipy", "builtins") else ""
    return (f"make it a tuple, {spelled} = (...) in place of [...]: s2s then calls the function a tuple holds at an index known while compiling ({spelled}[0](x)), and runs "
            f"a loop over it (for layer in {spelled}: x = layer(x)) once per function; a list may change between "
            f"calls of what s2s compiled once{through}")


def format_strings(stmts: list) -> list:
    """`stmts` with each f-string made the `str.format` call it is (`format_call`); a statement holding one is
    copied first, the function's own tree left as it was."""
    out = []
    for s in stmts:
        if any(isinstance(n, ast.JoinedStr) for n in ast.walk(s)):
            s = _FormatCalls().visit(copy.deepcopy(s))
        out.append(s)
    return out


def attribute_reads(stmts: list, static_value) -> list:
    """`stmts` with each `getattr(x, "name")` of Python's getattr with a constant name the attribute read `x.name`
    it is, which s2s follows (a record's field, an array's attribute); a statement holding one is copied first.
    `static_value` tells what a name refers to (the user's own `getattr` is left as it is)."""
    out = []
    for s in stmts:
        if any(_constant_getattr(n) for n in ast.walk(s)) and static_value(ast.Name("getattr", ast.Load())) is getattr:
            s = _AttributeReads().visit(copy.deepcopy(s))
        out.append(s)
    return out


def _constant_getattr(n) -> bool:
    return isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "getattr" and len(n.args) == 2 \
        and not n.keywords and isinstance(n.args[1], ast.Constant) and isinstance(n.args[1].value, str) and \
        n.args[1].value.isidentifier() and not keyword.iskeyword(n.args[1].value)


class _AttributeReads(ast.NodeTransformer):
    def visit_Call(self, node: ast.Call):
        node = self.generic_visit(node)
        if _constant_getattr(node):
            return ast.copy_location(ast.Attribute(node.args[0], node.args[1].value, ast.Load()), node)
        return node


class _FormatCalls(ast.NodeTransformer):
    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.Call:
        return self.generic_visit(format_call(node))  # (an f-string inside a field: f"{f'{x}'}")


def format_call(node: ast.JoinedStr) -> ast.Call:
    """The `str.format` call an f-string is: `f"W{l}"` is `"W{}".format(l)`, `f"{x!r:>{w}}"` is
    `"{!r:>{}}".format(x, w)`, the values in the order Python evaluates them (a field's value, then those of its
    format spec), braces of its text doubled."""
    text, args = [], []

    def field(value: ast.FormattedValue) -> str:
        args.append(value.value)
        conversion = "" if value.conversion == -1 else "!" + chr(value.conversion)
        spec = ""
        if value.format_spec is not None:
            for part in value.format_spec.values:
                spec += field(part) if isinstance(part, ast.FormattedValue) else str(part.value)
        return "{" + conversion + (":" + spec if spec else "") + "}"

    for part in node.values:
        text.append(field(part) if isinstance(part, ast.FormattedValue) else
                    str(part.value).replace("{", "{{").replace("}", "}}"))
    at = lambda n: ast.copy_location(n, node)  # noqa: E731
    return at(ast.Call(at(ast.Attribute(at(ast.Constant("".join(text))), "format", ast.Load())), args, []))
