import keras
from keras import layers


def build_srcnn():
    inp = keras.Input((None, None, 1))
    features = layers.Conv2D(64, 9, padding='same', activation='relu')(inp)     # patch extraction
    mapped = layers.Conv2D(32, 5, padding='same', activation='relu')(features)  # non-linear mapping
    out = layers.Conv2D(1, 5, padding='same')(mapped)                           # reconstruction
    return keras.Model(inp, out)


answer = build_srcnn
