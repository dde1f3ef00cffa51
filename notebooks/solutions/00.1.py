from srkit.data import load_benchmark

pair = next(p for p in load_benchmark('Set5', 4) if p.name == 'butterfly')
answer = pair.lr.shape[0] * pair.lr.shape[1]
