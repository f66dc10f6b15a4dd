"""The errors s2s raises. Every one derives from `S2SError` and points at the user's own code."""
from __future__ import annotations

import linecache
import sys
import types

import numpy as np

from s2s.signal_advice import SIGNAL_INSTEAD, fft_advice
from s2s.iterator_advice import iterator_advice
from s2s.linemaps import derived_from
from s2s.prims import CONTINUOUS_DRAWS, SELECTING_DRAWS, python_object, spelling

class S2SError(Exception):
    """Base class of every error s2s raises about your code.

    Catch it to handle any of them: `UnsupportedSyntaxError`, `NonDifferentiableError`,
    `SourceUnavailableError` and `ResultTypeError` all derive from it. Each message names what
    happened and where in your source (file and line), and says what to write instead.
    Mistakes in how a transformation is called (a `wrt` that names no parameter, a non-scalar
    result for `grad`) raise `CallError`, also a `ValueError`, or `ArgumentTypeError`, also a
    `TypeError`, so that `except ValueError` catches them as it would Python's own.

    Examples
    --------
    >>> import s2s
    >>> def f(x):
    ...     with open("data.txt") as file:
    ...         return x
    >>> try:
    ...     s2s.grad(f)(1.0)
    ... except s2s.S2SError as error:
    ...     print(type(error).__name__)
    UnsupportedSyntaxError
    """

    calls: tuple = ()  # ((file, line, text, helper), ...): the calls of the helper it was found in, innermost first

    def __str__(self) -> str:
        return super().__str__() + called_from(self)


def called_from(error: S2SError) -> str:
    """The lines naming the user's calls of the helpers `error` was found in (none where it was found in the
    function transformed itself), with what keeps s2s out of the innermost helper."""
    if not error.calls:
        return ""
    lines = "".join(f"\n  called from {file}:{line}\n    {text.strip()}" for file, line, text, _ in error.calls)
    helper = error.calls[0][3]
    return (f"{lines}\n(s2s follows {helper} into its source; @s2s.adjoint({helper}) and @s2s.tangent({helper}) "
            f"give it rules, s2s.nondifferentiable({helper}) says its result carries no derivative, and s2s then "
            f"does not read it)")


def with_calls(error: S2SError, calls: tuple) -> S2SError:
    """`error`, found at a line of a helper, naming the user's `calls` that led there (ir.Loc.calls, innermost
    first), as Python's traceback does; as it was where it names calls already or is said at the call itself."""
    if error.calls or not calls or (getattr(error, "filename", None), getattr(error, "lineno", None)) == \
            tuple(calls[0][:2]):
        return error
    error.calls = tuple(calls)
    if isinstance(error, SyntaxError):  # (a traceback shows a SyntaxError's msg, not its str: the calls as a note)
        error.__notes__ = [called_from(error).lstrip("\n")]
    return error


class UnsupportedSyntaxError(S2SError, SyntaxError):
    """A construct s2s does not handle: `try`, `with`, `yield`, `async`, `global`, `class`, ...

    Raised when the function is first transformed. It is also a `SyntaxError`, so tracebacks and
    editors show it at your line; `str(error)` holds the message, `file:line:col`, the line and a
    caret under the construct. docs/syntax.md lists what is supported.

    Attributes
    ----------
    construct : str
        The construct, e.g. `"a try statement"`.
    hint : str
        What to write instead, or `""`.
    filename, lineno, offset, text, msg
        As for `SyntaxError`: your file, the line (1-based), the column (1-based), the line's
        text and the message.

    Examples
    --------
    >>> import s2s
    >>> def f(x):
    ...     try:
    ...         return 1.0 / x
    ...     except ZeroDivisionError:
    ...         return 0.0
    >>> try:
    ...     s2s.grad(f)(1.0)
    ... except s2s.UnsupportedSyntaxError as error:
    ...     print(error.construct, error.lineno, error.offset)
    a try statement 2 5
    """

    def __init__(self, construct: str, filename: str, lineno: int, col: int, text: str, hint: str = ""):
        call = getattr(text, "call", "")
        if call:  # (a statement of a library's source s2s follows, at the user's call: its variables mean nothing
            spelled = call.split(" (")[0]  # to the user, the function they called does)
            construct, col = call, max(text.find(spelled), 0)
            instead = written_instead(call)
            hint = (f"s2s follows its Python source, which changes a list or an array in place in a way s2s does "
                    f"not follow; " + (f"write it with functions s2s differentiates: {instead}" if instead else
                                       f"where no derivative need pass through it, compute it outside the function "
                                       f"and pass the result in, otherwise register a rule with "
                                       f"@s2s.adjoint({spelled}) (and @s2s.tangent for forward mode)"))
        self.construct = construct
        self.hint = hint
        msg = f"{construct} is not supported by s2s"
        if construct.endswith(", which is not defined here"):  # as Python says it: name 'totl' is not defined
            msg = "name '" + construct.split("'", 1)[1].split(",")[0] + " is not defined"
        if hint:
            msg += f" ({hint})"
        SyntaxError.__init__(self, msg, (filename, lineno, col + 1, text))

    def __str__(self) -> str:
        text = (self.text or "").rstrip("\n")
        caret = " " * max((self.offset or 1) - 1, 0) + "^"
        return f"{self.msg}\n  {self.filename}:{self.lineno}:{self.offset}\n    {text}\n    {caret}" + called_from(self)


