"""Calibrating a volatility smile: Black-Scholes call prices (scipy.stats.norm.cdf) with a volatility
quadratic in log-moneyness, fitted to quoted prices across strikes by least squares."""
import numpy as np
from scipy.stats import norm

import s2s


def black_scholes_call(spot, strike, maturity, rate, volatility):
    sqrt_t = np.sqrt(maturity)
    d1 = (np.log(spot / strike) + (rate + 0.5 * volatility ** 2) * maturity) / (volatility * sqrt_t)
    d2 = d1 - volatility * sqrt_t
    return spot * norm.cdf(d1) - strike * np.exp(-rate * maturity) * norm.cdf(d2)


def smile(coefficients, spot, strikes):
    moneyness = np.log(strikes / spot)
    return coefficients[0] + coefficients[1] * moneyness + coefficients[2] * moneyness ** 2


def loss(coefficients, spot, strikes, maturity, rate, quotes):
    prices = black_scholes_call(spot, strikes, maturity, rate, smile(coefficients, spot, strikes))
    return np.mean((prices - quotes) ** 2)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    spot, maturity, rate = 100.0, 0.5, 0.02
    strikes = np.linspace(80.0, 120.0, 5 if small else 41)
    true_coefficients = np.array([0.2, -0.1, 0.5])
    quotes = black_scholes_call(spot, strikes, maturity, rate, smile(true_coefficients, spot, strikes))
    quotes = quotes + 0.02 * rng.normal(size=strikes.shape[0])
    return np.array([0.25, 0.0, 0.0]), spot, strikes, maturity, rate, quotes


def problem(seed=0, small=True):
    return loss, make_data(seed, small), 0


def main(steps=100, learning_rate=0.002):
    coefficients, *market = make_data(small=False)
    grad_loss = s2s.grad(loss)
    for step in range(steps + 1):
        if step % 20 == 0:
            print(f"step {step:4d}  loss {loss(coefficients, *market):.6f}")
        coefficients = coefficients - learning_rate * grad_loss(coefficients, *market)


if __name__ == "__main__":
    main()
