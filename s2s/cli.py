"""The `s2s` command line: show the code s2s generates for a function in a file.

    python -m s2s show FILE.py:FUNC [--wrt NAME]... [--mode reverse|forward] [--ssa | --stage NAME]
                                    [--diff OTHER.py]
    python -m s2s graph FILE.py:FUNC [--wrt NAME]... [--mode reverse|forward] [--no-gradient] [-o OUT.dot|.svg|.png]

Guarantees:
- stdout holds only the requested text (generated source, SSA form or a diff),
  syntax-highlighted with ANSI colours only when stdout is a terminal
  (`--color always|never` overrides; `NO_COLOR` turns colour off); what the
  user's module prints while it is imported goes to stderr.
- FILE.py in a package (a directory with __init__.py) is imported as
  package.module, so its relative imports work.
- Options are never silently ignored: `--ssa` with `--stage`, `--wrt` or
  `--mode`, and a `--wrt` or `--mode` that would transform a function already
  decorated in its file into another derivative (of its derivative), are refused.
- A user error (bad arguments, no such file or function, an error while
  importing the file, unsupported syntax, any `s2s.S2SError`) prints exactly one
  line to stderr and exits 1, never a traceback. `--traceback` shows the
  traceback instead, for reporting bugs in s2s.
- Exit status: 0 on success; with `--diff`, 0 when the generated text equals the
  saved file and 1 when it differs (the diff is printed); 1 on a user error;
  2 on an internal error of s2s.
"""
from __future__ import annotations

import argparse
import contextlib
import difflib
import importlib.util
import io
import keyword
import os
import re
import sys
import token
import tokenize
from pathlib import Path
from typing import Sequence

import s2s
from s2s.api import arguments, stages, transform
from s2s import pipeline
from s2s.api.graph import graph
from s2s.errors import S2SError, UnsupportedSyntaxError


class UserError(Exception):
    """A mistake in the command line or in the user's file: reported in one line, exit status 1."""


# ---------------------------------------------------------------- argument parsing