class NonDifferentiableError(S2SError):
    """A call to a function that has no derivative rule and no Python source to descend into.

    s2s descends into the Python functions you call; a function written in C (or otherwise
    without source) needs a rule. The message names the callee and your line, and says how to
    supply a rule: `@s2s.adjoint(func)` (reverse mode), `@s2s.tangent(func)` (forward mode), or
    `s2s.nondifferentiable(func)` when its result carries no derivative.

    Attributes
    ----------
    callee : str
        The function as you spelled it, e.g. `"np.fft.fft"`.
    filename : str
        Your file.
    lineno : int
        The line of the call.

    Examples
    --------
    >>> import numpy as np
    >>> import s2s
    >>> def f(x):
    ...     return np.sum(np.abs(np.fft.fft(x)))
    >>> try:
    ...     s2s.grad(f)(np.ones(4))
    ... except s2s.NonDifferentiableError as error:
    ...     print(error.callee, error.lineno)
    np.fft.fft 2
    """

    def __init__(self, callee: str, filename: str, lineno: int, text: str, reason: str = "", fix: str = ""):
        self.callee = callee
        self.filename = filename
        self.lineno = lineno
        why = reason or "it has no derivative rule and no Python source"
        callee = callee.split(" (")[0]  # "ERF (erf)": the name the user's code spells, to pass to s2s.adjoint
        if fix:  # the caller knows better what to do (a derivative s2s itself made: no rule to register)
            self.fix = fix
            super().__init__(f"cannot differentiate the call to {self.callee}: {why}\n"
                             f"  {filename}:{lineno}\n    {text.strip()}\n{fix}")
            return
        if "forward-mode" in why:  # it has a reverse rule: only the tangent is missing
            fix = (f"Register a tangent rule with @s2s.tangent({callee}) for forward mode (jvp, "
                   f"jacobian(mode='forward'), hessian, check_grad), ")
        elif "reverse-mode" in why:
            fix = f"Register an adjoint rule with @s2s.adjoint({callee}) for reverse mode (grad, vjp, jacobian), "
        else:
            fix = f"Register a rule with @s2s.adjoint({callee}) (and @s2s.tangent for forward mode), "
        self.fix = f"{fix}or s2s.nondifferentiable({callee}) if its result carries no derivative."
        super().__init__(f"cannot differentiate the call to {self.callee}: {why}\n"
                         f"  {filename}:{lineno}\n    {text.strip()}\n{self.fix}")


class CallError(S2SError, ValueError):
    """A transformation called with what it cannot take: a `wrt` that names no parameter, a result that
    is not a scalar where `grad` needs one, a tangent or cotangent shaped unlike its argument or the
    value, an unknown `mode`. Also a `ValueError`; the message says what to pass instead."""


class ArgumentTypeError(S2SError, TypeError):
    """An argument of a type the transformation cannot take: something not callable to transform, a
    `wrt` that is neither a position nor a name, an argument differentiated that is an int array, a
    string or a complex number. Also a `TypeError`; the message says what to pass instead."""


class RuleError(S2SError, TypeError):
    """A custom rule written or registered wrongly: `s2s.adjoint` of something not a function, a rule that
    cannot take the arguments s2s passes it (no `ans` parameter), an adjoint rule returning a bare value instead
    of a tuple, or fewer adjoints than the call's arguments. Also a `TypeError`; the message says what to write."""


