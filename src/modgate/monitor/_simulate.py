"""SIMULATED decision traffic over real texts, with injectable scenarios and a ground truth.

The texts are real (a JSONL file of `/work/shared/data`, common schema); everything else is
simulated and says so: communities (Zipf-distributed volumes), timestamps (a diurnal cycle),
author ids, and the injected scenarios. `plan_traffic` is pure and deterministic under a
seed; `run_simulation` saves the planned items, decides them through the real
`decide_with_deployments` path, records each decision's monitor features and writes the
ground-truth file. See docs/monitor.md ("Simulated traffic").
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import random
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from modgate.domain import Action, Item, Verdict
from modgate.errors import ValidationError

SIMULATED: Literal["SIMULATED"] = "SIMULATED"
"""The marker every simulator output carries."""

STATED_MODEL = (
    "SIMULATED traffic: texts are real rows of the source file; communities, volumes (Zipf over "
    "communities), timestamps (diurnal cycle), author ids and every injected scenario are "
    "simulated by modgate simulate and are not observations."
)


def _utc(value: datetime) -> datetime:
    """A time without a zone is UTC; any other zone is converted to UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcTime = Annotated[datetime, AfterValidator(_utc)]
"""A datetime read as UTC when it has no zone."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TrafficModel(_Frozen):
    """The stated model of simulated traffic."""

    communities: int = Field(default=20_000, ge=1)
    """Number of simulated communities (`sim-c00000`, …)."""
    items: int = Field(default=10_000, ge=1)
    """Items over the whole period (scenarios add their own)."""
    days: float = Field(default=7.0, gt=0)
    """Length of the period in days."""
    start: UtcTime = datetime(2026, 11, 1, tzinfo=UTC)
    """Start of the period (UTC)."""
    zipf_exponent: float = Field(default=1.1, gt=0)
    """Community k (1-based rank) gets volume ∝ k^-exponent."""
    diurnal_amplitude: float = Field(default=0.6, ge=0, lt=1)
    """Hourly intensity ∝ 1 + amplitude·cos(2π(hour − peak)/24)."""
    peak_hour: float = Field(default=20.0, ge=0, lt=24)
    """Hour (UTC) of the daily peak."""
    authors: int = Field(default=5_000, ge=1)
    """Simulated author ids (`sim-u00000`, …), Zipf-active with the same exponent."""
    seed: int = 0


class EvasionWave(_Frozen):
    """From `start`, violating items of `communities` are obfuscated by a red-team perturbation."""

    kind: Literal["evasion_wave"] = "evasion_wave"
    start: UtcTime
    communities: tuple[str, ...] = Field(min_length=1)
    share: float = Field(default=1.0, gt=0, le=1)
    """Share of the violating items there that are obfuscated."""
    extra_items: int = Field(default=0, ge=0)
    """Extra violating (obfuscated) items posted there after `start`."""
    perturbation: str = "zero_width"
    """A normalized-family red-team perturbation (`zero_width`, `leetspeak`, `homoglyphs`, …)."""


class TopicShift(_Frozen):
    """From `start`, a share of all items are drawn from another source file."""

    kind: Literal["topic_shift"] = "topic_shift"
    start: UtcTime
    source: Path
    share: float = Field(default=0.3, gt=0, le=1)


class CommunitySurge(_Frozen):
    """From `start`, `community` gets `items` extra items (drawn like its usual ones)."""

    kind: Literal["community_surge"] = "community_surge"
    start: UtcTime
    community: str
    items: int = Field(ge=1)
    hours: float = Field(default=24.0, gt=0)


class Brigading(_Frozen):
    """From `start`, `authors` post `items` violating items into `community`."""

    kind: Literal["brigading"] = "brigading"
    start: UtcTime
    community: str
    authors: tuple[str, ...] = Field(min_length=1)
    items: int = Field(ge=1)
    hours: float = Field(default=6.0, gt=0)


class ModelRegression(_Frozen):
    """From `start`, the canary of `policy` flips `share` of its verdicts (a regressed model).

    With `deploy`, that enforcer version is deployed as the canary at `start` (through the
    release path, forced with a reason that says SIMULATED) instead of being deployed already.
    """

    kind: Literal["model_regression"] = "model_regression"
    start: UtcTime
    policy: str
    share: float = Field(default=0.5, gt=0, le=1)
    deploy: str | None = Field(default=None, pattern=r"^[^@\s]+@\d+$")
    """`name@version` to deploy as the canary at `start` (default: the canary already there)."""
    canary_share: float = Field(default=0.3, gt=0, lt=1)
    """Traffic share of that canary."""


class PolicyChange(_Frozen):
    """At `start`, `enforcer` (a registered version of the policy's new wording) goes active.

    The simulator deploys it through the release path (`deploy … active`, forced with a reason
    that says SIMULATED, at `start`), so the decisions after it are its own and the monitors'
    alerts link to that deployment.
    """

    kind: Literal["policy_change"] = "policy_change"
    start: UtcTime
    enforcer: str = Field(pattern=r"^[^@\s]+@\d+$")
    """`name@version` to make active."""


Scenario = Annotated[
    EvasionWave | TopicShift | CommunitySurge | Brigading | ModelRegression | PolicyChange,
    Field(discriminator="kind"),
]


class SimulationSpec(_Frozen):
    """A traffic model, its source texts and the scenarios to inject."""

    model: TrafficModel = TrafficModel()
    source: Path
    """A JSONL(.gz) file in the common schema (`text`, `label`, …)."""
    scenarios: tuple[Scenario, ...] = ()


class SourceText(_Frozen):
    """One real row of a source file."""

    id: str
    text: str
    violating: bool
    source: str


class PlannedItem(_Frozen):
    """One simulated item: a real text placed in a simulated community, time and author."""

    item: Item
    violating: bool
    """The source row's label (not the enforcer's)."""
    scenario: str | None = None
    """Index and kind of the scenario that injected or altered it (`0:evasion_wave`)."""


class TrafficPlan(_Frozen):
    """The planned traffic, in time order, and the ground truth of what was injected."""

    simulated: Literal["SIMULATED"] = SIMULATED
    items: tuple[PlannedItem, ...]
    ground_truth: dict[str, Any]


def load_source(path: Path, *, limit: int | None = None) -> list[SourceText]:
    """Read the rows of a common-schema JSONL(.gz) file (read in place, never copied).

    Raises:
        ValidationError: The file is missing, not JSONL, or a row lacks `text`/`label`.
    """
    if not path.is_file():
        raise ValidationError(f"source file {path} does not exist")
    opener = gzip.open if path.suffix == ".gz" else open
    found: list[SourceText] = []
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                row = json.loads(line)
                if not isinstance(row, dict) or "text" not in row or "label" not in row:
                    raise ValidationError(f"{path} line {n}: a row needs `text` and `label`")
                text = str(row["text"]).strip()
                if text:
                    found.append(
                        SourceText(
                            id=str(row.get("id", f"{path.name}:{n}")),
                            text=text,
                            violating=row["label"] == "violating",
                            source=path.name,
                        )
                    )
                if limit is not None and len(found) >= limit:
                    break
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"{path} is not readable JSONL: {exc}") from exc
    if not found:
        raise ValidationError(f"{path} has no rows with text")
    return found


def community_name(k: int) -> str:
    """The simulated community of 0-based rank `k`."""
    return f"sim-c{k:05d}"


def author_name(k: int) -> str:
    """The simulated author of 0-based rank `k`."""
    return f"sim-u{k:05d}"


def zipf_weights(n: int, exponent: float) -> np.ndarray:
    """Normalized Zipf weights k^-s for ranks 1..n."""
    w = np.arange(1, n + 1, dtype=float) ** -exponent
    return np.asarray(w / w.sum())


def diurnal_offsets(
    rng: np.random.Generator, n: int, model: TrafficModel, hours: float | None = None
) -> np.ndarray:
    """`n` offsets in seconds over `hours` (default the period), thinned by the diurnal cycle."""
    span = (hours if hours is not None else model.days * 24.0) * 3600.0
    out = np.empty(0)
    while out.size < n:  # rejection sampling: accept with intensity / max intensity
        t = rng.uniform(0.0, span, size=max(2 * (n - out.size), 16))
        start_hour = model.start.hour + model.start.minute / 60
        hour = (start_hour + t / 3600.0) % 24
        accept = 1 + model.diurnal_amplitude * np.cos(2 * math.pi * (hour - model.peak_hour) / 24)
        keep = rng.uniform(0.0, 1 + model.diurnal_amplitude, size=t.size) < accept
        out = np.concatenate([out, t[keep]])
    return np.asarray(out[:n])


def _item_id(seed: int, n: int) -> str:
    return f"sim-{hashlib.sha256(f'{seed}:{n}'.encode()).hexdigest()[:12]}-{n:07d}"


def _obfuscate(name: str, text: str, seed: int, key: str) -> str:
    from modgate.redteam import builtin_perturbations  # on first use: keeps imports light

    factories = builtin_perturbations()
    if name not in factories or name.startswith("llm_"):
        raise ValidationError(f"unknown or non-local perturbation {name!r}")
    perturbation = factories[name](rate=1.0)
    rng = random.Random(f"{seed}:{key}")
    return str(perturbation.apply(text, rng))


def plan_traffic(
    spec: SimulationSpec,
    texts: Sequence[SourceText],
    extra_sources: Mapping[Path, Sequence[SourceText]] | None = None,
) -> TrafficPlan:
    """Plan simulated traffic over these texts (pure, deterministic under `spec.model.seed`).

    Args:
        spec: The model and scenarios.
        texts: Rows of `spec.source`.
        extra_sources: Rows of each topic-shift source.

    Returns:
        The items in time order and the ground truth (every scenario with its start, size,
        where it went and the ids of the items it injected or altered).
    """
    model = spec.model
    rng = np.random.default_rng(model.seed)
    extra = extra_sources or {}
    violating = [t for t in texts if t.violating]
    if not violating:
        raise ValidationError("the source has no violating rows; scenarios need some")
    comm_w = zipf_weights(model.communities, model.zipf_exponent)
    auth_w = zipf_weights(model.authors, model.zipf_exponent)
    end = model.start + timedelta(days=model.days)
    rows: list[dict[str, Any]] = []

    def add(text: SourceText, at: datetime, community: str, author: str, scen: str | None) -> None:
        rows.append(
            {"text": text, "at": at, "community": community, "author": author, "scenario": scen}
        )

    offsets = diurnal_offsets(rng, model.items, model)
    comms = rng.choice(model.communities, size=model.items, p=comm_w)
    authors = rng.choice(model.authors, size=model.items, p=auth_w)
    picks = rng.integers(0, len(texts), size=model.items)
    for off, c, a, p in zip(offsets, comms, authors, picks, strict=True):
        at = model.start + timedelta(seconds=float(off))
        add(texts[int(p)], at, community_name(int(c)), author_name(int(a)), None)

    truth: list[dict[str, Any]] = []
    for index, scenario in enumerate(spec.scenarios):
        label = f"{index}:{scenario.kind}"
        if not model.start <= scenario.start < end:
            raise ValidationError(f"scenario {label} starts outside the simulated period")
        entry: dict[str, Any] = {"scenario": label, **scenario.model_dump(mode="json")}
        after_h = (end - scenario.start).total_seconds() / 3600
        if isinstance(scenario, CommunitySurge | Brigading):
            hours = min(scenario.hours, after_h)
            offs = diurnal_offsets(rng, scenario.items, model, hours)
            for off in offs:
                at = scenario.start + timedelta(seconds=float(off))
                if isinstance(scenario, CommunitySurge):
                    text = texts[int(rng.integers(0, len(texts)))]
                    who = author_name(int(rng.choice(model.authors, p=auth_w)))
                else:
                    text = violating[int(rng.integers(0, len(violating)))]
                    who = scenario.authors[int(rng.integers(0, len(scenario.authors)))]
                add(text, at, scenario.community, who, label)
        elif isinstance(scenario, EvasionWave) and scenario.extra_items:
            offs = diurnal_offsets(rng, scenario.extra_items, model, after_h)
            for off in offs:
                at = scenario.start + timedelta(seconds=float(off))
                text = violating[int(rng.integers(0, len(violating)))]
                where = scenario.communities[int(rng.integers(0, len(scenario.communities)))]
                who = author_name(int(rng.choice(model.authors, p=auth_w)))
                add(text, at, where, who, label)
        elif isinstance(scenario, TopicShift):
            pool = extra.get(scenario.source)
            if not pool:
                raise ValidationError(f"topic shift {label}: no rows read from {scenario.source}")
            for row in rows:
                # only ordinary rows: an item injected by another scenario keeps its truth
                if (
                    row["scenario"] is None
                    and row["at"] >= scenario.start
                    and rng.random() < scenario.share
                ):
                    row["text"] = pool[int(rng.integers(0, len(pool)))]
                    row["scenario"] = label
        truth.append(entry)

    rows.sort(key=lambda r: (r["at"], r["community"], r["text"].id))
    planned: list[PlannedItem] = []
    injected: dict[str, list[str]] = {e["scenario"]: [] for e in truth}
    for n, row in enumerate(rows):
        src: SourceText = row["text"]
        body, scen = src.text, row["scenario"]
        for index, scenario in enumerate(spec.scenarios):
            if (
                isinstance(scenario, EvasionWave)
                and src.violating
                and row["at"] >= scenario.start
                and row["community"] in scenario.communities
                and (scen == f"{index}:evasion_wave" or rng.random() < scenario.share)
            ):
                scen = f"{index}:evasion_wave"
                body = _obfuscate(scenario.perturbation, body, model.seed, f"{n}")
        item_id = _item_id(model.seed, n)
        if scen is not None:
            injected[scen].append(item_id)
        planned.append(
            PlannedItem(
                item=Item(
                    id=item_id,
                    kind="comment",
                    community=row["community"],
                    body=body,
                    author_id=row["author"],
                    created_at=row["at"],
                    meta={"simulated": True, "source": src.source, "source_id": src.id},
                ),
                violating=src.violating,
                scenario=scen,
            )
        )
    for index, scenario in enumerate(spec.scenarios):
        if isinstance(scenario, PolicyChange):  # every later item is decided under it
            injected[f"{index}:policy_change"] = [
                p.item.id
                for p in planned
                if p.item.created_at is not None and p.item.created_at >= scenario.start
            ]
        elif isinstance(scenario, ModelRegression):  # the items whose canary verdict flips
            # (if the canary decides them: routing is by the deployment's own hash)
            injected[f"{index}:model_regression"] = [
                p.item.id for p in planned if in_regression(p, scenario, model.seed)
            ]
    for entry in truth:
        entry["item_ids"] = injected[entry["scenario"]]
    ground_truth = {
        "simulated": SIMULATED,
        "stated_model": STATED_MODEL,
        "model": model.model_dump(mode="json"),
        "source": str(spec.source),
        "items": len(planned),
        "scenarios": truth,
    }
    return TrafficPlan(items=tuple(planned), ground_truth=ground_truth)


def in_regression(item: PlannedItem, scenario: ModelRegression, seed: int) -> bool:
    """Whether the regressed canary flips this item (a stable hash below the share)."""
    assert item.item.created_at is not None
    if item.item.created_at < scenario.start:
        return False
    digest = hashlib.sha256(f"{seed}:regression:{item.item.id}".encode()).hexdigest()
    return int(digest[:8], 16) / 0xFFFFFFFF < scenario.share


def flip_verdict(verdict: Verdict) -> Verdict:
    """The verdict a regressed model gives instead: score mirrored, label and action flipped."""
    bad = verdict.label != "violating"
    return verdict.model_copy(
        update={
            "score": 1.0 - verdict.score,
            "label": "violating" if bad else "non_violating",
            "action": Action.REMOVE if bad else Action.ALLOW,
        }
    )


def batches_by_hour(plan: TrafficPlan) -> Iterator[tuple[datetime, list[PlannedItem]]]:
    """The planned items grouped by the hour they fall in (decision time = the hour's end)."""
    current: list[PlannedItem] = []
    hour: datetime | None = None
    for p in plan.items:
        assert p.item.created_at is not None
        h = p.item.created_at.replace(minute=0, second=0, microsecond=0)
        if hour is not None and h != hour:
            yield hour + timedelta(hours=1) - timedelta(seconds=1), current
            current = []
        hour = h
        current.append(p)
    if hour is not None:
        yield hour + timedelta(hours=1) - timedelta(seconds=1), current


__all__ = [
    "SIMULATED",
    "STATED_MODEL",
    "Brigading",
    "CommunitySurge",
    "EvasionWave",
    "ModelRegression",
    "PlannedItem",
    "PolicyChange",
    "Scenario",
    "SimulationSpec",
    "SourceText",
    "TopicShift",
    "TrafficModel",
    "TrafficPlan",
    "author_name",
    "batches_by_hour",
    "community_name",
    "diurnal_offsets",
    "flip_verdict",
    "in_regression",
    "load_source",
    "plan_traffic",
    "zipf_weights",
]
