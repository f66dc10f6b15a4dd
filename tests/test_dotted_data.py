"""Data read through a dotted name: an array in another module (`consts.W`), a class attribute
(`Config.w`), an enum member (`Mode.L1`), a nested attribute (`consts.Inner.w`). The generated code named
them as written and imported nothing, so every transformation raised NameError inside it (bug hunt,
2026-12-05). References are analytic: d(w . x)/dx = w."""
import enum
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import dotted_consts
import s2s

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Config:
    w = np.array([5.0, 6.0])


class Mode(enum.Enum):
    L1 = 1
    L2 = 2


def of_module(x):
    return np.dot(dotted_consts.W, x)


def of_class(x):
    return np.dot(Config.w, x)


def of_nested(x):
    return np.dot(dotted_consts.Inner.w, x) + np.dot(dotted_consts.W, x)


def by_mode(x, mode):
    if mode == Mode.L1:
        return np.sum(np.abs(x))
    return np.sum(x ** 2)


X = np.array([0.5, -1.0])


@pytest.mark.parametrize("f, w", [(of_module, [1.0, 2.0]), (of_class, [5.0, 6.0]), (of_nested, [4.0, 6.0])])
def test_dotted_data_in_every_mode(f, w):
    np.testing.assert_allclose(s2s.grad(f)(X), w)
    np.testing.assert_allclose(s2s.jvp(f)((X,), (np.ones(2),))[1], sum(w))
    np.testing.assert_allclose(s2s.jacobian(f, mode="forward")(X), w)
    np.testing.assert_allclose(s2s.vjp(f)(X)[1](1.0), w)
    assert s2s.value_and_grad(f)(X)[0] == f(X)
    assert "import" in s2s.grad(f).source


def test_an_enum_member_compared():
    np.testing.assert_allclose(s2s.grad(by_mode)(X, Mode.L2), 2 * X)
    np.testing.assert_allclose(s2s.grad(by_mode)(X, Mode.L1), np.sign(X))


MODULE = textwrap.dedent("""
    import numpy as np
    import dotted_consts_b as consts

    def f(x):
        return np.dot(consts.W, x) + np.dot(consts.Inner.w, x)
""")

CONSTS = "import numpy as np\nW = np.array([1.0, 2.0])\nclass Inner:\n    w = np.array([3.0, 4.0])\n"

SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    import s2s, s2s.api.transform
    if sys.argv[1] == "forbid":
        def refuse(*args, **kwargs):
            raise RuntimeError("transformed again")
        s2s.api.transform._primal = refuse
    import dotted_mod
    print(",".join(repr(float(v)) for v in s2s.grad(dotted_mod.f)(np.array([0.5, -1.0]))))
""")


def test_the_persistent_cache_gives_dotted_data_back(tmp_path):
    (tmp_path / "dotted_mod.py").write_text(MODULE)
    (tmp_path / "dotted_consts_b.py").write_text(CONSTS)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, str(tmp_path)]), S2S_CACHE_DIR=str(tmp_path / "c"))
    runs = [subprocess.run([sys.executable, "-c", SCRIPT, mode], env=env, capture_output=True, text=True)
            for mode in ("build", "forbid")]  # (the second process would raise if it transformed again)
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert [float(v) for v in run.stdout.split(",")] == [4.0, 6.0]