class ResultTypeError(S2SError, TypeError):
    """The differentiated function returned something with no derivative: None, a string, a bool.

    Also a `TypeError`. The message begins with the name of the transformation (`transform`),
    names the line that returned the value and says what to return instead.

    Attributes
    ----------
    transform : str
        The transformation that was called: `"grad"`, `"value_and_grad"`, `"vjp"`, `"jvp"`,
        `"jacobian"` or `"hessian"`.

    Examples
    --------
    >>> import s2s
    >>> def f(x):
    ...     return None if x > 0.0 else x
    >>> try:
    ...     s2s.grad(f)(1.0)
    ... except s2s.ResultTypeError as error:
    ...     print(error.transform)
    grad
    """

    def __init__(self, message: str, transform: str):
        super().__init__(message)
        self.transform = transform

    def retitled(self, transform: str) -> "ResultTypeError":
        """The same error, told by `transform` (jacobian, hessian) built on this one's."""
        return ResultTypeError(transform + str(self)[len(self.transform):], transform)


class SourceUnavailableError(S2SError):
    """The source of the function to transform cannot be read.

    s2s transforms source text, so the function must come from a file or a notebook cell.
    Functions typed at the interactive prompt or in `python -c`, made by `exec` or `eval`, and
    functions written in C (builtins, NumPy's ufuncs) have none.

    Attributes
    ----------
    name : str
        The function's name.

    Examples
    --------
    >>> import s2s
    >>> try:
    ...     s2s.grad(len)([1.0])
    ... except s2s.SourceUnavailableError as error:
    ...     print(error.name)
    len
    """

    def __init__(self, name: str, why: str):
        self.name = name
        super().__init__(f"cannot read the source of {name}: {why}")


class LibraryCall(str):
    """How the user spelled a call of a library function (`cdist (scipy.spatial.distance.cdist)`) that s2s calls as
    it is, and `unfollowed`: why it did not follow its source (`scipy.spatial.distance (an f-string ...)`); or a
    call without rule in a library's source s2s follows, and `inside`: the user's call that led there."""

    unfollowed = ""
    inside = ""


class LibraryLine(str):
    """The text of the user's line (`ir.Loc.text`) that the statements of a library function's Python source s2s
    follows keep, and `call`: that call as the user spelled it (`integrate.simpson
    (scipy.integrate._quadrature.simpson)`). A refusal of one of them names the call, not the library's variables."""

    def __new__(cls, text: str, call: str):
        out = super().__new__(cls, text)
        out.call = call
        return out

    def __reduce__(self):  # (copied and pickled with its call: a stage's IR copy keeps it)
        return LibraryLine, (str(self), self.call)

    def strip(self, *chars):
        return LibraryLine(str.strip(self, *chars), self.call)


def _parameters(cls) -> list:
    """The names of the parameters of a class's __init__ after self (none where Python cannot tell)."""
    code = getattr(getattr(cls, "__init__", None), "__code__", None)
    return list(code.co_varnames[1:code.co_argcount]) if code is not None else []


def missing_rule(op: str, loc, filename: str, why: str, callee: str | None = None,
                 target=None) -> NonDifferentiableError:
    """The error for primitive `op` without the rule a transformation needs, at the user's line `loc`
    (`callee`: how the user spelled an opaque callable; `target`: that callable); at a helper's line, naming the
    user's calls that led there (`loc.calls`)."""
    return with_calls(_missing_rule(op, loc, filename, why, callee, target), getattr(loc, "calls", ()))