class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit status 1 (like every user error)."""

    def error(self, message: str):
        raise UserError(f"{message} (see '{self.prog} --help')")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="s2s", description="Source-to-source automatic differentiation: "
                                             "show the Python code s2s generates.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    show = sub.add_parser(
        "show", help="print the generated source (or the SSA form) of a function in a file",
        description="Print s2s.grad(FUNC, wrt=...).source for the function FUNC defined in FILE.py.",
        epilog="With --diff, the exit status is 0 when the generated text equals OTHER.py and 1 when it "
               "differs. Any user error prints one line to stderr and exits 1.")
    show.add_argument("target", metavar="FILE.py:FUNC", help="a Python file and the name of a function in it")
    show.add_argument("--wrt", action="append", metavar="NAME", default=None,
                      help="differentiate with respect to this parameter (a name or a position); repeat it "
                           "for several, which gives a tuple of derivatives (default: the first parameter)")
    show.add_argument("--mode", choices=("reverse", "forward"), default=None,
                      help="reverse mode (the default) prints s2s.grad(...).source, forward mode "
                           "s2s.jvp(...).source")
    texts = show.add_mutually_exclusive_group()  # (two different texts: one at a time)
    texts.add_argument("--ssa", action="store_true", help="print the SSA form of FUNC instead (s2s.ssa)")
    texts.add_argument("--stage", choices=pipeline.NAMES, metavar="NAME",
                      help="print the text after one pipeline stage instead: " + ", ".join(pipeline.NAMES) +
                           " (what S2S_DUMP=NAME prints)")
    show.add_argument("--diff", metavar="OTHER.py",
                      help="print a unified diff of the saved file OTHER.py against the generated text; "
                           "exit 0 if identical, 1 if different")
    show.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                      help="highlight the output with ANSI colours (auto: only when stdout is a terminal)")
    show.add_argument("--traceback", action="store_true",
                      help="on an error, show the full traceback (for reporting a bug in s2s)")
    graph = sub.add_parser(
        "graph", help="print the dataflow graph of a function and its gradient as Graphviz DOT (s2s.graph)",
        description="Print s2s.graph(FUNC, wrt=...).dot for the function FUNC defined in FILE.py: the SSA "
                    "dataflow of FUNC and of its gradient, as Graphviz DOT; with -o, write it to a file.",
        epilog="-o OUT.svg and -o OUT.png need Graphviz's dot program. Any user error prints one line to "
               "stderr and exits 1.")
    graph.add_argument("target", metavar="FILE.py:FUNC", help="a Python file and the name of a function in it")
    graph.add_argument("--wrt", action="append", metavar="NAME", default=None,
                       help="differentiate with respect to this parameter (a name or a position); repeat it "
                            "for several (default: the first parameter)")
    graph.add_argument("--mode", choices=("reverse", "forward"), default="reverse",
                       help="reverse mode draws value_and_grad (forward sweep, then adjoints), forward mode "
                            "draws jvp (each value, then its tangent)")
    graph.add_argument("--no-gradient", dest="gradient", action="store_false",
                       help="draw only the function's own SSA form")
    graph.add_argument("-o", "--output", metavar="OUT",
                       help="write the graph to OUT instead of printing it: DOT for .dot or .gv, a picture "
                            "for .svg or .png (those need Graphviz's dot program)")
    graph.add_argument("--traceback", action="store_true",
                       help="on an error, show the full traceback (for reporting a bug in s2s)")
    return parser


# ---------------------------------------------------------------- loading the user's function

def _module_name(path: Path) -> str:
    """A module name derived from the file name; never one that shadows an already imported module."""
    name = re.sub(r"\W", "_", path.stem) or "module"
    if name[0].isdigit():
        name = "_" + name
    if name in sys.modules:
        name = f"_s2s_cli_{name}"
    return name


def load_function(target: str):
    """The object named by 'FILE.py:FUNC' (FUNC may be dotted), importing FILE.py as a module: as
    `package.module` where FILE.py lies in a package (a directory with __init__.py), so that its relative
    imports work. What the module prints while it is imported goes to stderr: stdout holds only the text."""
    filename, sep, funcname = target.rpartition(":")
    if not sep or not filename or not funcname:
        raise UserError(f"expected FILE.py:FUNC, got {target!r}")
    path = Path(filename)
    if path.is_dir():
        raise UserError(f"{filename}: is a directory; expected FILE.py:FUNC, a Python file and a function in it")
    if not path.is_file():
        raise UserError(f"{filename}: no such file")
    path = path.resolve()
    package = _package_name(path)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            module = _import_package_module(path, package, filename) if package else _import_file(path, filename)
    except SyntaxError as exc:
        raise UserError(f"{exc.filename or filename}:{exc.lineno}: {exc.msg} (while importing {filename})") from exc
    except UserError:
        raise
    except BaseException as exc:  # noqa: B036 - the user's module may raise anything, even SystemExit
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise UserError(f"{filename}: importing it raised {type(exc).__name__}: {_first_line(exc)}") from exc
    obj = module
    for part in funcname.split("."):
        if not hasattr(obj, part):
            where = filename if obj is module else f"{funcname.rpartition('.')[0]} in {filename}"
            raise UserError(f"{where}: no function named {part!r}{_functions_hint(obj, part, module)}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise UserError(f"{filename}: {funcname} is not a function (it is of type {type(obj).__name__})")
    return obj


def _import_file(path: Path, filename: str):
    """FILE.py as a module of its own, its directory first on sys.path (so that its own imports work)."""
    directory = str(path.parent)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    name = _module_name(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UserError(f"{filename}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _package_name(path: Path) -> str | None:
    """`pkg.sub.mod` for pkg/sub/mod.py where pkg and pkg/sub hold an __init__.py (None outside a package)."""
    parts = [] if path.stem == "__init__" else [path.stem]
    directory = path.parent
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        parts.insert(0, directory.name)
        directory = directory.parent
    if len(parts) == (0 if path.stem == "__init__" else 1) or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def _import_package_module(path: Path, name: str, filename: str):
    """The module `name` of a package, imported from the directory above the package (put first on sys.path)."""
    root = path.parents[name.count(".") + (path.stem == "__init__")]
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    top = name.partition(".")[0]
    held = sys.modules.get(top)
    if held is not None and Path(getattr(held, "__file__", "") or "").resolve().parent != root / top:
        raise UserError(f"{filename}: is the module {name} of the package {top} in {root}, but Python has another "
                        f"module named {top} ({getattr(held, '__file__', None) or 'built in'}); rename the package")
    module = importlib.import_module(name)
    if Path(getattr(module, "__file__", "") or "").resolve() != path:
        raise UserError(f"{filename}: importing it as {name} gave another file ({module.__file__})")
    return module


def _functions_hint(obj, name: str, module) -> str:
    """'; did you mean ...?' or '; its functions are ...': the names FUNC could be in `obj`."""
    names = sorted(n for n, v in vars(obj).items() if not n.startswith("_") and callable(v)
                   and (obj is not module or getattr(v, "__module__", None) == module.__name__))
    close = difflib.get_close_matches(name, names, n=3)
    if close:
        return f"; did you mean {' or '.join(repr(c) for c in close)}?"
    if names:
        shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
        return f"; its functions are {shown}"
    return "; it defines no function"


def _parse_wrt(values: list[str] | None):
    """`--wrt` values: digits are positions, anything else a parameter name; several give a tuple."""
    if not values:
        return 0
    items = tuple(int(v) if re.fullmatch(r"-?\d+", v) else v for v in values)
    return items[0] if len(items) == 1 else items


# ---------------------------------------------------------------- producing the text

def generated_text(fn, wrt_values: list[str] | None, mode: str | None, ssa: bool, stage: str | None = None) -> str:
    """The text `show` prints for `fn` with these options (`mode` None: reverse mode, not asked for)."""
    if ssa:
        if wrt_values is not None or mode is not None:
            given = "--wrt" if wrt_values is not None else "--mode"
            raise UserError(f"--ssa prints the SSA form of the function, which has no {given[2:]}: leave out {given} "
                            f"(or use --stage NAME to see a stage of one derivative)")
        return s2s.ssa(getattr(fn, "__wrapped__", fn) if _is_transformed(fn) else fn)
    wrt = _parse_wrt(wrt_values)
    if _is_transformed(fn):
        # Already decorated in its file (`@s2s.grad(wrt=...)`): show what that decorator generates, and refuse
        # options that ask for another derivative (transforming the decorated object would differentiate the
        # derivative: --wrt a of @s2s.grad(wrt=1) printed the gradient of the gradient)
        wrt, mode = _decorated_options(fn, wrt_values, wrt, mode)
        if stage is None:
            return s2s.source(fn)
        fn = fn.__wrapped__
    mode = mode or "reverse"
    if stage is not None:
        texts = stages.stage_texts(fn, wrt, mode=mode)
        if stage not in texts:
            raise UserError(f"the {mode}-mode transformation of this function has no '{stage}' stage; "
                            f"it runs {', '.join(texts)}")
        return texts[stage].rstrip("\n") + "\n"
    if mode == "forward":
        jvp = getattr(s2s, "jvp", None)
        if jvp is None:
            raise UserError("forward mode is not available yet")
        return jvp(fn, wrt=wrt).source
    return s2s.grad(fn, wrt=wrt).source


def _decorated_options(fn, wrt_values, wrt, mode) -> tuple:
    """(wrt, mode) of the transformation a decorated function is: its own, which --wrt and --mode may repeat
    but not change."""
    own = getattr(fn, "_wrt", 0)
    kind = getattr(fn, "_kind", None)
    own_mode = "forward" if kind == "jvp" else "reverse"
    name = getattr(fn.__wrapped__, "__name__", "the function")
    what = f"{name} is decorated in its file ({fn!r}, wrt={own!r}), and show prints what that decorator generates"
    if wrt_values is not None and _positions(fn, wrt) != _positions(fn, own):
        raise UserError(f"{what}; --wrt {' --wrt '.join(wrt_values)} asks for another derivative: leave out --wrt "
                        f"(another derivative is s2s.grad({name}.__wrapped__, wrt=...).source)")
    if mode is not None and mode != own_mode:
        other = "jvp" if mode == "forward" else "grad"
        raise UserError(f"{what}; --mode {mode} asks for another derivative: leave out --mode "
                        f"(another derivative is s2s.{other}({name}.__wrapped__).source)")
    return own, own_mode


def _positions(fn, wrt):
    """(several?, the wrt parameters' positions), or the value itself where a name is not a parameter."""
    items = list(wrt) if isinstance(wrt, (tuple, list)) else [wrt]
    found = arguments.wrt_positions(fn, wrt)
    if len(found) != len(items):
        return wrt
    return isinstance(wrt, (tuple, list)), tuple(p for p, _ in found)


def _is_transformed(fn) -> bool:
    """Whether `fn` is already the result of an s2s transformation (it has `.source` and `.__wrapped__`)."""
    return isinstance(fn, transform.Transformed) or (hasattr(fn, "__wrapped__") and isinstance(getattr(fn, "source", None), str))


def unified_diff(saved: str, generated: str, saved_name: str, generated_name: str) -> str:
    """A unified diff turning `saved` into `generated` ('' when they are equal)."""
    lines = difflib.unified_diff(saved.splitlines(keepends=True), generated.splitlines(keepends=True),
                                 fromfile=saved_name, tofile=generated_name)
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


# ---------------------------------------------------------------- highlighting

RESET = "\033[0m"
COLORS = {
    "keyword": "\033[1;35m",   # bold magenta
    "adjoint": "\033[1;33m",   # bold yellow: bx, bt3, bW1_2 ...
    "number": "\033[36m",      # cyan
    "string": "\033[32m",      # green
    "comment": "\033[2;37m",   # dim grey
    "def": "\033[1;34m",       # bold blue: the name after def
    "removed": "\033[31m",     # diff lines
    "added": "\033[32m",
    "hunk": "\033[36m",
}
_TEMP = re.compile(r"t\d+(_\d+)?")
_VERSION = re.compile(r"(.+?)_\d+")


def _adjoint_names(names: set[str]) -> set[str]:
    """Names of adjoints: `b` + a name the text also uses (bx, bW1), or + a temporary (bt3)."""
    found = set()
    for name in names:
        if len(name) < 2 or not name.startswith("b"):
            continue
        rest = name[1:]
        base = _VERSION.fullmatch(rest)
        if rest in names or _TEMP.fullmatch(rest) or (base and base.group(1) in names):
            found.add(name)
    return found


def highlight(text: str) -> str:
    """`text` (Python source) with ANSI colours on keywords, adjoint names, numbers, strings and comments.

    Text that does not tokenize is returned unchanged.
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return text
    names = {t.string for t in tokens if t.type == token.NAME}
    adjoints = _adjoint_names(names)
    starts = _line_offsets(text)
    spans = []
    previous = None
    for tok in tokens:
        kind = None
        if tok.type == token.NAME:
            if keyword.iskeyword(tok.string) or tok.string in ("True", "False", "None"):
                kind = "keyword"
            elif previous is not None and previous.type == token.NAME and previous.string == "def":
                kind = "def"
            elif tok.string in adjoints:
                kind = "adjoint"
        elif tok.type == token.NUMBER:
            kind = "number"
        elif tok.type == token.STRING:
            kind = "string"
        elif tok.type == tokenize.COMMENT:
            kind = "comment"
        if tok.type not in (tokenize.NL, token.NEWLINE, token.INDENT, token.DEDENT):
            previous = tok
        if kind is None:
            continue
        begin = starts[tok.start[0] - 1] + tok.start[1]
        end = starts[tok.end[0] - 1] + tok.end[1]
        spans.append((begin, end, kind))
    out, pos = [], 0
    for begin, end, kind in spans:
        out.append(text[pos:begin])
        out.append(COLORS[kind] + text[begin:end] + RESET)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def highlight_diff(diff: str) -> str:
    """A unified diff with removed lines red, added lines green and hunk headers cyan."""
    out = []
    for line in diff.splitlines(keepends=True):
        body, nl = (line[:-1], "\n") if line.endswith("\n") else (line, "")
        if line.startswith(("---", "+++")):
            out.append("\033[1m" + body + RESET + nl)
        elif line.startswith("-"):
            out.append(COLORS["removed"] + body + RESET + nl)
        elif line.startswith("+"):
            out.append(COLORS["added"] + body + RESET + nl)
        elif line.startswith("@@"):
            out.append(COLORS["hunk"] + body + RESET + nl)
        else:
            out.append(line)
    return "".join(out)


def _line_offsets(text: str) -> list[int]:
    offsets, pos = [], 0
    for line in text.splitlines(keepends=True):
        offsets.append(pos)
        pos += len(line)
    offsets.append(pos)
    return offsets


def _use_color(choice: str, stream) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


# ---------------------------------------------------------------- errors

def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _located(exc: BaseException) -> bool:
    """An AttributeError about the user's code (a typo like np.summ): its message names their file and line."""
    text = str(exc)
    return text.startswith("module '") and "\n  " in text


def error_line(exc: BaseException) -> str:
    """One line describing a user error: `file:line:col: message` where the error knows its place."""
    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, UnsupportedSyntaxError):
        where = f"{exc.filename}:{exc.lineno}:{exc.offset}"
        return f"{where}: {exc.msg}"
    if isinstance(exc, S2SError):
        message = _first_line(exc)
        filename, lineno = getattr(exc, "filename", None), getattr(exc, "lineno", None)
        if filename and lineno:
            fix = getattr(exc, "fix", None)  # (what the error says to write: an adjoint, a tangent or neither)
            hint = f" ({fix[:1].lower()}{fix[1:].rstrip('.')})" if fix else ""
            return f"{filename}:{lineno}: {message}{hint}"
        return message
    if isinstance(exc, AttributeError):  # module 'numpy' has no attribute 'summ'. ...\n  file:line:col
        lines = str(exc).splitlines()
        return f"{lines[1].strip()}: {lines[0]}" if len(lines) > 1 else lines[0]
    if isinstance(exc, (ValueError, TypeError)):
        return _first_line(exc)
    return f"{type(exc).__name__}: {_first_line(exc)}"


