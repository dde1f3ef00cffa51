from srkit.data import load_benchmark
from srkit.degrade import upscale
from srkit.widgets import CompareState

pair = next(p for p in load_benchmark('Set5', 3) if p.name == 'baby')
images = {m: upscale(pair.lr, 3, m) for m in ('nearest', 'bilinear', 'bicubic')}
state = CompareState(images | {'HR': pair.hr}, reference='HR', crop_border=3)
answer = state.best()
