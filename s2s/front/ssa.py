"""Stage 3: Python AST -> structured SSA (`ir.Function`).

Guarantees: every name is assigned once (header phis aside, see `ir.Loop`);
expressions are three-address; every call is resolved to a primitive key or
inlined (user functions with source are descended into); early `return`,
`break` and `continue` end a branch, the rest of the block moving into the
other branch (the AST is lowered so first, by `lowering.py`). Construction follows Braun et al.,
"Simple and Efficient Construction of SSA Form" (CC 2013), specialised to
structured code: branches start from a copy of the environment, names that
differ at a join get a phi; loops get header phis for the names their body
assigns, trivial ones are removed once the body is built.
"""
from __future__ import annotations

import ast
import copy
import dataclasses
import inspect
import operator

import numpy as np

from s2s import ir, prims
from s2s.front import fence
from s2s.front.alias_loops import python_number
from s2s.front.scalar_starts import arithmetic_result
from s2s.front.branches import BranchLowering
from s2s.front.calls import CallLowering
from s2s.front.comprehensions import ComprehensionLowering
from s2s.front.effects import RAISE, EffectLowering
from s2s.front.element_writes import ElementWriteLowering
from s2s.front.expressions import ExpressionLowering
from s2s.front.functions import FunctionLowering, check_no_function_values
from s2s.front.item_lists import grow as grow_item
from s2s.front.item_loops import HANDED_OVER, items_kept
from s2s.front.lists import ListLowering
from s2s.front.body_names import _typed_in_place, _written_arrays
from s2s.front.loops import LoopLowering, _bound_key, _Exit, _LoopFrame
from s2s.front.lowering import always_exits, attribute_reads, format_strings, inline_iterators, listed_call, listed_functions, \
    lower_loop_returns, normalise_exits
from s2s.front.operators import operator_call
from s2s.front.outside import _LITERAL, OutsideLowering
from s2s.front.parameters import default_name, local_names
from s2s.front.rule_calls import RuleCallLowering
from s2s.front.source import MISSING, Source, parameters
from s2s.ir.names import Namer, names_in
from s2s.ir.walk import defined_names, mark_arrays, mark_names


def build_ssa(src: Source) -> tuple[ir.Function, dict]:
    """Lower a fenced function to SSA: (the function, the source text of each user function inlined into it,
    by "module:qualname")."""
    namer = Namer(names_in(src.tree) | set(prims.RESERVED_NAMES))
    builder = _Builder(src, Shared(namer, inlining=[src.func] if src.func is not None else []))
    sig = parameters(src.tree, src.func)
    params = sig.params
    for p in params:
        builder.defined.add(p)
        builder.env[p] = ir.Var(p)
    owner = src.owner_class()
    if owner is not None and sig.positional:  # def loss(self, ...) in class Model: self is a Model
        builder.classes[sig.positional[0]] = owner
    # defaults are the values Python computed when the function was defined (`scale=np.pi / 2`): constants are
    # written out, anything else is data the generated code reads, as it reads module data
    default = lambda p, v: v if _constant(v) else builder.default_or_error(v, default_name(src.globals, p, v), src.tree)  # noqa
    defaults = tuple(default(p, v) for p, v in zip(sig.positional[len(sig.positional) - len(sig.defaults):],
                                                   sig.defaults))
    kwdefaults = {p: default(p, v) for p, v in sig.kwdefaults.items()}
    body = builder.function_body(src.tree.body, src.tree)
    check_no_function_values(body, src.filename, builder.opaque)
    doc = ast.get_docstring(src.tree)
    signature = None if sig.plain() else ir.Signature(len(sig.positional), sig.vararg, tuple(sig.kwonly),
                                                       kwdefaults, sig.kwarg)
    mark_names(body, namer.temps)
    mark_arrays(body, _written_versions(body, builder.roots, builder.phi_arrays))
    return ir.Function(name=src.tree.name.replace("<lambda>", "lambda_"), params=params, body=body,
                       defaults=defaults, filename=src.filename, docstring=doc, free=dict(builder.free),
                       opaque=dict(builder.opaque), signature=signature,
                       array_reads=tuple(builder.array_reads), named=dict(builder.named)), dict(builder.deps)


