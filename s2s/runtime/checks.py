"""The checks generated code runs: a numeric result, a bound name, no shared array changed in place, argument counts.

Each raises the error Python (or s2s, for what it cannot differentiate) would raise, saying what to write instead.
"""
from __future__ import annotations

import ast
import dataclasses
import random
import re
import sys

import numpy as np

from s2s.errors import CallError, ResultTypeError, S2SError
from s2s.runtime.held import holds

__all__ = ["require_scalar", "require_number", "require_immutable", "require_bound", "require_length",
           "require_keywords", "require_float_array", "require_generator", "require_array", "require_method",
           "require_list", "require_points", "require_found", "require_item_shape", "mean_rounding"]


_NUMBERS = frozenset((float, int, np.float64, np.float32, np.int64))
_ANY = object()  # (require_immutable's `held` where anything may hold the array)
SCALAR_NEEDED = "grad needs a function with a scalar result"  # (how require_scalar's refusal begins)


def require_scalar(*values):
    """`grad` needs a scalar result: raise the error that names `vjp` otherwise.

    Called with the result, or with the arguments that make the result a scalar
    whenever they are scalars (so the forward values need not be kept for it). A dict or a dataclass has no
    axes for NumPy (np.ndim of one is 0) but is no number either: refused too."""
    for value in values:
        if type(value) in _NUMBERS:  # (the common case first: a number, ~40 ns where np.ndim takes ~1 us)
            continue
        if np.ndim(value) != 0 or isinstance(value, dict) or dataclasses.is_dataclass(value):
            what = f"a value of shape {np.shape(value)}" if np.ndim(value) != 0 else f"a {_kind_name(value)}"
            raise CallError(f"{SCALAR_NEEDED}, but this call's result is not a "
                            f"scalar ({what} flows into it): reduce it to a number "
                            f"(np.sum, np.mean, a norm), or use s2s.vjp (a pullback) or s2s.jacobian (every "
                            f"derivative) for an array result")


def _kind_name(value) -> str:
    """The name of `value`'s class as the user knows it: a dict for the runtime's DictParts (the adjoint of a dict
    that generated code built), a tuple for TupleParts, a list for Parts."""
    kind = type(value)
    if kind.__module__.startswith("s2s.runtime"):
        return next((b.__name__ for b in kind.__mro__ if b in (dict, tuple, list)), kind.__name__)
    return kind.__name__


def require_number(value, transform, fname, where):
    """The result of a differentiated function must be a number (for `vjp`, `jvp` and `jacobian`, also an
    array of numbers or a tuple/list/dict of them): None, a string or a bool has no derivative, and s2s says
    so rather than return a derivative of 0. Generated code calls this only where the result could be such
    a value (a constant, a comparison, `not`, or a join of those); `where` is the line of `fname` that returns it."""
    bad = _not_a_number(value)
    if bad is None:
        return
    what, leaf = bad
    if leaf is None:
        advice = "return a number on every path"
    elif isinstance(leaf, (bool, np.bool_)) or (isinstance(leaf, np.ndarray) and leaf.dtype == bool):
        advice = ("return a float: a test has no derivative (float(...) of it has derivative 0; "
                  "to differentiate through it, return the value it chooses)")
    else:
        advice = "return a float"
    needs = "a number" if transform in ("grad", "value_and_grad", "hessian") else \
        "numbers or arrays of numbers (or a tuple, list or dict of them)"
    raise ResultTypeError(f"{transform} needs a function returning {needs}; {fname} returned {what} "
                          f"at {where}, which has no derivative: {advice}", transform)


def _not_a_number(value):
    """None for a number, a numeric array or a container of them; else (how to name value, bad leaf)."""
    if isinstance(value, (bool, np.bool_)):
        return f"a bool ({value})", value
    if value is None:
        return "None", None
    if isinstance(value, (int, float, complex, np.number)):
        return None
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iufcO":
            return None
        return f"an array of dtype {value.dtype}", value
    if isinstance(value, (tuple, list, dict)):
        kind = type(value).__name__
        for item in (value.values() if isinstance(value, dict) else value):
            bad = _not_a_number(item)
            if bad is not None:
                return f"a {kind} holding {bad[0]}", bad[1]
        return None
    text = repr(value)
    return f"a {type(value).__name__} ({text if len(text) <= 40 else text[:37] + '...'})", value


