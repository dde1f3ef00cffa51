def pixel_shuffle(x, r):
    b, h, w, cr2 = x.shape
    c = cr2 // (r * r)
    blocks = x.reshape(b, h, w, r, r, c)          # channel (a*r + j)*c + k -> (a, j, k)
    blocks = blocks.transpose(0, 1, 3, 2, 4, 5)   # (b, h, a, w, j, c): row offset a next to h
    return blocks.reshape(b, h * r, w * r, c)


answer = pixel_shuffle
