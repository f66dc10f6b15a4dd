"""Low-rank matrix factorisation for a ratings matrix with missing entries: U V^T fitted on the
observed entries (a 0/1 mask) with an L2 penalty; U and V are two arguments."""
import numpy as np

import s2s


def loss(U, V, ratings, mask, l2=0.1):
    error = mask * (U @ V.T - ratings)
    return 0.5 * np.sum(error ** 2) / np.sum(mask) + 0.5 * l2 * (np.sum(U ** 2) + np.sum(V ** 2))


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    users, items, rank = (4, 3, 2) if small else (60, 40, 3)
    ratings = rng.normal(size=(users, rank)) @ rng.normal(size=(items, rank)).T + 0.1 * rng.normal(size=(users, items))
    mask = (rng.uniform(size=(users, items)) < 0.7).astype(float)
    return 0.5 * rng.normal(size=(users, rank)), 0.5 * rng.normal(size=(items, rank)), ratings, mask


def problem(seed=0, small=True):
    U, V, ratings, mask = make_data(seed, small)
    return loss, (U, V, ratings, mask), (0, 1)


def main(steps=100, learning_rate=2.0):
    U, V, ratings, mask = make_data(small=False)
    grad_loss = s2s.grad(loss, wrt=(0, 1))
    for step in range(steps + 1):
        if step % 20 == 0:
            print(f"step {step:4d}  loss {loss(U, V, ratings, mask):.6f}")
        gU, gV = grad_loss(U, V, ratings, mask)
        U, V = U - learning_rate * gU, V - learning_rate * gV


if __name__ == "__main__":
    main()
