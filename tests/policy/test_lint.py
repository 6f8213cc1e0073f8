from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from modgate.errors import RegistryError
from modgate.hookspecs import Register, hookimpl
from modgate.policy import (
    Finding,
    FindingSeverity,
    LintOptions,
    LoadedPolicy,
    Policy,
    example_policy_files,
    lint_policy,
    lint_policy_files,
    load_policy_file,
    render_findings,
)
from modgate.registry import Registry, create_registry

from .conftest import Snapshot

BASE: dict[str, Any] = {
    "id": "demo",
    "version": 1,
    "title": "Demo",
    "definition": "Targeted abuse of a person.",
    "glossary": {"target": "A real, identifiable person."},
    "violates": [
        {"id": "D1", "title": "Name-calling", "description": "Calling a target names."},
    ],
    "allowed": [
        {"id": "counter_speech", "title": "Counter-speech", "description": "Rebutting abuse."},
    ],
    "examples": [
        {"text": "you clown", "label": "violates", "criteria": ["D1"]},
        {"text": "calling her a clown is wrong", "label": "safe", "allowed": ["counter_speech"]},
    ],
    "severity": "medium",
    "actions": ["remove"],
}


def _policy(**changes: Any) -> LoadedPolicy:
    return LoadedPolicy.from_policy(Policy.model_validate({**BASE, **changes}))


def _fired(registry: Registry, loaded: LoadedPolicy, **options: Any) -> list[Finding]:
    return lint_policy(loaded, registry=registry, options=LintOptions(**options)).findings


def test_the_base_policy_is_clean(registry: Registry) -> None:
    assert _fired(registry, _policy()) == []


@pytest.mark.parametrize("path", example_policy_files(), ids=lambda p: p.stem)
def test_every_check_is_silent_on_the_example_policies(registry: Registry, path: Path) -> None:
    report = lint_policy(load_policy_file(path), registry=registry)
    assert len(report.checks) == 8
    assert report.findings == []


TRIGGERS: dict[str, tuple[dict[str, Any], FindingSeverity, str]] = {
    "duplicate_ids": (
        {"violates": [*BASE["violates"], {"id": "D1", "title": "Mocking", "description": "y."}]},
        FindingSeverity.ERROR,
        "violates[1].id",
    ),
    "dangling_ids": (
        {"examples": [*BASE["examples"], {"text": "t", "label": "violates", "criteria": ["D9"]}]},
        FindingSeverity.ERROR,
        "examples[2].criteria[0]",
    ),
    "example_labels": (
        {"examples": [*BASE["examples"], {"text": "t", "label": "safe", "criteria": ["D1"]}]},
        FindingSeverity.ERROR,
        "examples[2].criteria",
    ),
    "contradictory_examples": (
        {"examples": [*BASE["examples"], {"text": " You  CLOWN", "label": "safe"}]},
        FindingSeverity.ERROR,
        "examples[2].text",
    ),
    "criterion_without_example": (
        {"violates": [*BASE["violates"], {"id": "D2", "title": "Doxxing", "description": "x."}]},
        FindingSeverity.WARNING,
        "violates[1].id",
    ),
    "allowed_without_example": (
        {"allowed": [*BASE["allowed"], {"id": "news", "title": "News", "description": "x."}]},
        FindingSeverity.WARNING,
        "allowed[1].id",
    ),
    "vague_terms": (
        {
            "violates": [
                {"id": "D1", "title": "Name-calling", "description": "Offensive names, etc."}
            ]
        },
        FindingSeverity.WARNING,
        "violates[0].description",
    ),
    "token_budget": (
        {"definition": "Targeted abuse of a person. " * 200},
        FindingSeverity.WARNING,
        "",
    ),
}


