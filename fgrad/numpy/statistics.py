"""Statistics over data: covariance, correlation, histograms and counts."""

__all__ = []
