"""`zip(a, b, strict=True)`: the loop over the sequences as zip's without it, then a check of their lengths
(`rt.zip_lengths(n, n_1)`, of len(a) and len(b) taken before the loop), which raises the ValueError Python's zip
raises where they differ. Python checks them only as the loop reaches the end of the shortest: after the
iterations, and never where a break (a return, or any() finding its value) leaves the loop before its end; s2s
checks there too: after the loop, given the flag its breaks set (`rt.zip_lengths(n, n_1, broke=broke)`)."""
from __future__ import annotations

import ast

from s2s import ir

ZIP_LENGTHS = "s2s.runtime.zip_lengths"


def strict_of(builder, it: ast.Call) -> bool:
    """zip's `strict=` (a constant True or False), or the refusal of another keyword or value."""
    if not it.keywords:
        return False
    if len(it.keywords) == 1 and it.keywords[0].arg == "strict" and isinstance(it.keywords[0].value, ast.Constant):
        return bool(it.keywords[0].value.value)
    raise builder.error(it, "zip() with keywords other than strict=True or strict=False",
                        "pass the sequences alone, zip(a, b), or zip(a, b, strict=True) to check their lengths")


def check_lengths(builder, it: ast.Call, parts: list, count: int, sequence) -> None:
    """Emit the check that the sequences `parts` (one (sequence atom, target) per each of the `count` sequences the
    zip call `it` pairs) have one length; `sequence(seq)` is the atom whose len() a part's sequence has (None for
    one without)."""
    atoms = [sequence(seq) for seq, _ in parts]
    if len(parts) != count or any(a is None for a in atoms):  # (zip(enumerate(xs), ys, strict=True))
        raise builder.error(it, "zip(..., strict=True) of an enumerate(), a zip() or an iterator that never ends",
                            "zip the sequences themselves, zip(xs, ys, strict=True), or check the lengths before "
                            "the loop: if len(xs) != len(ys): raise ValueError(...)")
    builder.zip_checks.append(tuple(builder.materialise(builder.fold_call("builtins.len", (a,))) for a in atoms))


def strict_zipped(builder, loop) -> bool:
    """Does the for loop `loop` go over a zip(..., strict=True) (in enumerate() too), whose check a break skips
    (False for the loop lowered with the flag its breaks set, `loop.s2s_broke`)?"""
    if not isinstance(loop, ast.For) or getattr(loop, "s2s_broke", None) is not None:
        return False
    it = loop.iter
    while isinstance(it, ast.Call) and builder._resolves_to(it.func, enumerate) and it.args:
        it = it.args[0]
    return isinstance(it, ast.Call) and builder._resolves_to(it.func, zip) and any(
        k.arg == "strict" and isinstance(k.value, ast.Constant) and k.value.value for k in it.keywords)


def check_lengths_at_end(builder, loop, lengths: tuple) -> None:
    """Emit, after the for loop `loop`, the check of the `lengths` of a zip(..., strict=True) it went over: where a
    break may leave it, given the flag the breaks set (the check raises only where none did)."""
    flag = getattr(loop, "s2s_broke", None)
    broke = () if flag is None else (("broke", builder.atom(ast.copy_location(ast.Name(flag, ast.Load()), loop))),)
    builder.emit(ir.Effect(ir.Call(ZIP_LENGTHS, lengths, broke), builder.loc))
