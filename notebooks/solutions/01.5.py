import numpy as np


def psnr_y(sr, hr, scale):
    weights = np.array([65.481, 128.553, 24.966]) / 255.0
    y_sr = 16.0 + np.asarray(sr, np.float64) @ weights
    y_hr = 16.0 + np.asarray(hr, np.float64) @ weights
    shaved = (slice(scale, -scale), slice(scale, -scale))   # the paper protocol's border shave
    mse = np.mean((y_sr[shaved] - y_hr[shaved]) ** 2)
    return 10 * np.log10(255.0 ** 2 / mse)


answer = psnr_y
