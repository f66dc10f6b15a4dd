"""The refusals of the aliasing model (alias.py), said at the user's line: a read of a view or a container after
the array it shares was changed in place (`stale`, naming where the view was taken and the copy to take instead),
and the error itself, located at the user's line, or at the line a transformation's generated code inlined in the
function came from. `AliasErrors` holds these methods of alias.py's `_Aliases`.
"""
from __future__ import annotations

import ast
import linecache
import re

from s2s import ir, prims
from s2s.errors import UnsupportedSyntaxError
from s2s.front.alias_elements import assigned_text, copied as copied_value
from s2s.ir.names import base_name
from s2s.ir.walk import definitions
from s2s.linemaps import user_line


class AliasErrors:
    """(mixed into alias.py's `_Aliases`; reads its state through `self`)"""

    def stale(self, name: str, array: str, loc) -> UnsupportedSyntaxError:
        named = self.named_refusal(name)
        user = self.fn.named.get(name, ("",))[0]
        if named is not None and loc is not None and re.search(rf"\b{re.escape(user)}\b", loc.text):
            return named(array, loc)  # (read by that name on the line: `q = r; ... q` is said as before)
        made = self.made.get(name)
        wrote = self.state.last_write.get(array)
        what = f"'{base_name(name)}'" if not is_temp(name) else "a value"
        where = f" from line {made.line}" if made is not None else ""
        when = f"line {wrote.line}" if wrote is not None else "a later line"
        spelled = copied(made.text) if made is not None and made.text else None  # (`up = D[i - 1].copy()`)
        taken = f" ({base_name(name)} = {self.iterated[name]})" if name in self.iterated and not is_temp(name) else \
            f" ({self.iterated[name]})" if name in self.iterated else f" ({spelled})" if \
            spelled and spelled.startswith(f"{base_name(name)} = ") else " (.copy())"
        takes = self.taken_at(name)
        if takes:  # (a loop's name: the view it holds from before the loop, or from the iteration before)
            made = None
            where = f" (taken on line{'s' if len(takes) > 1 else ''} {', '.join(str(t.line) for t in takes)})"
            copies = [copied(t.text) for t in takes]
            taken = f" ({'; '.join(copies)})" if None not in copies else taken
            carried = self.loop_write(name, array)
            if carried is not None:  # (the loop's writes, not the one before it: s2s cannot tell they miss the view)
                return self.error(loc, f"reading {what}{where}, a view of '{base_name(array)}' the loop carries from "
                                       f"one iteration to the next while line {carried.line} writes "
                                       f"'{base_name(array)}' in place",
                                  f"NumPy's {what} shows such a write where it reaches the view, and s2s follows the "
                                  f"view only where it is the row the iteration's one write wrote, taken after that "
                                  f"write at the same index and read only in the loop, before the next write: copy "
                                  f"it when you take it{taken}", base_name(name))
        hint = f"NumPy's {what.replace('a value', 'value')} would show that change: copy it when you take it" \
               f"{taken}" if takes else \
            f"NumPy's {what.replace('a value', 'value')} would show that change: take it after {when} for the new " \
            f"values, as NumPy reads them; copy it when you take it{taken} to keep the old ones, or read it " \
            f"before {when}"
        built = getattr(self.made_by.get(name), "op", "") in prims.CONTAINER_BUILDERS  # (a display, a record)
        if not takes and name not in self.iterated and (built or self.container(name)):
            hint = f"NumPy's {what} holds '{base_name(array)}' itself, not a copy, and would show that change: make " \
                   f"it after {when}, or give it a copy ({base_name(array)}.copy()) to keep the old values"
        element = self.may_be_element(name, array)
        if element is not None and not (made is not None and made == wrote):  # (`a = m[0]`: a number, or a row of m)
            return self.error(loc, f"reading {what}{where} ({element[0]}) after {when} changed "
                                   f"'{base_name(array)}' in place", element[1], base_name(name))
        copies = copied(loc.text if loc is not None else "") if made is not None and made == wrote and \
            loc is not None and loc.line == made.line else None
        if copies is not None:  # `y[j], y[j + 1] = y[j + 1], y[j]`: the second write reads a view the first changed
            numbers = copied_value(loc.text, True) if self.container(array) else None  # (a float has no .copy())
            hint = f"NumPy's value would show the first write (where it is a view, a row of a matrix): write " \
                   f"copies: {copies}" + (f" (or, where they are numbers: {numbers})" if numbers else "")
        return self.error(loc, f"reading {what}{where}, a view of '{base_name(array)}' or a container holding it, "
                               f"after {when} changed '{base_name(array)}' in place", hint, base_name(name))

    def named_refusal(self, name: str):
        """For a value a helper made that a name of the user's holds (`r = rsum(a, 2)`, rsum returning `a[0]` on
        one path: Function.named), the refusal of its read, said of that name and its assignment, the advice the
        copy or the number to take there; else None."""
        held = self.fn.named.get(name)
        made = self.made.get(name)
        call = assigned_text(held[1].text, name=held[0]) if held is not None else None
        if call is None or made is None or (made.file, made.line) == (held[1].file, held[1].line):
            return None
        user, at = held

        def refusal(array: str, loc) -> UnsupportedSyntaxError:
            wrote = self.state.last_write.get(array)
            when = f"line {wrote.line}" if wrote is not None else "a later line"
            joined = self.definition(name)  # (a join of the helper's returns: the one that returns the view)
            view = next((o.name for o in joined if isinstance(o, ir.Var) and array in self.refs.get(o.name, {})),
                        name) if isinstance(joined, list) else name
            returned = getattr(self.made.get(view), "text", "").strip()
            element = self.may_be_element(view, array) is not None
            array = base_name(array)
            what = f"a number if '{array}' has as many axes as it has indexes, but a view of '{array}' if it has " \
                   f"more" if element else f"a view of '{array}' or a container holding it"
            there = self.made.get(view)
            there = there and (f"line {there.line}" if there.file in ("", at.file) else f"{there.file}:{there.line}")
            source = f"{returned[len('return '):]}, on {there}: " if returned.startswith("return ") else ""
            return self.error(loc, f"reading '{user}' from line {at.line}, what {call} returns ({source}{what}), "
                                   f"after {when} changed '{array}' in place",
                              f"NumPy's '{user}' would show that change where it is a view: if it is a number, say "
                              f"so: {user} = float({call}); if it is an array, copy it: {user} = {call}.copy(); or "
                              f"read it before {when}", user)
        return refusal

    def loop_write(self, name: str, array: str):
        """Where the loop whose name `name` is (a header phi) first writes `array` in place, if it does and no write
        after the loop is the last; else None."""
        loop = next((s for s in ir.statements(self.fn.body) if isinstance(s, ir.Loop) and
                     any(p.target == name for p in s.phis)), None)
        lines = [t.loc.line for t in ir.statements([loop] if loop else []) if t.loc is not None]
        wrote = self.state.last_write.get(array)
        if loop is None or wrote is not None and wrote.line > max(lines, default=wrote.line):
            return None
        return next((t.loc for t in ir.statements(loop.header + loop.body) if isinstance(t, ir.Assign) and
                     t.loc is not None and self.writes_array([t], loop, array)), None)

    def taken_at(self, name: str) -> list:
        """For a loop's name or a join (`prev`, rebound in the loop), where the user's statements bind it to what it may
        be (`prev = R[0]`, `prev = R[i]`); else []."""
        locs = {d.target: d.loc for d in definitions(self.fn.body) if isinstance(d, ir.Assign) and not d.inplace and
                not (isinstance(d.value, ir.Call) and d.value.op == "setitem")}  # (a write takes nothing)
        found = {locs[o] for o in self.phi_sources(name) if locs.get(o) is not None}
        return sorted(found, key=lambda loc: loc.line)

    def own_generated(self, loc, *names: str) -> bool:
        """Is this a read, in code s2s generated and inlined here (`s2s.grad(f)(x)` inside the function), of values
        that code made itself (`names`)? That code keeps its own views right (its element reads are numbers where
        it reads them after a write), and is read unchecked, as its derivative taken directly is (pipeline.primal);
        a read of what the user's code gave it is checked as any."""
        if loc is None or not (loc.file or "").startswith("<s2s "):
            return False
        if self.made_at is None:
            self.made_at = {}
            for st in ir.statements(self.fn.body):
                targets = [st.target] if isinstance(st, ir.Assign) else \
                    [p.target for p in st.phis] if isinstance(st, (ir.If, ir.Loop)) else []
                self.made_at.update((t, st.loc) for t in targets)
        return all(getattr(self.made_at.get(n), "file", None) == loc.file for n in names)

    made_at = None  # a name -> where it is defined (`own_generated`), once asked

    def error(self, loc, construct: str, hint: str, name: str = "") -> UnsupportedSyntaxError:
        line = loc.line if loc is not None else 0
        text = loc.text if loc is not None else ""
        filename = (loc.file if loc is not None and loc.file else self.fn.filename)
        made = user_line(filename, line) if filename.startswith("<s2s ") else None
        if made is not None and linecache.getline(made[0], made[1]).strip():
            # (in code s2s generated for a transformation the function calls, inlined there: said at the user's
            # line that code came from, the generated statement quoted, as front/fence.py says it)
            construct = (f"{construct}, in the derivative s2s made of this line (its statement {text.strip()}), "
                         f"called inside {self.fn.name}")
            filename, line, text, name = made[0], made[1], linecache.getline(made[0], made[1]), ""
        elif filename.startswith("<s2s "):
            hint = (f"the line is of {filename[1:-1]}, code s2s generated for the transformation {self.fn.name} calls, "
                    f"inlined there; what it reads of {self.fn.name}'s values is checked as any read: {hint}")
        full = linecache.getline(filename, line).rstrip("\n")  # (loc.text is stripped: the line as written, so
        if text and full.strip() == text.strip() and not getattr(text, "call", ""):  # that the column and the
            text = full  # caret are the user's; a followed library's line at the user's call stays that call's)
        found = re.search(rf"\b{re.escape(name)}\b", text) if name else None
        col = found.start() if found else len(text) - len(text.lstrip())
        return UnsupportedSyntaxError(construct, filename, line, col, text, hint)


