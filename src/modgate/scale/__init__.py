"""Scale-out on Dask: distributed batch scoring, backfills with a launch-impact report.

Workers receive JSON specs (store URL, enforcer ref, item ids) and hand back Parquet files;
only the driver writes to the store, under the verdicts' unique key, so every item is scored
exactly once even when a worker dies mid-run. Dask loads on first use.
"""

from typing import TYPE_CHECKING

from modgate._lazy import attach

if TYPE_CHECKING:
    from modgate.scale._backfill import (
        BackfillResult,
        DistributedScoreResult,
        backfill,
        score_items_distributed,
    )
    from modgate.scale._choices import DEFAULT_PARTITION_SIZE, Engine
    from modgate.scale._engine import dask_client
    from modgate.scale._eval import (
        ClusterScoringSources,
        DistributedEvalResult,
        run_eval_distributed,
    )
    from modgate.scale._exchange import (
        VERDICT_COLUMNS,
        read_verdicts_parquet,
        write_verdicts_parquet,
    )
    from modgate.scale._impact import ImpactReport, ImpactRow, launch_impact
    from modgate.scale._partitions import Partition, make_partitions
    from modgate.scale._worker import PartitionTask, score_partition

__getattr__, __dir__ = attach(
    __name__,
    {
        "DEFAULT_PARTITION_SIZE": "modgate.scale._choices",
        "Engine": "modgate.scale._choices",
        "BackfillResult": "modgate.scale._backfill",
        "DistributedScoreResult": "modgate.scale._backfill",
        "backfill": "modgate.scale._backfill",
        "score_items_distributed": "modgate.scale._backfill",
        "dask_client": "modgate.scale._engine",
        "ClusterScoringSources": "modgate.scale._eval",
        "DistributedEvalResult": "modgate.scale._eval",
        "run_eval_distributed": "modgate.scale._eval",
        "VERDICT_COLUMNS": "modgate.scale._exchange",
        "read_verdicts_parquet": "modgate.scale._exchange",
        "write_verdicts_parquet": "modgate.scale._exchange",
        "ImpactReport": "modgate.scale._impact",
        "ImpactRow": "modgate.scale._impact",
        "launch_impact": "modgate.scale._impact",
        "Partition": "modgate.scale._partitions",
        "make_partitions": "modgate.scale._partitions",
        "PartitionTask": "modgate.scale._worker",
        "score_partition": "modgate.scale._worker",
    },
)

__all__ = [
    "DEFAULT_PARTITION_SIZE",
    "Engine",
    "VERDICT_COLUMNS",
    "BackfillResult",
    "ClusterScoringSources",
    "DistributedEvalResult",
    "DistributedScoreResult",
    "ImpactReport",
    "ImpactRow",
    "Partition",
    "PartitionTask",
    "backfill",
    "dask_client",
    "launch_impact",
    "make_partitions",
    "read_verdicts_parquet",
    "run_eval_distributed",
    "score_items_distributed",
    "score_partition",
    "write_verdicts_parquet",
]
