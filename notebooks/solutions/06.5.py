import numpy as np
from srkit.train import learning_rate_at

answer = float(np.prod([1 - learning_rate_at(t, 1e-3, 4000) * 0.1 for t in range(4000)]))
