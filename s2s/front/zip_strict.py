"""`zip(a, b, strict=True)`: the loop over the sequences as zip's without it, after a check of their lengths
(`rt.zip_lengths(len(a), len(b))`), which raises the ValueError Python's zip raises where they differ. Python
raises it as the loop reaches the end of the shortest, after the iterations before; s2s, before the loop: the
function raises either way, and nothing it returns differs."""
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
    lengths = tuple(builder.materialise(builder.fold_call("builtins.len", (a,))) for a in atoms)
    builder.emit(ir.Effect(ir.Call(ZIP_LENGTHS, lengths), builder.loc))
