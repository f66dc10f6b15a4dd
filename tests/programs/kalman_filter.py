"""The log-likelihood of a damped constant-velocity state-space model by the Kalman filter: the
position is observed with noise; the process and observation noise (log scale) and the velocity
damping are fitted."""
import numpy as np

import s2s


def kalman_log_likelihood(params, observations, dt=0.1):
    F = np.array([[1.0, dt], [0.0, params["damping"]]])
    Q = np.exp(params["log_q"]) * np.array([[dt ** 3 / 3.0, dt ** 2 / 2.0], [dt ** 2 / 2.0, dt]])
    R = np.exp(params["log_r"])
    H = np.array([1.0, 0.0])
    mean, cov = np.zeros(2), 10.0 * np.eye(2)
    total = 0.0
    for y in observations:
        mean = F @ mean
        cov = F @ cov @ F.T + Q
        S = H @ cov @ H + R
        gain = cov @ H / S
        innovation = y - H @ mean
        total = total - 0.5 * (np.log(2.0 * np.pi * S) + innovation ** 2 / S)
        mean = mean + gain * innovation
        cov = cov - np.outer(gain, gain) * S
    return total


def loss(params, observations):
    return -kalman_log_likelihood(params, observations) / len(observations)


def simulate(rng, length, dt=0.1, damping=0.95, q=0.5, r=0.05):
    position, velocity, observations = 0.0, 1.0, []
    for _ in range(length):
        velocity = damping * velocity + np.sqrt(q * dt) * rng.normal()
        position = position + dt * velocity
        observations.append(position + np.sqrt(r) * rng.normal())
    return np.array(observations)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    observations = simulate(rng, 6 if small else 150)
    return {"log_q": np.log(0.2), "log_r": np.log(0.1), "damping": 0.9}, observations


def problem(seed=0, small=True):
    params, observations = make_data(seed, small)
    return loss, (params, observations), 0


def main(steps=40, learning_rate=0.05):
    params, observations = make_data(small=False)
    grad_loss = s2s.grad(loss)
    for step in range(steps + 1):
        if step % 10 == 0:
            print(f"step {step:4d}  loss {loss(params, observations):.6f}")
        g = grad_loss(params, observations)
        params = {name: params[name] - learning_rate * g[name] for name in params}


if __name__ == "__main__":
    main()
