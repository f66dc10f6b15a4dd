"""Generated source is byte-identical in every process (different hash seeds) for every program of the
tricky corpus and the regression corpus, in both modes: no set or id order reaches the output."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
import s2s
from tests.tricky import CASES
import regression_functions
for case in CASES:
    if case.kind != "exact":
        continue
    for transform in (s2s.grad,):
        try:
            print(transform(case.f).source)
        except Exception as exc:
            print(type(exc).__name__)
for f, args, wrt in regression_functions.CASES:
    print(s2s.value_and_grad(f, wrt=wrt).source)
"""


def test_generated_source_is_the_same_under_every_hash_seed():
    script = SCRIPT.format(tests=os.path.join(ROOT, "tests"))
    outs = []
    for seed in ("0", "7", "123"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=ROOT)
        outs.append(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                                   check=True).stdout)
    assert len(outs[0]) > 10000
    assert outs[0] == outs[1] == outs[2]
