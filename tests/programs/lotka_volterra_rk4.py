"""Fitting the Lotka-Volterra predator-prey equations to noisy counts: a classical Runge-Kutta (RK4)
integrator in Python that takes the dynamics as an argument and passes the parameters on with
*args, as scipy's odeint does."""
import numpy as np

import s2s


def lotka_volterra(state, t, alpha, beta, delta, gamma):
    prey, predator = state
    return np.array([alpha * prey - beta * prey * predator,
                     delta * prey * predator - gamma * predator])


def rk4(dynamics, y0, ts, *args):
    y = y0
    trajectory = [y0]
    for i in range(len(ts) - 1):
        t, h = ts[i], ts[i + 1] - ts[i]
        k1 = dynamics(y, t, *args)
        k2 = dynamics(y + 0.5 * h * k1, t + 0.5 * h, *args)
        k3 = dynamics(y + 0.5 * h * k2, t + 0.5 * h, *args)
        k4 = dynamics(y + h * k3, t + h, *args)
        y = y + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        trajectory.append(y)
    return np.stack(trajectory)


def loss(log_theta, y0, ts, observed):
    trajectory = rk4(lotka_volterra, y0, ts, *np.exp(log_theta))
    return np.mean((np.log(trajectory) - np.log(observed)) ** 2)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    ts = np.linspace(0.0, 3.0 if small else 10.0, 7 if small else 101)
    true_theta = np.array([1.0, 0.5, 0.3, 0.8])
    y0 = np.array([2.0, 1.0])
    observed = rk4(lotka_volterra, y0, ts, *true_theta) * np.exp(0.05 * rng.normal(size=(ts.shape[0], 2)))
    log_theta = np.log(true_theta) + 0.2 * rng.normal(size=4)
    return log_theta, y0, ts, observed


def problem(seed=0, small=True):
    log_theta, y0, ts, observed = make_data(seed, small)
    return loss, (log_theta, y0, ts, observed), 0


def main(steps=40, learning_rate=0.05):
    log_theta, y0, ts, observed = make_data(small=False)
    grad_loss = s2s.grad(loss)
    for step in range(steps + 1):
        if step % 10 == 0:
            print(f"step {step:4d}  loss {loss(log_theta, y0, ts, observed):.6f}  "
                  f"theta {np.round(np.exp(log_theta), 3)}")
        log_theta = log_theta - learning_rate * grad_loss(log_theta, y0, ts, observed)


if __name__ == "__main__":
    main()
