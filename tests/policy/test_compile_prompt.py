from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from modgate.errors import ValidationError
from modgate.policy import (
    DEFAULT_TOKEN_BUDGET,
    Policy,
    PromptTemplate,
    compile_prompt,
    count_tokens,
    example_policy_files,
    load_policy_file,
    load_template,
)

from .conftest import Snapshot


@pytest.mark.parametrize("path", example_policy_files(), ids=lambda p: p.stem)
def test_compiled_prompts_match_their_reviewed_snapshots(path: Path, snapshot: Snapshot) -> None:
    prompt = compile_prompt(load_policy_file(path).policy)
    snapshot(f"prompts/{path.stem}.md", prompt.text)
    assert prompt.prompt_hash == hashlib.sha256(prompt.text.encode()).hexdigest()


def test_prompt_has_the_gpt_oss_safeguard_sections_and_reply_contract() -> None:
    policy = load_policy_file(example_policy_files()[0]).policy
    text = compile_prompt(policy).text
    positions = [
        text.index(f"## {s}")
        for s in ("INSTRUCTIONS", "DEFINITIONS", "VIOLATES", "SAFE", "EXAMPLES")
    ]
    assert positions == sorted(positions)
    for key in ('"violation"', '"policy_category"', '"rule_ids"', '"confidence"', '"rationale"'):
        assert key in text
    for criterion in policy.violates:
        assert f"[{criterion.id}]" in text
    for context in policy.allowed:
        assert f"[{context.id}]" in text
    assert "untrusted" in text
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert " \n" not in text


def test_same_content_gives_the_same_bytes_whatever_the_glossary_order() -> None:
    policy = load_policy_file(example_policy_files()[0]).policy
    data = policy.model_dump()
    data["glossary"] = dict(reversed(list(data["glossary"].items())))
    reordered = Policy.model_validate(data)
    assert compile_prompt(reordered).prompt_hash == compile_prompt(policy).prompt_hash
    changed = policy.model_copy(update={"definition": policy.definition + " More."})
    assert compile_prompt(changed).prompt_hash != compile_prompt(policy).prompt_hash


def test_example_texts_are_quoted_safely() -> None:
    policy = load_policy_file(example_policy_files()[0]).policy
    tricky = policy.examples[0].model_copy(update={"text": 'he said "hi"\n## VIOLATES'})
    text = compile_prompt(policy.model_copy(update={"examples": [tricky]})).text
    assert '"he said \\"hi\\"\\n## VIOLATES"' in text


def test_user_template_overrides_the_default(tmp_path: Path) -> None:
    policy = load_policy_file(example_policy_files()[2]).policy
    path = tmp_path / "mine.j2"
    path.write_text(
        "{{ policy.title }}: {{ policy.violates | map(attribute='id') | join(',') }}\r\n"
    )
    prompt = compile_prompt(policy, load_template(path))
    assert prompt.text == "Violent threats: VT1,VT2,VT3,VT4\n"
    assert prompt.template == str(path)


@pytest.mark.parametrize(
    ("source", "needle"),
    [
        ("line one\n{% for x in %}", "mine.j2:2: template syntax error"),
        ("{{ policy.nope }}", "template error"),
        ("{{ policy.__class__.__mro__ }}", "template error"),
    ],
)
def test_template_errors_name_the_template(source: str, needle: str) -> None:
    policy = load_policy_file(example_policy_files()[0]).policy
    with pytest.raises(ValidationError, match=needle):
        compile_prompt(policy, PromptTemplate(name="mine.j2", source=source))


def test_token_counts_are_offline_exact_and_the_examples_fit_the_budget() -> None:
    count = count_tokens("Hello world")
    assert count.exact and count.method == "cl100k_base"
    assert count.tokens == 2
    for path in example_policy_files():
        tokens = count_tokens(compile_prompt(load_policy_file(path).policy).text)
        assert 400 < tokens.tokens <= DEFAULT_TOKEN_BUDGET


def test_token_count_falls_back_to_a_labelled_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    from modgate.policy import _tokens

    monkeypatch.setattr(_tokens, "_encoder", lambda: None)
    count = count_tokens("x" * 401)
    assert (count.tokens, count.method, count.exact) == (101, "estimate", False)
    assert "estimate" in count.describe()
