"""A pin-jointed truss: each bar's stiffness is assembled into the global stiffness matrix with `np.add.at`,
as finite-element codes do, the loaded structure is solved, and the bars' areas are tuned to make it stiffer
(its compliance, the work of the loads, goes down) at a fixed amount of material."""
import numpy as np

import s2s


def compliance(log_areas, nodes, bars, loads, fixed):
    areas = np.exp(log_areas)
    n = 2 * nodes.shape[0]
    K = np.zeros((n, n))
    for b in range(bars.shape[0]):
        i, j = bars[b]
        d = nodes[j] - nodes[i]
        length = np.sqrt(np.sum(d * d))
        c = d / length
        k = areas[b] / length * np.outer(np.concatenate([-c, c]), np.concatenate([-c, c]))
        dofs = np.array([2 * i, 2 * i + 1, 2 * j, 2 * j + 1])
        np.add.at(K, (dofs[:, None], dofs[None, :]), k)
    free = np.setdiff1d(np.arange(n), fixed)
    u = np.linalg.solve(K[np.ix_(free, free)], loads[free])
    volume = np.sum(areas * np.sqrt(np.sum((nodes[bars[:, 1]] - nodes[bars[:, 0]]) ** 2, axis=1)))
    return loads[free] @ u + 10.0 * (volume - 4.0) ** 2


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    span = 2 if small else 4
    top = [[float(i), 1.0] for i in range(span + 1)]
    bottom = [[float(i), 0.0] for i in range(span + 1)]
    nodes = np.array(bottom + top) + 0.02 * rng.normal(size=(2 * span + 2, 2))
    m = span + 1
    bars = [[i, i + 1] for i in range(span)] + [[m + i, m + i + 1] for i in range(span)]
    bars += [[i, m + i] for i in range(m)] + [[i, m + i + 1] for i in range(span)]
    bars = np.array(bars)
    loads = np.zeros(2 * nodes.shape[0])
    loads[2 * (m + span) + 1] = -1.0  # pushed down at the top right
    fixed = np.array([0, 1, 2 * m, 2 * m + 1])  # the left end pinned
    log_areas = np.log(0.5 + 0.1 * rng.uniform(size=bars.shape[0]))
    return log_areas, nodes, bars, loads, fixed


def problem(seed=0, small=True):
    return compliance, make_data(seed, small), 0


def main(steps=40, learning_rate=0.02):
    log_areas, nodes, bars, loads, fixed = make_data(small=False)
    step_of = s2s.grad(compliance)
    for step in range(steps + 1):
        if step % 10 == 0:
            print(f"step {step:4d}  loss {compliance(log_areas, nodes, bars, loads, fixed):.6f}")
        log_areas = log_areas - learning_rate * step_of(log_areas, nodes, bars, loads, fixed)


if __name__ == "__main__":
    main()
