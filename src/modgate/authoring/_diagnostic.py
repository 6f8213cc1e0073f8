"""Diagnostics: one problem in a user-written file, and the error that carries all of them.

Every authoring loader reports in one format, `file:line:col: field.path: message`, with an
optional `hint:` line below, so a user reads the same shape whatever file type they got wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from modgate.errors import ValidationError

FieldPath = tuple[str | int, ...]
"""Path of a field inside a document, e.g. `("criteria", 0, "id")`."""


def format_field_path(path: Sequence[str | int]) -> str:
    """Render a field path in the one style: `criteria[0].id` (empty for the whole document)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class Diagnostic(BaseModel):
    """One problem in a user-written file, located at its line and column."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str
    """File the problem is in (or the name given for text)."""
    line: int | None
    """1-based line, when known."""
    col: int | None
    """1-based column, when known."""
    path: str
    """Field path, e.g. `criteria[0].id` (empty for the document itself)."""
    message: str
    """What is wrong, naming the offending value where there is one."""
    hint: str | None = None
    """How to fix it."""
    code: str = "schema"
    """What found it: `yaml` (syntax, duplicate keys, tags, limits), `schema` (validation) or a
    loader's own check name."""

    @property
    def location(self) -> str:
        """`file:line:col`, as much of it as is known."""
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def headline(self) -> str:
        """The first line: `file:line:col: field.path: message`."""
        field = f"{self.path}: " if self.path else ""
        return f"{self.location}: {field}{self.message}"

    def render(self) -> str:
        """The diagnostic as text: the headline, and the hint on an indented line below."""
        if self.hint:
            return f"{self.headline()}\n    hint: {self.hint}"
        return self.headline()


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics in reading order (file, line, column), the order found kept among equals."""
    return sorted(
        diagnostics,
        key=lambda d: (d.file, d.line if d.line is not None else 0, d.col or 0),
    )


def render_diagnostics(diagnostics: Sequence[Diagnostic]) -> str:
    """Diagnostics as text, one block each, in reading order."""
    return "\n".join(d.render() for d in sort_diagnostics(diagnostics))


class AuthoringError(ValidationError):
    """A user-written file is invalid; `diagnostics` lists every problem found, in order.

    Attributes:
        diagnostics: Every problem, in reading order.
        what: The kind of file (`policy file`, `gate file`…), for the header line.
    """

    def __init__(
        self,
        diagnostics: Sequence[Diagnostic],
        *,
        what: str = "file",
        hint: str | None = None,
    ) -> None:
        self.diagnostics = sort_diagnostics(diagnostics)
        self.what = what
        count = len(self.diagnostics)
        where = self.diagnostics[0].file if self.diagnostics else "<text>"
        header = f"{count} problem{'s' if count != 1 else ''} in {what} {where}:"
        super().__init__(header + "\n" + self.render(), hint=hint)

    def render(self) -> str:
        """Every diagnostic as text, in reading order (without the header line)."""
        return render_diagnostics(self.diagnostics)
