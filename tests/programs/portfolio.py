"""Mean-variance portfolio selection: risk-aversion times the variance minus the expected return,
with the budget (weights sum to one) and no-short-selling constraints as quadratic penalties."""
import numpy as np

import s2s


def objective(weights, cov, expected_returns, risk_aversion=3.0, penalty=50.0):
    variance = weights @ cov @ weights
    expected = expected_returns @ weights
    budget = (np.sum(weights) - 1.0) ** 2
    short_selling = np.sum(np.minimum(weights, 0.0) ** 2)
    return risk_aversion * variance - expected + penalty * (budget + short_selling)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    assets = 4 if small else 30
    factors = rng.normal(size=(assets, 2))
    cov = 0.02 * (factors @ factors.T + np.diag(rng.uniform(0.5, 1.5, size=assets)))
    expected_returns = rng.uniform(0.02, 0.12, size=assets)
    weights = np.full(assets, 1.0 / assets) + 0.3 * rng.normal(size=assets)
    return weights, cov, expected_returns


def problem(seed=0, small=True):
    return objective, make_data(seed, small), 0


def main(steps=100, learning_rate=5e-4):
    weights, cov, expected_returns = make_data(small=False)
    grad_objective = s2s.grad(objective)
    for step in range(steps + 1):
        if step % 20 == 0:
            print(f"step {step:4d}  loss {objective(weights, cov, expected_returns):.6f}  "
                  f"sum of weights {np.sum(weights):.4f}")
        weights = weights - learning_rate * grad_objective(weights, cov, expected_returns)


if __name__ == "__main__":
    main()