def _missing_rule(op: str, loc, filename: str, why: str, callee: str | None, target) -> NonDifferentiableError:
    obj = python_object(op)
    name = callee or (getattr(obj, "__name__", None) if op.startswith("s2s.rules.custom.") else None)
    refusal = getattr(target if target is not None else obj, "__s2s_refusal__", None)  # (why, what to do) of a
    # derivative s2s made itself
    fix = ""
    library = _library_source(target if target is not None else obj)
    instead = written_instead(f"{getattr(target, '__module__', '')}.{getattr(target, '__name__', '')}") \
        if library is not None else None
    helper = op.startswith("s2s.runtime.") or (getattr(target, "__module__", None) or "").startswith("s2s.runtime")
    made = derived_from(loc.file, loc.line) if helper and loc is not None and loc.file else None
    if made is not None:  # (a helper of generated code, differentiated again: said at the user's line)
        name, why, fix = _helper_refusal(name or spelling(op), target if target is not None else obj, loc, made)
        return NonDifferentiableError(name, made[0], made[1], linecache.getline(made[0], made[1]), why, fix)
    if refusal is not None:
        why, fix = refusal
        if why.startswith(_MATRICES):  # (J = s2s.jacobian(F)(x, p) in a Newton solver the user differentiates)
            wrapped = getattr(getattr(target if target is not None else obj, "__wrapped__", None), "__name__", "f")
            fix = matrix_inside(why.startswith(_MATRICES[1]), wrapped if wrapped.isidentifier() else "f")
    elif op == "callmethod" and _method_name(callee) in CONTINUOUS_DRAWS or op == "call" and isinstance(
            getattr(target, "__self__", None), (np.random.Generator, np.random.RandomState)) and \
            getattr(target, "__name__", None) in CONTINUOUS_DRAWS:  # (rng.lognormal(m, s), np.random.uniform(a, b))
        why, fix = _draw_advice(_method_name(callee) if op == "callmethod" else target.__name__)
    elif op == "call" and target is getattr:  # (getattr(p, name): a field chosen by a name the run gives)
        why = "it reads a field by a name known only at run time, or with a default, which s2s does not follow"
        fix = ("Read the field by its name (p.a, or getattr(p, 'a') with the name written out and no default), or "
               "choose among the fields with if/elif or a conditional expression: p.a if name == 'a' else p.b.")
    elif op == "call" and isinstance(target, np.vectorize) and isinstance(target.pyfunc, types.FunctionType) and \
            target.pyfunc.__name__.isidentifier():  # (vlogpdf = np.vectorize(scalar_logpdf), a def s2s follows)
        name, why, fix = _vectorized(callee or spelling(op), target.pyfunc)
    elif op == "call" and (advice := fft_advice(target)) is not None:  # (np.fft.rfft(x): complex values)
        why, fix = advice
    elif op == "call" and (advice := iterator_advice(target, (callee or spelling(op)).split(" (")[0])) is not None:
        why, fix = advice  # (itertools.accumulate(x), np.ndenumerate(M): what to write, never nondifferentiable)
    elif op == "call" and getattr(callee, "inside", None) or op == "callmethod" and \
            getattr(getattr(loc, "text", None), "call", None):  # (special.zeta's _ufuncs._zeta; scipy's xp.exp(...))
        inside = callee.inside if op == "call" else loc.text.call
        name, spelled = inside, inside.split(" (")[0]
        where = callee.split(" (")[0] if op == "call" else f"the method .{_method_name(callee)}() of an object it reads"
        why = f"s2s follows its Python source, where {where} has no derivative rule"
        instead = written_instead(inside, library)
        if instead is not None:  # (scipy.linalg.toeplitz's _toeplitz, as_strided: names the user never wrote)
            why = "it has no derivative rule, and s2s does not differentiate its Python source"
        fix = (f"Write it with functions s2s differentiates: {instead}; or register a rule with "
               f"@s2s.adjoint({spelled}).") if instead is not None else \
            (f"Where no derivative need pass through it, compute it outside the function and pass the result in; "
             f"otherwise register a rule with @s2s.adjoint({spelled}) (and @s2s.tangent for forward mode).")
    elif op == "call" and isinstance(target, type) and library is None and \
            not getattr(callee, "unfollowed", None):  # (Arm(L) of a plain class; a record running its own code: below)
        name, fields = target.__name__, ", ".join(_parameters(target)) or "w"
        why = (f"it makes an object of the class {name} from a value with a derivative, and the attributes of an "
               f"object of a plain class carry none in s2s")
        fix = (f"Make {name} a dataclass, whose fields s2s follows (@dataclasses.dataclass above the class, its "
               f"fields {fields} declared with their types in place of __init__), or pass the values to the methods "
               f"that read them as arguments of theirs.")
    elif op == "call" and instead is not None:  # (np.polyfit: Python source s2s does not descend into)
        why = f"it has no derivative rule, and s2s does not descend into {library}'s own Python source"
        fix = (f"Write it with functions s2s differentiates: {instead}; or register a rule with "
               f"@s2s.adjoint({(callee or spelling(op)).split(' (')[0]}).")
    elif op == "call" and (library is not None or getattr(callee, "unfollowed", None)):  # (scipy's cdist)
        spelled = (callee or spelling(op)).split(" (")[0]
        why = (f"it has no derivative rule, and s2s does not follow its source in {callee.unfollowed}"
               if getattr(callee, "unfollowed", None) else
               f"it has no derivative rule, and s2s does not follow {library}'s own Python source")
        fix = (f"Where no derivative need pass through it, compute it outside the function and pass the result in "
               f"(a call whose arguments do not depend on what you differentiate is simply called); otherwise write "
               f"it with functions that have rules, or register a rule with @s2s.adjoint({spelled}) (and "
               f"@s2s.tangent for forward mode).")
    elif op.startswith("s2s.runtime.") or (getattr(target, "__module__", None) or "").startswith("s2s.runtime"):
        # (a helper of generated code, differentiated again)
        why = "it is a helper of a derivative s2s generated, which s2s does not differentiate again"
        fix = ("A derivative taken inside the function (s2s.jvp or s2s.grad in its body) is differentiated here once "
               "more than s2s can: for a function that calls s2s.jvp, take the second derivative of f itself, "
               "s2s.hessian(f), s2s.jvp(s2s.grad(f)) (forward over reverse) or s2s.grad(s2s.grad(f)); for a third "
               "derivative, take one derivative fewer, or compute the inner derivative outside and pass it in.")
    elif op in ("call", "callmethod") and _method_name(callee) in SELECTING_DRAWS:  # (rng.choice(x, p=w), x active)
        why = "it picks items of a value that has a derivative, and a random draw has no derivative rule"
        fix = ("Draw the positions and index by them (they carry no derivative; the items picked carry theirs): "
               "i = rng.choice(len(x), size=n, p=w); v = x[i] for rng.choice(x, size=n, p=w), x[rng.permutation("
               "len(x))] for rng.permutation(x), [xs[i] for i in random.sample(range(len(xs)), k)] for "
               "random.sample(xs, k).")
    elif op == "bitor":  # (state | {'rm': v}: Python's merge of dicts, the only | a derivative flows through)
        name, why = "the operator |", "it has no derivative rule (of dicts: a merge)"
        fix = ("Write a merge of dicts as a dict display, which s2s reads as a copy of the dict with the keys "
               "written: {**state, 'rm': value} for state | {'rm': value}; for a dict whose keys only the run time "
               "knows, given over defaults (defaults | given), a new dict over the defaults' keys: {k: given.get(k, "
               "defaults[k]) for k in defaults}, the same where given has no key defaults lacks.")
    elif op == "callmethod" and rotation_method((callee or "").rpartition(".")[2].rstrip("()")):
        why, fix = "it is a method of an object s2s does not see into, and has no derivative rule", ROTATION_INSTEAD
    elif op == "callmethod":  # (obj.m(x), an object s2s does not see into: no name to register a rule for)
        method = (callee or "").rpartition(".")[2].rstrip("()") or "method"
        why = "it is a method of an object s2s does not see into, and has no derivative rule"
        fix = (f"Register the rule on the function in the object's class, @s2s.adjoint(TheClass.{method}), where "
               f"the object is one of your classes made in the function by TheClass(...) or the module's; for any "
               f"other object, call a function of your own that calls the method and give it the rule: def "
               f"{method}(obj, x): return obj.{method}(x), with @s2s.adjoint({method}) (and @s2s.tangent for "
               f"forward mode), or s2s.nondifferentiable({method}) if its result carries no derivative.")
    return NonDifferentiableError(name or spelling(op), (loc.file if loc and loc.file else filename),
                                  loc.line if loc else 0, loc.text if loc else "", why, fix)