@pytest.mark.parametrize("check", sorted(TRIGGERS))
def test_each_check_fires_on_a_policy_built_to_trigger_it(registry: Registry, check: str) -> None:
    changes, severity, field = TRIGGERS[check]
    findings = _fired(registry, _policy(**changes))
    mine = [f for f in findings if f.check == check]
    assert mine, f"{check} did not fire: {findings}"
    assert mine[0].severity is severity
    assert mine[0].field == field
    assert mine[0].hint
    others = [f for f in findings if f.check != check]
    assert others == [], "the trigger should fire only its own check"


def test_vague_and_undefined_terms(registry: Registry) -> None:
    description = (
        'Inappropriate remarks, "brigading", and attacks on a Protected Group, which are '
        "harmful and toxic. LGBTQ people are covered. Target means the person."
    )
    loaded = _policy(violates=[{"id": "D1", "title": "Bad posts", "description": description}])
    messages = [f.message for f in _fired(registry, loaded) if f.check == "vague_terms"]
    text = "\n".join(messages)
    for word in ("'Bad'", "'Inappropriate'", "'harmful'", "'toxic'", "'brigading'"):
        assert word in text
    assert "'Protected Group'" in text
    assert "LGBTQ" not in text  # acronyms are not flagged
    assert "'Target'" not in text  # defined in the glossary (and sentence-initial)


def test_glossary_definitions_silence_vague_terms(registry: Registry) -> None:
    loaded = _policy(
        glossary={"offensive": "x", "protected groups": "y", "brigading": "z"},
        violates=[
            {
                "id": "D1",
                "title": "Name-calling",
                "description": 'Using an offensive name for a Protected Group, or "brigading".',
            }
        ],
    )
    assert _fired(registry, loaded) == []


def test_token_budget_is_configurable(registry: Registry) -> None:
    loaded = _policy()
    assert not _fired(registry, loaded)
    (finding,) = _fired(registry, loaded, token_budget=50)
    assert finding.check == "token_budget"
    assert "over the budget of 50" in finding.message


def test_five_lint_mistakes_are_reported_with_lines(
    registry: Registry, data_dir: Path, snapshot: Snapshot
) -> None:
    (report,) = lint_policy_files([data_dir / "lint_mistakes.yaml"], registry=registry)
    got = [(f.line, f.check, f.severity.value) for f in report.findings]
    assert got == [
        (10, "duplicate_ids", "error"),
        (11, "vague_terms", "warning"),
        (17, "allowed_without_example", "warning"),
        (24, "contradictory_examples", "error"),
        (29, "dangling_ids", "error"),
    ]
    assert report.failed()
    snapshot("policy_lint_mistakes.txt", render_findings(report.findings) + "\n")


def test_a_file_that_does_not_load_reports_its_load_findings(
    registry: Registry, data_dir: Path
) -> None:
    (report,) = lint_policy_files([data_dir / "five_mistakes.yaml"], registry=registry)
    assert report.policy_ref is None
    assert report.checks == []
    assert report.errors == 5


class _Crashing:
    name = "tests/crashing"

    def check(self, loaded: LoadedPolicy, options: LintOptions) -> Iterator[Finding]:
        raise RuntimeError("boom")


class _Plugin:
    @hookimpl
    def register_lint_checks(self, register: Register) -> None:
        register("tests/crashing", _Crashing)


def test_a_plugin_check_runs_and_its_crash_becomes_a_finding() -> None:
    registry = create_registry([_Plugin()])
    report = lint_policy(_policy(), registry=registry)
    assert "tests/crashing" in report.checks
    (finding,) = report.findings
    assert finding.check == "tests/crashing"
    assert finding.severity is FindingSeverity.ERROR
    assert "RuntimeError: boom" in finding.message
    # and it can be skipped by name
    skipped = lint_policy(
        _policy(), registry=registry, options=LintOptions(ignore=frozenset({"tests/crashing"}))
    )
    assert skipped.findings == []


def test_ignoring_an_unknown_check_is_an_error(registry: Registry) -> None:
    with pytest.raises(RegistryError, match="unknown lint check 'nope'"):
        lint_policy(_policy(), registry=registry, options=LintOptions(ignore=frozenset({"nope"})))
