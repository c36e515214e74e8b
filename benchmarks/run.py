"""python -m benchmarks [--only NAME ...] [--json FILE] [--threads N] [--quick]

Also runnable as `python benchmarks/run.py`. Thread limits go into the environment
first, before numpy, torch or jax is imported.
"""
import argparse
import os
import sys

if __package__ in (None, ""):  # run as a script: import the package from the repo root
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from benchmarks import WORKLOADS, pin_threads  # noqa: E402  (imports nothing heavy)

_pre = argparse.ArgumentParser(add_help=False)
_pre.add_argument("--threads", type=int, default=1)
pin_threads(_pre.parse_known_args()[0].threads)

import importlib  # noqa: E402
import json  # noqa: E402
import traceback  # noqa: E402

from benchmarks import common  # noqa: E402  (imports numpy: only now)


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks", description="fgrad vs autograd, torch and jax.")
    p.add_argument("--only", nargs="+", choices=WORKLOADS, metavar="NAME",
                   help=f"run only these workloads, from: {', '.join(WORKLOADS)}")
    p.add_argument("--json", metavar="FILE", help="also write every result to FILE as JSON")
    p.add_argument("--threads", type=int, default=1, help="threads for BLAS, torch and XLA (default 1)")
    p.add_argument("--quick", action="store_true", help="shorter timing loops and smaller problems")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    common.SETTINGS.quick = args.quick
    info = common.machine_info()
    common.print_machine(info)
    for name in args.only or WORKLOADS:
        try:
            importlib.import_module(f"benchmarks.{name}").run()
        except Exception:  # a broken workload must not hide the others
            print(f"\n!!! workload {name} failed:\n{traceback.format_exc()}", flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"machine": info, "settings": vars(args), "results": common.RESULTS},
                      fh, indent=1, default=str)
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
