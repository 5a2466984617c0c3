"""Carelint on Spark (Databricks, EMR, a local session): check a DataFrame column of posts.

    from carelint.spark import check_column
    findings = check_column(posts_df, "text", id_column="post_id", salt=my_32_random_bytes)
    findings.write.parquet("s3://…/carelint-findings")

`check_column` returns one row per finding with the columns of an audit's findings file
(carelint.audit.table.FINDING_COLUMNS): the post's id, the rule, category, severity, the span's
offsets (code points) and a salted hash of the flagged words instead of the words, so the result
can be stored where the posts themselves may not be. The check runs in `mapInPandas`; each
executor's Python worker loads the model once (kept in this module, `_checkers`), as Presidio's
own Spark sample keeps one analyzer per executor. Executors need Carelint installed (with the
`spark` extra) in the Python that Spark runs (`spark.pyspark.python`). `carelint audit --engine
spark` is this on a local session (audit/spark_engine.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from carelint.audit.table import FINDING_COLUMNS, POST_COLUMNS, PostChecker
from carelint.settings import DEFAULT_MODEL, Policy

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame

_checkers: dict[tuple, PostChecker] = {}  # per Python worker process: its engine, loaded once


def findings_schema():
    from pyspark.sql.types import IntegerType, LongType, StringType, StructField, StructType

    types = dict(post_id=LongType(), part=IntegerType(), finding=IntegerType(), start=LongType(), end=LongType())
    return StructType([StructField(name, types.get(name, StringType()), True) for name in FINDING_COLUMNS])


def check_column(df: DataFrame, column: str = "text", *, id_column: str | None = None,
                 platform: str = "generic", platform_column: str | None = None, min_severity: str = "low",
                 policy: Policy | None = None, model: str = DEFAULT_MODEL, salt: bytes) -> DataFrame:
    """The findings of the posts in `df[column]` (rows whose text is null are skipped).

    `id_column` (cast to long) names each post in the result's `post_id`; without it Spark's
    monotonically_increasing_id does. `platform_column` gives each post's platform (else
    `platform` for all). `salt` (16 bytes or more, kept secret) keys the hashes: the same key
    gives the same hash for the same words across runs."""
    from pyspark.sql import functions as F

    post_id = F.col(id_column).cast("long") if id_column else F.monotonically_increasing_id()
    posts = df.where(F.col(column).isNotNull()).select(
        post_id.alias("post_id"),
        F.lit(None).cast("string").alias("source_file"),
        post_id.cast("string").alias("location"),
        (F.col(platform_column) if platform_column else F.lit(platform)).cast("string").alias("platform"),
        F.lit(None).cast("string").alias("date"),
        F.lit(0).cast("int").alias("part"),
        F.lit(0).cast("long").alias("offset"),
        F.col(column).cast("string").alias("text"),
    )
    return check_posts(posts, min_severity=min_severity, policy=policy, model=model, salt=salt)


def check_posts(posts: DataFrame, *, min_severity: str = "low", policy: Policy | None = None,
                model: str = DEFAULT_MODEL, salt: bytes) -> DataFrame:
    """The findings of a DataFrame with POST_COLUMNS (as the audit's readers give posts)."""
    settings = (model, (policy or Policy()).model_dump_json(), min_severity, bytes(salt))
    PostChecker.validate(min_severity, salt)  # here, not in an executor's stack trace
    return posts.select(*POST_COLUMNS).mapInPandas(_check_frames(settings), schema=findings_schema())


def _check_frames(settings: tuple) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    def run(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        import pandas as pd

        checker = _checker(settings)
        for frame in frames:
            posts: dict[str, list[Any]] = {name: frame[name].tolist() for name in POST_COLUMNS}
            posts["date"] = [d if isinstance(d, str) else None for d in posts["date"]]  # NaN from pandas
            posts["source_file"] = [s if isinstance(s, str) else None for s in posts["source_file"]]
            yield pd.DataFrame(checker(posts), columns=list(FINDING_COLUMNS))

    return run


def _checker(settings: tuple) -> PostChecker:
    if settings not in _checkers:
        model, policy_json, min_severity, salt = settings
        _checkers[settings] = PostChecker(model, Policy.model_validate_json(policy_json).model_dump(),
                                          min_severity, salt)
    return _checkers[settings]
