import numpy as np


def aniso_kernel(size, sigma_x, sigma_y, angle):
    r = np.arange(size) - size // 2
    xx, yy = np.meshgrid(r, -r)  # x to the right, y up: row i is y = size // 2 - i
    c, s = np.cos(angle), np.sin(angle)
    rot = np.array([[c, -s], [s, c]])
    inv = np.linalg.inv(rot @ np.diag([sigma_x ** 2, sigma_y ** 2]) @ rot.T)
    p = np.stack([xx, yy], axis=-1)
    k = np.exp(-0.5 * np.einsum("...i,ij,...j->...", p, inv, p))
    return k / k.sum()


answer = aniso_kernel
