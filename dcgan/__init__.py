"""dcgan: Deep Convolutional GANs on your own images, every training trick a config switch."""

__version__ = "0.1.0"
