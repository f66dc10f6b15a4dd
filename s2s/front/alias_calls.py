"""Library calls in the alias stage (alias.py): calls whose result may be an operand itself or a view of it
(`np.einsum('ij->ji', y)`, `np.float64(a)`, `min(a, b)`, `np.trim_zeros(y)`: prims.MAY_RETURN_OPERAND; a function of
the user's that s2s calls without reading it, one with a rule: CALLED), calls that
change their argument in place (`_ = heapq.heappush(h, v)`, `_ = rng.shuffle(x)`: refused, prims.CHANGES_ARGUMENT),
and the draws of NumPy's random generators, arrays of their own. `CallAliases` holds these methods of alias.py's
`_Aliases`.
"""
from __future__ import annotations

from s2s import ir, prims
from s2s.errors import UnsupportedSyntaxError
from s2s.ir.names import base_name
from s2s.prims import CHANGES_ARGUMENT, CHANGES_ARGUMENT_METHODS, EINSUM, MAY_RETURN_OPERAND, \
    NO_COPY_RETURNS_OPERAND, RANDOM_GENERATORS, RETURNS_OPERAND_IF


# the keys of the user's functions s2s calls without reading them (a rule's, a nondifferentiable's, a recursive one's:
# rules/custom.py): their results may be their arguments, or views of them
CALLED = "s2s.rules.custom."


class CallAliases:
    """(mixed into alias.py's `_Aliases`; reads its state through `self`)"""

    def known_key(self, call: ir.Call) -> tuple:
        """(the key of the library function `call` calls, its arguments as the user wrote them): its own op, or for
        an opaque call `call(f, *args)` the key (in prims' tables of such calls) of the object f names."""
        if call.op != "call" or not call.args or not isinstance(call.args[0], ir.Var):
            return call.op, call
        key = prims.aliasing_key(self.free_object(call.args[0]))
        return key, ir.Call(key or "call", call.args[1:], call.kwargs)

    def changes_argument(self, call: ir.Call, loc) -> None:
        """Refuse a library call that changes its argument in place (`_ = heapq.heappush(h, v)`,
        `_ = rng.shuffle(x)`, `z = operator.iadd(y, x)`): s2s follows values, and would miss the change."""
        key = self.known_key(call)[0]
        if key in CHANGES_ARGUMENT:
            what, fix = CHANGES_ARGUMENT[key]
            name = key.rpartition(".")[2]
        elif call.op == "callmethod" and len(call.args) > 1 and isinstance(call.args[1], ir.Const) and \
                call.args[1].value in CHANGES_ARGUMENT_METHODS:
            name = call.args[1].value
            what, fix = CHANGES_ARGUMENT_METHODS[name]
        else:
            return
        raise self.error(loc, f"a call of {what}", fix, name)

    def drawn(self, call: ir.Call) -> bool:
        """Is `call` a method of one of NumPy's random generators (made in the function by np.random.default_rng
        (...), or given), which returns a new array or number (`rng.standard_normal(n)`), never its arguments?"""
        if call.op != "callmethod" or not call.args or not isinstance(call.args[0], ir.Var):
            return False
        generator = call.args[0].name
        made = self.made_by.get(generator)
        if made is not None:
            return made.op == "call" and bool(made.args) and _random_generator(self.free_object(made.args[0]))
        return isinstance(self.free_object(call.args[0]), _generator_types())

    def held_result(self, reader: str, writes: list) -> tuple:
        """`(("held", reader),)` where `reader`, read after the in-place operators `writes` (their Assigns), is the
        result of a call of a function of the user's that s2s calls without reading it (CALLED: a recursive one),
        made before each of them: rt.require_immutable then refuses only where that result holds the array as the
        operator runs (`r = rsum(b, k - 1); b += 5.0`: a number holds none); else ()."""
        made = self.definition(reader)
        return self.made_before(reader, writes) if isinstance(made, ir.Call) and made.op.startswith(CALLED) else ()

    def kept_item(self, reader: str, writes: list, itself: bool = False) -> tuple:
        """`(("held", reader),)` where `reader`, read after the in-place operators `writes`, is an item read before
        each of them (`first = theta[0]`, then `for p in theta: p += v`), or (`itself`) the value they may change,
        made before them (`theta = [np.dot(w, w), w * 2.0]`, theta[0] read after): rt.require_immutable then refuses
        only where it holds the array as the operator runs (a number, `np.dot(w, w)`, holds none); else ()."""
        made = self.definition(reader) if reader else None
        item = isinstance(made, ir.Call) and (itself or made.op == "getitem" and bool(made.args))
        return self.made_before(reader, writes) if item else ()

    def made_before(self, reader: str, writes: list) -> tuple:
        """`(("held", reader),)` where `reader` is bound before each of `writes` (Assigns) on every path to it (in
        its block or one around it: a check there may read it), else ()."""
        bound = writes and all(_bound_at(self.fn.body, a, reader, set()) for a in writes)
        return (("held", ir.Var(reader)),) if bound else ()

    def free_object(self, atom):
        """The object of the module's (or closure's) that `atom` names, or None."""
        return self.fn.free.get(atom.name, (None,))[0] if isinstance(atom, ir.Var) else None

    def maybe_same_origin(self, name: str) -> str | None:
        """The value `name` may be (itself, or through the joins of loops and branches it may hold: `t` of a loop
        writing `t[i] = v`) that may be an array it was made of (`maybe_same`), or None."""
        todo, seen = [name], set()
        while todo:
            n = todo.pop()
            n = self.root.get(n, n)
            if n in self.maybe_same:
                return n
            if n not in seen:
                seen.add(n)
                todo += [a.name for a in self.joins.get(n, ()) if isinstance(a, ir.Var)]
        return None

    def maybe_same_write(self, name: str, loc) -> UnsupportedSyntaxError:
        """The error for an element write into `name`, which may be an array it was made of, or a view of it."""
        made = self.made_by.get(name)
        sources = "' or '".join(base_name(n) for n in self.maybe_same[name])
        shown = base_name(name)
        if made is not None and made.op in NO_COPY_RETURNS_OPERAND:
            return self.error(loc, f"assignment to an element of '{shown}', which copy=False may have made the "
                                   f"array '{sources}' itself (or a copy of it: NumPy decides when it runs)",
                              f"make a copy ({shown} = {sources}.astype(...) without copy=False), or write into "
                              f"'{sources}'", shown)
        key = self.known_key(made)[0] if made is not None else None
        spelled = prims.spelling(key) if key else "the call"
        if key and key.startswith(CALLED):  # (the user's function, by its own name)
            spelled = getattr(prims.python_object(key), "__name__", spelled)
            return self.error(loc, f"assignment to an element of '{shown}', which {spelled}() may have returned as "
                                   f"'{sources}' itself or a view of it (s2s calls {spelled} without reading its "
                                   f"body)",
                              f"write into a copy: {shown} = np.copy({shown}) first, or write into '{sources}'", shown)
        return self.error(loc, f"assignment to an element of '{shown}', which {spelled}() may have made '{sources}' "
                               f"itself or a view of it (NumPy decides when it runs)",
                          f"write into a copy: {shown} = np.copy({shown}) first, or write into '{sources}'", shown)


