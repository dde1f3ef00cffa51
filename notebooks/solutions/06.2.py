import numpy as np


def augment_pair(lr, hr, k, flip):
    lr, hr = np.rot90(lr, k), np.rot90(hr, k)
    if flip:
        lr, hr = lr[:, ::-1], hr[:, ::-1]
    return lr, hr


answer = augment_pair
