"""One-dimensional signals: convolution, correlation, interpolation, phase unwrapping."""

__all__ = []
