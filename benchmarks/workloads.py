"""The benchmark workloads, each written once as plain NumPy.

Every function here reads the module globals `np` and `math` only. The peers run
the very same code: the runner loads a fresh copy of this module and rebinds
`np` to `torch`/`jax.numpy`/`autograd.numpy` (through the small shims in
`peers.py`) and `math` to a dispatcher that sends tensors to the framework and
plain numbers to `math`. Where the shared text cannot run on a peer (JAX arrays
are immutable, so `y[i] = v` cannot work), `ports.py` holds an explicit,
labelled port.

Sources of the definitions (formulas only; the code is written here):
- GMM: GradBench's `gmm` eval, ADBench's objective with its three errors
  corrected (sign of the prior, transposed precision factors, the Wishart prior
  on the precision matrices): log-posterior of a K-component Gaussian mixture
  whose precision matrices are Q_k^T Q_k, Q_k lower triangular with diagonal
  exp(q_k) and strictly-lower part l_k stored column by column.
- Bundle adjustment: ADBench's reprojection error of one observation
  (Rodrigues rotation, radial distortion, weight), 2 residuals of 15 inputs.
- LSTM: ADBench's D-LSTM (diagonal weights, 2 layers, a sequence of
  characters, log-softmax with the "+2" of ADBench's logsumexp).
"""
import math

import numpy as np


# --------------------------------------------------------------------------- GMM

def logsumexp_rows(a):
    """log(sum(exp(a), axis=1)) of a 2-d array, stable."""
    mx = np.max(a, axis=1)
    return np.log(np.sum(np.exp(a - mx[:, None]), axis=1)) + mx


def logsumexp_vec(a):
    mx = np.max(a)
    return np.log(np.sum(np.exp(a - mx))) + mx


def log_multigamma(a, p):
    """log of the multivariate gamma function Gamma_p(a)."""
    out = 0.25 * p * (p - 1) * math.log(math.pi)
    for j in range(1, p + 1):
        out = out + math.lgamma(a + 0.5 * (1 - j))
    return out


def log_wishart_prior(p, gamma, m, sum_qs, qdiags, ls):
    """log density of the Wishart prior W(Q^T Q | I / gamma^2, p + m + 1), summed over the K components."""
    n = p + m + 1
    k = qdiags.shape[0]
    frobenius = np.sum(qdiags ** 2, axis=1) + np.sum(ls ** 2, axis=1)
    out = np.sum(0.5 * gamma * gamma * frobenius - m * sum_qs)
    c = n * p * math.log(gamma / math.sqrt(2.0))
    return -out + k * (c - log_multigamma(0.5 * n, p))


def gmm_objective(alphas, means, icf, x, tril, gamma, m):
    """Log-posterior of a Gaussian mixture (GradBench's corrected ADBench GMM).

    alphas (K,): unnormalised log weights; means (K, d); icf (K, d + d(d-1)/2):
    log-diagonal, then the strictly-lower entries of Q_k column by column; x (N, d);
    tril (d(d-1)/2, d*d): the constant 0/1 matrix placing those entries in a d x d matrix.
    """
    n = x.shape[0]
    d = x.shape[1]
    k = alphas.shape[0]
    qs = icf[:, :d]
    ls = icf[:, d:]
    qdiags = np.exp(qs)
    sum_qs = np.sum(qs, axis=1)
    lower = np.reshape(ls @ tril, (k, d, d))
    xcentered = x[:, None, :] - means[None, :, :]
    lx = qdiags[None, :, :] * xcentered + np.einsum("kij,nkj->nki", lower, xcentered)
    inner = alphas[None, :] + sum_qs[None, :] - 0.5 * np.sum(lx * lx, axis=2)
    constant = -n * d * 0.5 * math.log(2.0 * math.pi)
    return (constant + np.sum(logsumexp_rows(inner)) - n * logsumexp_vec(alphas)
            + log_wishart_prior(d, gamma, m, sum_qs, qdiags, ls))


