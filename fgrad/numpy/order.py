"""Order statistics: sorting, and the functions built on it."""

__all__ = []
