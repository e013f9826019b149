"""nucagree on a Dask cluster: a comparison's FOVs split into shards, one task per shard on
the cluster's workers, the partials merged on the client.

Each worker reads its own FOVs from the paths given, so the sets must be at a path every
worker sees (a shared file system; absolute paths are safest, and are what `summary.json`
names), and so must ``partial_dir``, where the workers write
their partials for the client to merge (a temporary folder on the client by default, which
suits a ``LocalCluster``)::

    from dask.distributed import Client, LocalCluster
    import nucagree.dask

    client = Client(LocalCluster(n_workers=2, processes=True))
    result = nucagree.dask.score("truth/", "predictions/", client, shards=8)
    result.summary == nucagree.score("truth/", "predictions/").summary   # True

Needs the ``dask`` extra: ``pip install ./python[dask]``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from . import Result, _nucagree, merge

__all__ = ["agree", "compare", "score"]


def _shard(job: str, a: str, b: str, out: str, index: int, count: int, options: dict) -> str:
    """One task: shard ``index`` of ``count`` written as a partial into ``out``."""
    if job == "agree":
        return _nucagree.agree_partial(a, out, shard=(index, count), **options)
    return _nucagree.partial(job, a, b, out, shard=(index, count), **options)


def _run(job: str, a: Any, b: Any, client: Any, shards: int, partial_dir: Any, options: dict) -> Result:
    if not isinstance(shards, int) or shards < 1:
        raise ValueError(f"shards={shards!r}: expected a positive number of shards")
    a, b = os.fspath(a), (None if b is None else os.fspath(b))
    own_dir = partial_dir is None
    folder = tempfile.mkdtemp(prefix="nucagree-partials-") if own_dir else os.fspath(partial_dir)
    try:
        futures = [
            client.submit(
                _shard,
                job,
                a,
                b,
                os.path.join(folder, f"shard-{index}-of-{shards}"),
                index,
                shards,
                options,
                pure=False,
            )
            for index in range(shards)
        ]
        parts = client.gather(futures)
        return merge(parts, threads=options.get("threads"))
    finally:
        if own_dir:
            shutil.rmtree(folder, ignore_errors=True)


def score(truth: Any, pred: Any, client: Any, shards: int, partial_dir: Any = None, **options: Any) -> Result:
    """:func:`nucagree.score` over ``shards`` shards of the FOVs, one task each on the
    workers of the ``dask.distributed`` ``client``; the same result, bit for bit (no match
    table, no overlays: the partials keep no nuclei). ``truth`` and ``pred`` are paths every
    worker sees; the options are :func:`nucagree.score`'s."""
    return _run("score", pred, truth, client, shards, partial_dir, options)


def compare(a: Any, b: Any, client: Any, shards: int, partial_dir: Any = None, **options: Any) -> Result:
    """:func:`nucagree.compare` over ``shards`` shards on a Dask cluster (see :func:`score`)."""
    return _run("compare", a, b, client, shards, partial_dir, options)


def agree(study: Any, client: Any, shards: int, partial_dir: Any = None, **options: Any) -> Result:
    """:func:`nucagree.agree` over ``shards`` shards of the FOVs on a Dask cluster: each task
    clusters and labels its FOVs; the statistics (the inferred truths, the bootstrap, the
    raters-needed draws) are computed on the client from every FOV's labels, bit for bit as
    one run computes them."""
    return _run("agree", study, None, client, shards, partial_dir, options)
