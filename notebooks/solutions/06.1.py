import math


def cosine_lr(step, base_lr, steps, warmup_steps):
    if warmup_steps and step < warmup_steps:
        return base_lr * step / warmup_steps
    decay = max(1, steps - warmup_steps)
    u = min(step - warmup_steps, decay) / decay
    return base_lr * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * u)))


answer = cosine_lr
