"""Typed records of golden sets: set config, items, annotations, adjudications, versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from modgate.golden._choices import SPLITS as SPLITS

GroupBy = Literal["group", "parent", "source", "near_duplicate"]
AdjudicationMethod = Literal["human", "majority", "dawid-skene"]
GoldMethod = Literal["human", "majority", "dawid-skene", "unanimous"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CoverageTarget(_Frozen):
    """A minimum count of items for one cell of the coverage table (unset fields match all)."""

    policy: str | None = None
    """Policy id the items must have."""
    label: str | None = None
    """Gold label the items must have."""
    criterion: str | None = None
    """Violation criterion id the items must carry."""
    allowed: str | None = None
    """Allowed-context id (counter_speech, quotation, news…) the items must carry."""
    community: str | None = None
    """Community the items must come from."""
    tag: str | None = None
    """Tag the items must carry."""
    min: int = Field(ge=1)
    """Smallest acceptable number of matching items."""

    def describe(self) -> str:
        """The target's conditions as `field=value` pairs (or `all`)."""
        parts = [
            f"{name}={value}"
            for name, value in self.model_dump(exclude={"min"}).items()
            if value is not None
        ]
        return ", ".join(parts) or "all"


class SplitConfig(_Frozen):
    """How a frozen version is split into train/dev/test."""

    ratios: dict[str, float] = Field(
        default_factory=lambda: {"train": 0.8, "dev": 0.1, "test": 0.1}
    )
    """Share of items per split; keys among train, dev, test; shares sum to 1."""
    group_by: tuple[GroupBy, ...] = ("group", "parent", "near_duplicate")
    """What keeps items together in one split: the imported group column, the parent item
    (thread), the source, near-duplicate clusters. Items linked by any of them share a split."""
    seed: int = 0
    """Seed of the hash that orders groups; the same seed gives the same splits."""

    @field_validator("ratios")
    @classmethod
    def _check_ratios(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(SPLITS))
        if unknown:
            raise ValueError(f"unknown split names {unknown}; expected among {list(SPLITS)}")
        if any(share < 0 for share in value.values()):
            raise ValueError("split shares must be >= 0")
        if abs(sum(value.values()) - 1.0) > 1e-6:
            raise ValueError(f"split shares must sum to 1, got {sum(value.values()):g}")
        return value


class GoldenSetConfig(_Frozen):
    """The set's own configuration (YAML), stored with the set and with each frozen version."""

    description: str | None = None
    """What the set is for."""
    labels: tuple[str, ...] | None = None
    """Gold labels this set accepts (None: any)."""
    targets: tuple[CoverageTarget, ...] = ()
    """Coverage targets, listed as gaps by `modgate golden coverage` while unmet."""
    split: SplitConfig = Field(default_factory=SplitConfig)
    """Split settings used by `modgate golden freeze`."""
    near_duplicate_threshold: float = Field(default=0.8, gt=0.0, le=1.0)
    """Estimated Jaccard similarity (word shingles) from which two texts are near-duplicates."""


class GoldenSet(_Frozen):
    """A named golden set."""

    name: str
    """Unique name."""
    config: GoldenSetConfig
    """Configuration (targets, labels, split settings)."""
    created_at: datetime
    """When the set was created (UTC)."""
    created_by: str
    """Who created it."""
    updated_at: datetime
    """Last change of the set's config (UTC)."""
    items: int = 0
    """Number of items in the set."""
    unresolved: int = 0
    """Items with no gold label yet (disagreement without adjudication, or no annotation)."""
    versions: int = 0
    """Number of frozen versions."""


class GoldenItem(_Frozen):
    """What a golden set says about one item (the item itself lives in `items`)."""

    item_id: str
    """Id of the item in the items table."""
    policy: str
    """Policy the labels refer to."""
    tags: tuple[str, ...] = ()
    """Edge-case tags (e.g. reclaimed_slur, sarcasm)."""
    allowed: tuple[str, ...] = ()
    """Allowed-context ids of the policy this item exercises (counter_speech, quotation…)."""
    criteria: tuple[str, ...] = ()
    """Violation criteria ids the item exercises."""
    source: str | None = None
    """Where the item comes from (dataset, file)."""
    group: str | None = None
    """Group key (thread, conversation, author…) that must not straddle splits."""
    gold_label: str | None = None
    """Adjudicated gold label (None: not adjudicated; see `resolve_gold`)."""
    gold_method: GoldMethod | None = None
    """How the gold label was set."""


