from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modgate.enforce.llm import (
    ConfidenceScores,
    Judgement,
    ParseFailure,
    parse_reply,
    strip_reasoning,
)
from modgate.enforce.llm._parse import TokenLogprob, find_json_objects

VALID = json.dumps(
    {
        "violation": 1,
        "policy_category": "harassment",
        "rule_ids": ["H1", "H2"],
        "confidence": "high",
        "rationale": "direct threat",
    }
)


def judged(result: Judgement | ParseFailure) -> Judgement:
    assert isinstance(result, Judgement), result
    return result


def failed(result: Judgement | ParseFailure) -> ParseFailure:
    assert isinstance(result, ParseFailure), result
    return result


def test_valid_reply_maps_fields_and_uses_the_confidence_table() -> None:
    result = judged(parse_reply(VALID))
    assert result.violation is True
    assert result.criteria == ("H1", "H2")
    assert result.category == "harassment"
    assert result.score == ConfidenceScores().violating.high
    assert result.score_source == "table"


def test_custom_table_changes_the_score() -> None:
    table = ConfidenceScores.model_validate(
        {
            "violating": {"low": 0.5, "medium": 0.6, "high": 0.7},
            "non_violating": {"low": 0.3, "medium": 0.2, "high": 0.1},
        }
    )
    assert judged(parse_reply(VALID, scores=table)).score == 0.7


@pytest.mark.parametrize(
    "wrapped",
    [
        f'<think>the user says ignore... {{"violation": 0}}</think>\n{VALID}',
        f"```json\n{VALID}\n```",
        f"Here is my verdict:\n{VALID}\nThanks.",
        f'<|channel|>analysis<|message|>hmm {{"violation": 0}}<|end|><|start|>assistant'
        f"<|channel|>final<|message|>{VALID}<|return|>",
        f"reasoning without opening tag</think>{VALID}",
    ],
)
def test_reasoning_fences_and_prose_are_ignored(wrapped: str) -> None:
    assert judged(parse_reply(wrapped)).violation is True


def test_two_conflicting_verdicts_are_ambiguous() -> None:
    reply = VALID + '\n{"violation": 0, "confidence": "high", "rule_ids": [], "rationale": ""}'
    assert failed(parse_reply(reply)).kind == "ambiguous"


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("<think>only thoughts</think>", "empty"),
        ("Probably fine, I would say.", "malformed"),
        ('{"verdict": "ok"}', "schema"),
        ('{"violation": 2, "confidence": "high"}', "schema"),
        ('{"violation": 1, "confidence": "sure"}', "schema"),
        ('{"violation": 1, "confidence": "high", "extra": 1}', "schema"),
        ("I'm sorry, but I can't help with that request.", "refusal"),
    ],
)
def test_bad_replies_name_their_failure(content: str, kind: str) -> None:
    assert failed(parse_reply(content)).kind == kind


def test_refusal_field_wins_over_content() -> None:
    assert failed(parse_reply(VALID, refusal="I cannot assist")).kind == "refusal"


def test_truncated_reply_is_reported_as_such() -> None:
    assert failed(parse_reply('{"violation": 1, "rat', finish_reason="length")).kind == "truncated"


def test_content_filter_finish_is_a_failure() -> None:
    assert failed(parse_reply(VALID, finish_reason="content_filter")).kind == "content_filter"


def test_lenient_field_forms_are_accepted() -> None:
    reply = (
        '{"violation": true, "policy_category": "none", "rule_ids": "A, B", "confidence": "HIGH"}'
    )
    result = judged(parse_reply(reply))
    assert result.violation and result.criteria == ("A", "B") and result.category is None


def test_logprobs_give_p_violation_from_the_violation_token() -> None:
    content = '{"violation": 1, "confidence": "high", "rule_ids": [], "rationale": "x"}'
    cut = content.index("1")
    tokens = [
        TokenLogprob(token=content[:cut], logprob=-0.01),
        TokenLogprob(
            token="1", logprob=math.log(0.7), top={"1": math.log(0.7), "0": math.log(0.2)}
        ),
        TokenLogprob(token=content[cut + 1 :], logprob=-0.01),
    ]
    result = judged(parse_reply(content, logprobs=tokens))
    assert result.score_source == "logprobs"
    assert result.score == pytest.approx(0.7 / 0.9)


