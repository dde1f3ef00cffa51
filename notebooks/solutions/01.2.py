from srkit.evaluate import evaluate

answer = evaluate('nearest', 'Set5', 4).psnr[0]