def _vectorized(callee: str, pyfunc) -> tuple[str, str, str]:
    """(callee, why, fix) for a call of `np.vectorize(pyfunc)`, which runs `pyfunc` on each element in NumPy's own
    loop, where s2s does not follow: the loop written in the user's code, which s2s follows into `pyfunc`."""
    spelled = callee.split(" (")[0]
    inner = pyfunc.__name__
    own = "Take @np.vectorize off the def of {f} and call" if inner == spelled else "Call"  # (@np.vectorize above it)
    why = f"it is np.vectorize({inner}), which calls {inner} on each element in NumPy's own loop, where s2s does not follow"
    fix = (f"{own.format(f=inner)} {inner} on each element in your code, which s2s follows into {inner}: "
           f"np.array([{inner}(a, b) for a, b in zip(x, y)]) of two 1-D arrays (np.broadcast_arrays(x, y) first "
           f"where they differ in shape; [{inner}(a, t) for a in x] with a number t), or sum({inner}(a, t) for a in "
           f"x) for a sum; or write {inner} with NumPy's operations, which take whole arrays (scipy.special.gammaln "
           f"for math.lgamma, np.where for if/else).")
    return spelled, why, fix


def _ordinal(n: int) -> str:
    return ("first", "second", "third", "fourth", "fifth")[n - 1] if 1 <= n <= 5 else f"{n}th"


