from srkit import zoo

answer = zoo.card('edsr', 4)['scores']['Set5']['psnr'] - zoo.card('edsr_gan', 4)['scores']['Set5']['psnr']