def _constant(v) -> bool:
    """Is the default `v` written into generated code as a literal? (Not np.float64: see constant_or_error.)"""
    if type(v) in _LITERAL or v is Ellipsis:
        return True
    return type(v) is tuple and all(_constant(x) for x in v)


# --------------------------------------------------------------------------- exit normalisation


@dataclasses.dataclass
class Shared:
    """What the builders lowering one function share: the function's own and those of the user functions
    inlined into it (`inline_source` hands this one object on). A builder reads each field as its own
    attribute (`self.roots` is `self.shared.roots`), which cannot be rebound: a field added here is shared."""
    namer: Namer
    defined: set = dataclasses.field(default_factory=set)  # every name assigned so far
    free: dict = dataclasses.field(default_factory=dict)  # module or closure data read: name -> (object, module)
    deps: dict = dataclasses.field(default_factory=dict)  # "module:qualname" -> source of every user function inlined
    definitions: dict = dataclasses.field(default_factory=dict)  # name -> the call defining it (for array writes)
    opaque: dict = dataclasses.field(default_factory=dict)  # callables with no rule or source -> the user's spelling
    roots: dict = dataclasses.field(default_factory=dict)  # versions of a written array -> the array's first name
    phi_arrays: dict = dataclasses.field(default_factory=dict)  # a phi written as an array of its own -> its arrays
    phis: dict = dataclasses.field(default_factory=dict)  # target -> ir.Phi: those of ifs, and of loops once ended
    phi_loops: dict = dataclasses.field(default_factory=dict)  # a loop's header phi -> the loop (its _LoopFrame)
    loop_path: list = dataclasses.field(default_factory=list)  # the loops being built around here, outermost first
    made_in: dict = dataclasses.field(default_factory=dict)  # name -> the loops around its definition (loop_path)
    tuples: dict = dataclasses.field(default_factory=dict)  # names of tuples built here -> their parts
    dicts: dict = dataclasses.field(default_factory=dict)  # dicts written out, a helper's **kwargs -> {key: atom}
    records: dict = dataclasses.field(default_factory=dict)  # records built here (records.py) -> {field: atom}
    classes: dict = dataclasses.field(default_factory=dict)  # names holding an object of a known class of the user's
    list_roots: dict = dataclasses.field(default_factory=dict)  # versions of a list grown -> its first name (lists.py)
    shared_lists: set = dataclasses.field(default_factory=set)  # lists another name or a container may hold: no append
    list_owner: dict = dataclasses.field(default_factory=dict)  # list -> the name that holds it
    list_items: dict = dataclasses.field(default_factory=dict)  # list -> the classes of records appended (lists.py)
    inlining: list = dataclasses.field(default_factory=list)  # the user functions being descended into (recursion)
    joins: dict = dataclasses.field(default_factory=dict)  # an if's phi -> (the if's test, its two operands)
    array_reads: list = dataclasses.field(default_factory=list)  # NumPy's `v.T`, `v.sum()` of unknown v (lists.py)
    copies: dict = dataclasses.field(default_factory=dict)  # a library's result read at its call -> (it, the call)
    named: dict = dataclasses.field(default_factory=dict)  # a helper's value -> (the user's name, Loc) (ir.Function)


