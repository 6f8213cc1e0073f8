"""CascadeEnforcer: cheap stages first, the expensive ones only for the uncertain score band.

E.g. rules → classifier → LLM → review: each stage judges what reached it; an item whose score
falls in the stage's `escalate` band (or whose verdict failed) goes on to the next stage, every
other item keeps the stage's verdict. An item still in the band after the last stage goes to
review. The report says what share of the traffic reached each stage and what each stage cost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from modgate.domain import Action, Item, Verdict
from modgate.enforce._kinds import EnforcerKind, KindContext, get_enforcer_kind
from modgate.enforce._protocol import Enforcer, EnforcerSpec, run_stats_of
from modgate.errors import ConfigError

if TYPE_CHECKING:
    from modgate.enforce.llm import LLMRunStats


class ScoreBand(BaseModel):
    """Scores in [low, high) are uncertain: the item is escalated."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    low: float = Field(ge=0.0, le=1.0)
    """Lowest uncertain score (inclusive)."""
    high: float = Field(ge=0.0, le=1.0)
    """Upper bound of the uncertain band (exclusive; 1.0 includes a score of 1)."""

    @model_validator(mode="after")
    def _ordered(self) -> ScoreBand:
        if self.low > self.high:
            raise ValueError(f"band low {self.low} is above high {self.high}")
        return self

    def contains(self, score: float) -> bool:
        """Whether a score is in the band."""
        return self.low <= score < self.high or (self.high == 1.0 and score == 1.0)


class CascadeStageParams(BaseModel):
    """One stage in the spec: the enforcer it runs and the band it escalates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    spec: EnforcerSpec
    """Spec of the stage's enforcer (any registered kind)."""
    escalate: ScoreBand | None = None
    """Scores passed on to the next stage (on the last stage: sent to review)."""
    escalate_errors: bool = True
    """Pass items this stage failed on to the next stage (the last stage's errors stay review)."""


class CascadeParams(BaseModel):
    """Parameters of the `cascade` kind."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stages: list[CascadeStageParams] = Field(min_length=1)
    """Stages, cheapest first."""


@dataclass(frozen=True)
class CascadeStage:
    """A built stage: an enforcer and the band it escalates."""

    enforcer: Enforcer
    """The stage's enforcer."""
    escalate: ScoreBand | None = None
    """Uncertain band (None: the stage decides everything that reaches it)."""
    escalate_errors: bool = True
    """Pass failures on to the next stage."""

    @property
    def name(self) -> str:
        """The stage enforcer's reference."""
        return self.enforcer.spec.ref


class StageReport(BaseModel):
    """Traffic and cost of one stage in one run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: str
    """Enforcer reference of the stage."""
    kind: str
    """Its kind."""
    items: int
    """Items that reached the stage."""
    share: float
    """Share of the run's items that reached it."""
    escalated: int
    """Items it passed on (or, for the last stage, sent to review as uncertain)."""
    errors: int
    """Verdicts with an error it produced."""
    cost: float
    """Money it spent."""
    latency_ms: float
    """Sum of its verdicts' latencies."""