def _helper_refusal(spelled: str, helper, loc, made):
    """(callee, why, fix) for runtime helper `helper`, met at generated line `loc`, with no rule of its own: `made`
    is (user file, user line, function, derivatives taken) of the code it is in (`derived_from`), so the refusal
    is said at the user's line as the derivative of that order through the NumPy function whose rule wrote the
    helper (`__s2s_through__`, runtime/second.py's refuse_higher), where it is known."""
    order = made[3] + 1
    made_by = (f"{spelled} is a helper of the {_ordinal(made[3])} derivative s2s made for this line, at "
               f"{loc.file}:{loc.line}, and has no rule")
    through = getattr(helper, "__s2s_through__", None)
    if through is not None:
        why = f"{_ordinal(order)} derivatives through {through} are not supported by s2s ({made_by})"
        return spelled, why, helper.__s2s_refusal__[1]
    refusal = getattr(helper, "__s2s_refusal__", None)
    if refusal is not None:  # (rt.det_tangent's: what it says, at the user's line)
        return spelled, f"{refusal[0]} ({made_by})", refusal[1]
    if order >= 3:
        return spelled, f"{_ordinal(order)} derivatives through this line are not supported by s2s ({made_by})", (
            "Take one derivative fewer, or the last one by central differences of the one before it (s2s.hessian(f) "
            "or s2s.jacobian(s2s.grad(f)) for a third derivative).")
    why = f"it is a helper of a derivative s2s generated, which s2s does not differentiate again ({made_by})"
    return spelled, why, (
        "A derivative taken inside the function (s2s.jvp or s2s.grad in its body) is differentiated here once more "
        "than s2s can: for a function that calls s2s.jvp, take the second derivative of f itself, s2s.hessian(f), "
        "s2s.jvp(s2s.grad(f)) (forward over reverse) or s2s.grad(s2s.grad(f)); or compute the inner derivative "
        "outside and pass it in.")


# a draw of NumPy's with its parameters' derivative, written with a standard draw (the same numbers) -> the rewrite
_READ_AS_LOCATED = frozenset({"normal", "exponential", "laplace", "gumbel", "logistic", "uniform", "lognormal",
                              "gauss", "normalvariate"})  # (ad/located_draws.py)
_DRAWN_AS = {
    "gamma": "scale * rng.standard_gamma(shape, size) (a derivative through scale; none through shape)",
}


def _draw_advice(method: str) -> tuple:
    """(why, fix) for a draw of NumPy's whose parameters carry a derivative that s2s does not read as a location and
    a scale of a standard draw (never s2s.nondifferentiable: that would make a derivative that exists 0)."""
    why = (f"it is a random draw whose parameters carry a derivative, which s2s takes only where the draw is a "
           f"location and scale of a standard draw made of the same numbers (NumPy's normal, exponential, laplace, "
           f"gumbel, logistic, uniform and lognormal, Python's random.gauss, normalvariate and uniform, called with "
           f"the parameters written out)")
    if method in _READ_AS_LOCATED:
        return why, (f"Write the parameters of .{method}(...) out, positionally or by name (not *args, **kwargs, "
                     f"nor a call's result in place), on a NumPy generator or Python's random.Random.")
    why += (f"; .{method}() has no such exact reparameterisation (its parameters change how the numbers are drawn: "
            f"by rejection, or as a transform of several draws)")
    if method in _DRAWN_AS:
        return why, (f"Write it as its standard draw, scaled, which s2s differentiates by the draw it "
                     f"made (the reparameterisation): {_DRAWN_AS[method]} for rng.{method}(...).")
    return why, ("Write the draw as a function of a standard draw whose parameters carry no derivative (the "
                 "reparameterisation, where there is one: loc + scale * rng.standard_normal(size) for "
                 "rng.normal(loc, scale, size)), or draw it from values without a derivative, outside the function "
                 "if need be.")


def _method_name(callee) -> str:
    """The name of the function or method a callee is spelled with: choice for np.random.choice, for the method
    .choice()."""
    return (callee or "").split(" (")[0].rpartition(".")[2].rstrip("()")


