"""Set operations on arrays: membership, unions, intersections, unique values."""

__all__ = []