def require_immutable(value, statement, caller="", base="", part="", own=False, arrays=None, container="", anew="",
                      item="", copy=None, again=False, before=None, kept="", other="", taken="", held=_ANY,
                      held_by=""):
    """`statement` (`y += v`) rebinds a number, as Python does. On an ndarray NumPy would write in place
    into an array that something else still refers to (the caller's argument, module data, another name, a
    view or a container): s2s refuses that rather than differentiate something else. `caller`: the argument
    (or module data) that holds the array, whose change a new value would drop; `base`: the array of the
    function's own that the array is a view of, whose change a new value would drop; `part`: that view as the
    user took it (`alpha[t]` of `row = alpha[t]`); `own`: the array is the function's own, read afterwards by
    another name (the caller's, where the operator is in a helper given it: `def scale_(v, s): v *= s`), whose
    change a new value would drop and an element write (`v[:] = v * s`) keeps; `arrays`: the function's own
    arrays the array may be, held by `container` (`w = d[k]` of `d = {'a': a, 'b': b}`) or several of them, each to
    be changed by its own name (neither the container nor a name bound to one of several arrays is written into);
    `anew`: `container` made anew (`ws = [{} for w in ws]`), `{}` the new value of its `item` (`w`), where the array
    is an item of it read in a loop and has no name of its own; `copy`: the shallow copy `y = x.copy()` of the
    caller's `x` the array was read from (`a = y[0]`), the caller's item where `y` is a dict or a list, but a view of
    `base`, the function's own array, where `y` is an array; `again`: the view was taken before the loop the
    statement is in, and is read again there (the write by `base`'s name reads `part` itself: `u[1:-1] += v`);
    `before`: the statement is in a loop, whose iteration before bound the name to another array (by `before`, the
    user's statement, where known): one it made, which `kept` still holds (`x = x * 2.0; traj.append(x)`; with
    `other`, the statement's name: `kept` is that array too, `f_old = f`), or `other` (said as it is: "'x', made
    before the loop", "the caller's 'x0'"; `y = x`); `taken`: the copy to take where the array is kept or bound;
    `held`: what `kept` holds as the statement runs, where nothing but `kept` may hold the array (the refusal is then
    made only where it holds the array: not in the first iteration, nor after a 0-d state became a NumPy scalar);
    `held_by`, with `own`: the user's name that holds the array or a view of it and is read after the change
    (`hist.append(x.reshape(2)); x += k`), which an element write would leave stale as well."""
    if isinstance(value, (list, dict, set, bytearray)):
        _require_rebound(value, statement, container or held_by)
    if isinstance(value, np.ndarray) and (held is _ANY or holds(held, value)):
        statement = re.sub(r"\s+#[^'\"]*$", "", statement)  # the line's comment is not part of the statement
        rebound = _rebound(statement)
        if before is not None:
            target = _augmented(statement)[0]
            bound = f"'{target}' was bound to in the iteration before{f' ({before})' if before else ''}"
            if kept and other:  # (`f_old += f; ...; f_old = f`: `kept` is the same array)
                raise S2SError(f"'{statement}' would change in place the array {bound}, which is '{kept}' too "
                               f"(NumPy's '{kept}' would show the change), and s2s follows values, not shared arrays: "
                               f"where '{other}' is meant to have values of its own, take a copy ({taken}); or "
                               f"write it as a new value ('{rebound}')")
            if kept:
                raise S2SError(f"'{statement}' would change in place the array {bound}, which '{kept}' still holds "
                               f"(NumPy's '{kept}' would show the change), and s2s follows values, not shared arrays: "
                               f"where '{kept}' is meant to keep each value as it was, store a copy ({taken}); or "
                               f"write it as a new value ('{rebound}')")
            raise S2SError(f"'{statement}' would change in place the array {bound}, {other} (NumPy changes it "
                           f"from the second iteration on), and s2s follows values, not shared arrays: where "
                           f"'{target}' is meant to have values of its own, take a copy ({taken}); or write it as a new "
                           f"value ('{rebound}')")
        if caller and not isinstance(copy, np.ndarray):  # (a running average in a dict or an object of the caller's)
            raise S2SError(f"'{statement}' would change an array in place that the caller passed in ('{caller}' or "
                           f"something it holds), and s2s does not change what the caller passed in: write it as a "
                           f"new value ('{rebound}') if the caller need not see the change (NumPy's caller would); "
                           f"to keep an update the caller sees (a running average), make it outside the function "
                           f"you differentiate, or return the new state with the result (return loss, "
                           f"{{**state, 'key': new_value}}) and differentiate that with s2s.vjp")
        if base:
            target, op, operand = _augmented(statement)
            written = f"{part} = {target} {op} {operand}" if part and not again else f"{part} {op}= " + re.sub(
                rf"(?<![\w.]){re.escape(target)}\b", part, operand) if part else f"{base}[...] {op}= ..."
            raise S2SError(f"'{statement}' would change an array in place that is a view of '{base}' (or shares "
                           f"memory with it), and s2s follows values, not shared arrays: to change '{base}' as NumPy "
                           f"does, write into it by its own name ({written}, an element write s2s follows); if "
                           f"'{base}' is meant to stay as it was, write it as a new value ('{rebound}')")
        if anew:
            target, op, operand = _augmented(statement)
            value_ = f"{item} {op} " + re.sub(rf"(?<![\w.]){re.escape(target)}\b", item, operand)
            raise S2SError(f"'{statement}' would change an array in place that the container '{container}' holds, "
                           f"and s2s follows values, not shared arrays: to change the container's arrays as NumPy "
                           f"does, make '{container}' anew with the new arrays, in place of the loop's in-place "
                           f"change ({anew.format(value_)}); if they are meant to keep their values, write it as a "
                           f"new value ('{rebound}')")
        if arrays is not None:
            held = f"the container '{container}' holds" if container else "another name still refers to"
            which = f" (the function's {' or '.join(repr(name) for name in arrays)})" if arrays else ""
            raise S2SError(f"'{statement}' would change an array in place that {held}{which}, and s2s follows "
                           f"values, not shared arrays: to change it as NumPy does, write into the array by the name "
                           f"it was made with ({_by_own_names(statement, arrays, value.ndim)}), not through "
                           f"{'the container' if container else 'another name'}; if it is meant to keep its value, "
                           f"write it as a new value ('{rebound}')")
        if own and held_by:
            raise S2SError(f"'{statement}' would change an array in place that '{held_by}' holds too (the array, a "
                           f"view of it, or a container holding either), read after the change, and s2s follows "
                           f"values, not shared arrays: where '{held_by}' is meant to keep the value it had, write it "
                           f"as a new value ('{rebound}'); to have NumPy's value, where '{held_by}' shows the change, "
                           f"make the change first, as a new value ('{rebound}'), and take or store what '{held_by}' "
                           f"holds after it")
        if own:
            target, op, operand = _augmented(statement)
            written = f"{target}[{'...' if value.ndim == 0 else ':'}] = {target} {op} {operand}"
            raise S2SError(f"'{statement}' would change an array in place that another name still refers to (a "
                           f"name of the caller's, where this is a helper it passed the array to, or another name "
                           f"or a container here), and s2s follows values, not shared arrays: to change the array "
                           f"as NumPy does, for every name of it, write into its elements ('{written}', an element "
                           f"write s2s follows); if the other names are meant to keep the old value, write it as a "
                           f"new value ('{rebound}')")
        raise S2SError(f"'{statement}' would change an array in place that something else still refers to "
                       f"(the caller's argument, another name for it, another item of a list holding it, a list or "
                       f"dict holding it, or the array it is a view of), and s2s follows values, not shared arrays: "
                       f"to have NumPy's meaning, where they show the change, write the new value into each by its "
                       f"own name (a[:] = ...), or make the container anew with the new arrays (ps = [p - v for p "
                       f"in ps], in place of a loop changing its items); only where nothing else is meant to see "
                       f"the change, write it as a new value ('{rebound}') or copy the array first")