def gmm_tril(d):
    """(d(d-1)/2, d*d) 0/1 matrix: entry j of l goes to row r, column c of Q (column by column)."""
    t = np.zeros((d * (d - 1) // 2, d * d))
    j = 0
    for c in range(d):
        for r in range(c + 1, d):
            t[j, r * d + c] = 1.0
            j += 1
    return t


def gmm_inputs(d, k, n, seed=31337):
    """Inputs drawn as GradBench's generator draws them (gamma 1, m 0)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    means = rng.uniform(size=(k, d))
    q = rng.normal(size=(k, d))
    lo = rng.normal(size=(k, d * (d - 1) // 2))
    alphas = rng.normal(size=k)
    icf = np.concatenate([q, lo], axis=1)
    return (alphas, means, icf, x, gmm_tril(d), 1.0, 0)


# --------------------------------------------------------------------------- bundle adjustment

def ba_residual(p, feat):
    """Reprojection error of one observation (ADBench's BA objective): p holds the camera's rotation (3),
    centre (3), focal length (1), principal point (2), radial distortion (2), the point (3) and a weight (1)."""
    rot = p[0:3]
    X = p[11:14] - p[3:6]
    sqtheta = np.sum(rot * rot)
    if sqtheta != 0.0:
        theta = np.sqrt(sqtheta)
        costheta = np.cos(theta)
        sintheta = np.sin(theta)
        k = rot / theta
        Xcam = X * costheta + np.cross(k, X) * sintheta + k * (np.dot(k, X) * (1.0 - costheta))
    else:
        Xcam = X + np.cross(rot, X)
    proj = Xcam[0:2] / Xcam[2]
    rsq = np.sum(proj * proj)
    L = 1.0 + p[9] * rsq + p[10] * rsq * rsq
    return (proj * L * p[6] + p[7:9] - feat) * p[14]


def ba_inputs(seed=0):
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.normal(size=3) * 0.3, rng.normal(size=3), [1.5], rng.normal(size=2) * 0.1,
                        [0.01, 0.001], rng.normal(size=3) + np.array([0.0, 0.0, 5.0]), [0.8]])
    return (p, np.array([0.1, -0.2]))


# --------------------------------------------------------------------------- LSTM (ADBench)

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def lstm_model(weight, bias, hidden, cell, inp):
    gates = np.concatenate((inp, hidden, inp, hidden)) * weight + bias
    b = hidden.shape[0]
    forget = sigmoid(gates[0:b])
    ingate = sigmoid(gates[b:2 * b])
    outgate = sigmoid(gates[2 * b:3 * b])
    change = np.tanh(gates[3 * b:])
    cell = cell * forget + ingate * change
    hidden = outgate * np.tanh(cell)
    return hidden, cell


def lstm_predict(w, w2, state, x):
    x = x * w2[0]
    new_state = []
    for i in range(0, state.shape[0], 2):
        hidden, cell = lstm_model(w[i], w[i + 1], state[i], state[i + 1], x)
        x = hidden
        new_state.append(hidden)
        new_state.append(cell)
    return x * w2[1] + w2[2], np.stack(new_state)


def lstm_objective(main_params, extra_params, state, sequence):
    """ADBench's LSTM loss as written there: the new state is collected with list.append."""
    total = 0.0
    count = 0
    inp = sequence[0]
    for t in range(sequence.shape[0] - 1):
        ypred, state = lstm_predict(main_params, extra_params, state, inp)
        ynorm = ypred - np.log(np.sum(np.exp(ypred)) + 2.0)
        ygold = sequence[t + 1]
        total = total + np.sum(ygold * ynorm)
        count = count + ygold.shape[0]
        inp = ygold
    return -total / count


def lstm_predict_prealloc(w, w2, state, x):
    x = x * w2[0]
    new_state = np.zeros(state.shape)
    for i in range(0, state.shape[0], 2):
        hidden, cell = lstm_model(w[i], w[i + 1], state[i], state[i + 1], x)
        x = hidden
        new_state[i] = hidden
        new_state[i + 1] = cell
    return x * w2[1] + w2[2], new_state


def lstm_objective_prealloc(main_params, extra_params, state, sequence):
    """The same loss, the new state written into a preallocated array instead of a list."""
    total = 0.0
    count = 0
    inp = sequence[0]
    for t in range(sequence.shape[0] - 1):
        ypred, state = lstm_predict_prealloc(main_params, extra_params, state, inp)
        ynorm = ypred - np.log(np.sum(np.exp(ypred)) + 2.0)
        ygold = sequence[t + 1]
        total = total + np.sum(ygold * ynorm)
        count = count + ygold.shape[0]
        inp = ygold
    return -total / count


def lstm_inputs(layers=2, hidden=14, chars=64, seed=0):
    rng = np.random.default_rng(seed)
    main_params = rng.uniform(-1.0, 1.0, size=(2 * layers, 4 * hidden))
    extra_params = rng.uniform(-1.0, 1.0, size=(3, hidden))
    state = rng.uniform(-1.0, 1.0, size=(2 * layers, hidden))
    sequence = rng.uniform(-1.0, 1.0, size=(chars, hidden))
    return (main_params, extra_params, state, sequence)


# --------------------------------------------------------------------------- MLP

def mlp_loss(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(Y * logp) / X.shape[0]


def mlp_inputs(batch=128, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(batch, 784))
    Y = np.eye(10)[rng.integers(0, 10, size=batch)]
    W1, b1 = rng.normal(size=(784, 256)) / 28, rng.normal(size=256) * 0.1
    W2, b2 = rng.normal(size=(256, 10)) / 16, rng.normal(size=10) * 0.1
    return (W1, b1, W2, b2, X, Y)


# --------------------------------------------------------------------------- loops

def rnn(W, U, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def rnn_inputs(steps=200, width=64, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(width, width)) / math.sqrt(width)
    U = rng.normal(size=(width, width)) / math.sqrt(width)
    xs = rng.normal(size=(steps, width))
    h0 = np.zeros(width)
    return (W, U, xs, h0)


def scalar_loop(k, y0, n):
    """Explicit Euler steps of y' = -k y + sin(t)."""
    y = y0
    dt = 0.001
    for i in range(n):
        y = y + dt * (-k * y + math.sin(i * dt))
    return y


def element_loop(x):
    n = x.shape[0]
    y = np.zeros(n)
    for i in range(n):
        y[i] = np.sin(x[i])
    return np.sum(y * y)


def element_inputs(n=10000, seed=0):
    return (np.random.default_rng(seed).normal(size=n),)


# --------------------------------------------------------------------------- small

def quickstart(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_inputs(n=20, seed=0):
    return (np.random.default_rng(seed).uniform(-1.5, 1.5, size=n),)
