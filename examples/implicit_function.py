"""Differentiating a fixed point with the implicit function theorem (fgrad custom_vjp).

x*(theta) solves x = f(x, theta) with f(x, theta) = 0.5 cos(x) + theta. The solver is
plain NumPy iteration, which fgrad never sees. Differentiating x* = f(x*, theta) gives

    dx*/dtheta = (I - df/dx)^-1 df/dtheta = 1 / (1 + 0.5 sin x*)

so the backward pass needs only x*, not the iterations that found it.
"""
import numpy as np

import fgrad
import fgrad.numpy as fnp
from fgrad.custom import custom_vjp


@custom_vjp
def fixed_point(theta):
    """x with x = 0.5 cos(x) + theta, by iteration (a contraction: |df/dx| <= 1/2)."""
    x = np.zeros_like(theta)
    for _ in range(200):
        x, previous = 0.5 * np.cos(x) + theta, x
        if np.max(np.abs(x - previous)) < 1e-15:
            break
    return x


def fixed_point_fwd(theta):
    # Calling the decorated function keeps x* differentiable when fwd is rerun on
    # traced values, which is what makes second derivatives work.
    x = fixed_point(theta)
    return x, x


def fixed_point_bwd(x, g):
    """theta's cotangent: g (I - df/dx)^-1 df/dtheta, with df/dx = -0.5 sin x, df/dtheta = 1."""
    return (g / (1 + 0.5 * fnp.sin(x)),)


fixed_point.defvjp(fixed_point_fwd, fixed_point_bwd)

if __name__ == "__main__":
    theta, eps = 0.3, 1e-6
    x = fixed_point(theta)
    print(f"x*({theta})              = {x:.12f}   (residual {x - 0.5 * np.cos(x) - theta:.1e})")
    d1 = fgrad.grad(fixed_point)(theta)
    fd1 = (fixed_point(theta + eps) - fixed_point(theta - eps)) / (2 * eps)
    print(f"dx*/dtheta   implicit    = {d1:.12f}")
    print(f"             finite diff = {fd1:.12f}")
    d2 = fgrad.grad(fgrad.grad(fixed_point))(theta)
    fd2 = (fgrad.grad(fixed_point)(theta + eps) - fgrad.grad(fixed_point)(theta - eps)) / (2 * eps)
    print(f"d2x*/dtheta2 implicit    = {d2:.12f}")
    print(f"             finite diff = {fd2:.12f}")
