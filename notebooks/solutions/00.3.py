import numpy as np


def nearest_upscale(lr, scale):
    # every pixel becomes a scale x scale block of copies of itself
    return np.repeat(np.repeat(lr, scale, axis=0), scale, axis=1)


answer = nearest_upscale
