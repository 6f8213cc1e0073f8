"""Statements of reasons (EU DSA Art. 17) for removals, validated against `sor.schema.json`.

Field names and values follow the DSA Transparency Database API; `modgate` in each record
carries modgate's ids, the redress options and the appeal (drop it before submitting).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from functools import cache
from hashlib import sha256
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from modgate.domain import Decision, Item, VersionRef
from modgate.errors import NotFoundError, ValidationError
from modgate.review import _repo
from modgate.review._policies import PolicyCache

EEA: tuple[str, ...] = tuple(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK"
    .split()
)  # fmt: skip
"""The 30 EEA countries (the Transparency Database's country codes)."""

# Policy id words → Transparency Database category and keyword (first match wins).
_CATEGORIES: tuple[tuple[str, str, str | None], ...] = (
    ("minor|child|csam|groom", "PROTECTION_OF_MINORS", None),
    ("self.?harm|suicid|eating", "SELF_HARM", None),
    ("terror|extrem", "RISK_FOR_PUBLIC_SECURITY", "KEYWORD_TERRORIST_CONTENT"),
    ("violen|threat|incite", "VIOLENCE", "KEYWORD_INCITEMENT_VIOLENCE_HATRED"),
    ("hate|slur|racis|discrimin", "ILLEGAL_OR_HARMFUL_SPEECH", "KEYWORD_HATE_SPEECH"),
    ("harass|bully|insult|abuse", "CYBER_VIOLENCE", "KEYWORD_CYBER_HARASSMENT"),
    ("spam|scam|fraud|phish", "SCAMS_AND_FRAUD", None),
    ("privacy|doxx|personal.?data", "DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", None),
    ("misinfo|disinfo|election", "NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
     "KEYWORD_MISINFORMATION_DISINFORMATION"),
    ("nsfw|porn|sexual|nudity", "SCOPE_OF_PLATFORM_SERVICE", "KEYWORD_NUDITY"),
    ("copyright|trademark|piracy", "INTELLECTUAL_PROPERTY_INFRINGEMENTS", None),
)  # fmt: skip
_PUID_BAD = re.compile(r"[^A-Za-z0-9_-]")


class SorOptions(BaseModel):
    """What the platform states in every statement of reasons."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    terms_url: str | None = Field(default=None, pattern=r"^https?://")
    """URL of the terms and conditions (`decision_ground_reference_url`)."""
    territorial_scope: tuple[str, ...] = EEA
    """Countries where removals apply (default: the whole EEA)."""
    legal_grounds: dict[str, str] = Field(default_factory=dict)
    """Policy id → the law it enforces: removals under these are `illegal content`."""
    categories: dict[str, str] = Field(default_factory=dict)
    """Policy id → `STATEMENT_CATEGORY_…`, overriding the guess from the policy id."""


@cache
def sor_schema() -> dict[str, Any]:
    """The JSON schema shipped as `modgate/review/sor.schema.json`."""
    text = resources.files("modgate.review").joinpath("sor.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = sor_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate_statement(record: Mapping[str, Any]) -> None:
    """Check a statement against the schema.

    Raises:
        ValidationError: Every problem, each with the JSON path of the offending field.
    """
    errors = sorted(_validator().iter_errors(record), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [
            f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}" for e in errors
        ]
        puid = record.get("puid", "?")
        raise ValidationError(
            f"statement of reasons {puid!r} does not match sor.schema.json: " + "; ".join(lines)
        )


def puid_of(text: str) -> str:
    """A Transparency Database puid for an id: allowed characters kept, others replaced.

    Replaced characters would let two ids collide, so the id then gets a short hash suffix.
    """
    clean = _PUID_BAD.sub("_", text)
    if clean != text:
        clean = f"{clean[:480]}-{sha256(text.encode()).hexdigest()[:12]}"
    return clean[:500]


def _category(policy_id: str, options: SorOptions) -> tuple[str, list[str]]:
    if policy_id in options.categories:
        return options.categories[policy_id], []
    for pattern, category, keyword in _CATEGORIES:
        if re.search(pattern, policy_id, re.IGNORECASE):
            return f"STATEMENT_CATEGORY_{category}", [keyword] if keyword else []
    return "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", []


def _ground(
    policy_ref: str, criteria: tuple[str, ...], cache_: PolicyCache, options: SorOptions
) -> dict[str, Any]:
    pid = VersionRef.name_of(policy_ref)
    policy = cache_.get(policy_ref)
    title = policy.title if policy else pid
    fired = []
    if policy is not None:
        known = {c.id: c for c in policy.violates}
        fired = [f"{known[c].title} ({c}): {known[c].description}" for c in criteria if c in known]
    definition = policy.definition.strip() if policy else ""
    explanation = (
        " ".join([definition] + (["Criteria met: " + "; ".join(fired)] if fired else [])).strip()
        or f"The content violates policy {policy_ref}."
    )
    out: dict[str, Any]
    if pid in options.legal_grounds:
        out = {
            "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
            "illegal_content_legal_ground": options.legal_grounds[pid][:500],
            "illegal_content_explanation": explanation[:2000],
        }
    else:
        out = {
            "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
            "incompatible_content_ground": f"{title} ({policy_ref})"[:500],
            "incompatible_content_explanation": explanation[:2000],
            "incompatible_content_illegal": "No",
        }
    if options.terms_url:
        out["decision_ground_reference_url"] = options.terms_url
    return out


def _common(item: Item | None, decided_at: datetime, options: SorOptions) -> dict[str, Any]:
    created = item.created_at if item is not None and item.created_at else decided_at
    out: dict[str, Any] = {
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        "content_type": ["CONTENT_TYPE_TEXT"],
        "content_date": created.date().isoformat(),
        "application_date": decided_at.date().isoformat(),
        "territorial_scope": list(options.territorial_scope),
        "source_type": "SOURCE_VOLUNTARY",
    }
    if item is not None and item.language and len(item.language) == 2:
        out["content_language"] = item.language.upper()
    return out


def _appeal(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    decided = _repo.aware(row["decided_at"])
    return {
        "id": int(row["id"]),
        "status": row["status"],
        "decided_at": None if decided is None else decided.isoformat(),
    }


_REDRESS = ["INTERNAL_COMPLAINT_HANDLING", "OUT_OF_COURT_DISPUTE_SETTLEMENT", "JUDICIAL_REDRESS"]


def _automated_statement(
    decision: Decision,
    item: Item | None,
    appeal: dict[str, Any] | None,
    cache_: PolicyCache,
    options: SorOptions,
) -> dict[str, Any]:
    removing = [r for r in decision.reasons if r.action.value == "remove"] or list(decision.reasons)
    main = removing[0]
    criteria = tuple(dict.fromkeys(c for r in removing for c in r.criteria))
    category, keywords = _category(VersionRef.name_of(main.policy), options)
    where = f" in community {item.community}" if item is not None and item.community else ""
    kind = item.kind if item is not None else "item"
    facts = (
        f"The {kind} {decision.item_id}{where} was removed on "
        f"{decision.decided_at.date().isoformat()} by automated enforcement under policy "
        f"{main.policy}: enforcer {main.enforcer} judged it violating"
        + (f" (criteria {', '.join(criteria)})" if criteria else "")
        + ". No human review took place before the removal."
    )
    record: dict[str, Any] = {
        "puid": puid_of(decision.decision_id),
        **_common(item, decision.decided_at, options),
        **_ground(main.policy, criteria, cache_, options),
        "category": category,
        "decision_facts": facts,
        "automated_detection": "Yes",
        "automated_decision": "AUTOMATED_DECISION_FULLY",
        "modgate": {
            "decision_id": decision.decision_id,
            "item_id": decision.item_id,
            "community": item.community if item is not None else None,
            "policy": main.policy,
            "criteria": list(criteria),
            "decided_at": decision.decided_at.isoformat(),
            "enforcers": [r.enforcer for r in removing if r.enforcer],
            "reviewed_by": None,
            "review_decision_id": None,
            "redress": list(_REDRESS),
            "appeal": _appeal(appeal),
        },
    }
    if keywords:
        record["category_specification"] = keywords
    return record


def _human_statement(
    review: dict[str, Any],
    decision: Decision | None,
    item: Item | None,
    appeal: dict[str, Any] | None,
    cache_: PolicyCache,
    options: SorOptions,
) -> dict[str, Any]:
    decided_at = _repo.aware(review["decided_at"])
    assert decided_at is not None
    policy_ref = review["policy"]
    if decision is not None:
        policy_ref = next(
            (
                r.policy
                for r in decision.reasons
                if VersionRef.name_of(r.policy) == review["policy"]
            ),
            policy_ref,
        )
    criteria = tuple(review["criteria"] or ())
    category, keywords = _category(review["policy"], options)
    where = f" in community {item.community}" if item is not None and item.community else ""
    kind = item.kind if item is not None else "item"
    source = review.get("source") or "review"
    facts = (
        f"The {kind} {review['item_id']}{where} was flagged by automated enforcement "
        f"({source.replace('_', ' ')}) and removed on {decided_at.date().isoformat()} by a "
        f"human reviewer under policy {policy_ref}"
        + (f" (criteria {', '.join(criteria)})" if criteria else "")
        + "."
    )
    manual = source == "manual"
    decision_id = review["decision_id"] or f"review-{review['id']}"
    record: dict[str, Any] = {
        "puid": puid_of(f"{decision_id}-review-{review['id']}"),
        **_common(item, decided_at, options),
        **_ground(policy_ref, criteria, cache_, options),
        "category": category,
        "decision_facts": facts,
        "automated_detection": "No" if manual else "Yes",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED"
        if manual
        else "AUTOMATED_DECISION_PARTIALLY",
        "modgate": {
            "decision_id": decision_id,
            "item_id": review["item_id"],
            "community": item.community if item is not None else None,
            "policy": policy_ref,
            "criteria": list(criteria),
            "decided_at": decided_at.isoformat(),
            "enforcers": [r.enforcer for r in decision.reasons if r.enforcer]
            if decision is not None
            else [],
            "reviewed_by": review["reviewer"],
            "review_decision_id": int(review["id"]),
            "redress": list(_REDRESS),
            "appeal": _appeal(appeal),
        },
    }
    if keywords:
        record["category_specification"] = keywords
    return record


def statement_of_reasons(
    store: Any, decision_id: str, *, options: SorOptions | None = None
) -> dict[str, Any]:
    """The statement of reasons for one removal (validated).

    The decision's own removal when its action was remove; otherwise a reviewer's removal
    of the item it routed to review.

    Raises:
        NotFoundError: No such decision.
        ValidationError: The decision removed nothing, or the record fails the schema.
    """
    opts = options or SorOptions()
    cache_ = PolicyCache(store)
    with store.connect() as conn:
        decision = _repo.get_decision(conn, decision_id)
        if decision is None:
            raise NotFoundError(f"no decision {decision_id!r}")
        item = _repo.get_items(conn, [decision.item_id]).get(decision.item_id)
        appeal = _repo.appeals_of_decisions(conn, [decision_id]).get(decision_id)
        reviews = [
            r for r in _repo.reviews_of_decision(conn, decision_id) if r["action"] == "remove"
        ]
        tasks = {int(r["task_id"]): _repo.task_row(conn, int(r["task_id"])) for r in reviews}
    if decision.action.value == "remove":
        record = _automated_statement(decision, item, appeal, cache_, opts)
    else:
        human = [
            r for r in reviews if (tasks.get(int(r["task_id"])) or {}).get("source") != "appeal"
        ]
        if not human:
            raise ValidationError(
                f"decision {decision_id!r} removed nothing (action {decision.action.value}, "
                "no reviewer removal)"
            )
        review = dict(human[-1])
        review["source"] = (tasks.get(int(review["task_id"])) or {}).get("source")
        record = _human_statement(review, decision, item, appeal, cache_, opts)
    validate_statement(record)
    return record


def count_statements(
    store: Any, *, since: datetime | None = None, until: datetime | None = None
) -> int:
    """How many statements `export_statements` gives at most (for a progress bar)."""
    return _repo.count_removals(store, since=since, until=until) + _repo.count_human_removals(
        store, since=since, until=until
    )


def export_statements(
    store: Any,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    options: SorOptions | None = None,
) -> Iterator[dict[str, Any]]:
    """Every removal in [since, until) as a validated statement of reasons, oldest first.

    Automated removals come from the decision log; reviewer removals from review decisions
    (not undone). A reviewer's removal of an item the log already removed is not repeated.

    Raises:
        ValidationError: A record fails the schema (its puid and every problem named).
    """
    opts = options or SorOptions()
    cache_ = PolicyCache(store)
    for chunk in _chunks(_repo.iter_removals(store, since=since, until=until), 500):
        ids = [d.decision_id for d in chunk]
        with store.connect() as conn:
            found = _repo.get_items(conn, [d.item_id for d in chunk])
            appeals = _repo.appeals_of_decisions(conn, ids)
        for decision in chunk:
            record = _automated_statement(
                decision,
                found.get(decision.item_id),
                appeals.get(decision.decision_id),
                cache_,
                opts,
            )
            validate_statement(record)
            yield record
    for rows in _chunks(_repo.iter_human_removals(store, since=since, until=until), 500):
        ids = [r["decision_id"] for r in rows if r["decision_id"]]
        with store.connect() as conn:
            found = _repo.get_items(conn, [r["item_id"] for r in rows])
            appeals = _repo.appeals_of_decisions(conn, ids)
            decisions = {i: _repo.get_decision(conn, i) for i in ids}
        for review in rows:
            decision = decisions.get(review["decision_id"]) if review["decision_id"] else None
            if decision is not None and decision.action.value == "remove":
                continue  # the log's removal already has its statement
            record = _human_statement(
                review, decision, found.get(review["item_id"]),
                appeals.get(review["decision_id"]) if review["decision_id"] else None, cache_, opts,
            )  # fmt: skip
            validate_statement(record)
            yield record


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