def _by_own_names(statement: str, arrays: tuple, ndim: int) -> str:
    """`w *= 2.0` written into each of the arrays `w` may be, as an element write: 'a[:] = a * 2.0 where it is 'a';
    b[:] = ...' (`w` in the operand, `w /= np.sum(w)`, read as that array too)."""
    target, op, operand = _augmented(statement)
    whole = "[...]" if ndim == 0 else "[:]"
    spelled = (lambda name: re.sub(rf"(?<![\w.]){target}\b", name, operand)) if target.isidentifier() else \
        (lambda name: operand if target not in operand else "...")
    if not arrays:
        return f"a{whole} = a {op} {spelled('a')} where it is an array 'a' it holds"
    return "; ".join(f"{name}{whole} = {name} {op} {spelled(name)}" + (f" where it is '{name}'" if len(arrays) > 1
                                                                      else "") for name in arrays)


_CHANGED_IN_PLACE = {list: (ast.Add, ast.Mult), bytearray: (ast.Add, ast.Mult), dict: (ast.BitOr,),
                     set: (ast.BitOr, ast.BitAnd, ast.Sub, ast.BitXor)}


def _require_rebound(value, statement: str, holder: str) -> None:
    """`statement` (`r *= 2`, of a list another name or a container may hold: `for r in rows`) made a new value, where
    Python's operator changes the list, dict, set or bytearray `value` in place (a list repeated or extended, a dict
    or a set updated), which what else holds it would show: refused."""
    try:
        node = ast.parse(re.sub(r"\s+#[^'\"]*$", "", statement).strip()).body[0]
    except (SyntaxError, IndexError):
        return
    kind = type(value)
    if not isinstance(node, ast.AugAssign) or not isinstance(node.op, _CHANGED_IN_PLACE.get(kind, ())):
        return
    target = ast.unparse(node.target)
    other = f"'{holder}'" if holder else "another name, a container (a list it is an item of) or the caller"
    raise S2SError(f"'{ast.unparse(node)}' changes the {kind.__name__} '{target}' in place (Python's operator "
                   f"{'repeats or extends' if kind in (list, bytearray) else 'updates'} that one object), which "
                   f"{other} may hold too and would show, and s2s makes a new {kind.__name__}: write it as a new "
                   f"value ('{_rebound(ast.unparse(node))}') where nothing else is meant to see the change; to change "
                   f"a container's {kind.__name__}s, make the container anew with the new ones (rows = [r * 2 for r "
                   f"in rows])")


