r"""Fallback-engine (`regex` module) patterns that compile on first use.

A pattern RE2 cannot run (a lookaround, a backreference) is matched by the `regex` module,
behind an RE2 prefilter: its relaxed form (`relax_for_re2`, lookarounds removed) goes into the
view's RE2 set, and the full pattern runs only where that matched and the rule's cheap checks
hold. Compiling such a pattern with `regex` costs 10–30 ms when it holds a long alternation,
as AutoModerator's keyword lists translated with Python's Unicode `\b` do: 800 of them were
12 s of a 10 MB config's 23 s load, for patterns most items never reach. So a prefiltered
pattern is compiled the first time its prefilter fires (`LazyPattern`).

Deferring must not let an invalid pattern load. A pattern is deferred only when its validity
follows from what was compiled at load (`deferrable`): RE2 compiled its relaxed form, which
checks every construct outside the removed lookarounds; each removed lookaround compiles with
`regex` on its own (they repeat: `(?<=[^\p{L}\p{N}_])`, so each distinct one is compiled once);
nothing was removed but lookarounds (a backreference needs its group, which only the whole
pattern shows); and the pattern holds none of the constructs RE2 accepts that `regex` rejects
(`\C`, `\Q…\E`, `\x{…}`, the ungreedy flag `U`).
Any other pattern is compiled at load, as before.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import regex

LOOKAROUNDS = ("(?=", "(?!", "(?<=", "(?<!")
"""How a lookaround group opens (`relax_for_re2` takes these out)."""
_RE2_ONLY = re.compile(r"\\[CQE]|\\x\{|\(\?[A-Za-z-]*U")
r"""What RE2 accepts and `regex` rejects: `\C`, `\Q…\E`, `\x{…}`, the `U` (ungreedy) flag."""


class FallbackUnavailable(TimeoutError):
    """A deferred pattern failed to compile on first use; raised where a timeout would be.

    It cannot happen for a pattern `deferrable` accepted; if it does, the item gets the same
    error verdict (→ review) as a regex timeout, never an allow.
    """


class LazyPattern:
    """A `regex` pattern compiled the first time `search` runs (thread-safe)."""

    __slots__ = ("_compiled", "_lock", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._compiled: Any = None
        self._lock = threading.Lock()

    def __getstate__(self) -> str:
        return self.pattern

    def __setstate__(self, pattern: str) -> None:
        self.__init__(pattern)  # type: ignore[misc]  # uncompiled again, with a fresh lock

    @property
    def compiled(self) -> bool:
        """Whether the pattern has been compiled yet."""
        return self._compiled is not None

    def search(self, text: str, *, timeout: float) -> Any:
        """`regex.compile(pattern, regex.V0).search(text, timeout=timeout)`."""
        compiled = self._compiled
        if compiled is None:
            with self._lock:
                if self._compiled is None:
                    try:
                        self._compiled = regex.compile(self.pattern, regex.V0)
                    except regex.error as exc:
                        message = f"fallback regex does not compile: {exc}"
                        raise FallbackUnavailable(message) from exc
                compiled = self._compiled
        return compiled.search(text, timeout=timeout)


def deferrable(pattern: str, removed: Sequence[str]) -> bool:
    """Whether `pattern` may be compiled on first use (see the module docstring).

    Args:
        pattern: The full pattern, in `regex` syntax.
        removed: What `relax_for_re2` took out of it; its relaxed form compiled in RE2.
    """
    if _RE2_ONLY.search(pattern):
        return False
    return all(piece.startswith(LOOKAROUNDS) and _compiles(piece) for piece in removed)


@lru_cache(maxsize=1024)
def _compiles(piece: str) -> bool:
    try:
        regex.compile(piece, regex.V0)
    except regex.error:
        return False
    return True