def returned_operands(key: str, call: ir.Call) -> list:
    """The operands of `call` (a call of `key` in prims.MAY_RETURN_OPERAND, its arguments as written) that its
    result may be, or be a view of; none where the arguments make it a new array: a constant other than the one
    prims.RETURNS_OPERAND_IF names (`matrix_power(M, 2)`, `np.meshgrid` without copy=False), or an einsum that sums
    over an index or takes two operands."""
    args, kwargs = call.args, dict(call.kwargs)
    if key == EINSUM and args and isinstance(args[0], ir.Const) and isinstance(args[0].value, str):
        spec = args[0].value.replace(" ", "").replace(".", "")
        inputs, arrow, output = spec.partition("->")
        letters = [c for c in inputs if c.isalpha()]
        summed = set(letters) - set(output) if arrow else {c for c in letters if letters.count(c) > 1}
        if len(args) != 2 or "," in inputs or summed:
            return []
    if key in RETURNS_OPERAND_IF:
        position, name, default, value = RETURNS_OPERAND_IF[key]
        given = args[position] if position is not None and len(args) > position else kwargs.get(name)
        decides = ir.Const(default) if given is None and default is not None else given
        if isinstance(decides, ir.Const) and decides.value != value:
            return []
    return [a for a in args[MAY_RETURN_OPERAND[key]] if isinstance(a, ir.Var)]


def _random_generator(maker) -> bool:
    """Is `maker` one of the calls that make a NumPy random generator (prims.RANDOM_GENERATORS)?"""
    return maker is not None and any(maker is prims.python_object(k) for k in RANDOM_GENERATORS)


def _generator_types() -> tuple:
    return tuple(t for t in (prims.python_object(k) for k in RANDOM_GENERATORS) if isinstance(t, type))


def _bound_at(stmts: list, target, name: str, bound: set):
    """Is `name` bound (an Assign) before the statement `target` in `stmts`, or a block around it, as it runs (a
    loop's header before its body)? None where `target` is not in `stmts`."""
    bound = set(bound)
    for s in stmts:
        if s is target:
            return name in bound
        if isinstance(s, ir.Assign):
            bound.add(s.target)
        inner = set(bound)
        for block in ir.blocks(s):
            found = _bound_at(block, target, name, inner)
            if found is not None:
                return found
            if isinstance(s, ir.Loop) and block is s.header:
                inner |= {a.target for a in block if isinstance(a, ir.Assign)}
    return None
