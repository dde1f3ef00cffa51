from srkit.burst import make_burst
from srkit.data import load_benchmark

b = make_burst(load_benchmark('Set14', 4)[0].hr, 4, 5, seed=7)
answer = tuple(b.shifts[3] - b.shifts[0])  # frame 4 against frame 1 (Python counts from 0)
