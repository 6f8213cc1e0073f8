"""RecordedEnforcer: predictions an outside system already made, replayed as verdicts.

A hosted moderation API or another team's model scored the items elsewhere; its output file
of (item_id, score, [label], [rationale], [policy], [criteria]) is registered like any enforcer
and then evaluated, compared and gated like one.

Missing items are explicit, never silent gaps: `predict` gives an item absent from the file a
verdict with `error` set (so action `review`, and evaluation counts it as an error), and
`require_items` raises an `EnforcerError` listing the missing ids, which batch scoring calls
before it writes anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from modgate.domain import Item, Verdict, VersionRef
from modgate.enforce._actions import action_for_score
from modgate.enforce._artifact import file_sha256
from modgate.enforce._kinds import EnforcerKind, PreparedSpec, pin_file, resolve_path
from modgate.enforce._protocol import EnforcerSpec
from modgate.errors import EnforcerError, ValidationError
from modgate.store import RowReject, detect_format, open_rows

_MAX_LISTED = 20
_ID_COLUMNS = ("item_id", "id")


class RecordedParams(BaseModel):
    """`params` of a `recorded` enforcer spec: predictions made by an outside system."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    """CSV, JSONL or Parquet file of (item_id, score, [label], [rationale], [policy], [criteria]);
    relative to the workspace. Registration copies it into the catalog's artifact folder."""
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    """sha256 of the file (set by registration)."""
    source: str = ""
    """Free text: which system produced the predictions (e.g. `acme moderation API v3`)."""
    decision_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    """Label for rows without one: `violating` at or above this score."""


class RecordedPrediction(BaseModel):
    """One row of a recorded predictions file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item_id: str = Field(min_length=1)
    """The judged item."""
    score: float = Field(ge=0.0, le=1.0, allow_inf_nan=False)
    """The outside system's score in [0, 1]."""
    label: Literal["violating", "non_violating"] | None = None
    """Its binary label, when it gave one."""
    rationale: str = ""
    """Its explanation, when it gave one."""
    policy: str | None = None
    """Policy the row is about, for files covering several."""
    criteria: tuple[str, ...] = ()
    """Criteria ids it reported."""


def _clean(raw: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key in _ID_COLUMNS:
        if raw.get(key) not in (None, ""):
            row["item_id"] = str(raw[key])
            break
    for key in ("score", "label", "rationale", "policy"):
        value = raw.get(key)
        if value not in (None, ""):
            row[key] = value
    if isinstance(row.get("score"), str):
        try:
            row["score"] = float(row["score"])
        except ValueError:
            pass
    if isinstance(row.get("label"), str):
        row["label"] = row["label"].strip().lower()
    criteria = raw.get("criteria")
    if isinstance(criteria, str) and criteria.strip():
        row["criteria"] = tuple(c.strip() for c in criteria.split(";") if c.strip())
    elif isinstance(criteria, list | tuple):
        row["criteria"] = tuple(str(c) for c in criteria)
    return row


def _policy_id(policy: str) -> str:
    return VersionRef.name_of(policy)


def read_recorded_predictions(path: Path, policy: str) -> dict[str, RecordedPrediction]:
    """Read a predictions file, keeping the rows about `policy` (rows without one apply).

    Args:
        path: CSV/TSV, JSONL or Parquet file (CSV and JSONL may be gzipped).
        policy: The enforcer's policy (`id` or `id@version`); compared by id.

    Returns:
        Predictions by item id.

    Raises:
        ValidationError: Some rows are malformed or an item appears twice; the message lists
            every problem with `file:line`.
    """
    if not path.is_file():
        raise ValidationError(f"predictions file {path} not found")
    wanted = _policy_id(policy)
    found: dict[str, RecordedPrediction] = {}
    first_line: dict[str, int] = {}
    problems: list[str] = []
    try:
        detect_format(path)
    except ValidationError as exc:
        raise ValidationError(
            f"{path}: unknown predictions format; use .csv, .tsv, .jsonl or .parquet (.gz ok)"
        ) from exc
    with open_rows(path) as stream:
        for entry in stream:
            if isinstance(entry, RowReject):
                problems.append(f"{path}:{entry.line}: {entry.detail}")
                continue
            number, raw = entry.line, entry.values
            where = f"{path}:{number}"
            row = _clean(raw)
            if "item_id" not in row:
                problems.append(f"{where}: no item id (column item_id or id)")
                continue
            try:
                prediction = RecordedPrediction.model_validate(row)
            except PydanticValidationError as exc:
                for err in exc.errors():
                    field = ".".join(str(p) for p in err["loc"]) or "row"
                    problems.append(f"{where}: {field}: {err['msg']} (got {err.get('input')!r})")
                continue
            if prediction.policy is not None and _policy_id(prediction.policy) != wanted:
                continue
            if prediction.item_id in found:
                problems.append(
                    f"{where}: item {prediction.item_id!r} already predicted on line "
                    f"{first_line[prediction.item_id]}"
                )
                continue
            found[prediction.item_id] = prediction
            first_line[prediction.item_id] = number
    if problems:
        shown = problems[:_MAX_LISTED]
        more = f"\n  … and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        raise ValidationError(
            f"{len(problems)} bad row(s) in predictions file {path}:\n  "
            + "\n  ".join(shown)
            + more
        )
    return found