# ---------------------------------------------------------------- commands

def _show(args, out) -> int:
    fn = load_function(args.target)
    text = generated_text(fn, args.wrt, args.mode, args.ssa, args.stage)
    if not text.endswith("\n"):
        text += "\n"
    color = _use_color(args.color, out)
    if args.diff is None:
        out.write(highlight(text) if color else text)
        return 0
    saved_path = Path(args.diff)
    if saved_path.is_dir():
        raise UserError(f"{args.diff}: is a directory; --diff takes the saved file to compare with (SAVED.py)")
    if not saved_path.is_file():
        raise UserError(f"{args.diff}: no such file")
    try:
        saved = saved_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{args.diff}: cannot be read ({_first_line(exc)})") from exc
    diff = unified_diff(saved, text, args.diff, f"{args.target} (generated)")
    if not diff:
        return 0
    out.write(highlight_diff(diff) if color else diff)
    return 1


def _graph(args, out) -> int:
    fn = load_function(args.target)
    wrt = _parse_wrt(args.wrt)
    if _is_transformed(fn):  # decorated in its file: draw the function it transforms (and its wrt)
        wrt = wrt if args.wrt else getattr(fn, "_wrt", 0)
        fn = fn.__wrapped__
    picture = graph(fn, wrt=wrt, mode=args.mode, gradient=args.gradient)
    if args.output is None:
        out.write(picture.dot)
        return 0
    try:
        picture.save(args.output)
    except OSError as exc:
        raise UserError(f"{args.output}: cannot be written ({_first_line(exc)})") from exc
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]) and return the exit status."""
    parser = _parser()
    show_traceback = "--traceback" in (sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
        if args.command == "show":
            return _show(args, sys.stdout)
        if args.command == "graph":
            return _graph(args, sys.stdout)
        raise UserError(f"unknown command {args.command!r}")
    except (UserError, S2SError, ValueError, TypeError, AttributeError) as exc:
        # ValueError/TypeError: what s2s raises for a bad `wrt` (not a parameter, out of range);
        # AttributeError: a typo in the function (np.summ), raised at its line as Python would.
        if isinstance(exc, AttributeError) and not _located(exc):
            return _internal_error(exc, show_traceback)
        if show_traceback:
            raise
        print(f"s2s: error: {error_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug in s2s: still one line unless --traceback
        return _internal_error(exc, show_traceback)


def _internal_error(exc: Exception, show_traceback: bool) -> int:
    if show_traceback:
        raise exc
    print(f"s2s: internal error: {type(exc).__name__}: {_first_line(exc)} "
          f"(rerun with --traceback and report it)", file=sys.stderr)
    return 2
