"""Daily energy demand against outdoor temperature: heating below a base temperature, cooling above
a comfort band, a flat load in between -- an if/elif/else on the data inside the loop over days; the
base load, the two slopes and the log noise scale are fitted by maximum likelihood."""
import numpy as np

import s2s


def predicted_demand(params, temperature, heating_base=15.0, cooling_base=22.0):
    base_load, heating_slope, cooling_slope = params[0], params[1], params[2]
    if temperature < heating_base:
        return base_load + heating_slope * (heating_base - temperature)
    elif temperature > cooling_base:
        return base_load + cooling_slope * (temperature - cooling_base)
    else:
        return base_load


def negative_log_likelihood(params, temperatures, demand):
    log_noise = params[3]
    total = 0.0
    for t, observed in zip(temperatures, demand):
        residual = observed - predicted_demand(params, t)
        total = total + 0.5 * residual ** 2 * np.exp(-2.0 * log_noise) + log_noise
    return total / len(demand)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    days = 8 if small else 365
    temperatures = 18.0 + 12.0 * np.sin(np.linspace(0.0, 2.0 * np.pi, days)) + 2.0 * rng.normal(size=days)
    truth = np.array([10.0, 1.5, 2.5, 0.0])
    demand = np.array([predicted_demand(truth, t) for t in temperatures]) + rng.normal(size=days)
    return np.array([8.0, 1.0, 1.0, 1.0]) + 0.1 * rng.normal(size=4), temperatures, demand


def problem(seed=0, small=True):
    params, temperatures, demand = make_data(seed, small)
    return negative_log_likelihood, (params, temperatures, demand), 0


def main(steps=100, learning_rate=0.05):
    params, temperatures, demand = make_data(small=False)
    grad_nll = s2s.grad(negative_log_likelihood)
    for step in range(steps + 1):
        if step % 20 == 0:
            print(f"step {step:4d}  loss {negative_log_likelihood(params, temperatures, demand):.6f}")
        params = params - learning_rate * grad_nll(params, temperatures, demand)


if __name__ == "__main__":
    main()
