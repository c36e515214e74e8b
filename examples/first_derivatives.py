"""A first look at fgrad: a gradient, higher derivatives and a Hessian."""
import numpy as np

import fgrad
import fgrad.numpy as fnp


def loss(a, b, c):
    """The backprop-lecture example: L = (a + 3b) c²."""
    return (a + 3 * b) * c ** 2


print("L(2, 3, 4)        =", loss(2.0, 3.0, 4.0))
print("dL/d(a, b, c)     =", [float(g) for g in fgrad.grad(loss, argnums=(0, 1, 2))(2.0, 3.0, 4.0)])

d = fnp.tanh
for n in range(1, 4):
    d = fgrad.grad(d)
    print(f"d^{n} tanh / dx^{n} at 0.5 = {d(0.5):+.6f}")

A = np.array([[2.0, 1.0], [0.0, 3.0]])


def quadratic(x):
    return x @ A @ x


def hessian(f, x):
    """Forward over reverse: each column is the JVP of the gradient along a basis vector."""
    return np.stack([fgrad.jvp(fgrad.grad(f), (x,), (e,))[1] for e in np.eye(len(x))], axis=1)


print("Hessian of x@A@x  =\n", hessian(quadratic, np.array([1.0, -1.0])), "\n(= A + A.T)")
