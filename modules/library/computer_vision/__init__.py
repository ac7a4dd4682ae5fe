"""Computer Vision modules: image directories, transforms, ResNet/DenseNet trained from scratch; nothing downloaded."""