# a Jacobian or Hessian s2s made, called inside a function s2s differentiates (the `why` of their refusals begins
# so): what differentiates, for each (a matrix of products with the basis vectors, which s2s transforms again)
_MATRICES = ("it is a Jacobian", "it is a Hessian")
_MATRIX_INSIDE = (
    "Inside a function you differentiate, build the matrix from Jacobian-vector products, which s2s differentiates "
    "again: with jvp_{f} = s2s.jvp({f}), J = np.stack([jvp_{f}((x, p), (e,))[1] for e in np.eye(x.size)], axis=1) "
    "in place of s2s.jacobian({f})(x, p), x the 1-d array it is taken with respect to, passed first (another: "
    "s2s.jvp({f}, wrt=k)); a Newton step is then x = x - np.linalg.solve(J, {f}(x, p))",
    "Inside a function you differentiate, build the matrix from Hessian-vector products, which s2s differentiates "
    "again: with hvp = s2s.jvp(s2s.grad({f})), H = np.stack([hvp((x, p), (e,))[1] for e in np.eye(x.size)], "
    "axis=1) in place of s2s.hessian({f})(x, p), x the 1-d array it is taken with respect to, passed first "
    "(another: s2s.jvp(s2s.grad({f}, wrt=k), wrt=k)); of a number x, s2s.grad(s2s.grad({f}))(x, p)")


def matrix_inside(hessian: bool, f: str) -> str:
    """What to write for s2s.jacobian(f) (s2s.hessian(f) where `hessian`) inside a function s2s differentiates."""
    return _MATRIX_INSIDE[hessian].format(f=f)


# what to write for a library function without a rule whose result the functions with rules compute
_WRITE_INSTEAD = {
    "numpy.polyfit": "A = np.vander(t, deg + 1); p = np.linalg.lstsq(A, y)[0] for np.polyfit(t, y, deg)",
    # (scipy.linalg's factorisations: NumPy's, which have rules)
    "scipy.svd": "U, s, Vt = np.linalg.svd(a) for scipy.linalg.svd(a) (full_matrices=False for a matrix that is not "
                 "square)",
    "scipy.svdvals": "np.linalg.svd(a, compute_uv=False) for scipy.linalg.svdvals(a)",
    "scipy.eigh": "w, V = np.linalg.eigh(a) for scipy.linalg.eigh(a) (UPLO='U' for lower=False); for the generalized "
                  "problem scipy.linalg.eigh(a, b): L = np.linalg.cholesky(b); Li = np.linalg.inv(L); w, Y = "
                  "np.linalg.eigh(Li @ a @ Li.T); V = Li.T @ Y",
    "scipy.eigvalsh": "np.linalg.eigvalsh(a) for scipy.linalg.eigvalsh(a) (UPLO='U' for lower=False)",
    "scipy.polar": "W, s, Vt = np.linalg.svd(a, full_matrices=False); u = W @ Vt; p = (Vt.T * s) @ Vt for u, p = "
                   "scipy.linalg.polar(a)",
    "scipy.orthogonal_procrustes": "U, s, Vt = np.linalg.svd(a.T @ b); R = U @ Vt; scale = np.sum(s) for R, scale = "
                                   "scipy.linalg.orthogonal_procrustes(a, b)",
    "scipy.qr": "Q, R = np.linalg.qr(a) for scipy.linalg.qr(a, mode='economic') (for a square a also its default)",
    "scipy.pinv": "np.linalg.pinv(a) for scipy.linalg.pinv(a)",
    "scipy.lstsq": "np.linalg.lstsq(a, b) for scipy.linalg.lstsq(a, b)",
}
# (windows of an array, a view NumPy makes by strides: a gather at the windows' positions, which s2s differentiates)
_WINDOWS = ("index the array at the windows' positions, x[np.arange(n - k + 1)[:, None] + np.arange(k)] for the "
            "windows of length k of a vector x of length n; for the (kh, kw) windows of an (H, W) matrix, x[r[:, None, "
            "None, None] + np.arange(kh)[:, None], c[:, None, None] + np.arange(kw)] with r = np.arange(H - kh + 1) and "
            "c = np.arange(W - kw + 1)")
_WRITE_INSTEAD.update({"numpy.sliding_window_view": _WINDOWS, "numpy.as_strided": _WINDOWS})


