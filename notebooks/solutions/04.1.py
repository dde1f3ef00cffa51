import math

answer = 2 * math.log(2)   # = -log(0.5) - log(1 - 0.5), about 1.386
