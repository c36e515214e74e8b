"""Diagonals and triangles of matrices: diag, diagonal, diagflat, trace, triu, tril."""

__all__ = []
