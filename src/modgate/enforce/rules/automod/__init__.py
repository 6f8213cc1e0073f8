"""Reddit AutoModerator configurations → rule sets, with a report of what was not translated."""

from typing import TYPE_CHECKING

from modgate._lazy import attach

if TYPE_CHECKING:
    from modgate.enforce.rules.automod._io import (
        import_automod,
        render_report,
        render_rule_set_yaml,
        rule_set_name,
    )
    from modgate.enforce.rules.automod._model import AutomodConfig, AutomodDocument, AutomodRule
    from modgate.enforce.rules.automod._parse import parse_automod_config, read_automod_config
    from modgate.enforce.rules.automod._report import AutomodImportEntry, AutomodImportReport
    from modgate.enforce.rules.automod._translate import AutomodImport, import_automod_config

__getattr__, __dir__ = attach(
    __name__,
    {
        "import_automod": "modgate.enforce.rules.automod._io",
        "render_report": "modgate.enforce.rules.automod._io",
        "render_rule_set_yaml": "modgate.enforce.rules.automod._io",
        "rule_set_name": "modgate.enforce.rules.automod._io",
        "AutomodConfig": "modgate.enforce.rules.automod._model",
        "AutomodDocument": "modgate.enforce.rules.automod._model",
        "AutomodRule": "modgate.enforce.rules.automod._model",
        "parse_automod_config": "modgate.enforce.rules.automod._parse",
        "read_automod_config": "modgate.enforce.rules.automod._parse",
        "AutomodImportEntry": "modgate.enforce.rules.automod._report",
        "AutomodImportReport": "modgate.enforce.rules.automod._report",
        "AutomodImport": "modgate.enforce.rules.automod._translate",
        "import_automod_config": "modgate.enforce.rules.automod._translate",
    },
)

__all__ = [
    "AutomodConfig",
    "AutomodDocument",
    "AutomodImport",
    "AutomodImportEntry",
    "AutomodImportReport",
    "AutomodRule",
    "import_automod",
    "import_automod_config",
    "parse_automod_config",
    "read_automod_config",
    "render_report",
    "render_rule_set_yaml",
    "rule_set_name",
]