class CascadeReport(BaseModel):
    """What one cascade run did, stage by stage."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    items: int
    """Items judged."""
    stages: tuple[StageReport, ...]
    """One report per stage, in order."""
    uncertain_to_review: int
    """Items still uncertain after the last stage, sent to review."""
    cost: float
    """Total cost."""


class CascadeEnforcer:
    """Enforcer of kind `cascade`.

    Args:
        spec: The cascade's spec (its params list the stages), or its dict form.
        stages: Built stages; when given, `params.stages` is not used to build them.
        context: What stage kinds may ask for (store, workspace, environment, and the
            registry stage kinds are looked up in: default, every installed plugin).

    Raises:
        ConfigError: The params or a stage's spec are invalid.
    """

    def __init__(
        self,
        spec: EnforcerSpec | Mapping[str, Any],
        *,
        stages: Sequence[CascadeStage] | None = None,
        context: KindContext | None = None,
    ) -> None:
        self._spec = spec if isinstance(spec, EnforcerSpec) else EnforcerSpec.model_validate(spec)
        if stages is None:
            stages = self._build_stages(context or KindContext())
        if not stages:
            raise ConfigError(f"cascade {self._spec.name!r} has no stages")
        self.stages: tuple[CascadeStage, ...] = tuple(stages)
        self.last_report: CascadeReport | None = None
        self.last_run_stats: LLMRunStats | None = None
        """Run figures of the last stage that reported some in the last run (e.g. the LLM
        judge's `LLMRunStats`), so evaluations of a cascade see its LLM reliability."""

    def _build_stages(self, context: KindContext) -> list[CascadeStage]:
        try:
            params = CascadeParams.model_validate(self._spec.params)
        except ValidationError as exc:
            problems = "; ".join(
                f"params.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise ConfigError(f"cascade {self._spec.name!r}: {problems}") from exc
        return [
            CascadeStage(
                enforcer=get_enforcer_kind(stage.spec.kind, context.registry).create(
                    stage.spec, context
                ),
                escalate=stage.escalate,
                escalate_errors=stage.escalate_errors,
            )
            for stage in params.stages
        ]

    @property
    def spec(self) -> EnforcerSpec:
        """The spec that re-creates this cascade."""
        return self._spec

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        """Judge a batch, escalating the uncertain band stage by stage.

        Returns:
            One verdict per item, in order, tagged with the cascade's reference; the
            rationale names the deciding stage.
        """
        final: list[Verdict | None] = [None] * len(items)
        spent_cost = [0.0] * len(items)
        spent_ms = [0.0] * len(items)
        pending = list(range(len(items)))
        reports: list[StageReport] = []
        uncertain = 0
        self.last_run_stats = None
        for number, stage in enumerate(self.stages):
            last = number == len(self.stages) - 1
            reached = len(pending)
            verdicts = stage.enforcer.predict([items[i] for i in pending]) if pending else []
            stage_stats = run_stats_of(stage.enforcer) if pending else None
            if stage_stats is not None:
                self.last_run_stats = stage_stats
            if len(verdicts) != len(pending):
                raise ConfigError(
                    f"stage {stage.name} returned {len(verdicts)} verdicts for {len(pending)} items"
                )
            onward: list[int] = []
            errors = 0
            for index, verdict in zip(pending, verdicts, strict=True):
                spent_cost[index] += verdict.cost
                spent_ms[index] += verdict.latency_ms
                errors += verdict.error is not None
                if verdict.error is not None:
                    escalate = stage.escalate_errors and not last
                else:
                    escalate = stage.escalate is not None and stage.escalate.contains(verdict.score)
                if escalate and not last:
                    onward.append(index)
                elif escalate:
                    uncertain += 1
                    onward.append(index)
                    final[index] = self._retag(
                        verdict.model_copy(update={"action": Action.REVIEW}),
                        stage,
                        spent_cost[index],
                        spent_ms[index],
                        note="uncertain after the last stage",
                    )
                else:
                    final[index] = self._retag(verdict, stage, spent_cost[index], spent_ms[index])
            reports.append(
                StageReport(
                    stage=stage.name,
                    kind=stage.enforcer.spec.kind,
                    items=reached,
                    share=reached / len(items) if items else 0.0,
                    escalated=len(onward),
                    errors=errors,
                    cost=sum(v.cost for v in verdicts),
                    latency_ms=sum(v.latency_ms for v in verdicts),
                )
            )
            pending = [] if last else onward
        self.last_report = CascadeReport(
            items=len(items),
            stages=tuple(reports),
            uncertain_to_review=uncertain,
            cost=sum(r.cost for r in reports),
        )
        out: list[Verdict] = []
        for maybe in final:
            assert maybe is not None
            out.append(maybe)
        return out

    def _retag(
        self, verdict: Verdict, stage: CascadeStage, cost: float, latency_ms: float, note: str = ""
    ) -> Verdict:
        prefix = f"[{stage.name}{': ' + note if note else ''}] "
        return verdict.model_copy(
            update={
                "enforcer": self._spec.ref,
                "policy": self._spec.policy,
                "cost": cost,
                "latency_ms": latency_ms,
                "rationale": prefix + verdict.rationale,
            }
        )


CASCADE_KIND = EnforcerKind(
    name="cascade",
    build=lambda spec, context: CascadeEnforcer(spec, context=context),
    params_model=CascadeParams,
    summary="cheap stages first; the uncertain band escalates to the next stage",
)
"""The `cascade` kind: its stages are built through their own kinds' records."""


__all__ = [
    "CASCADE_KIND",
    "CascadeEnforcer",
    "CascadeParams",
    "CascadeReport",
    "CascadeStage",
    "CascadeStageParams",
    "ScoreBand",
    "StageReport",
]
