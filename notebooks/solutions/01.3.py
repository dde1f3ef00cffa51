from statistics import mean

from srkit.data import load_benchmark
from srkit.degrade import upscale
from srkit.metrics import psnr

pairs = load_benchmark('Set14', 4)
no_shave = mean(psnr(upscale(p.lr, 4), p.hr, 0) for p in pairs)
paper = mean(psnr(upscale(p.lr, 4), p.hr, 4) for p in pairs)
answer = no_shave - paper
