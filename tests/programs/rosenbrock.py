"""The N-dimensional Rosenbrock function as scipy.optimize writes it (rosen), minimised by a damped
Newton method with s2s.grad and s2s.hessian; with scipy installed, also by scipy.optimize.minimize with
jac=s2s.grad(rosen) and hess=s2s.hessian(rosen)."""
import numpy as np

import s2s


def rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2.0) ** 2.0 + (1 - x[:-1]) ** 2.0)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1.0, 1.5, size=4 if small else 10),)


def problem(seed=0, small=True):
    return rosen, make_data(seed, small), 0


def main(steps=25):
    (x,) = make_data(small=False)
    grad_rosen, hess_rosen = s2s.grad(rosen), s2s.hessian(rosen)
    for step in range(steps + 1):
        if step % 5 == 0:
            print(f"step {step:4d}  loss {rosen(x):.6e}")
        H = hess_rosen(x)
        shift = max(0.0, 1e-3 - np.linalg.eigvalsh(H)[0])  # make the Newton step a descent direction
        step_direction = np.linalg.solve(H + shift * np.eye(x.shape[0]), grad_rosen(x))
        t = 1.0
        while rosen(x - t * step_direction) > rosen(x) and t > 1e-8:  # backtracking line search
            t = 0.5 * t
        x = x - t * step_direction
    try:
        from scipy.optimize import minimize
    except ImportError:
        return
    (x0,) = make_data(small=False)
    result = minimize(rosen, x0, method="Newton-CG", jac=grad_rosen, hess=hess_rosen)
    print(f"scipy Newton-CG: f = {result.fun:.3e} after {result.nit} iterations")


if __name__ == "__main__":
    main()
