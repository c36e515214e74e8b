"""Spec rows for fgrad/numpy/shape.py (and broadcast_to): rearrangements, joins, splits, pad."""
import importlib

import numpy as np

import fgrad
import fgrad.numpy as fnp
from domains import cplx, distinct, real
from specs import Spec

PAD_TAKES_DICT = importlib.import_module("fgrad.numpy.shape")._PAD_DICT  # NumPy >= 2.3
S0, S1, S2, S3 = ((),), ((4,),), ((2, 3),), ((2, 3, 4),)
ANY = (S0, S1, S2, S3)
ND = (S1, S2, S3)            # at least 1-d
ND2 = (S2, S3)               # at least 2-d


def rows(name, fun, shapes, domains=(real,), **kw):
    return [Spec(name, fun, domains, shapes, **kw)]


def per_axis(name, fun, shapes=(S3,), axes=(0, 1, 2, -1, -2, -3), domains=(real,)):
    """One row per axis: ``fun(*args, axis)``, on a 3-d input unless told otherwise."""
    return [Spec(f"{name}-axis{a}", lambda *x, a=a: fun(*x, a), domains, shapes) for a in axes]


def _interior(p, x, before):
    """The part of pad(x) that holds x (along every axis): NumPy's mode="empty" leaves
    the rest undefined."""
    for axis, n in enumerate(x.shape):
        p = fnp.split(p, [before, before + n], axis=axis)[1]
    return p


def _repeat_transposed(x, g):
    """The VJP of repeat with counts, itself checked: it binds the scatter-add."""
    return fgrad.vjp(lambda y: fnp.repeat(y, [2, 0, 1], axis=-1), x)[1](g)[0]


PAD_MODES = [("constant", {}), ("constant-values", {"constant_values": (1.5, -2.0)}),
             ("edge", {}), ("wrap", {}), ("reflect", {}), ("reflect-odd", {"reflect_type": "odd"}),
             ("symmetric", {}), ("symmetric-odd", {"reflect_type": "odd"}),
             ("linear_ramp", {}), ("linear_ramp-ends", {"end_values": ((1.0, -2.0),)}),
             ("mean", {}), ("mean-stat_length", {"stat_length": 2})]
STAT_MODES = [("maximum", {}), ("minimum", {}), ("median", {}), ("median-stat_length",
                                                                 {"stat_length": ((2, 3),)}),
              ("maximum-stat_length", {"stat_length": (1, 2)})]

