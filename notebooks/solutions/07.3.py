from srkit import zoo
from srkit.evaluate import evaluate

answer = zoo.card("edsr", 8)["scores"]["Set14"]["psnr"] - float(evaluate("bicubic", "Set14", 8).psnr[0])