# (scipy.signal's filters of 1-d arrays: NumPy's, which have rules, or a loop over the samples)
_WRITE_INSTEAD.update({
    "scipy.signal.convolve": "np.convolve(x, h, mode='full') for scipy.signal.convolve(x, h) of 1-d arrays (the same "
                             "for mode='valid', and for mode='same' where x is at least as long as h)",
    "scipy.signal.correlate": "np.correlate(x, h, mode='full') for scipy.signal.correlate(x, h) of 1-d arrays (the "
                              "same for mode='valid', and for mode='same' where x is at least as long as h; "
                              "np.correlate's own default is mode='valid')",
    "scipy.signal.lfilter": "a loop over the samples, y = np.zeros(len(x)); for n in range(len(x)): y[n] = (sum(b[k] "
                            "* x[n - k] for k in range(min(n + 1, len(b)))) - sum(a[k] * y[n - k] for k in range(1, "
                            "min(n + 1, len(a))))) / a[0] for y = scipy.signal.lfilter(b, a, x) of a 1-d x",
    "scipy.linalg.toeplitz": "T = np.concatenate((r[:0:-1], c))[len(r) - 1 + np.arange(len(c))[:, None] - "
                             "np.arange(len(r))] for T = scipy.linalg.toeplitz(c, r) of 1-d arrays; c[np.abs("
                             "np.arange(len(c))[:, None] - np.arange(len(c)))] for scipy.linalg.toeplitz(c) of a real c",
    "scipy.linalg.hankel": "H = np.concatenate((c, r[1:]))[np.arange(len(c))[:, None] + np.arange(len(r))] for H = "
                           "scipy.linalg.hankel(c, r) of 1-d arrays; np.concatenate((c, np.zeros(len(c) - 1)))["
                           "np.arange(len(c))[:, None] + np.arange(len(c))] for scipy.linalg.hankel(c)",
    "scipy.linalg.circulant": "c[(np.arange(len(c))[:, None] - np.arange(len(c))) % len(c)] for "
                              "scipy.linalg.circulant(c) of a 1-d c",
})
for _name in ("fftconvolve", "oaconvolve"):
    _WRITE_INSTEAD[f"scipy.signal.{_name}"] = _WRITE_INSTEAD["scipy.signal.convolve"].replace(
        "scipy.signal.convolve", f"scipy.signal.{_name}")


_WRITE_INSTEAD.update(SIGNAL_INSTEAD)  # (scipy.signal's windows, scipy.ndimage's filters: signal_advice.py)


def written_instead(qualified: str, library: str | None = None) -> str | None:
    """What to write with functions that have rules for the library function `qualified` ("scipy.signal._signaltools.
    convolve", or a call spelled "signal.convolve (scipy.signal._signaltools.convolve)"), by its public name
    ("scipy.signal.convolve": the modules of its path without the private ones) or its library's and its own."""
    qualified = qualified.rpartition(" (")[2].rstrip(")")
    parts = qualified.split(".")
    public = ".".join([p for p in parts[:-1] if not p.startswith("_")] + parts[-1:])
    return _WRITE_INSTEAD.get(public) or _WRITE_INSTEAD.get(f"{library or parts[0]}.{parts[-1]}")


# a method of scipy's Rotation (scipy.spatial.transform), whose objects s2s does not see into
ROTATION_INSTEAD = (
    "s2s does not see into scipy's Rotation objects: write the rotation with NumPy functions, the matrix of a rotation "
    "vector r (of angle t > 0) by Rodrigues' formula for Rotation.from_rotvec(r).as_matrix(): t = np.linalg.norm(r); "
    "k = r / t; K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]]); R = np.eye(3) + np.sin(t) * K + "
    "(1 - np.cos(t)) * K @ K; where no derivative need pass through it, compute it outside the function and pass the "
    "result in")


def rotation_method(name: str) -> bool:
    """Is `name` a method of scipy's Rotation (imported by the user's module) of its own, no array's and no name
    a class of the user's has as often (`p.apply(x)`, `r.inv()`, `m.mean()` are read as the user's)?"""
    transform = sys.modules.get("scipy.spatial.transform")
    return transform is not None and hasattr(getattr(transform, "Rotation", None), name) and \
        not hasattr(np.ndarray, name) and (name.startswith(("as_", "from_")) or name in _ROTATION_OWN)


_ROTATION_OWN = frozenset({"align_vectors", "approx_equal", "create_group", "magnitude"})


def _library_source(obj) -> str | None:
    """The library ("numpy", "scipy"...) whose Python function `obj` is, None for anything else."""
    module = getattr(obj, "__module__", None) or ""
    while not isinstance(obj, types.FunctionType) and getattr(obj, "__wrapped__", None) is not None:
        obj = obj.__wrapped__  # (NumPy's functions are dispatchers wrapping the Python function)
    if not isinstance(obj, types.FunctionType) or module.split(".")[0] not in ("numpy", "scipy"):
        return None
    return module.split(".")[0]