SPECS = [
    # reshaping, both orders
    *rows("reshape-C", lambda x: fnp.reshape(x, (-1, 1)), ANY),
    *rows("reshape-C-3d", lambda x: fnp.reshape(x, (4, 3, 2)), (S3,)),
    *rows("reshape-F", lambda x: fnp.reshape(x, (1, -1), order="F"), ANY),
    *rows("reshape-F-3d", lambda x: fnp.reshape(x, (4, 6), order="F"), (S3,)),
    *rows("reshape-complex", lambda x: fnp.reshape(x, (3, -1), order="F"), (S2, S3), (cplx,)),
    *rows("ravel", fnp.ravel, ANY),
    *rows("ravel-F", lambda x: fnp.ravel(x, "F"), ND2),
    *rows("ravel-K", lambda x: fnp.ravel(x, "K"), ND2),
    *rows("copy", fnp.copy, ANY),
    *rows("copy-complex", fnp.copy, (S2,), (cplx,)),
    # axes
    *rows("transpose", fnp.transpose, ANY),
    *rows("transpose-axes", lambda x: fnp.transpose(x, (1, 2, 0)), (S3,)),
    *rows("transpose-negative", lambda x: fnp.transpose(x, (-1, 0, -2)), (S3,)),
    *rows("transpose-complex", fnp.transpose, (S2,), (cplx,)),
    *rows("permute_dims", lambda x: fnp.permute_dims(x, (2, 0, 1)), (S3,)),
    *rows("permute_dims-default", fnp.permute_dims, ND2),
    *rows("swapaxes", lambda x: fnp.swapaxes(x, 0, -1), ND2),
    *rows("swapaxes-3d", lambda x: fnp.swapaxes(x, 1, -3), (S3,)),
    *rows("moveaxis", lambda x: fnp.moveaxis(x, 0, -1), ND2),
    *rows("moveaxis-many", lambda x: fnp.moveaxis(x, [0, -1], [-1, 1]), (S3,)),
    *rows("rollaxis", lambda x: fnp.rollaxis(x, -1), ND2),
    *rows("rollaxis-start", lambda x: fnp.rollaxis(x, 0, 3), (S3,)),
    *rows("rollaxis-neg-start", lambda x: fnp.rollaxis(x, 1, -1), (S3,)),
    *rows("expand_dims-0", lambda x: fnp.expand_dims(x, 0), ANY),
    *rows("expand_dims--1", lambda x: fnp.expand_dims(x, -1), ANY),
    *rows("expand_dims-tuple", lambda x: fnp.expand_dims(x, (0, -2)), ND),
    *rows("expand_dims-tuple-0d", lambda x: fnp.expand_dims(x, (0, -1)), (S0,)),
    *rows("squeeze", fnp.squeeze, (((1, 3, 1),), ((1,),), ((),), ((2, 3),))),
    *rows("squeeze-axis", lambda x: fnp.squeeze(x, 0), (((1, 3, 1),), ((1,),))),
    *rows("squeeze-negative", lambda x: fnp.squeeze(x, (-1, 0)), (((1, 3, 1),),)),
    *rows("atleast_1d", fnp.atleast_1d, ANY),
    *rows("atleast_2d", fnp.atleast_2d, ANY),
    *rows("atleast_3d", fnp.atleast_3d, ANY),
    *rows("atleast_3d-many", lambda x, y: fnp.atleast_3d(x, y), (((), (3,)), ((2, 3), (2, 3, 4))),
          (real, real)),
    # broadcasting
    *rows("broadcast_to", lambda x: fnp.broadcast_to(x, (2, 3, 4)),
          (S0, ((4,),), ((3, 1),), ((1, 3, 4),))),
    *rows("broadcast_to-complex", lambda x: fnp.broadcast_to(x, (2, 3)), (((3,),),), (cplx,)),
    *rows("broadcast_arrays", fnp.broadcast_arrays, (((), (3,)), ((2, 1), (1, 3)),
                                                    ((2, 3), (2, 3)), ((4,), (3, 1, 4))),
          (real, real)),
    # joining
    *per_axis("concatenate", lambda x, y, a: fnp.concatenate([x, y, x], axis=a),
              (((2, 3, 4), (2, 3, 4)),), domains=(real, real)),
    *rows("concatenate-1d", lambda x, y: fnp.concatenate((x, y)), (((3,), (2,)),), (real, real)),
    *rows("concatenate-2d", lambda x, y: fnp.concatenate([x, y], axis=-1),
          (((2, 3), (2, 1)),), (real, real)),
    *rows("concatenate-None", lambda x, y: fnp.concatenate([x, y], axis=None),
          (((2, 3), ()), ((3,), (2, 2))), (real, real)),
    *rows("concatenate-complex", lambda x, y: fnp.concatenate([x, y]), (((2, 3), (1, 3)),),
          (cplx, real)),
    *per_axis("stack", lambda x, y, a: fnp.stack([x, y], axis=a),
              (((2, 3, 4), (2, 3, 4)),), axes=(0, 2, 3, -1, -4), domains=(real, real)),
    *rows("stack-0d", lambda x, y: fnp.stack([x, y, x]), (((), ()), ((3,), (3,))), (real, real)),
    *rows("stack-complex", lambda x: fnp.stack([x, 2 * x], axis=-1), (S2,), (cplx,)),
    *rows("vstack", lambda x, y: fnp.vstack([x, y]), (((), ()), ((3,), (3,)), ((2, 3), (1, 3)),
                                                      ((2, 3, 4), (1, 3, 4))), (real, real)),
    *rows("hstack", lambda x, y: fnp.hstack((x, y)), (((), ()), ((3,), (2,)), ((2, 3), (2, 1)),
                                                      ((2, 3, 4), (2, 1, 4))), (real, real)),
    *rows("dstack", lambda x, y: fnp.dstack([x, y]), (((), ()), ((3,), (3,)), ((2, 3), (2, 3)),
                                                      ((2, 3, 4), (2, 3, 1))), (real, real)),
    *rows("column_stack", lambda x, y: fnp.column_stack([x, y]),
          (((), ()), ((3,), (3,)), ((3,), (3, 2)), ((2, 3), (2, 1))), (real, real)),
    *rows("block", lambda x, y: fnp.block([[x, y], [y, x]]), (((), ()), ((2,), (2,)),
                                                              ((2, 2), (2, 2))), (real, real)),
    *rows("block-mixed", lambda x, y: fnp.block([[x], [y]]), (((2, 3), (3,)), ((4,), (4,))),
          (real, real)),
    *rows("block-single", fnp.block, (S0, S2)),
    *rows("block-3deep", lambda x, y: fnp.block([[[x, y]], [[y, x]]]), (((2,), (2,)),),
          (real, real)),
    # splitting
    *per_axis("split", lambda x, a: fnp.split(x, [1, 2], axis=a)),
    *per_axis("split-sections", lambda x, a: fnp.split(x, x.shape[a], axis=a)),
    *rows("split-1d", lambda x: fnp.split(x, 2), (S1,)),
    *rows("split-weird-indices", lambda x: fnp.split(x, [3, 1, -1, 9]), (S1, S2)),
    *rows("split-complex", lambda x: fnp.split(x, [1], axis=-1), (S2,), (cplx,)),
    *per_axis("array_split", lambda x, a: fnp.array_split(x, 3, axis=a), axes=(1, 2, -1)),
    *rows("array_split-1d", lambda x: fnp.array_split(x, 3), (S1,)),
    *rows("hsplit", lambda x: fnp.hsplit(x, [1]), ND),
    *rows("vsplit", lambda x: fnp.vsplit(x, 2), ND2),
    *rows("dsplit", lambda x: fnp.dsplit(x, [1, 3]), (S3,)),
    *per_axis("unstack", lambda x, a: fnp.unstack(x, axis=a)),
    *rows("unstack-1d", fnp.unstack, (S1, S2)),
    # repeating
    *rows("tile", lambda x: fnp.tile(x, 2), ANY),
    *rows("tile-tuple", lambda x: fnp.tile(x, (2, 1, 3)), ANY),
    *rows("tile-short-reps", lambda x: fnp.tile(x, (2,)), (S3,)),
    *rows("tile-complex", lambda x: fnp.tile(x, (2, 2)), (S1,), (cplx,)),
    *rows("repeat", lambda x: fnp.repeat(x, 2), ANY),
    *per_axis("repeat", lambda x, a: fnp.repeat(x, 3, axis=a), axes=(0, 1, -1)),
    *rows("repeat-counts", lambda x: fnp.repeat(x, [2, 0, 1], axis=1), (S2, S3)),
    *rows("repeat-counts-None", lambda x: fnp.repeat(x, [1, 0, 3, 2, 1, 1]), (S2,)),
    *rows("repeat-counts--1", lambda x: fnp.repeat(x, [1, 0, 3, 2], axis=-1), (S1, S3)),
    *rows("repeat-0d-axis", lambda x: fnp.repeat(x, 3, axis=0), (S0,)),
    *rows("repeat-complex", lambda x: fnp.repeat(x, [1, 2, 0], axis=-1), (S2,), (cplx,)),
    *rows("repeat-transposed", _repeat_transposed, (((3,), (3,)), ((2, 3), (2, 3))), (real, real)),
    *rows("meshgrid", lambda x, y: fnp.meshgrid(x, y), (((3,), (2,)), ((), (2,)), ((2, 2), (3,))),
          (real, real)),
    *rows("meshgrid-ij", lambda x, y: fnp.meshgrid(x, y, x, indexing="ij"), (((3,), (2,)),),
          (real, real)),
    *rows("meshgrid-sparse", lambda x, y: fnp.meshgrid(x, y, sparse=True), (((3,), (2,)),),
          (real, real)),
    *rows("meshgrid-nocopy", lambda x, y: fnp.meshgrid(x, y, indexing="ij", copy=False),
          (((3,), (2,)),), (real, real)),
    *rows("meshgrid-one", lambda x: fnp.meshgrid(x), (S1,)),
    # reordering
    *rows("flip", fnp.flip, ANY),
    *per_axis("flip", lambda x, a: fnp.flip(x, a)),
    *rows("flip-tuple", lambda x: fnp.flip(x, (0, -1)), (S3,)),
    *rows("flip-complex", lambda x: fnp.flip(x, 0), (S2,), (cplx,)),
    *rows("fliplr", fnp.fliplr, ND2),
    *rows("flipud", fnp.flipud, ND),
    *rows("rot90", fnp.rot90, ND2),
    *rows("rot90-2", lambda x: fnp.rot90(x, 2), ND2),
    *rows("rot90-3", lambda x: fnp.rot90(x, 3, axes=(1, 2)), (S3,)),
    *rows("rot90-negative", lambda x: fnp.rot90(x, -1, axes=(-1, 0)), (S3,)),
    *rows("roll", lambda x: fnp.roll(x, 2), ANY),
    *rows("roll-negative", lambda x: fnp.roll(x, -7), ND),
    *per_axis("roll", lambda x, a: fnp.roll(x, 1, axis=a)),
    *rows("roll-tuple", lambda x: fnp.roll(x, (1, -2, 5), axis=(0, -1, 0)), (S3,)),
    *rows("roll-complex", lambda x: fnp.roll(x, 1, axis=-1), (S2,), (cplx,)),
    # pad: every mode, each pad_width form
    *[row for mode, kw in PAD_MODES for row in
      rows(f"pad-{mode}", lambda x, m=mode.split("-")[0], kw=kw: fnp.pad(x, 2, m, **kw),
           (S1, S2))],
    *[row for mode, kw in PAD_MODES for row in
      rows(f"pad-{mode}-wide", lambda x, m=mode.split("-")[0], kw=kw:
           fnp.pad(x, ((1, 7), (0, 2), (5, 0)), m, **kw), (S3,))],
    *[row for mode, kw in STAT_MODES for row in
      rows(f"pad-{mode}", lambda x, m=mode.split("-")[0], kw=kw: fnp.pad(x, (1, 2), m, **kw),
           (S1, S2, S3), (distinct,))],
    *rows("pad-median-even", lambda x: fnp.pad(x, 1, "median"), (((2, 4),),), (distinct,)),
    *rows("pad-constant-0d", lambda x: fnp.pad(x, 2), (S0,)),
    *rows("pad-width-pair", lambda x: fnp.pad(x, (1, 3), "reflect"), (S1, S2)),
    *rows("pad-width-array", lambda x: fnp.pad(x, [[0, 1], [2, 3]], "symmetric"), (S2,)),
    *rows("pad-width-column", lambda x: fnp.pad(x, [[1], [2]], "wrap"), (S2,)),
    *(rows("pad-width-dict", lambda x: fnp.pad(x, {-1: 2, 0: (1, 0)}, "edge"), (S2, S3))
      if PAD_TAKES_DICT else []),
    *rows("pad-constant_values-traced", lambda x, c: fnp.pad(x, 2, constant_values=c),
          (((3,), ()), ((2, 3), (2,)), ((2, 3), (2, 2)), ((2, 3), (2, 1))), (real, real)),
    *rows("pad-end_values-traced", lambda x, c: fnp.pad(x, (2, 1), "linear_ramp", end_values=c),
          (((3,), ()), ((2, 3), (2, 2))), (real, real)),
    *rows("pad-empty", lambda x: _interior(fnp.pad(x, 2, "empty"), x, 2), (S1, S2)),
    *rows("pad-complex", lambda x: fnp.pad(x, (2, 1), "reflect", reflect_type="odd"), (S2,),
          (cplx,)),
    *rows("pad-complex-ramp", lambda x: fnp.pad(x, (2, 1), "linear_ramp", end_values=1j),
          (S2,), (cplx,)),
    *rows("pad-complex-mean", lambda x: fnp.pad(x, 1, "mean"), (S2,), (cplx,)),
]