def is_temp(name: str) -> bool:
    return re.fullmatch(r"t\d+", name) is not None


def copied(text: str) -> str | None:
    """The assignment `text` with each value it binds copied (alias_elements.copied: `up = D[i - 1].copy()`), a
    list's items copied one by one where it makes a list or a tuple (`cols = [T[:, i].copy() for i in range(3)]`,
    `rows = list(v.copy() for v in z)`): the list's own .copy() is shallow, its items still the views."""
    try:
        stmt = ast.parse(text.strip()).body
    except SyntaxError:
        return None
    if len(stmt) != 1 or not isinstance(stmt[0], ast.Assign) or len(stmt[0].targets) != 1:
        return None
    target, value = ast.unparse(stmt[0].targets[0]), stmt[0].value
    items = items_copied(value) if isinstance(stmt[0].targets[0], ast.Name) else None
    return f"{target} = {items}" if items is not None else copied_value(text)


def items_copied(value: ast.expr) -> str | None:
    """`value`, a list or a tuple it makes, with its items copied, or None where it makes neither."""
    def copy_of(v):
        return ast.unparse(v) if isinstance(v, (ast.Constant, ast.BinOp, ast.UnaryOp)) else \
            f"{ast.unparse(v)}.copy()" if isinstance(v, (ast.Name, ast.Subscript, ast.Attribute, ast.Call)) else \
            f"({ast.unparse(v)}).copy()"
    if isinstance(value, (ast.ListComp, ast.GeneratorExp)):
        loops = "".join(ast.unparse(g) for g in value.generators)
        return f"[{copy_of(value.elt)}{loops}]" if isinstance(value, ast.ListComp) else f"({copy_of(value.elt)}{loops})"
    if isinstance(value, (ast.List, ast.Tuple)):
        parts = ", ".join(copy_of(v) for v in value.elts) + ("," if len(value.elts) == 1 and
                                                              isinstance(value, ast.Tuple) else "")
        return f"[{parts}]" if isinstance(value, ast.List) else f"({parts})"
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in ("list", "tuple") and \
            len(value.args) == 1 and not value.keywords:
        inner = value.args[0]
        if isinstance(inner, ast.GeneratorExp):
            return f"{value.func.id}{items_copied(inner)}"
        made = items_copied(inner) if isinstance(inner, (ast.ListComp, ast.List, ast.Tuple)) else None
        return f"{value.func.id}({made})" if made is not None else \
            f"{value.func.id}(v.copy() for v in {ast.unparse(inner)})"
    return None


