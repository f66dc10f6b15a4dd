"""Forward mode and second derivatives against the function's own time, measured in one run.

Run by hand: python benchmarks/forward.py
Bars (issue 6): jvp / function <= 3 on the MLP-layer loss (tangent w.r.t. W);
the 2x15 bundle-adjustment residual Jacobian in forward (vector) mode <= 10x the
residual; the hessian of a 20-dim Rosenbrock <= 60x the function.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import s2s  # noqa: E402
from _timing import compare, row  # noqa: E402


def mlp_layer(W, x, b):
    return np.sum(np.tanh(W @ x + b) ** 2)


def ba_residual(p, feat):
    """Reprojection error of one observation (ADBench's BA objective): p holds the camera's rotation (3),
    centre (3), focal length (1), principal point (2), radial distortion (2), the point (3) and a weight (1)."""
    rot = p[0:3]
    X = p[11:14] - p[3:6]
    sqtheta = np.sum(rot * rot)
    if sqtheta != 0.0:
        theta = np.sqrt(sqtheta)
        costheta = np.cos(theta)
        sintheta = np.sin(theta)
        k = rot / theta
        Xcam = X * costheta + np.cross(k, X) * sintheta + k * (np.dot(k, X) * (1.0 - costheta))
    else:
        Xcam = X + np.cross(rot, X)
    proj = Xcam[0:2] / Xcam[2]
    rsq = np.sum(proj * proj)
    L = 1.0 + p[9] * rsq + p[10] * rsq * rsq
    return (proj * L * p[6] + p[7:9] - feat) * p[14]


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_hessian(x):
    h = np.zeros((len(x), len(x)))
    for i in range(len(x) - 1):
        h[i, i] += 1200.0 * x[i] ** 2 - 400.0 * x[i + 1] + 2.0
        h[i + 1, i + 1] += 200.0
        h[i, i + 1] = h[i + 1, i] = -400.0 * x[i]
    return h


def central_jacobian(f, p, *rest, eps=1e-6):
    return np.stack([(f(p + e, *rest) - f(p - e, *rest)) / (2 * eps) for e in np.eye(len(p)) * eps], axis=-1)


def main():
    ratios = {}
    rng = np.random.default_rng(0)

    print("MLP layer sum(tanh(W @ x + b) ** 2), W 256x256, jvp with a tangent of W")
    W, x, b = rng.normal(size=(256, 256)) / 16, rng.normal(size=256), rng.normal(size=256)
    V = rng.normal(size=(256, 256))
    jf = s2s.jvp(mlp_layer)
    eps = 1e-6
    numeric = (mlp_layer(W + eps * V, x, b) - mlp_layer(W - eps * V, x, b)) / (2 * eps)
    assert np.isclose(jf((W, x, b), (V,))[1], numeric, rtol=1e-5)
    t = compare([("f", lambda: mlp_layer(W, x, b)), ("jvp", lambda: jf((W, x, b), (V,)))], ())
    f_t, j_t = t["f"], t["jvp"]
    print(row("function", f_t, f_t))
    print(row("jvp (value and tangent)", j_t, f_t))
    ratios["MLP jvp / function"] = (j_t / f_t, 3)

    print("\nbundle adjustment: 2x15 Jacobian of one reprojection residual, forward (vector) mode")
    p = np.concatenate([rng.normal(size=3) * 0.3, rng.normal(size=3), [1.5], rng.normal(size=2) * 0.1,
                        [0.01, 0.001], rng.normal(size=3) + np.array([0.0, 0.0, 5.0]), [0.8]])
    feat = np.array([0.1, -0.2])
    jac = s2s.jacobian(ba_residual, mode="forward")
    J = jac(p, feat)
    assert J.shape == (2, 15) and np.allclose(J, central_jacobian(ba_residual, p, feat), rtol=1e-5, atol=1e-7)
    assert "vector forward-mode" in jac.source, "vector mode was expected to apply"
    t = compare([("f", ba_residual), ("jacobian", jac)], (p, feat))
    f_t, j_t = t["f"], t["jacobian"]
    print(row("residual", f_t, f_t))
    print(row("Jacobian (forward, vector mode)", j_t, f_t))
    ratios["BA Jacobian / residual"] = (j_t / f_t, 10)

    print("\nhessian of a 20-dim Rosenbrock (forward-mode Jacobian of the generated gradient)")
    x20 = rng.uniform(-1.5, 1.5, size=20)
    hess = s2s.hessian(rosenbrock)
    assert np.allclose(hess(x20), rosenbrock_hessian(x20), rtol=1e-10, atol=1e-9)
    t = compare([("f", rosenbrock), ("hessian", hess)], (x20,))
    f_t, h_t = t["f"], t["hessian"]
    print(row("function", f_t, f_t))
    print(row("hessian", h_t, f_t))
    ratios["Rosenbrock hessian / function"] = (h_t / f_t, 60)

    print()
    for name, (ratio, bar) in ratios.items():
        print(f"  {name:<32} {ratio:6.2f}x  (bar: <= {bar}) {'ok' if ratio <= bar else 'OVER THE BAR'}")


if __name__ == "__main__":
    main()
