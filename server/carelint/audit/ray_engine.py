"""`carelint audit --engine ray`: the posts checked by Ray Data actors, findings to Parquet.

This process (the driver) reads the inputs with the same readers as every audit
(audit/readers.py: platform exports, CSV, JSON/JSONL, text, Parquet), numbers the posts as the
local runner does and puts them into Ray's object store in Arrow tables of 512 posts. Ray Data
then runs `map_batches` with a stateful callable (`_RayPostChecker`, audit/table.PostChecker):
each of `workers` actors loads the model once and checks a block per call. Their
findings rows (no post text: salted hashes, audit/table.py) stream back in input order and are
written here, one Parquet file, with the run's summary. Pictures in audited folders are checked
here afterwards, as the local runner does.

`address`: "local" starts a private Ray with `workers` CPUs for this run (and stops it after);
"auto" or "ray://host:10001" joins a running cluster, whose nodes need Carelint installed with
the same version. Ray's usage statistics are switched off before Ray starts (nothing leaves the
machine), and its dashboard is not started.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from typing import Any

import pyarrow as pa

from carelint.audit.parquet import FINDINGS_SCHEMA, EngineRun, FindingsWriter
from carelint.audit.readers import Item
from carelint.audit.table import PostChecker
from carelint.settings import Policy

TABLE_POSTS = 512  # posts per object put into Ray's store: one input block, which one actor checks


class _RayPostChecker(PostChecker):
    """PostChecker on Arrow tables, as Ray Data hands them over."""

    def __call__(self, posts: pa.Table) -> pa.Table:  # type: ignore[override]
        return pa.Table.from_pydict(super().__call__(posts.to_pydict()), schema=FINDINGS_SCHEMA)


def run_ray(items: Iterable[Item], out: FindingsWriter, *, policy: Policy, model: str, address: str, workers: int,
            min_severity: str, salt: bytes, sources: list[str], on_progress: Callable[[int], None] | None = None,
            ) -> dict[str, Any]:
    """Check every post on Ray, write the findings to `out` and close it; returns the summary.
    Raises ImportError without Ray, carelint.nlp.ModelNotFound when an actor cannot load the model."""
    run = EngineRun(out, engine="ray", policy=policy, model=model, workers=workers, min_severity=min_severity,
                    salt=salt, sources=sources, on_progress=on_progress)
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # before Ray is imported: no telemetry
    import ray
    import ray.data

    local = address == "local"
    ray.init(address=None if local else address, num_cpus=workers if local else None, include_dashboard=False,
             logging_level=logging.ERROR, log_to_driver=False, configure_logging=True,
             ignore_reinit_error=True)
    for name in ("ray", "ray.data"):  # Ray Data logs its plan, progress and hints
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # findings in input order, as the local audit's
        context.enable_progress_bars = False  # the command line shows its own
        refs = [ray.put(table) for table in run.tables(items, rows=TABLE_POSTS)]
        if refs:
            findings = ray.data.from_arrow_refs(refs).map_batches(
                _RayPostChecker, batch_size=TABLE_POSTS, batch_format="pyarrow", num_cpus=1,
                compute=ray.data.ActorPoolStrategy(size=workers),
                fn_constructor_kwargs=dict(model=model, policy=policy.model_dump(), min_severity=min_severity,
                                           salt=salt))
            for batch in findings.iter_batches(batch_format="pyarrow", batch_size=None):
                run.write(batch)
    finally:
        ray.shutdown()
    return run.finish()
