"""The `llm` kind: an LLM judge over any OpenAI-compatible endpoint."""

from __future__ import annotations

from modgate.enforce._kinds import EnforcerKind, KindContext
from modgate.enforce._protocol import Enforcer, EnforcerSpec
from modgate.enforce.llm._params import LLMParams


def _build(spec: EnforcerSpec, context: KindContext) -> Enforcer:
    from modgate.enforce.llm._enforcer import LLMEnforcer

    return LLMEnforcer(spec, store=context.store, environ=context.environ)


LLM_KIND = EnforcerKind(
    name="llm",
    build=_build,
    params_model=LLMParams,
    summary="LLM judge prompted with the compiled policy (OpenAI-compatible endpoint)",
)
"""The `llm` kind; the openai client loads only when a judge is built."""

__all__ = ["LLM_KIND"]
