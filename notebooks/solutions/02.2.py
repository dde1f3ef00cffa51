from srkit import zoo
from srkit.evaluate import evaluate

answer = zoo.card('srcnn', 3)['scores']['Set5']['psnr'] - evaluate('bicubic', 'Set5', 3).psnr[0]
