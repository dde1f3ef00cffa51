import numpy as np
from srkit import zoo
from srkit.data import load_benchmark
from srkit.degrade import upscale
from srkit.quality import niqe

pairs = [p for p in load_benchmark("Set14", 4) if p.name in ("baboon", "comic", "zebra")]
methods = {"bicubic": lambda lr: upscale(lr, 4), "edsr": zoo.upscaler("edsr"), "edsr_gan": zoo.upscaler("edsr_gan")}
means = {name: np.mean([niqe(up(p.lr, 4) if name != "bicubic" else up(p.lr), crop_border=4) for p in pairs])
         for name, up in methods.items()}
answer = min(means, key=means.get)