class RecordedEnforcer:
    """Replays recorded predictions as verdicts (kind `recorded`).

    Args:
        spec: The enforcer spec (kind `recorded`).
        predictions: Predictions by item id (see `read_recorded_predictions`).
    """

    def __init__(self, spec: EnforcerSpec, predictions: Mapping[str, RecordedPrediction]) -> None:
        self._spec = spec
        self._params = RecordedParams.model_validate(spec.params)
        self._predictions = dict(predictions)

    @property
    def spec(self) -> EnforcerSpec:
        """The spec that re-creates this enforcer."""
        return self._spec

    def __len__(self) -> int:
        return len(self._predictions)

    def missing_items(self, item_ids: Iterable[str]) -> list[str]:
        """The ids among `item_ids` that have no recorded prediction, in order, once each."""
        seen: set[str] = set()
        missing: list[str] = []
        for item_id in item_ids:
            if item_id not in self._predictions and item_id not in seen:
                seen.add(item_id)
                missing.append(item_id)
        return missing

    def require_items(self, item_ids: Iterable[str]) -> None:
        """Raise unless every item has a recorded prediction.

        Raises:
            EnforcerError: Some items are missing; the message lists them (the first 20 and a
                count).
        """
        missing = self.missing_items(item_ids)
        if missing:
            shown = ", ".join(missing[:_MAX_LISTED])
            more = f" and {len(missing) - _MAX_LISTED} more" if len(missing) > _MAX_LISTED else ""
            raise EnforcerError(
                f"recorded enforcer {self._spec.ref} has no prediction for {len(missing)} "
                f"item(s): {shown}{more}",
                hint="add them to the predictions file and register a new version, or score "
                "with --allow-missing to record them as errors (routed to review)",
            )

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        """One verdict per item from the file; an item missing from it gets an error verdict."""
        return [self._verdict(item) for item in items]

    def _verdict(self, item: Item) -> Verdict:
        spec = self._spec
        found = self._predictions.get(item.id)
        if found is None:
            return Verdict.failed(
                item.id, spec.policy, spec.ref, "item is not in the recorded predictions"
            )
        label = found.label
        if label is None:
            label = (
                "violating" if found.score >= self._params.decision_threshold else "non_violating"
            )
        return Verdict(
            item_id=item.id,
            policy=spec.policy,
            enforcer=spec.ref,
            score=found.score,
            label=label,
            action=action_for_score(found.score, spec.thresholds, item.community),
            criteria=found.criteria,
            rationale=found.rationale,
        )


def create_recorded_enforcer(
    spec: EnforcerSpec | Mapping[str, Any], *, base_dir: Path | None = None
) -> RecordedEnforcer:
    """Build a `RecordedEnforcer` from its spec, checking the file's hash when recorded.

    Raises:
        EnforcerError: The file's sha256 differs from `params.sha256`.
        ValidationError: The file is missing or has bad rows.
    """
    spec = spec if isinstance(spec, EnforcerSpec) else EnforcerSpec.model_validate(spec)
    params = RecordedParams.model_validate(spec.params)
    path = Path(params.path)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if params.sha256 is not None and path.is_file():
        actual = file_sha256(path)
        if actual != params.sha256:
            raise EnforcerError(
                f"predictions file {path} has sha256 {actual[:16]}…, expected "
                f"{params.sha256[:16]}…: refusing a changed file",
                hint="register the new file as a new version: modgate enforcer register SPEC",
            )
    return RecordedEnforcer(spec, read_recorded_predictions(path, spec.policy))


def _prepare_recorded(spec: EnforcerSpec, workspace: Path) -> PreparedSpec:
    params = RecordedParams.model_validate(spec.params)
    source = resolve_path(params.path, workspace)
    predictions = read_recorded_predictions(source, spec.policy)  # validates every row
    if not predictions:
        raise ValidationError(f"predictions file {source} has no row for policy {spec.policy}")
    sha = file_sha256(source)
    if params.sha256 is not None and params.sha256 != sha:
        raise EnforcerError(
            f"predictions file {source} has sha256 {sha[:16]}…, the spec says {params.sha256[:16]}…"
        )
    _, pinned = pin_file(source, workspace, spec.name)
    resolved = params.model_copy(update={"path": pinned, "sha256": sha})
    return PreparedSpec(
        spec=spec.model_copy(update={"params": resolved.model_dump(mode="json"), "version": None}),
        artifact_hash=sha,
        artifact_path=pinned,
    )


RECORDED_KIND = EnforcerKind(
    name="recorded",
    build=lambda spec, context: create_recorded_enforcer(spec, base_dir=context.workspace),
    params_model=RecordedParams,
    prepare=_prepare_recorded,
    summary="predictions made by an outside system, read from a CSV/JSONL/Parquet file",
)
"""The `recorded` kind: its file is validated, hashed and pinned at registration."""


__all__ = [
    "RECORDED_KIND",
    "RecordedEnforcer",
    "RecordedParams",
    "RecordedPrediction",
    "create_recorded_enforcer",
    "read_recorded_predictions",
]