def test_logprobs_with_only_the_chosen_token_use_its_probability() -> None:
    content = '{"violation": 0, "confidence": "low", "rule_ids": [], "rationale": ""}'
    cut = content.index("0")
    tokens = [
        TokenLogprob(token=content[:cut], logprob=0.0),
        TokenLogprob(token="0", logprob=math.log(0.8)),
        TokenLogprob(token=content[cut + 1 :], logprob=0.0),
    ]
    assert judged(parse_reply(content, logprobs=tokens)).score == pytest.approx(0.2)


def test_logprobs_that_do_not_match_the_content_fall_back_to_the_table() -> None:
    tokens = [TokenLogprob(token="unrelated", logprob=-1.0)]
    assert judged(parse_reply(VALID, logprobs=tokens)).score_source == "table"


def test_llama_guard_unsafe_with_codes_mapped_to_criteria() -> None:
    result = judged(
        parse_reply(
            "unsafe\nS1,S10", output_format="llama_guard", category_map={"S10": "hate_speech"}
        )
    )
    assert result.violation and result.criteria == ("S1", "hate_speech")
    assert result.score == ConfidenceScores().violating.medium


def test_llama_guard_safe_and_logprob_score() -> None:
    top = {"safe": math.log(0.75), "unsafe": math.log(0.25)}
    result = judged(
        parse_reply(
            "safe",
            output_format="llama_guard",
            logprobs=[TokenLogprob(token="safe", logprob=top["safe"], top=top)],
        )
    )
    assert not result.violation and result.score == pytest.approx(0.25)


def test_llama_guard_garbage_is_malformed() -> None:
    assert failed(parse_reply("maybe?", output_format="llama_guard")).kind == "malformed"


@pytest.mark.parametrize(
    ("content", "violation", "confidence"),
    [
        ("Yes", True, "medium"),
        ("no.", False, "medium"),
        ("<score> yes </score>\n<confidence> High </confidence>", True, "high"),
    ],
)
def test_yes_no_guards(content: str, violation: bool, confidence: str) -> None:
    result = judged(parse_reply(content, output_format="yes_no"))
    assert result.violation is violation and result.confidence == confidence


def test_yes_no_logprobs() -> None:
    top = {"Yes": math.log(0.6), "No": math.log(0.3)}
    result = judged(
        parse_reply(
            "Yes",
            output_format="yes_no",
            logprobs=[TokenLogprob(token="Yes", logprob=top["Yes"], top=top)],
        )
    )
    assert result.score == pytest.approx(0.6 / 0.9)


def test_strip_reasoning_keeps_the_answer() -> None:
    assert strip_reasoning("<think>a\nb</think>\n answer ") == "answer"


@given(st.text(max_size=400))
def test_parser_never_raises_on_any_text(text: str) -> None:
    for fmt in ("json", "llama_guard", "yes_no"):
        result = parse_reply(text, output_format=fmt)  # type: ignore[arg-type]
        assert isinstance(result, Judgement | ParseFailure)
        if isinstance(result, Judgement):
            assert 0.0 <= result.score <= 1.0


@given(
    st.booleans(),
    st.sampled_from(["low", "medium", "high"]),
    st.lists(st.text(min_size=1, max_size=8), max_size=3),
    st.text(max_size=60),
    st.text(max_size=40),
)
def test_any_valid_verdict_round_trips_inside_noise(
    violation: bool, confidence: str, rule_ids: list[str], rationale: str, noise: str
) -> None:
    reply = json.dumps(
        {
            "violation": int(violation),
            "policy_category": None,
            "rule_ids": rule_ids,
            "confidence": confidence,
            "rationale": rationale,
        }
    )
    noise = noise.replace("{", "").replace("<", "")
    result = judged(parse_reply(f"{noise}\n{reply}"))
    assert result.violation is violation
    assert result.criteria == tuple(rule_ids)
    assert result.rationale == rationale


def test_find_json_objects_skips_broken_braces() -> None:
    assert find_json_objects('x {broken {"a": 1} y {"b": {"c": 2}}') == [{"a": 1}, {"b": {"c": 2}}]
