"""A Lennard-Jones cluster: the potential energy as a double loop over pairs of atoms; the forces
are minus its gradient, used to relax a perturbed cluster."""
import numpy as np

import s2s


def lennard_jones_energy(positions, epsilon=1.0, sigma=1.0):
    energy = 0.0
    n = positions.shape[0]
    for i in range(n):
        for j in range(i + 1, n):
            r2 = np.sum((positions[i] - positions[j]) ** 2)
            s6 = (sigma ** 2 / r2) ** 3
            energy += 4.0 * epsilon * (s6 ** 2 - s6)
    return energy


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    side = 2 if small else 3
    grid = np.array([[i, j, k] for i in range(side) for j in range(side) for k in range(side)], dtype=float)
    positions = 1.12 * grid + 0.05 * rng.normal(size=grid.shape)
    return (positions[:3] if small else positions,)


def problem(seed=0, small=True):
    return lennard_jones_energy, make_data(seed, small), 0


def main(steps=50, learning_rate=0.002):
    (positions,) = make_data(small=False)
    forces = s2s.grad(lennard_jones_energy)
    for step in range(steps + 1):
        if step % 10 == 0:
            print(f"step {step:4d}  loss {lennard_jones_energy(positions):.6f}")
        positions = positions - learning_rate * forces(positions)


if __name__ == "__main__":
    main()
