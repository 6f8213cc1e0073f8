"""The one loader of user-written YAML files.

Policies, rule sets, enforcer specs, gates, golden set configs and import mappings all load here.

A file is composed once by a bounded safe loader that keeps the line and column of every node,
rejects duplicate keys, types only what YAML 1.1 and 1.2 agree on (so `no`, `1:30` or `0o17`
never turn into a boolean or a number behind the user's back) and refuses alias bombs and
oversized documents in milliseconds. Validation errors, whatever found them, come out in one
format, `file:line:col: field.path: message` with a `hint:` line, all at once.
"""

from modgate.authoring._compose import (
    ComposedDocument,
    Position,
    SourceMap,
    compose_document,
    read_source,
)
from modgate.authoring._diagnostic import (
    AuthoringError,
    Diagnostic,
    FieldPath,
    format_field_path,
    render_diagnostics,
    sort_diagnostics,
)
from modgate.authoring._loader import (
    DEFAULT_LIMITS,
    AuthoringLoader,
    BoundedSafeLoader,
    DocumentLimitError,
    FastBoundedSafeLoader,
    Limits,
    compose_unaliased,
)
from modgate.authoring._validate import load_yaml_model, require_mapping, validate

__all__ = [
    "DEFAULT_LIMITS",
    "AuthoringError",
    "AuthoringLoader",
    "BoundedSafeLoader",
    "ComposedDocument",
    "Diagnostic",
    "DocumentLimitError",
    "FastBoundedSafeLoader",
    "FieldPath",
    "Limits",
    "Position",
    "SourceMap",
    "compose_document",
    "compose_unaliased",
    "format_field_path",
    "load_yaml_model",
    "read_source",
    "render_diagnostics",
    "require_mapping",
    "sort_diagnostics",
    "validate",
]
