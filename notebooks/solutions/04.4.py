def interpolate_weights(w_psnr, w_gan, alpha):
    return [(1 - alpha) * a + alpha * b for a, b in zip(w_psnr, w_gan)]


answer = interpolate_weights
