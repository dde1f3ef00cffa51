import numpy as np


def d_loss_ra(real_logits, fake_logits):
    r = real_logits - fake_logits.mean()   # how much more real than the average fake
    f = fake_logits - real_logits.mean()   # how much more real than the average real
    bce_one = np.logaddexp(0.0, -r)        # BCE(sigmoid(r), 1) = log(1 + exp(-r))
    bce_zero = np.logaddexp(0.0, f)        # BCE(sigmoid(f), 0) = log(1 + exp(f))
    return float(bce_one.mean() + bce_zero.mean())


answer = d_loss_ra