def helper_parameter(loc, name: str) -> str:
    """The name the caller's argument `name` has where `loc`, a line of a helper s2s followed, is: the helper's
    own parameter bound to it, through each call that led there (`x` of `def g(x): y = x; y += 1.0`, called as
    g(a)); `name` where a call passes it otherwise (an expression, *args) or where the text cannot say."""
    chain = list(reversed(loc.calls))  # (outermost first)
    for k, (_, _, text, helper) in enumerate(chain):
        bound = _bound_parameter(text, helper, chain[k + 1][0] if k + 1 < len(chain) else loc.file, name)
        if bound is None:
            return name
        name = bound
    return name


def _bound_parameter(text: str, helper: str, file: str, name: str) -> str | None:
    """The parameter of `helper` (defined in `file`) that the call of it on the line `text` binds to `name`."""
    try:
        calls = [c for c in ast.walk(ast.parse(text.strip())) if isinstance(c, ast.Call) and
                 (getattr(c.func, "id", None) or getattr(c.func, "attr", None)) == helper]
        tree = ast.parse("".join(linecache.getlines(file)))
    except (SyntaxError, ValueError):
        return None
    defs = [d for d in ast.walk(tree) if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef)) and d.name == helper]
    if len(calls) != 1 or len(defs) != 1:
        return None
    call, params = calls[0], defs[0].args.posonlyargs + defs[0].args.args
    shift = 1 if isinstance(call.func, ast.Attribute) and params and params[0].arg == "self" else 0
    for i, a in enumerate(call.args):
        if isinstance(a, ast.Starred):
            return None
        if isinstance(a, ast.Name) and a.id == name and i + shift < len(params):
            return params[i + shift].arg
    return next((k.arg for k in call.keywords if k.arg and isinstance(k.value, ast.Name) and k.value.id == name),
                None)

