def conv_flops(h, w, k, c_in, c_out):
    # h*w output pixels, c_out channels each, k*k*c_in multiply-accumulates per value, 2 FLOPs per MAC
    return 2 * k * k * c_in * c_out * h * w


answer = conv_flops
