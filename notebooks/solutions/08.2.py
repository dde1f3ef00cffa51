import numpy as np


def diffusion(a):
    v = np.sort(np.abs(np.asarray(a, dtype=np.float64)).ravel())  # |attribution|, smallest first
    n = v.size
    i = np.arange(1, n + 1)
    gini = ((2 * i - n - 1) * v).sum() / (n * v.sum())
    return (1 - gini) * 100


answer = diffusion
