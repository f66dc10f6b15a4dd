"""Radial velocities of a star with a planet on an eccentric orbit. Kepler's equation
E - e sin E = M is solved by Newton's method whose derivative is s2s.grad of the residual, called
inside the function that is differentiated; the orbit (period, eccentricity, amplitude, argument of
periastron) is fitted to the observed velocities."""
import numpy as np

import s2s


def kepler_residual(E, M, e):
    return E - e * np.sin(E) - M


def eccentric_anomaly(M, e, iterations=6):
    slope = s2s.grad(kepler_residual)
    E = M + e * np.sin(M)
    for _ in range(iterations):
        E = E - kepler_residual(E, M, e) / slope(E, M, e)
    return E


def radial_velocity(orbit, times):
    period, e, amplitude, omega = orbit
    velocities = []
    for t in times:
        E = eccentric_anomaly(2.0 * np.pi * t / period, e)
        true_anomaly = 2.0 * np.arctan2(np.sqrt(1.0 + e) * np.sin(0.5 * E), np.sqrt(1.0 - e) * np.cos(0.5 * E))
        velocities.append(amplitude * (np.cos(true_anomaly + omega) + e * np.cos(omega)))
    return np.array(velocities)


def loss(orbit, times, observed):
    return np.mean((radial_velocity(orbit, times) - observed) ** 2)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    times = np.sort(rng.uniform(0.0, 20.0, size=5 if small else 60))
    true_orbit = np.array([7.0, 0.3, 2.0, 0.6])
    observed = radial_velocity(true_orbit, times) + 0.1 * rng.normal(size=times.shape[0])
    return true_orbit + np.array([0.05, 0.05, 0.2, 0.1]) * rng.normal(size=4), times, observed


def problem(seed=0, small=True):
    orbit, times, observed = make_data(seed, small)
    return loss, (orbit, times, observed), 0


def main(steps=30, learning_rate=0.002):
    orbit, times, observed = make_data(small=False)
    grad_loss = s2s.grad(loss)
    for step in range(steps + 1):
        if step % 10 == 0:
            print(f"step {step:4d}  loss {loss(orbit, times, observed):.6f}")
        orbit = orbit - learning_rate * grad_loss(orbit, times, observed)


if __name__ == "__main__":
    main()