def _quiet(f, *args):
    """``f(*args)`` with its DeprecationWarning (NumPy's, for row_stack) silenced."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return f(*args)


def _padded(x, widths):
    """``x`` in a frame of zeros: what trim_zeros takes off again."""
    return fnp.pad(x, widths)


SPECS += [
    # appending, inserting, deleting, resizing
    *rows("concat", lambda x, y: fnp.concat([x, y], axis=-1), (((2, 3), (2, 1)),), (real, real)),
    *rows("append", lambda x, y: fnp.append(x, y), (((), ()), ((3,), (2, 2)), ((2, 3), (4,))),
          (real, real)),
    *rows("append-axis", lambda x, y: fnp.append(x, y, axis=1), (((2, 3), (2, 1)),
                                                                ((2, 3, 4), (2, 2, 4))),
          (real, real)),
    *rows("append-complex", lambda x, y: fnp.append(x, y, axis=0), (((2, 3), (1, 3)),),
          (real, cplx)),
    *rows("insert", lambda x: fnp.insert(x, 1, 5.0), ANY),
    *rows("insert-values", lambda x, v: fnp.insert(x, [0, 2, 2, -1], v, axis=-1),
          (((3,), ()), ((2, 3), (4,)), ((2, 3, 4), (3, 1))), (real, real)),
    *rows("insert-block", lambda x, v: fnp.insert(x, 1, v, axis=1), (((2, 3), (2,)),
                                                                    ((2, 3, 4), (4,))),
          (real, real)),
    *rows("insert-sequence", lambda x, v: fnp.insert(x, [2], v, axis=0), (((2, 3), (2, 3)),),
          (real, real)),
    *rows("insert-slice", lambda x, v: fnp.insert(x, slice(0, 4, 2), v, axis=2),
          (((2, 3, 4), (2,)),), (real, real)),
    *rows("insert-mask", lambda x, v: fnp.insert(x, np.array([True, False, True]), v),
          (((3,), (2,)),), (real, real)),
    *rows("insert-complex", lambda x, v: fnp.insert(x, 2, v), (((3,), ()),), (cplx, cplx)),
    *rows("delete", lambda x: fnp.delete(x, 1), ND),
    *per_axis("delete", lambda x, a: fnp.delete(x, [0, -1], axis=a)),
    *rows("delete-slice", lambda x: fnp.delete(x, slice(None, None, 2), axis=-1), ND),
    *rows("delete-mask", lambda x: fnp.delete(x, [True, False], axis=0), (S2, S3)),
    *rows("resize", lambda x: fnp.resize(x, (3, 5)), ANY),
    *rows("resize-shorter", lambda x: fnp.resize(x, 3), ND),
    *rows("resize-complex", lambda x: fnp.resize(x, (2, 2)), (S1,), (cplx,)),
    *(rows("row_stack", lambda x, y: _quiet(fnp.row_stack, (x, y)),
           (((3,), (3,)), ((2, 3), (1, 3))), (real, real)) if hasattr(fnp, "row_stack") else []),
    # trimming the zeros pad put there
    *rows("trim_zeros", lambda x: fnp.trim_zeros(_padded(x, (2, 1))), (S1,)),
    *rows("trim_zeros-f", lambda x: fnp.trim_zeros(_padded(x, (2, 1)), "f"), (S1,)),
    *rows("trim_zeros-b", lambda x: fnp.trim_zeros(_padded(x, (2, 1)), trim="b"), (S1,)),
    *rows("trim_zeros-2d", lambda x: fnp.trim_zeros(_padded(x, ((1, 2), (0, 1)))), (S2,)),
    *rows("trim_zeros-axis", lambda x: fnp.trim_zeros(_padded(x, 1), axis=-1), (S2, S3)),
    *rows("trim_zeros-axes", lambda x: fnp.trim_zeros(_padded(x, 1), "fb", (0, 2)), (S3,)),
    *rows("trim_zeros-complex", lambda x: fnp.trim_zeros(_padded(x, 1)), (S1,), (cplx,)),
]