class Annotation(_Frozen):
    """One label given to an item: by a named annotator, or as a vote count of anonymous raters."""

    item_id: str
    """Annotated item."""
    annotator: str | None = None
    """Annotator id; None for anonymous crowd votes (then `votes` may exceed 1)."""
    label: str
    """Label given."""
    votes: int = Field(default=1, ge=1)
    """How many raters gave this label (1 for a named annotator)."""
    rationale: str | None = None
    """Why, in the annotator's words."""

    @model_validator(mode="after")
    def _named_annotator_votes_once(self) -> Annotation:
        if self.annotator is not None and self.votes != 1:
            raise ValueError("a named annotator gives exactly one vote")
        return self


class Rating(NamedTuple):
    """A stored annotation read back in bulk (a tuple: hundreds of thousands per freeze)."""

    item_id: str
    """Annotated item."""
    annotator: str | None
    """Annotator id, None for anonymous votes."""
    label: str
    """Label given."""
    votes: int
    """Votes this label stands for."""
    rationale: str | None
    """Why."""


class GoldenRecord(NamedTuple):
    """A stored golden item read back in bulk (same fields as `GoldenItem`)."""

    item_id: str
    """Id of the item."""
    policy: str
    """Policy of the labels."""
    tags: tuple[str, ...]
    """Tags."""
    allowed: tuple[str, ...]
    """Allowed-context ids."""
    criteria: tuple[str, ...]
    """Criteria ids."""
    source: str | None
    """Source."""
    group: str | None
    """Group key."""
    gold_label: str | None
    """Adjudicated gold label."""
    gold_method: GoldMethod | None
    """How it was set."""


class Adjudication(_Frozen):
    """One change of an item's gold label, kept as history."""

    item_id: str
    """Item whose gold label was set."""
    label: str
    """New gold label."""
    previous_label: str | None
    """Gold label before the change."""
    method: AdjudicationMethod
    """human, majority or dawid-skene."""
    reason: str
    """Why (the adjudicator's words, or the automatic method's evidence)."""
    actor: str
    """Who set it."""
    at: datetime
    """When (UTC)."""


class QueueEntry(_Frozen):
    """An item of the disagreement queue."""

    item_id: str
    """Item with disagreeing labels."""
    policy: str
    """Its policy."""
    votes: dict[str, int]
    """Votes per label, all annotators together."""
    gold_label: str | None
    """Current gold label, if an automatic method set one."""
    gold_method: GoldMethod | None
    """How the current gold label was set."""
    text: str
    """The item's text (first 200 characters)."""


class GoldenVersion(_Frozen):
    """An immutable frozen version of a golden set."""

    set_name: str
    """The golden set."""
    version: int
    """Version number, from 1."""
    content_hash: str
    """sha256 over the canonical (items, gold labels, tags, splits)."""
    item_count: int
    """Items in the version."""
    frozen_at: datetime
    """When it was frozen (UTC)."""
    frozen_by: str
    """Who froze it."""
    config: dict[str, Any]
    """Set config at freeze time, split counts and skipped items."""

    @property
    def ref(self) -> str:
        """`name@version`, the way other commands name it."""
        return f"{self.set_name}@{self.version}"


class FreezeResult(_Frozen):
    """What `freeze_golden_set` did."""

    version: GoldenVersion
    """The version (new, or the existing one with the same hash)."""
    created: bool
    """False when the latest version already had this content hash."""
    split_counts: dict[str, dict[str, int]]
    """Items per split and gold label."""
    unresolved: int
    """Items left out because they have no gold label."""


class TrainingRow(_Frozen):
    """One row of a frozen version's split, as enforcer training and evaluation read it."""

    item_id: str
    """The item."""
    text: str
    """Item text at freeze time."""
    label: str
    """Gold label."""
    weight: float
    """Confidence in the gold label: share of votes for it, 1.0 when adjudicated by a human."""
    split: str
    """train, dev or test."""
    policy: str
    """Policy of the label."""
    community: str | None
    """Community of the item."""
    tags: tuple[str, ...]
    """Edge-case tags."""
    allowed: tuple[str, ...]
    """Allowed-context ids."""
    criteria: tuple[str, ...]
    """Criteria ids."""
    source: str | None
    """Where the item comes from."""
    group: str
    """Split group key (items of one group are in one split)."""
    raters: int | None = None
    """Ratings (votes) the gold label rests on at freeze time; None when not recorded."""
    item_hash: str | None = None
    """Content hash of the whole stored item (every Item field) at freeze time; None when the
    row was built before it was frozen."""
