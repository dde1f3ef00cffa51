# each layer: k*k*c_in*c_out weights plus c_out biases
answer = (9*9*1*64 + 64) + (5*5*64*32 + 32) + (5*5*32*1 + 1)   # or srkit.models.srcnn().count_params()
