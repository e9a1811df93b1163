"""Average the weights of readers trained on from one saved reader (a "model soup").

Why: two sittings from the same start, on different news data, each win on a different set (one
keeps the product's headline question, the other reads more of the news set's dev half); their
average stays in the same basin and keeps most of both, at no training cost and no runtime cost
(one reader, the same size). Development only; the product reads the result like any reader.

    /work/ft/bin/python training/soup_reader.py training/out/reader-news-untitled.npz \
        training/out/reader-news2-untitled.npz --out training/out/reader-soup.npz
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np


def soup(paths: list[Path]) -> dict[str, np.ndarray]:
    """The element-wise mean of the readers' float arrays; the first reader's meta, with the
    soup's ingredients and the titles choice of all of them (they must agree)."""
    readers = [dict(np.load(p)) for p in paths]
    names = set(readers[0])
    if any(set(r) != names for r in readers):
        raise SystemExit("the readers hold different arrays: not one architecture")
    metas = [json.loads(bytes(r.pop("__meta__")).decode()) for r in readers]
    if len({(m["layers"], m["max_len"], m.get("titles", True)) for m in metas}) != 1:
        raise SystemExit("the readers differ in layers, max_len or titles")
    out: dict[str, np.ndarray] = {}
    for key in readers[0]:
        first = readers[0][key]
        if first.dtype.kind != "f":
            out[key] = first
            continue
        mean = np.mean([r[key].astype(np.float32) for r in readers], axis=0)
        out[key] = mean.astype(first.dtype)
    meta = dict(metas[0], soup=[p.name for p in paths], soup_of=metas)
    out["__meta__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("readers", type=Path, nargs="+")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    if len(args.readers) < 2:
        raise SystemExit("a soup needs two readers or more")
    arrays: dict[str, Any] = soup(args.readers)
    np.savez(args.out, **arrays)
    print(f"{args.out}: the mean of {len(args.readers)} readers")


if __name__ == "__main__":
    main()
