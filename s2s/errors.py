"""The errors s2s raises. Every one derives from `S2SError` and points at the user's own code."""
from __future__ import annotations


class S2SError(Exception):
    """Base class of every error s2s raises."""


class UnsupportedSyntaxError(S2SError, SyntaxError):
    """A construct the compiler does not handle; carries file, line, column and the line's text."""

    def __init__(self, construct: str, filename: str, lineno: int, col: int, text: str, hint: str = ""):
        self.construct = construct
        self.hint = hint
        msg = f"{construct} is not supported by s2s"
        if hint:
            msg += f" ({hint})"
        SyntaxError.__init__(self, msg, (filename, lineno, col + 1, text))

    def __str__(self) -> str:
        text = (self.text or "").rstrip("\n")
        caret = " " * max((self.offset or 1) - 1, 0) + "^"
        return f"{self.msg}\n  {self.filename}:{self.lineno}:{self.offset}\n    {text}\n    {caret}"


class NonDifferentiableError(S2SError):
    """A call to a function that has no derivative rule and no Python source to descend into."""

    def __init__(self, callee: str, filename: str, lineno: int, text: str, reason: str = ""):
        self.callee = callee
        self.filename = filename
        self.lineno = lineno
        why = reason or "it has no derivative rule and no Python source"
        super().__init__(
            f"cannot differentiate the call to {callee}: {why}\n"
            f"  {filename}:{lineno}\n    {text.strip()}\n"
            f"Register a rule with @s2s.adjoint({callee}) (and @s2s.tangent for forward mode), "
            f"or s2s.nondifferentiable({callee}) if its result carries no derivative."
        )


class ResultTypeError(S2SError, TypeError):
    """The differentiated function returned something with no derivative: None, a string, a bool.
    The message begins with the name of the transformation (`transform`)."""

    def __init__(self, message: str, transform: str):
        super().__init__(message)
        self.transform = transform

    def retitled(self, transform: str) -> "ResultTypeError":
        """The same error, told by `transform` (jacobian, hessian) built on this one's."""
        return ResultTypeError(transform + str(self)[len(self.transform):], transform)


class SourceUnavailableError(S2SError):
    """`inspect` could not get the source of the function to transform."""

    def __init__(self, name: str, why: str):
        self.name = name
        super().__init__(f"cannot read the source of {name}: {why}")


def missing_rule(op: str, loc, filename: str, why: str, callee: str | None = None) -> NonDifferentiableError:
    """The error for primitive `op` without the rule a transformation needs, at the user's line `loc`
    (`callee`: how the user spelled an opaque callable)."""
    from .prims import python_object, spelling
    obj = python_object(op)
    name = callee or (getattr(obj, "__name__", None) if op.startswith("s2s.rules.custom.") else None)
    return NonDifferentiableError(name or spelling(op), (loc.file if loc and loc.file else filename),
                                  loc.line if loc else 0, loc.text if loc else "", why)
