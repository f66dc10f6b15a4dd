"""Hand-written NumPy derivatives of the workloads, where writing one by hand is reasonable.

Each returns what the s2s transformation returns: a tuple of gradients in the
order of `wrt` (a bare array for a single `wrt`), a Jacobian or a Hessian. The
loop workloads have a true backward pass (the forward sweep stores what the
reverse sweep reads), so their memory is the baseline for section 2.
"""
import math

import numpy as np

from .workloads import sigmoid


def gmm_grad(alphas, means, icf, x, tril, gamma, m):
    """d/d(alphas, means, icf) of workloads.gmm_objective."""
    n, d = x.shape
    k = alphas.shape[0]
    qs = icf[:, :d]
    ls = icf[:, d:]
    qdiags = np.exp(qs)
    lower = np.reshape(ls @ tril, (k, d, d))
    xc = x[:, None, :] - means[None, :, :]                       # (n, k, d)
    z = qdiags[None] * xc + np.einsum("kij,nkj->nki", lower, xc)  # Q_k (x_n - mu_k)
    inner = alphas[None, :] + np.sum(qs, axis=1)[None, :] - 0.5 * np.sum(z * z, axis=2)
    inner = inner - np.max(inner, axis=1, keepdims=True)
    r = np.exp(inner)
    r /= np.sum(r, axis=1, keepdims=True)                         # responsibilities (n, k)
    wa = np.exp(alphas - np.max(alphas))
    d_alphas = np.sum(r, axis=0) - n * wa / np.sum(wa)
    bz = -r[:, :, None] * z                                       # d f / d z
    # z = qdiag * xc + L xc  ->  d xc = qdiag * bz + L^T bz ; d mu = -sum_n d xc
    d_means = -np.sum(qdiags[None] * bz + np.einsum("kij,nki->nkj", lower, bz, optimize=True), axis=0)
    d_qdiag = np.sum(bz * xc, axis=0) - gamma * gamma * qdiags    # likelihood + prior
    d_lower = np.einsum("nki,nkj->kij", bz, xc, optimize=True)  # (BLAS; the forward keeps the workload's call)
    d_ls = np.reshape(d_lower, (k, d * d)) @ tril.T - gamma * gamma * ls
    d_qs = d_qdiag * qdiags + (np.sum(r, axis=0) + m)[:, None]
    return d_alphas, d_means, np.concatenate([d_qs, d_ls], axis=1)


def _skew(v):
    """[v]_x: the matrix with _skew(v) @ u == np.cross(v, u)."""
    return np.array([[0.0, -v[2], v[1]], [v[2], 0.0, -v[0]], [-v[1], v[0], 0.0]])


def ba_jacobian(p, feat):
    """The 2x15 Jacobian of workloads.ba_residual, by the chain rule through Rodrigues' formula."""
    rot, v = p[0:3], p[11:14] - p[3:6]
    sqtheta = rot @ rot
    if sqtheta != 0.0:
        theta = math.sqrt(sqtheta)
        c, s = math.cos(theta), math.sin(theta)
        k = rot / theta
        kv = k @ v
        kxv = np.cross(k, v)
        xcam = v * c + kxv * s + k * (kv * (1.0 - c))
        d_theta = -v * s + kxv * c + k * (kv * s)                            # d xcam / d theta
        d_k = -_skew(v) * s + (kv * (1.0 - c)) * np.eye(3) + (1.0 - c) * np.outer(k, v)
        d_rot = np.outer(d_theta, k) + d_k @ ((np.eye(3) - np.outer(k, k)) / theta)
        d_v = c * np.eye(3) + s * _skew(k) + (1.0 - c) * np.outer(k, k)     # the rotation matrix
    else:
        xcam = v + np.cross(rot, v)
        d_rot = -_skew(v)
        d_v = np.eye(3) + _skew(rot)
    z = xcam[2]
    proj = xcam[0:2] / z
    d_proj = np.array([[1.0 / z, 0.0, -proj[0] / z], [0.0, 1.0 / z, -proj[1] / z]])  # d proj / d xcam
    rsq = proj @ proj
    L = 1.0 + p[9] * rsq + p[10] * rsq * rsq
    d_dist = L * np.eye(2) + np.outer(proj, 2.0 * (p[9] + 2.0 * p[10] * rsq) * proj)    # d (proj L) / d proj
    dist = proj * L
    w, f = p[14], p[6]
    d_xcam = (w * f) * (d_dist @ d_proj)                                               # 2x3
    J = np.empty((2, 15))
    J[:, 0:3] = d_xcam @ d_rot
    J[:, 3:6] = -(d_xcam @ d_v)
    J[:, 6] = dist * w
    J[:, 7:9] = w * np.eye(2)
    J[:, 9] = proj * rsq * f * w
    J[:, 10] = proj * rsq * rsq * f * w
    J[:, 11:14] = d_xcam @ d_v
    J[:, 14] = dist * f + p[7:9] - feat
    return J


