import numpy as np


def conv2d(image, kernel):
    k = kernel.shape[0]
    padded = np.pad(image, k // 2)   # zeros around: the output keeps the input's size
    out = np.zeros(image.shape, dtype=np.float64)
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            out[i, j] = np.sum(padded[i:i + k, j:j + k] * kernel)   # no flip: cross-correlation
    return out


answer = conv2d