def _rebound(statement: str) -> str:
    """`x += v` written as `x = x + v` (`x *= 1.0 + c` as `x = x * (1.0 + c)`: the operand as one value)."""
    target, op, value = _augmented(statement)
    return f"{target} = {target} {op} {value if _binds_tighter(value, op) else f'({value})'}"


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "//": 2, "%": 2, "@": 2, "**": 4}


def _binds_tighter(value: str, op: str) -> bool:
    """Does `x {op} {value}` read `value` as one operand: a name, a number, a call, an index, or an operation
    binding tighter than `op` (`k * x` after `-`)?"""
    try:
        node = ast.parse(value, mode="eval").body
    except SyntaxError:
        return False
    if isinstance(node, (ast.Name, ast.Constant, ast.Call, ast.Subscript, ast.Attribute)):
        return True
    spelled = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
               ast.MatMult: "@", ast.Pow: "**"}
    return isinstance(node, ast.BinOp) and op != "**" and \
        _PRECEDENCE.get(spelled.get(type(node.op)), 0) > _PRECEDENCE.get(op, 5)


def _augmented(statement: str) -> tuple[str, str, str]:
    """`x += v` -> ('x', '+', 'v')."""
    target, _, value = statement.partition("=")
    target, op = target.rstrip()[:-1].rstrip(), target.rstrip()[-1:]
    for two in ("**", "//", ">>", "<<"):
        if target.endswith(two[0]) and op == two[1]:
            target, op = target[:-1].rstrip(), two
    return target, op, value.strip()


def require_float_array(y, name, copy="", held="", stored=""):
    """An array the function writes values with a derivative into (`y[i] = v`) holds floats: NumPy truncates
    a value written into an array of integers or booleans, and no derivative flows through the write. With `copy`:
    `y` is an argument whose copy `copy` holds the array `held` (`stored` there) that the function changes in place
    afterwards, which a copy of an array does not see, but a list's (or an object array's) does."""
    if copy:
        if isinstance(y, (list, tuple)) or type(y) is np.ndarray and y.dtype.kind == "O":
            kind = "an object array" if isinstance(y, np.ndarray) else f"a {type(y).__name__}"
            raise S2SError(f"'{name}' is {kind}, so its copy '{copy}' holds the array '{held}' itself (stored on "
                           f"line {stored}), and the function then changes '{held}' in place, which NumPy's '{copy}' "
                           f"shows (s2s took '{copy}' for a copy of an array, holding copies): where '{copy}' is "
                           f"meant to keep each value as it was stored, store a copy ({copy}[...] = {held}.copy()), "
                           f"or compute '{held}' as a new value ({held} = {held} + ...)")
        return
    if type(y) is np.ndarray and y.dtype.kind in "biu":
        raise S2SError(f"the function writes values that carry a derivative into '{name}', an array of {y.dtype}: "
                       f"NumPy truncates them, so no derivative flows through the writes, and s2s does not give "
                       f"one; make '{name}' an array of floats (np.zeros(n) without an integer dtype, or "
                       f"{name} = {name}.astype(float) before the writes)")


