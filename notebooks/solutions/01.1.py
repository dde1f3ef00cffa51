answer = 16 + 65.481 * 1.0 + 128.553 * 0.0 + 24.966 * 0.0   # R = 1, G = B = 0
# or: srkit.metrics.to_y_channel(np.array([[[255, 0, 0]]], np.uint8))[0, 0]
