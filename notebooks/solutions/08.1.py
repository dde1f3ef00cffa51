import numpy as np


def fuse_branches(kernel, bias, kernel_1x1, bias_1x1, identity):
    k, _, c_in, c_out = kernel.shape
    fused = kernel.astype(np.float64)  # a copy: the k x k branch as it is
    fused[k // 2, k // 2] += kernel_1x1[0, 0]  # the 1x1 branch acts on the centre pixel only
    if identity:
        fused[k // 2, k // 2] += np.eye(c_in, c_out)  # the identity: channel c to channel c, weight 1, at the centre
    return fused.astype(np.float32), (bias.astype(np.float64) + bias_1x1).astype(np.float32)


answer = fuse_branches