# arithmetic whose result holds floats where an operand does (NumPy's type promotion: int * 2.5 is a float)
_FLOAT_KEEPING = frozenset({"add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "neg", "pos"})


def _float_dtype(dtype) -> bool:
    """Is `dtype` (a dtype=... constant) one of floats or complex numbers?"""
    try:
        return np.dtype(dtype).kind in "fc"
    except TypeError:
        return False


class _Builder(ExpressionLowering, CallLowering, RuleCallLowering, BranchLowering, EffectLowering, FunctionLowering,
               ListLowering, ComprehensionLowering, LoopLowering, OutsideLowering, ElementWriteLowering):
    def __init__(self, src: Source, shared: Shared, depth: int = 0):
        self.src = src
        self.shared = shared  # (its fields are attributes of the builder: see below the class)
        self.depth = depth
        self.env: dict[str, ir.Atom] = {}
        self.block: list = []
        self.loops: list[_LoopFrame] = []
        self.loc: ir.Loc | None = None
        self.library_call: str | None = None  # in a library's source: the user's call that led there (its line kept)
        self.calls: tuple = ()  # in a helper: the user's calls that led there (ir.Loc.calls)
        self.returned: ir.Atom | None = None
        self._reads: set | None = None  # the names the function reads somewhere
        self.boolops = 0  # `and`/`or` operations lowered so far (each keeps its value under its own key)
        self.pushed: dict[str, int] = {}  # array -> pushes of it onto a stack by generated code, on this path
        self.consumed: set = set()  # ids of the iterators (generator expressions, zip(...)) read wholly where made
        self.zip_checks: list = []  # the lengths of a zip(..., strict=True) a loop checks as it ends (zip_strict)

    # ----- helpers
    def error(self, node, construct, hint=""):
        return fence.unsupported(self.src, node, construct, hint)

    def version(self, name: str) -> str:
        """A new SSA name for a value the user calls `name`: the name itself the first time, unless module or
        closure data goes by it (a helper inlined here rebinding its parameter `v`, bound to the module's `v`)."""
        if name not in self.defined and name not in self.free and name not in prims.RESERVED_NAMES:
            self.defined.add(name)
            self.namer.reserve(name)
            self.made_in[name] = tuple(self.loop_path)
            return name
        new = self.namer.fresh(name)
        self.defined.add(new)
        self.made_in[new] = tuple(self.loop_path)
        return new

    def temp(self) -> str:
        name = self.namer.fresh("t")
        self.defined.add(name)
        self.made_in[name] = tuple(self.loop_path)
        return name

    def emit(self, stmt) -> None:
        self.block.append(stmt)

    def assign(self, target: str, value: ir.Expr) -> ir.Var:
        self.emit(ir.Assign(target, value, self.loc))
        if isinstance(value, ir.Call):
            self.definitions[target] = value
            self.note_list_uses(value)
        return ir.Var(target)

    def materialise(self, value: ir.Expr, hint: str | None = None) -> ir.Atom:
        if isinstance(value, (ir.Var, ir.Const)):
            return value
        return self.assign(self.version(hint) if hint else self.temp(), value)

    def set_loc(self, node) -> None:
        line = getattr(node, "lineno", None)
        if line is not None and self.library_call is None:
            self.loc = ir.Loc(line, self.src.line(line).strip(), file=self.src.filename, scope=self.src.name,
                              calls=self.calls)

    # ----- function bodies
    def function_body(self, stmts: list, node, returns_none: bool = False) -> list:
        """The SSA statements of a function body. `returns_none`: a helper called for its effect, whose result
        is discarded, may end without a return, as Python's implicit `return None`."""
        if returns_none and not always_exits(stmts):
            end = ast.Return(value=ast.Constant(None))
            stmts = list(stmts) + [ast.copy_location(end, stmts[-1] if stmts else node)]
        stmts = attribute_reads(format_strings(stmts), self.static_value)
        stmts = inline_iterators(flatten_with(stmts), lambda n: isinstance(n, ast.GeneratorExp) or
                                 self.lazy_kind(n) is not None, self.namer.fresh, self.error)
        stmts = lower_loop_returns(stmts, self.namer, self.error)
        listed = listed_call(stmts, self.static_value)
        if listed is not None:  # (LAYERS[0](x) of a module's list of functions: a tuple's is called)
            raise self.error(listed, f"a call of '{ast.unparse(listed)}', a function the module's list "
                                     f"'{ast.unparse(listed.value)}' holds",
                             listed_functions(ast.unparse(listed.value), self.static_value(listed.value),
                                              ast.unparse(listed)))
        stmts = normalise_exits(items_kept(stmts, node, self.namer.fresh, self.lent_lists()), self.namer.fresh)
        if not always_exits(stmts) and not (stmts and isinstance(stmts[-1], (ast.Return,))):
            last = stmts[-1] if stmts else node
            raise self.error(last, "a function that does not return a value on every path",
                             "end every path with a return statement")
        self.block = []
        owned = set(self.list_owner)
        try:
            self.statements(stmts)
        except _Exit:
            pass
        for root in set(self.list_owner) - owned:  # (a list the body made: its names end with it, and a caller's
            del self.list_owner[root]               # name its result is given holds it alone, lists.py)
        self.emit(ir.Return(self.returned, self.loc))
        return self.block

    # ----- statements
    def statements(self, stmts: list) -> None:
        for s in stmts:
            self.statement(s)

    def statement(self, s) -> None:
        self.set_loc(s)
        self._receiver = None  # (a call's object lowered by method_of, for that call alone: methods.receiver)
        if isinstance(s, ast.Assign):
            if self.unpacked_display(s):
                return
            value = self.expr(s.value, hint=self._hint(s.targets[0]))
            if getattr(s, HANDED_OVER, None):  # (`ps = ps_new` after an item loop, item_loops.py)
                self.hand_over(s.targets[0].id, value, getattr(s, HANDED_OVER))
            if len(s.targets) > 1:  # a = b = v: v is evaluated once, and each name holds that one object
                value = self.materialise(value, self._hint(s.targets[0]))
            for target in s.targets:
                self.bind(target, value)
        elif isinstance(s, ast.AnnAssign):
            if s.value is not None:
                self.bind(s.target, self.expr(s.value, hint=self._hint(s.target)))
        elif isinstance(s, ast.AugAssign):
            op = prims.AST_TO_OP[type(s.op)]
            if grow_item(self, s):  # (d[k] += [v] of a dict whose lists nothing else holds: an append)
                return
            if isinstance(s.target, ast.Subscript):  # y[i] += v  ->  y[i] = y[i] + v, y and i evaluated once
                base, parts = self.subscript_parts(s.target)
                known = self.stored_at_key(base, parts)  # (d['a'] of a dict written out, or written at 'a' since)
                self.dict_key_write(base, parts, s.target)
                old, right = self.materialise(self.fold_call("getitem", (base,) + parts)), self.atom(s.value)
                new = isinstance(known, ir.Var) and self.sequence_operation(op, known, right, s) or \
                    self.materialise(self.fold_call(op, (old, right)))  # (`d['a'] += [v]` joined as `d['a'] + [v]`:
                # the list's rules cut its adjoint; the alias stage checks what else holds the list, `old`)
                self.write_element(s.target, self.augmented(base, old, new, op), parts)
                return
            if not isinstance(s.target, ast.Name):
                raise self.attribute_write(s.target, s) or self.error(s, "augmented assignment to an attribute")
            if isinstance(s.op, ast.Add) and isinstance(s.value, ast.Tuple):  # t += (v,): t = t + (v,)
                node = ast.copy_location(ast.BinOp(ast.Name(s.target.id, ast.Load()), s.op, s.value), s)
                _, grown = self.joined_tuple(node, self._hint(s.target))
                if grown is not None:
                    self.bind(s.target, grown)
                    return
            unbound = self.bound_flag(s.target.id) == ir.Const(False)  # (`count += 1` of a module name: the read
            left = self.read(s.target.id, s.target)                     # raises)
            if unbound:
                return
            right = self.atom(s.value)
            spelled = ast.copy_location(ast.BinOp(ast.Name(s.target.id, ast.Load()), s.op, s.value), s)
            called = operator_call(self, op, (left, right), spelled, augmented=True)  # (a class's __isub__, __sub__)
            if called is not None:
                self.bind(s.target, called)
                return
            self.refuse_shared_update(s, left, right, op)
            if self.list_root(left) is not None and op in ("add", "mul"):
                self.list_in_place(s, left, right, op)
                return
            joined = self.sequence_operation(op, left, right, s)  # t += (v,): a new tuple, as Python makes
            if joined is not None:
                self.bind(s.target, joined)
                return
            if s.target.id in self.element_written() and not python_number(left, self._defining) and \
                    not arithmetic_result(left, self._defining) and (self.array_root(left) is not None or
                     self._header_root(left, s.target.id in self._typed) is not None):
                # an array whose elements the function writes stays one object: `y *= v` is `y[...] = y * v`,
                # saved and put back by the reverse sweep like any element write
                whole = ast.copy_location(ast.Subscript(value=ast.Name(s.target.id, ast.Load()),
                                                        slice=ast.Constant(...), ctx=ast.Store()), s.target)
                new = self.materialise(self.fold_call(op, (left, right)))
                self.write_element(whole, self.augmented(left, left, new, op))
                return
            value = self.fold_call(op, (left, right))
            if not python_number(left, self._defining) and not self._surely_floats(left):
                # (`a = np.arange(3); a -= 0.5 * x`: NumPy's casting check, as `augmented` makes it for elements)
                value = ir.Call("s2s.runtime.augmented", (left, self.materialise(value, s.target.id), ir.Const(op)))
            self.bind(s.target, value)
            last = self.block[-1] if self.block else None
            if isinstance(last, ir.Assign) and ir.Var(last.target) == self.env[s.target.id]:
                last.inplace = True
        elif isinstance(s, ast.Expr):
            if getattr(s, WITH, None) == "enter":  # with np.errstate(divide="ignore"):
                self.errstate(s.value)
                return
            if getattr(s, WITH, None) == "exit":
                self.emit(ir.Effect(ir.Call(prims.END_WITH, ()), self.loc))
                return
            if isinstance(s.value, ast.Constant):
                return  # a docstring
            self.effect_call(s.value)
        elif isinstance(s, ast.Pass):
            pass
        elif isinstance(s, ast.Delete):
            for target in s.targets:
                self.delete(target)
        elif isinstance(s, ast.FunctionDef):
            self.define_function(s)
        elif isinstance(s, ast.Raise):
            self.raise_statement(s)
        elif isinstance(s, ast.Assert):
            # `assert test, msg`: the message is evaluated only when the test fails, as Python does
            message = s.msg
            self._branch(self.atom(s.test), lambda: None, lambda: self.emit(ir.Effect(ir.Call(
                RAISE, (self.exception_class(AssertionError),) + ((self.atom(message),) if message else ())),
                self.loc)), s)
        elif isinstance(s, ast.If):
            self.if_statement(s)  # (`if soft:`, `if hi is None:` of a helper's defaults: the side Python takes)
        elif isinstance(s, (ast.For, ast.While)):
            self.loop(s)
        elif isinstance(s, ast.Return):
            self.return_statement(s)
        elif isinstance(s, ast.Break):
            self.jump(s, ir.Break)
        elif isinstance(s, ast.Continue):
            self.jump(s, ir.Continue)
        else:  # the fence admits nothing else
            raise self.error(s, f"the statement {type(s).__name__}")

    def augmented(self, base: ir.Atom, old: ir.Atom, new: ir.Atom, op: str) -> ir.Atom:
        """The value `y[index] op= v` writes back (`new`, computed as `old op v`, old = y[index]): where y may hold
        integers (or booleans), `rt.augmented(old, new, op)`, which raises NumPy's error where NumPy's in-place
        operator cannot cast its result to y's dtype by the rule 'same_kind' (`y[1:] += 2.2`): a plain write
        would truncate. An array the function made of floats (np.zeros(n), np.full(n, 0.5), x * 1.0) takes a
        real value as it is, the check left out."""
        if self._surely_floats(base):
            return new
        return self.materialise(ir.Call("s2s.runtime.augmented", (old, new, ir.Const(op))))

    def _surely_floats(self, base: ir.Atom, seen: frozenset = frozenset()) -> bool:
        """Does `base` surely hold floats (or complex numbers): a float constant, an array the function made of
        them (np.zeros(n), np.ones(n), np.empty(n) without a dtype or with a float one, a float np.full), arithmetic
        with such an operand (x * 1.0, y + a), a version of such an array, a join of such values? (A join seen
        again, in a loop's back edge, is taken to: it adds no other value.)"""
        if isinstance(base, ir.Const):
            return type(base.value) is float
        if base.name in seen:
            return True
        seen = seen | {base.name}
        root = self.roots.get(base.name, base.name)
        if root in self.phis:
            operands = self.phis[root].operands
            return None not in operands and all(self._surely_floats(o, seen) for o in operands)
        made = self.definitions.get(root)
        if made is None:
            return False
        kwargs = dict(made.kwargs)
        dtype = kwargs.pop("dtype", None)
        if kwargs or dtype is not None and not (isinstance(dtype, ir.Const) and _float_dtype(dtype.value)):
            return False
        if made.op in prims.FILLED:  # (np.zeros(3, int): a dtype given by position)
            return len(made.args) == 1
        if made.op == prims.FULL:
            return len(made.args) == 2 and (dtype is not None or self._surely_floats(made.args[1], seen))
        return made.op in _FLOAT_KEEPING and any(self._surely_floats(a, seen) for a in made.args)

    def _hint(self, target) -> str | None:
        return target.id if isinstance(target, ast.Name) else None

    def bind(self, target, value: ir.Expr) -> None:
        """Assign `value` to an assignment target (name or nested tuple of names)."""
        if isinstance(target, ast.Name):
            self.bound(target.id)
            if isinstance(value, (ir.Var, ir.Const)):
                # x = y: copy-propagate the value, the name now refers to it (`r = helper(a)`: a value no name of
                # the function holds, which a refusal of a read of it calls r, Function.named)
                if isinstance(value, ir.Var) and value not in self.env.values() and self.loc is not None:
                    self.named.setdefault(value.name, (target.id, self.loc))
                self.env[target.id] = value
            else:
                self.env[target.id] = self.assign(self.version(target.id), value)
            self.note_list_name(target.id, self.env[target.id])
        elif isinstance(target, (ast.Tuple, ast.List)):
            atom = self.materialise(value)
            parts = self._tuple_parts(atom)
            starred = [i for i, elt in enumerate(target.elts) if isinstance(elt, ast.Starred)]
            if starred and parts is None:  # (beta, *_ = np.linalg.lstsq(...): how many, known when it runs)
                parts = self.counted_parts(atom, target)
                elts = [e.value if isinstance(e, ast.Starred) else e for e in target.elts]
            elif starred:  # a, *rest, z = xs: rest is a list of the middle values (known here)
                if len(parts) < len(target.elts) - 1:
                    raise self.error(target, "unpacking a tuple of the wrong length")
                k, tail = starred[0], len(target.elts) - 1 - starred[0]
                middle = parts[k:len(parts) - tail]
                named = target.elts[k].value
                rest = self.materialise(ir.Call("list", tuple(middle)), self._hint(named))
                self.tuples[rest.name] = list(middle)
                parts = parts[:k] + [rest] + parts[len(parts) - tail:]
                elts = [e.value if isinstance(e, ast.Starred) else e for e in target.elts]
            else:
                elts = target.elts
            if parts is not None and len(parts) != len(elts):
                raise self.error(target, "unpacking a tuple of the wrong length")
            if parts is None:  # (a dict's keys, a set's elements: what iterating the value gives, as many)
                atom = self.iterated(atom, len(elts))
            for i, elt in enumerate(elts):
                part = parts[i] if parts is not None else self.fold_call("getitem", (atom, ir.Const(i)))
                self.bind(elt, self.own_factor(elt, part))
        elif isinstance(target, ast.Subscript):
            self.write_element(target, self.materialise(value))
        else:
            raise self.attribute_write(target) or self.error(target, f"assignment to {type(target).__name__.lower()}")

    def counted_parts(self, atom: ir.Atom, target: ast.Tuple) -> list:
        """The parts of `a, *rest, z = xs` where how many values xs holds is known only when it runs (a library's
        tuple, `beta, *_ = np.linalg.lstsq(A, b)`): xs as a tuple, checked to hold at least as many as the names
        (Python's ValueError otherwise), its first and last values by position, and `rest`, the list of the
        middle ones, `list(xs[k:-tail])`."""
        k = next(i for i, e in enumerate(target.elts) if isinstance(e, ast.Starred))
        tail = len(target.elts) - 1 - k
        seq = self.materialise(ir.Call("builtins.tuple", (atom,)))
        check = ir.Call("s2s.runtime.require_length", (seq, ir.Const(k + tail), ir.Const(None), ir.Const(None)))
        self.emit(ir.Effect(check, self.loc))
        head = [self.materialise(self.fold_call("getitem", (seq, ir.Const(i)))) for i in range(k)]
        last = [self.materialise(self.fold_call("getitem", (seq, ir.Const(i - tail)))) for i in range(tail)]
        middle = self.materialise(ir.Call("getitem", (seq, ir.Const(slice(k, -tail if tail else None, None)))))
        rest = self.materialise(ir.Call("builtins.list", (middle,)), self._hint(target.elts[k].value))
        return head + [rest] + last

    def attribute_write(self, target, augmented=None):
        """The refusal of `m.b = v` (or `m.b += v`, the statement `augmented`) where `m` is an object of the user's
        class that the function made (`m = Lin(W)`, outside.py `constructed_class`), which the caller never sees:
        its attributes are followed as its __init__ sets them, so the value goes to the constructor; where `m` is a
        copy the function made of a record (`q = copy.deepcopy(p)`), the new record (records.py). None for any
        other target."""
        base = self.env.get(target.value.id) if isinstance(target, ast.Attribute) and \
            isinstance(target.value, ast.Name) else None
        cls = self.constructed_class(base) if base is not None else None
        if cls is None:
            return self.copied_record_write(target, base, augmented) if base is not None else None
        name, attr, made = target.value.id, target.attr, cls.__name__
        taken = attr in inspect.signature(cls.__init__).parameters
        args = getattr(self.src.tree, "args", None)
        if self.depth and args is not None and args.args and args.args[0].arg == name:  # (in a method: the
            method = self.src.tree.name                                               # caller's object)
            return self.error(target, f"{'augmented ' if augmented else ''}assignment to the attribute '{attr}' of "
                                      f"'{name}' in the method {method}, called on an object of {made} that the "
                                      f"function made", f"s2s follows an object's attributes as its __init__ sets "
                                      f"them, not changed afterwards: have {method} return the new {name}.{attr} with "
                                      f"its result (return result, new_{attr}) and keep it in the caller, y, {attr} = "
                                      f"obj.{method}(...), or obj = {made}(..., {attr}={attr}) where the object is "
                                      f"needed" + ("" if taken else f" (its __init__ taking {attr})"))
        return self.error(target, f"{'augmented ' if augmented else ''}assignment to the attribute '{attr}' of "
                                  f"'{name}', an object of {made} that the function made",
                          f"s2s follows an object's attributes as its __init__ sets them, not changed afterwards: "
                          f"give the value to the constructor ({name} = {made}(..., {attr}=value)" +
                          ("" if taken else f", its __init__ taking {attr} and setting self.{attr} = {attr}") +
                          f"), or keep it in a name of its own ({attr} = value)")

    def read(self, name: str, node) -> ir.Atom:
        if name not in self.env and self.outer is not None and self.outer.sees(name):
            return self.read_enclosing(name, node)
        flag = self.bound_flag(name)
        if flag != ir.Const(True):
            # assigned on some paths only, or on none to here: Python raises UnboundLocalError on the others (never
            # reading the module's name of the same spelling)
            self.emit(ir.Effect(ir.Call("s2s.runtime.require_bound", (flag, ir.Const(name))), self.loc))
            self.bound(name)
        if name in self.env:
            return self.env[name]
        if flag == ir.Const(False):  # (the name where the read raised, as no code after it runs; the effect above
            # raises, never dropped where the value is unused)
            self.env[name] = self.assign(self.version(name), ir.Call("s2s.runtime.require_bound", (flag, ir.Const(name))))
            return self.env[name]
        obj = self.src.resolve(name)
        if obj is MISSING:
            raise self.error(node, f"the name '{name}', which is not defined here")
        return self.constant_or_error(obj, name, node)

    def bound_flag(self, name: str) -> ir.Atom:
        """Is `name` bound where it is read here: True where surely (or where it is no local name of the function:
        the module's, a builtin), False where surely not (a local name no path to here assigned), else its flag."""
        if name in self.env:
            return self.env.get(_bound_key(name), ir.Const(True))
        return ir.Const(name not in local_names(self.src.tree))

    def delete(self, target) -> None:
        """`del name`: the name is unbound from here on (a read raises, as in Python); its value is unchanged."""
        for t in target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]:
            if self.loops:
                raise self.error(t, "del inside a loop")
            if isinstance(t, ast.Attribute):
                raise self.error(t, "del of an attribute")
            if not isinstance(t, ast.Name):
                raise self.error(t, "del of an element or a slice")
            if t.id not in self.env:
                raise self.error(t, f"del of the name '{t.id}', which is not a local name here",
                                 "delete only names the function assigned")
            self.read(t.id, t)  # where it may be unbound, Python raises as it deletes
            del self.env[t.id]
            self.env.pop(_bound_key(t.id), None)

    def bound(self, name: str) -> None:
        """`name` is assigned on this path from here on."""
        if _bound_key(name) in self.env:
            self.env[_bound_key(name)] = ir.Const(True)

    def element_written(self) -> set:
        """The names whose elements the function writes somewhere (`y[i] = v`)."""
        if not hasattr(self, "_element_written"):
            self._typed = _typed_in_place(self.src.tree.body)  # (body_names.py: `acc = np.array(0.0); acc += v`)
            self._element_written = _written_arrays(self.src.tree.body) | self._typed
        return self._element_written

    def read_anywhere(self) -> set:
        """The names the function reads somewhere."""
        if self._reads is None:
            self._reads = {n.id for n in ast.walk(self.src.tree) if isinstance(n, ast.Name)
                           and isinstance(n.ctx, ast.Load)}
        return self._reads

    # ----- expressions


for _field in dataclasses.fields(Shared):  # self.roots reads self.shared.roots (and cannot be rebound)
    setattr(_Builder, _field.name, property(operator.attrgetter("shared." + _field.name)))
del _field


WITH = "s2s_with"  # the attribute marking the statements `flatten_with` puts where a with statement was


def flatten_with(stmts: list) -> list:
    """`with np.errstate(...): body` becomes `<enter>; body; <exit>` (expression statements marked with WITH), so
    that returns inside it are lowered like any other; codegen nests what lies between the two again."""
    out = []
    for s in stmts:
        if isinstance(s, ast.With):
            for item in s.items:
                enter = ast.copy_location(ast.Expr(value=item.context_expr), s)
                setattr(enter, WITH, "enter")
                out.append(enter)
            out += flatten_with(s.body)
            for _ in s.items:
                end = ast.copy_location(ast.Expr(value=ast.Constant(None)), s.body[-1])
                setattr(end, WITH, "exit")
                out.append(end)
            continue
        if isinstance(s, (ast.If, ast.For, ast.While)):
            s = copy.copy(s)
            s.body, s.orelse = flatten_with(s.body), flatten_with(s.orelse)
        out.append(s)
    return out


def _written_versions(body: list, roots: dict, phi_arrays: dict) -> dict:
    """Versions of arrays that are written in place -> the array's first name (codegen names them all so). The
    arrays a phi written as an array of its own may be are written in place too (through it): each stays an
    array of its own, which no pass may turn into another name's (`y = a * 1.0` is never `a`)."""
    written = {roots[s] for s in roots if roots[s] != s}
    written |= {a for phi in phi_arrays if phi in written for a in phi_arrays[phi]}
    names = set(defined_names(body)) | set(roots)
    return {n: roots.get(n, n) for n in sorted(names) if roots.get(n, n) in written}


