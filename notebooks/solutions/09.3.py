import numpy as np
from scipy.ndimage import correlate

from srkit.degrade import gaussian_kernel


def my_mscn(grey):
    k = gaussian_kernel(7 / 6, 7)                      # normalised 7x7 Gaussian window
    mu = correlate(grey, k, mode='nearest')            # local mean, edges repeated
    sigma = np.sqrt(np.abs(correlate(grey * grey, k, mode='nearest') - mu * mu))  # local contrast
    return (grey - mu) / (sigma + 1)


answer = my_mscn
