from __future__ import annotations

import json
import urllib.request

from modgate.testing import FakeLLMServer, FakeReply, sequence, status_reply


def _get(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def _post(url: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_models_and_counter(fake_llm: FakeLLMServer) -> None:
    models = _get(f"{fake_llm.base_url}/models")
    assert models["data"] == [{"id": "fake-judge", "object": "model", "owned_by": "fake"}]
    assert _get(f"{fake_llm.base_url}/fake/stats") == {"requests": 0}


def test_chat_completion_shape_and_script(fake_llm: FakeLLMServer) -> None:
    fake_llm.reset(sequence([FakeReply(content="first")], then=status_reply(429, retry_after=2)))
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    status, reply = _post(f"{fake_llm.base_url}/chat/completions", body)
    assert status == 200
    assert reply["choices"][0]["message"]["content"] == "first"  # type: ignore[index]
    assert reply["usage"]["prompt_tokens"] == 1  # type: ignore[index]
    status, reply = _post(f"{fake_llm.base_url}/chat/completions", body)
    assert status == 429 and "error" in reply
    assert fake_llm.request_count == 2
    assert fake_llm.requests[0].user_text == "hi"
