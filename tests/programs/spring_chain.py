"""A hanging chain of masses joined by springs between two fixed anchors: the potential energy
(elastic, from a list comprehension and a generator under sum, plus gravity) is minimised over the
positions of the masses by gradient descent."""
import numpy as np

import s2s


def potential_energy(positions, anchors, stiffness, rest_length, masses, gravity=9.81):
    points = np.vstack([anchors[:1], positions, anchors[1:]])
    stretches = [np.linalg.norm(points[i + 1] - points[i]) - rest_length for i in range(points.shape[0] - 1)]
    elastic = sum(0.5 * k * s ** 2 for k, s in zip(stiffness, stretches))
    return elastic + gravity * np.sum(masses * positions[:, 1])


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n = 3 if small else 20
    anchors = np.array([[0.0, 0.0], [float(n + 1), 0.0]])
    positions = np.column_stack([np.arange(1.0, n + 1.0), -0.5 * np.ones(n)]) + 0.1 * rng.normal(size=(n, 2))
    stiffness = rng.uniform(50.0, 100.0, size=n + 1)
    masses = rng.uniform(0.5, 1.5, size=n)
    return positions, anchors, stiffness, 0.8, masses


def problem(seed=0, small=True):
    return potential_energy, make_data(seed, small), 0


def main(steps=200, learning_rate=0.004):
    positions, anchors, stiffness, rest_length, masses = make_data(small=False)
    force = s2s.grad(potential_energy)
    for step in range(steps + 1):
        if step % 40 == 0:
            energy = potential_energy(positions, anchors, stiffness, rest_length, masses)
            print(f"step {step:4d}  loss {energy:.6f}")
        positions = positions - learning_rate * force(positions, anchors, stiffness, rest_length, masses)


if __name__ == "__main__":
    main()