def require_array(value, spelled):
    """`o.T` (an array's attribute) or `o.mean` (an array's method) of an item of a list or tuple s2s could not
    tell for an array or an object of the user's while compiling: read as NumPy's, right for an array or a NumPy
    number, and for a Python value that has it (a list's .copy())."""
    if isinstance(value, (np.ndarray, np.generic)):
        return
    obj, _, attr = spelled.rpartition(".")
    if not hasattr(value, attr):
        raise AttributeError(f"'{type(value).__name__}' object has no attribute '{attr}'")
    if type(value).__module__ == "builtins":
        return
    if callable(getattr(type(value), attr, None)):
        raise S2SError(f"{spelled}() of a {type(value).__name__}, not an array: s2s read '.{attr}()' as NumPy's "
                       f"method (an array's {attr}), as it could not tell this item of a list or tuple for an "
                       f"object while compiling; call the method through its class, which s2s then follows: "
                       f"{type(value).__name__}.{attr}({obj}, ...)")
    raise S2SError(f"{spelled} of a {type(value).__name__}, not an array: s2s read '.{attr}' as NumPy's (an array's "
                   f"{attr}), as it could not tell this item of a list or tuple for an object while compiling; read "
                   f"another field of {obj} in the function too (s2s then reads .{attr} as the object's field), or "
                   f"give the field another name")


def require_list(value, spelled):
    """`q.append(v)` (`spelled`) of a copy s2s took for a list (`q = copy.deepcopy(p)`, `p[:]`, `p.copy()`): Python's
    AttributeError where it is not one (a copy of an array has no append); a refusal for another object that has
    one (a deque), whose append s2s does not follow."""
    if isinstance(value, list):
        return
    method = spelled.rpartition('.')[2]
    if not hasattr(value, method):
        raise AttributeError(f"'{type(value).__name__}' object has no attribute '{method}'")
    raise S2SError(f"{spelled}() of a copy of a {type(value).__name__}, which s2s took for a list: s2s follows the "
                   f"{method} of a list; make it one first ({spelled.rpartition('.')[0]} = list(...))")


def require_method(obj, name, runs, spelled, seen, by="method"):
    """`obj.name(...)` (`spelled`, with its file and line) in code s2s made for objects of the classes `seen`
    (their names), where the method of `obj`'s class is one of `runs` (one, or a tuple; by="class": the class is,
    for class methods; by="super": for super().name): raise the S2SError saying so where it is none of them, or
    where the object holds its own `name` (not for super() or __call__, which Python looks up on the class)."""
    found = getattr(type(obj), name, None) if by == "method" else type(obj)
    own = by != "super" and name != "__call__" and name in getattr(obj, "__dict__", ())
    if own or not any(found is r for r in (runs if isinstance(runs, tuple) else (runs,))):
        what = "is none of" if by == "super" else f"defines '{name}' otherwise than"
        raise S2SError(f"{spelled}: the object's class {what} the classes s2s saw when it made this code ({seen}), "
                       f"or the object holds its own '{name}'; define that class before the first call of the "
                       f"transformation (or call s2s.api.cache.clear() after defining it), and make an attribute "
                       f"holding a function a method of the class")


def require_bound(bound, name):
    """Raise the UnboundLocalError Python raises for reading `name` before it is assigned."""
    if not bound:
        raise UnboundLocalError(_UNBOUND_MESSAGE.format(name))


_UNBOUND_MESSAGE = ("cannot access local variable '{}' where it is not associated with a value"
                    if sys.version_info >= (3, 11) else "local variable '{}' referenced before assignment")


