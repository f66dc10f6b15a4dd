"""A recursive neural network over binary parse trees (nested tuples of word indices): a recursive
encoder of data-dependent depth, a tanh composition of the two children, and a squared-error
read-out of each tree's score."""
import numpy as np

import s2s


def encode(params, tree):
    if isinstance(tree, int):
        return params["embeddings"][tree]
    left, right = tree
    children = np.concatenate([encode(params, left), encode(params, right)])
    return np.tanh(params["W"] @ children + params["b"])


def loss(params, trees, scores):
    total = 0.0
    for tree, score in zip(trees, scores):
        total = total + (params["w_out"] @ encode(params, tree) - score) ** 2
    return total / len(trees)


def random_tree(rng, words, depth):
    if depth == 0 or rng.uniform() < 0.3:
        return int(rng.integers(0, words))
    return (random_tree(rng, words, depth - 1), random_tree(rng, words, depth - 1))


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n, words, dim, depth = (2, 3, 2, 3) if small else (12, 8, 4, 5)
    trees = [((0, 1), (2, (1, 0)))] + [random_tree(rng, words, depth) for _ in range(n - 1)]
    scores = rng.normal(size=n)
    params = {"embeddings": 0.5 * rng.normal(size=(words, dim)), "W": 0.5 * rng.normal(size=(dim, 2 * dim)),
              "b": np.zeros(dim), "w_out": 0.5 * rng.normal(size=dim)}
    return params, trees, scores


def problem(seed=0, small=True):
    params, trees, scores = make_data(seed, small)
    return loss, (params, trees, scores), 0


def main(steps=20, learning_rate=0.1):
    params, trees, scores = make_data(small=False)
    grad_loss = s2s.grad(loss)
    for step in range(steps + 1):
        if step % 5 == 0:
            print(f"step {step:4d}  loss {loss(params, trees, scores):.6f}")
        g = grad_loss(params, trees, scores)
        params = {name: params[name] - learning_rate * g[name] for name in params}


if __name__ == "__main__":
    main()
