"""`carelint audit --engine spark`: the posts checked on a Spark session, findings to Parquet.

This process reads the inputs with the audit's readers and numbers the posts (as every engine
does), writes them as Parquet to a private temporary folder (0700, removed afterwards: it holds
the posts' text), and has Spark check them with carelint.spark.check_posts (`mapInPandas`, one
engine per executor's Python worker) in `workers`×4 partitions. The findings come back sorted by
post and are written here with the run's summary. `master` is "local[N]" by default; a cluster
master also works when the temporary folder is on storage every executor reads (set TMPDIR) and
the executors' Python has Carelint, which is why organisations on Databricks or EMR use
carelint.spark.check_column on their own tables instead.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from carelint.audit.parquet import FINDINGS_SCHEMA, EngineRun, FindingsWriter
from carelint.audit.readers import Item
from carelint.audit.table import FINDING_COLUMNS
from carelint.settings import Policy
from carelint.spark import check_posts

ROWS_PER_WRITE = 10_000


class SparkUnavailable(RuntimeError):
    """Spark could not start (no Java, most often); the message says what to install."""


def local_session(master: str):
    """A Spark session for this audit, quiet, without its web UI, running this Python."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # executors run Carelint's Python
    from pyspark.sql import SparkSession

    log_config = Path(__file__).with_name("data") / "log4j2-spark.properties"
    builder = (SparkSession.builder.master(master).appName("carelint-audit")
               .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{log_config}"))
    if master.startswith("local"):  # a local session listens on this machine's loopback only
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
    try:
        session = (builder
                   .config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false")
                   .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                   .config("spark.pyspark.python", sys.executable)
                   .getOrCreate())
    except Exception as exc:  # pyspark raises its own runtime errors when the JVM does not start
        raise SparkUnavailable(
            f"Spark did not start ({type(exc).__name__}: {str(exc)[:300]}). Spark needs Java 17 or later: "
            "on Debian or Ubuntu `apt-get install default-jre-headless`.") from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def run_spark(items: Iterable[Item], out: FindingsWriter, *, policy: Policy, model: str, master: str | None,
              workers: int, min_severity: str, salt: bytes, sources: list[str],
              on_progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Check every post on Spark, write the findings to `out` and close it; returns the summary."""
    run = EngineRun(out, engine="spark", policy=policy, model=model, workers=workers, min_severity=min_severity,
                    salt=salt, sources=sources, on_progress=on_progress)
    with tempfile.TemporaryDirectory(prefix="carelint-spark-") as staging:
        files = 0
        for table in run.tables(items):
            pq.write_table(table, Path(staging) / f"posts-{files:06d}.parquet")
            files += 1
        if files:
            session = local_session(master or f"local[{workers}]")
            frame = session.read.parquet(staging).repartition(workers * 4)
            # Checked once and kept: sorting samples its input first, which would check every post twice.
            findings = check_posts(frame, min_severity=min_severity, policy=policy, model=model,
                                   salt=salt).localCheckpoint(eager=True)
            columns: dict[str, list] = {name: [] for name in FINDING_COLUMNS}
            for row in findings.orderBy("post_id", "part", "finding").toLocalIterator():
                for name in FINDING_COLUMNS:
                    columns[name].append(row[name])
                if len(columns["post_id"]) >= ROWS_PER_WRITE:
                    run.write(pa.Table.from_pydict(columns, schema=FINDINGS_SCHEMA))
                    columns = {name: [] for name in FINDING_COLUMNS}
            run.write(pa.Table.from_pydict(columns, schema=FINDINGS_SCHEMA))
    return run.finish()
