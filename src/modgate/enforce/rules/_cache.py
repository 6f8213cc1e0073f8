"""A cache of compiled big rule sets, keyed by the file's exact content.

Loading a rule set imported from a 10 MB AutoModerator config costs about 12 s of CPU, and at
least 5 s of it is composing the 22 MB YAML file (790,000 nodes): a service restart, each
stream worker and each `rules check` paid it again for the same bytes. So the first load of a
rule set file of at least `CACHE_MIN_BYTES` pickles the compiled rule set into the cache; a
later load of the same bytes, at the same path, by the same modgate (its version and the
source of the modules a compiled rule set is made of), Python, pydantic, RE2 and pyahocorasick,
unpickles it (the RE2 programs are compiled again from their pattern text, see
`CompiledRuleSet.__setstate__`) instead of composing, validating and compiling.

Where: `$MODGATE_CACHE_DIR/rulesets`, else `$XDG_CACHE_HOME/modgate/rulesets`, else
`~/.cache/modgate/rulesets`; `MODGATE_RULES_CACHE=0` turns the cache off. An entry is
trusted only if the directory and the file belong to the current user and neither is writable
by anyone else (unpickling runs code, so a file someone else could write is never read); the
newest `CACHE_ENTRIES` entries are kept. A cache that cannot be read or written is skipped: the
load then composes and compiles as without it, and says nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import stat
import sys
import tempfile
from functools import cache
from importlib import metadata
from pathlib import Path

from modgate.enforce.rules._match import CompiledRuleSet

log = logging.getLogger(__name__)

CACHE_MIN_BYTES = 1 << 20
"""Smaller rule set files load in well under a second: they are not cached."""
CACHE_ENTRIES = 8
"""Entries kept (the newest by modification time)."""
_FORMAT = "modgate-ruleset-cache-1"


def cache_dir() -> Path | None:
    """The cache directory, or None when `MODGATE_RULES_CACHE=0`."""
    if os.environ.get("MODGATE_RULES_CACHE", "1").strip() in ("0", "false", "no", "off"):
        return None
    root = os.environ.get("MODGATE_CACHE_DIR")
    if root:
        return Path(root) / "rulesets"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "modgate" / "rulesets"


def cache_key(file: Path, text: str) -> str:
    """The entry name for `text` read from `file` under this software."""
    digest = hashlib.sha256()
    for part in (_FORMAT, str(file.resolve()), *_versions()):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _versions() -> list[str]:
    found = [sys.version, _code_digest()]
    for dist in ("modgate", "pydantic", "pydantic-core", "google-re2", "pyahocorasick", "regex"):
        try:
            found.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            found.append(f"{dist}=none")
    return found


@cache
def _code_digest() -> str:
    """A digest of the code a compiled rule set is made of.

    A development install's version number does not change when that code does: the rule set
    package, text normalization and the domain models are hashed instead.
    """
    package = Path(__file__).resolve().parents[2]  # src/modgate
    sources = [
        *sorted((package / "enforce" / "rules").glob("*.py")),
        *sorted((package / "text").glob("*.py")),
        package / "domain.py",
    ]
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def cache_entry(file: Path, text: str) -> Path | None:
    """Where the compile of `text` read from `file` is cached, or None (not cached)."""
    folder = cache_dir()
    if folder is None or len(text) < CACHE_MIN_BYTES:
        return None
    try:
        return folder / f"{cache_key(file, text)}.pickle"
    except OSError as exc:  # the code digest's sources unreadable: no cache
        log.info("rule set cache off: %s", exc)
        return None


def cached(entry: Path) -> CompiledRuleSet | None:
    """The compiled rule set in `entry`, or None (absent, untrusted or unreadable)."""
    try:
        if not (_trusted(entry.parent) and _trusted(entry)):
            return None
        with entry.open("rb") as handle:
            loaded = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged entry: load without it, and drop it
        log.warning("rule set cache entry %s unreadable (%s): compiling instead", entry, exc)
        with contextlib.suppress(OSError):
            entry.unlink(missing_ok=True)
        return None
    if not isinstance(loaded, CompiledRuleSet):
        return None
    entry.touch()  # the newest entries are the ones kept
    return loaded


def store(entry: Path, compiled: CompiledRuleSet) -> None:
    """Cache `compiled` in `entry` (from `cache_entry`); errors are skipped."""
    folder = entry.parent
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _trusted(folder):
            return
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(compiled, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, entry)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _prune(folder)
    except Exception as exc:  # a full disk or a read-only home: the cache is an optimization
        log.info("rule set cache not written to %s: %s", folder, exc)


def _trusted(path: Path) -> bool:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return False
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in entries[CACHE_ENTRIES:]:
        stale.unlink(missing_ok=True)
