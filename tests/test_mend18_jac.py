"""Round 18 (mend18jac): the Jacobian of a Jacobian of every function whose Hessian s2s takes, and how a generated
jvp takes its tangent parameters, said once by the forward stage (ir.Tangents, `__s2s_tangents__`)."""
import numpy as np
import pytest

import s2s
from s2s import ir
from tests.conftest import assert_close


def with_default(x, a=2.0):
    return np.sin(x) * a


def plain(x, a):
    return np.sin(x) * a


def test_the_generated_jvp_carries_how_it_takes_its_tangents(tmp_path, monkeypatch):
    from s2s.api import persistent
    x = np.array([0.3, 0.5])
    monkeypatch.setenv("S2S_CACHE_DIR", str(tmp_path))
    for f, wrt, want in ((with_default, 0, ir.Tangents(("dx",), True)), (plain, 0, ir.Tangents(("dx",), False)),
                         (plain, (0, 1), ir.Tangents(("dx", "da"), False))):
        jf = s2s.jvp(f, wrt=wrt)
        tangents = (np.ones(2),) if wrt == 0 else (np.ones(2), 1.0)
        value, tangent = jf((x, 2.0), tangents)
        assert_close(tangent, np.cos(x) * 2.0 + (np.sin(x) if wrt != 0 else 0.0))
        assert jf._current().__s2s_tangents__ == want
        assert jf.__s2s_tangent_names__() == want.names
        # (an entry of the disk cache, compiled again in another process, says so too)
        found = persistent.load(persistent.key_for(f, "jvp", wrt, {}), f)
        assert found is not None and found[1].__s2s_tangents__ == want
