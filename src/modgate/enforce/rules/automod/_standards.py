"""AutoModerator's `standard:` conditions: named check sets shipped with modgate.

AutoModerator lets a rule name a *standard condition* (`standard: image hosting sites`): a set
of checks kept by Reddit on its `automoderator_standards` wiki page, merged into the rule as
defaults (a key the rule writes itself replaces the standard's key of the same name). Reddit's
page is not bundled; modgate ships its own definition of each of the eight documented names,
one AutoModerator-syntax file per name under `standards/` — modgate's lists, compiled from the
public domains of these services, not Reddit's wiki page (docs/automod.md lists every value).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

STANDARD_CONDITIONS: tuple[str, ...] = (
    "image hosting sites",
    "direct image links",
    "video hosting sites",
    "streaming sites",
    "crowdfunding sites",
    "meme generator sites",
    "facebook links",
    "amazon affiliate links",
)
"""The `standard:` conditions AutoModerator documents; modgate implements each of them."""


def standard_file_name(name: str) -> str:
    """Its data file: `image hosting sites` → `image_hosting_sites.yaml`."""
    return name.replace(" ", "_") + ".yaml"


@lru_cache(maxsize=len(STANDARD_CONDITIONS))
def standard_source(name: str) -> str:
    """The AutoModerator YAML that defines the standard condition `name` (lower case).

    Raises:
        KeyError: `name` is not one of `STANDARD_CONDITIONS`.
    """
    if name not in STANDARD_CONDITIONS:
        raise KeyError(name)
    folder = resources.files("modgate.enforce.rules.automod") / "standards"
    return (folder / standard_file_name(name)).read_text(encoding="utf-8")
