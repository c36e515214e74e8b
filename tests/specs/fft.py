"""Spec rows for fgrad/numpy/fft.py: every transform, with n/s, axes and every norm."""
import fgrad.numpy.fft as ffft
from domains import cplx, real
from specs import Spec

X2 = (((4, 6),),)
ROWS = []
for norm in (None, "ortho", "forward"):
    tag = norm or "backward"
    ROWS += [
        Spec(f"fft-{tag}", lambda a, norm=norm: ffft.fft(a, norm=norm), (cplx,),
             (((5,),), ((2, 4),))),
        Spec(f"fft-n8-axis0-{tag}", lambda a, norm=norm: ffft.fft(a, 8, 0, norm), (cplx,), X2),
        Spec(f"ifft-n3-{tag}", lambda a, norm=norm: ffft.ifft(a, 3, norm=norm), (real,), X2),
        Spec(f"fft2-{tag}", lambda a, norm=norm: ffft.fft2(a, norm=norm), (cplx,), X2),
        Spec(f"ifft2-s-{tag}", lambda a, norm=norm: ffft.ifft2(a, (3, 7), norm=norm), (cplx,), X2),
        Spec(f"fftn-{tag}", lambda a, norm=norm: ffft.fftn(a, norm=norm), (cplx,), (((2, 3, 4),),)),
        Spec(f"ifftn-axes-{tag}", lambda a, norm=norm: ffft.ifftn(a, axes=(0, 2), norm=norm),
             (cplx,), (((2, 3, 4),),)),
        Spec(f"rfft-{tag}", lambda a, norm=norm: ffft.rfft(a, norm=norm), (real,),
             (((6,),), ((7,),), ((2, 5),))),
        Spec(f"rfft-n5-axis0-{tag}", lambda a, norm=norm: ffft.rfft(a, 5, 0, norm), (real,), X2),
        Spec(f"irfft-{tag}", lambda a, norm=norm: ffft.irfft(a, norm=norm), (cplx,), X2),
        Spec(f"irfft-n7-{tag}", lambda a, norm=norm: ffft.irfft(a, 7, norm=norm), (cplx,), X2),
        Spec(f"irfft-n4-axis0-real-{tag}", lambda a, norm=norm: ffft.irfft(a, 4, 0, norm),
             (real,), X2),
        Spec(f"rfftn-{tag}", lambda a, norm=norm: ffft.rfftn(a, norm=norm), (real,),
             (((2, 3, 4),),)),
        Spec(f"irfftn-s-{tag}", lambda a, norm=norm: ffft.irfftn(a, (5, 6), (0, 1), norm),
             (cplx,), X2),
        Spec(f"rfft2-{tag}", lambda a, norm=norm: ffft.rfft2(a, norm=norm), (real,), X2),
        Spec(f"irfft2-{tag}", lambda a, norm=norm: ffft.irfft2(a, norm=norm), (cplx,), X2),
        Spec(f"hfft-{tag}", lambda a, norm=norm: ffft.hfft(a, norm=norm), (cplx,), X2),
        Spec(f"ihfft-{tag}", lambda a, norm=norm: ffft.ihfft(a, norm=norm), (real,), X2),
    ]
ROWS += [
    Spec("fftshift", ffft.fftshift, (real,), (((5,),), ((4, 6),))),
    Spec("fftshift-axis", lambda a: ffft.fftshift(a, axes=0), (cplx,), X2),
    Spec("ifftshift", ffft.ifftshift, (real,), (((5,),), ((3, 4),))),
    Spec("ifftshift-axes", lambda a: ffft.ifftshift(a, axes=(1,)), (real,), X2),
]
SPECS = ROWS
