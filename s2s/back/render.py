"""Writing the generated module's text: the Python AST codegen builds, rendered with astor (a faster writer
with the same text), the `# line N: ...` comments (statements standing for them until rendered), and the
`with np.errstate(...)` blocks nested back around the statements between an effect that opens one and its
END_WITH.
"""
from __future__ import annotations

import ast
import re

import astor

from s2s import ir, prims

COMMENT = "__s2s_comment__"


def _render(module_body: list, header: str) -> str:
    module = ast.Module(body=module_body, type_ignores=[])
    text = astor.to_source(module, pretty_source=_pretty_source, source_generator_class=_Generator)
    text = _comments(text)
    text = re.sub(r"\n(def |import |from )", lambda m: "\n" + ("\n\n" if m.group(1) == "def " else "") + m.group(1), text)
    text = re.sub(r"\n(if )", r"\n\n\1", text)  # (a check of the module's data, after its imports)
    text = re.sub(r"\n{4,}", "\n\n\n", text)
    if header:
        text = header + "\n" + text
    return text


def _close_with() -> ast.stmt:
    node = ast.Pass()
    node.s2s_close = True
    return node


def _errstate_ranges(body: list) -> list:
    """(file, first line, last line, call) of each `with np.errstate(...)` the forward sweep holds (its effects)."""
    out, open_ = [], []
    for s in ir.statements(body):
        if isinstance(s, ir.Effect) and s.value.op in prims.WITH_CONTEXTS and s.loc is not None:
            open_.append(s)
        elif isinstance(s, ir.Effect) and s.value.op == prims.END_WITH and open_ and s.loc is not None:
            start = open_.pop()
            out.append((start.loc.file, start.loc.line, s.loc.line, start.value))
    return out


def _nest_with(out: list) -> list:
    """The statements between a `with` opened by an effect (`np.errstate`) and its END_WITH, moved into its body;
    one not closed in this block lasts to the block's end (a return inside it); one left with nothing but
    comments in it is dropped."""
    if not any(getattr(n, "s2s_open", False) or getattr(n, "s2s_close", False) for n in out):
        return out
    result: list = []
    stack = [result]
    for node in out:
        if getattr(node, "s2s_close", False):
            if len(stack) > 1:
                stack.pop()
            continue
        stack[-1].append(node)
        if getattr(node, "s2s_open", False):
            stack.append(node.body)
    return _drop_empty_with(result)


def _drop_empty_with(nodes: list) -> list:
    out = []
    for node in nodes:
        if isinstance(node, ast.With) and getattr(node, "s2s_open", False):
            node.body = _drop_empty_with(node.body)
            if all(_is_comment(n) for n in node.body):
                continue
        out.append(node)
    while out and _is_comment(out[-1]):  # a comment left heading nothing (its END_WITH is gone)
        out.pop()
    return out


def _comment_node(text: str) -> ast.Expr:
    """A statement astor renders as a line that `_comments` turns into `# text`: a name holding the text, written
    out as it is (astor quotes a string constant, and evaluates the quoted text to check it: most of the time of
    rendering); a text of several lines as a string constant."""
    if "\n" in text or "\r" in text:
        return ast.Expr(ast.Constant(COMMENT + text))
    return ast.Expr(ast.Name(COMMENT + text, ast.Load()))


def _is_comment(node) -> bool:
    if not isinstance(node, ast.Expr):
        return False
    value = node.value
    if isinstance(value, ast.Name):
        return value.id.startswith(COMMENT)
    return isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value.startswith(COMMENT)


def _pretty_source(source):
    return "".join(source)


class _Generator(astor.code_gen.SourceGenerator):
    """astor's writer, with the same text: a node's visitor is found by one dictionary lookup (astor builds the
    method's name and looks it up for every node), and names, the most common nodes, are written directly."""

    _visitors: dict = {}

    def visit(self, node, abort=None):
        visitor = self._visitors.get(node.__class__)
        if visitor is None:
            visitor = getattr(type(self), "visit_" + node.__class__.__name__, None)
            if visitor is None:
                raise AttributeError(f"No defined handler for node of type {node.__class__.__name__}")
            self._visitors[node.__class__] = visitor
        return visitor(self, node)

    def visit_Name(self, node):
        if self.new_lines:  # (the first item of a line: astor's write indents it)
            self.write(node.id)
        else:
            self.result.append(node.id)

    def visit_Attribute(self, node):
        self.visit(node.value)
        if self.new_lines:
            self.write(".", node.attr)
        else:
            self.result += (".", node.attr)

    def visit_Call(self, node):
        """astor's visit_Call (which also writes Python 2's *args and **kwargs fields), without its closures."""
        args, keywords = node.args, node.keywords
        astor.code_gen.set_precedence(_COMMA if len(args) + len(keywords) > 1 else _ONE_ARG, *args)
        self.visit(node.func)
        write = self.write
        write("(")
        comma = False
        for arg in args:
            if comma:
                write(", ")
            comma = True
            self.visit(arg)
        astor.code_gen.set_precedence(_COMMA, *(k.value for k in keywords))
        for keyword in keywords:
            if comma:
                write(", ")
            comma = True
            name = keyword.arg or ""
            write(name, "=" if name else "**", keyword.value)
        write(")")

    def visit_If(self, node):
        """astor's visit_If, its tests written as a comma's operand: a tuple in parentheses (`if (3, 2):`, a constant
        of the user's; astor writes `if 3, 2:`)."""
        set_precedence = astor.code_gen.set_precedence
        set_precedence(_COMMA, node.test)
        self.statement(node, "if ", node.test, ":")
        self.body(node.body)
        while len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If):
            node = node.orelse[0]
            set_precedence(_COMMA, node.test)
            self.write(self.newline, "elif ", node.test, ":")
            self.body(node.body)
        self.else_body(node.orelse)

    def visit_While(self, node):
        astor.code_gen.set_precedence(_COMMA, node.test)
        self.statement(node, "while ", node.test, ":")
        self.body_or_else(node)


_COMMA, _ONE_ARG = astor.op_util.Precedence.Comma, astor.op_util.Precedence.call_one_arg


def _comments(text: str) -> str:
    out = []
    pattern = re.compile(r"^(\s*)('''|\"\"\"|'|\")" + COMMENT + r"(.*?)\2\s*$")
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        if stripped.startswith(COMMENT):  # (a `_comment_node` name: the text as it is)
            out.append(f"{line[:len(line) - len(stripped)]}# {stripped[len(COMMENT):]}")
            continue
        m = pattern.match(line) if COMMENT in line else None
        if m:
            body = ast.literal_eval(line.strip())[len(COMMENT):]  # (the text, its quotes unescaped)
            out.append(f"{m.group(1)}# {body}")
        else:
            out.append(line)
    return "\n".join(out)