def require_length(values, lo, hi, name):
    """`f(*values)` for the helper `name` taking from `lo` to `hi` (None: any number) more positional values:
    the TypeError Python raises when `values` holds another number of them. (`name` None: `a, *rest, z = values`
    with `lo` names besides rest, Python's ValueError where values holds fewer.)"""
    if name is None and len(values) < lo:
        raise ValueError(f"not enough values to unpack (expected at least {lo}, got {len(values)})")
    if name is not None and (len(values) < lo or hi is not None and len(values) > hi):
        took = f"{lo}" if hi == lo else f"{lo} to {hi}" if hi is not None else f"at least {lo}"
        raise TypeError(f"{name}() takes {took} more positional argument(s) from *values, but {len(values)} "
                        f"were given")


def require_keywords(d, names, fname):
    """The TypeError Python raises for `fname(..., **d)` when `d` holds a key that is not one of `names`."""
    for k in d:
        if k not in names:
            raise TypeError(f"{fname}() got an unexpected keyword argument '{k}'")


def require_generator(obj, method: str):
    """Is `obj` a random generator (NumPy's Generator or RandomState, Python's random.Random), whose
    .method(...) is a draw of integers or of items (rng.binomial(n, p), rng.choice(4, p=w)), the integers without
    a derivative? Another object's method of that name is refused: s2s compiled the call as a draw, knowing `obj`
    (an argument) only as the code runs."""
    if isinstance(obj, (np.random.Generator, np.random.RandomState, random.Random)):
        return
    cls = type(obj).__name__
    raise S2SError(f"{cls}.{method}(): s2s took .{method}(...) for a random generator's draw, whose integers carry "
                   f"no derivative, and it is a method of a {cls}: call it through its class, {cls}.{method}(obj, "
                   f"...), which s2s then reads, or pass a NumPy or Python random generator")


def require_points(data, weights=None, total=None, name="fmean"):
    """statistics.fmean's StatisticsError (statistics.mean's, `name`), as Python's raises it, for `data` (a list)
    read as `math.fsum(data) / len(data)`: none there; for `fmean(data, weights)` read as `num / total`, `total` the
    sum of `weights`: data and weights of other lengths, or weights whose sum is 0."""
    import statistics
    if weights is None and not len(data):
        raise statistics.StatisticsError(f"{name} requires at least one data point")
    if weights is not None and len(data) != len(weights):
        raise statistics.StatisticsError("data and weights must be the same length")
    if weights is not None and not total:
        raise statistics.StatisticsError("sum of weights must be non-zero")


def require_found(found):
    """`next(it)` where the loop over `it` found no value: Python's StopIteration."""
    if not found:
        raise StopIteration


def require_item_shape(new, old, statement, operand=False):
    """`ys[k] = v` into a list the function made, whose item `old` at k was read before (its derivative flows back
    into that slot): Python lets `v` have another shape, but s2s's derivative of the list keeps each slot's shape,
    and would add the item's derivative to a zero of `v`'s shape, widened where `v` has more elements (a wrong
    number). Refused there; a new list made whole keeps Python's meaning."""
    kind = type(new)
    if kind is float or kind is np.float64 or kind is int or old is None or kind is np.ndarray and \
            type(old) is np.ndarray and new.shape == old.shape:  # (a number widens nothing: once per write, a loop's)
        return
    if isinstance(new, (list, tuple, dict)) or isinstance(old, (list, tuple, dict)):
        return
    try:  # (a zero shaped as `v` that adds to the item's derivative without widening it is harmless)
        widened = np.broadcast_shapes(np.shape(new), np.shape(old)) != np.shape(old)  # (`operand`: `new` is v
        # of `ys[k] op= v`, whose result is shaped as the item and v broadcast)
    except ValueError:
        widened = True
    if widened:
        written = re.match(r"\s*(\w+)\[(.*?)\]", statement)
        name, index = written.groups() if written else ("ys", "k")
        shape = np.shape(new) if not operand else "of the operator's result, wider"
        raise S2SError(f"'{statement}' gives an item of the list '{name}' the shape {shape}, where the item read "
                       f"before it had {np.shape(old)}: s2s's derivative of a list keeps each item's shape; make the "
                       f"new list whole in place of the write ({name} = [v if pos == {index} else item for pos, item "
                       f"in enumerate({name})]), or keep the item's shape")


def mean_rounding(data):
    """statistics.mean(data), the exact mean rounded once, less `math.fsum(data) / len(data)` (rounded twice): 0, or
    the last bit. Added to the latter it gives the former exactly (the difference of two floats that close is
    exact); it carries no derivative."""
    import math
    import statistics
    return statistics.mean(data) - math.fsum(data) / len(data)