def lstm_grad(main_params, extra_params, state, sequence):
    """d/d(main_params, extra_params) of workloads.lstm_objective: forward sweep storing each cell's
    gates, then the reverse sweep."""
    layers = state.shape[0] // 2
    b = state.shape[1]
    steps = sequence.shape[0] - 1
    tape = []  # per step: per layer (input, h in, c in, gate activations, tanh(c out)); the last hidden; exp(ypred)
    st = [state[i].copy() for i in range(2 * layers)]
    inp = sequence[0]
    total = 0.0
    for t in range(steps):
        x = inp * extra_params[0]
        cells = []
        for l in range(layers):
            w, bias = main_params[2 * l], main_params[2 * l + 1]
            h, c = st[2 * l], st[2 * l + 1]
            gates = np.concatenate((x, h, x, h)) * w + bias
            f, i, o = sigmoid(gates[0:b]), sigmoid(gates[b:2 * b]), sigmoid(gates[2 * b:3 * b])
            ch = np.tanh(gates[3 * b:])
            c_new = c * f + i * ch
            tc = np.tanh(c_new)
            h_new = o * tc
            cells.append((x, h, c, f, i, o, ch, tc))
            st[2 * l], st[2 * l + 1] = h_new, c_new
            x = h_new
        ypred = x * extra_params[1] + extra_params[2]
        e = np.exp(ypred)
        ygold = sequence[t + 1]
        total += np.sum(ygold * (ypred - math.log(np.sum(e) + 2.0)))
        tape.append((cells, x, e))
        inp = ygold
    count = steps * b
    d_main = np.zeros_like(main_params)
    d_extra = np.zeros_like(extra_params)
    bh = [np.zeros(b) for _ in range(layers)]  # adjoints of the state carried to the next step
    bc = [np.zeros(b) for _ in range(layers)]
    for t in range(steps - 1, -1, -1):
        cells, x_last, e = tape[t]
        ygold = sequence[t + 1]
        # loss = -total / count, total += sum(ygold * ypred) - sum(ygold) * log(sum(e) + 2)
        bypred = -(ygold - np.sum(ygold) * e / (np.sum(e) + 2.0)) / count
        d_extra[1] += bypred * x_last
        d_extra[2] += bypred
        bx = bypred * extra_params[1]
        for l in range(layers - 1, -1, -1):
            x, h, c, f, i, o, ch, tc = cells[l]
            w = main_params[2 * l]
            bhn = bx + bh[l]
            bo = bhn * tc
            bcn = bhn * o * (1.0 - tc * tc) + bc[l]
            bf = bcn * c
            bi = bcn * ch
            bch = bcn * i
            bc[l] = bcn * f
            bgates = np.concatenate((bf * f * (1.0 - f), bi * i * (1.0 - i), bo * o * (1.0 - o), bch * (1.0 - ch * ch)))
            d_main[2 * l + 1] += bgates
            d_main[2 * l] += bgates * np.concatenate((x, h, x, h))
            bcat = bgates * w
            bx = bcat[0:b] + bcat[2 * b:3 * b]
            bh[l] = bcat[b:2 * b] + bcat[3 * b:]
        d_extra[0] += bx * sequence[t]  # layer 0's input is inp * w2[0], and inp at step t is sequence[t]
    return d_main, d_extra


def mlp_grad(W1, b1, W2, b2, X, Y):
    n = X.shape[0]
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    e = np.exp(shifted)
    p = e / np.sum(e, axis=1, keepdims=True)
    d_logits = (p * np.sum(Y, axis=1, keepdims=True) - Y) / n
    dW2 = h.T @ d_logits
    db2 = np.sum(d_logits, axis=0)
    dz = (d_logits @ W2.T) * (1.0 - h * h)
    return X.T @ dz, np.sum(dz, axis=0), dW2, db2


def rnn_grad(W, U, xs, h0):
    hs = [h0]
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
        hs.append(h)
    bW = np.zeros_like(W)
    bU = np.zeros_like(U)
    bh = 2.0 * h
    for t in range(xs.shape[0] - 1, -1, -1):
        ht = hs[t + 1]
        bz = bh * (1.0 - ht * ht)
        bW += np.outer(bz, hs[t])
        bU += np.outer(bz, xs[t])
        bh = W.T @ bz
    return bW, bU


def scalar_loop_grad(k, y0, n):
    dt = 0.001
    ys = []
    y = y0
    for i in range(n):
        ys.append(y)
        y = y + dt * (-k * y + math.sin(i * dt))
    bk = 0.0
    by = 1.0
    for y in reversed(ys):
        bk -= by * dt * y
        by *= 1.0 - dt * k
    return bk


def element_loop_grad(x):
    return 2.0 * np.sin(x) * np.cos(x)


def quickstart_grad(x1, x2):
    return x2 + 1.0 / x1, x1 - math.cos(x2)


def rosenbrock_hessian(x):
    n = x.shape[0]
    h = np.zeros((n, n))
    diag = np.zeros(n)
    diag[:-1] += 1200.0 * x[:-1] ** 2 - 400.0 * x[1:] + 2.0
    diag[1:] += 200.0
    h[np.arange(n), np.arange(n)] = diag
    off = -400.0 * x[:-1]
    h[np.arange(n - 1), np.arange(1, n)] = off
    h[np.arange(1, n), np.arange(n - 1)] = off
    return h
