"""Polynomials as coefficient arrays (numpy's poly* functions)."""

__all__ = []
