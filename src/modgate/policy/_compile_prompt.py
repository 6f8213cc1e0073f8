"""Policy → LLM judge prompt, rendered with a Jinja2 template; deterministic bytes and hash.

The default template (`templates/gpt_oss_safeguard.md.j2`, shipped in the package) follows the
bring-your-own-policy layout of gpt-oss-safeguard: INSTRUCTIONS / DEFINITIONS / VIOLATES / SAFE /
EXAMPLES and a required JSON reply (`violation`, `policy_category`, `rule_ids`, `confidence`,
`rationale`). A user template gets the same context and renders in a sandbox.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict

from modgate.errors import NotFoundError, ValidationError
from modgate.policy._schema import Policy, policy_content_hash

DEFAULT_TEMPLATE = "gpt_oss_safeguard"
"""Name of the shipped default template."""

_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")
_OTHER_FILES = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)
_TAGS = {
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "from … import",
    nodes.Extends: "extends",
}


class PromptTemplate(BaseModel):
    """A judge-prompt template: its name (or file) and Jinja2 source."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """`gpt_oss_safeguard` for the default, else the template file's path."""
    source: str
    """Jinja2 source text."""

    @property
    def sha256(self) -> str:
        """sha256 of the template source."""
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()


class CompiledPrompt(BaseModel):
    """A rendered judge prompt and the hashes that identify it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy_ref: str
    """`id@version` of the compiled policy."""
    policy_hash: str
    """Content hash of the policy."""
    template: str
    """Template name or file."""
    template_hash: str
    """sha256 of the template source."""
    text: str
    """The prompt (the judge's system message)."""
    prompt_hash: str
    """sha256 of `text` as UTF-8; equal policies and templates give equal hashes."""


def default_template() -> PromptTemplate:
    """The shipped gpt-oss-safeguard template."""
    return PromptTemplate(name=DEFAULT_TEMPLATE, source=_default_source())


@lru_cache(maxsize=1)
def _default_source() -> str:
    path = resources.files("modgate.policy") / "templates" / f"{DEFAULT_TEMPLATE}.md.j2"
    return path.read_text(encoding="utf-8")


def load_template(path: Path | str) -> PromptTemplate:
    """Read a user template file.

    Raises:
        NotFoundError: The file does not exist.
        ValidationError: The file is not UTF-8.
    """
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise NotFoundError(f"no template file {str(path)!r}") from exc
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path}: template is not UTF-8 text") from exc
    return PromptTemplate(name=str(path), source=source)


def _quote(value: object) -> str:
    return json.dumps(str(value), ensure_ascii=False)


@lru_cache(maxsize=1)
def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # a prompt is plain text, not HTML
    )
    env.filters["quote"] = _quote
    return env


class TemplateFileRefusedError(ValidationError):
    """A prompt template names another template file (`include`, `import`, `extends`)."""


@lru_cache(maxsize=32)
def _parsed(source: str) -> jinja2.Template:
    # parsing dominates compile time; a template's source fully determines its parse
    env = _environment()
    tree = env.parse(source)
    for node in tree.find_all(_OTHER_FILES):
        raise TemplateFileRefusedError(
            f"line {node.lineno}: {{% {_TAGS[type(node)]} %}} is not allowed: a prompt "
            "template is one self-contained file (it is hashed into the prompt)",
            hint="paste the other template's text in, or use {% macro %} in this file",
        )
    return env.from_string(tree)


def compile_prompt(policy: Policy, template: PromptTemplate | None = None) -> CompiledPrompt:
    """Render a policy as an LLM judge prompt.

    Output is normalised (LF line ends, no trailing spaces, at most one blank line in a row, one
    final newline), so the same policy and template always give the same bytes and hash.

    Args:
        policy: The policy to compile.
        template: Template to use (default: the shipped gpt-oss-safeguard template).

    Returns:
        The prompt with its hashes.

    Raises:
        ValidationError: The template does not parse, uses a name the context lacks, or
            includes, imports or extends another template file.
    """
    template = template or default_template()
    try:
        text = _parsed(template.source).render(
            policy=policy,
            glossary=sorted(policy.glossary.items(), key=lambda kv: (kv[0].casefold(), kv[0])),
        )
    except jinja2.TemplateSyntaxError as exc:
        raise ValidationError(
            f"{template.name}:{exc.lineno}: template syntax error: {exc.message}",
            hint="see https://jinja.palletsprojects.com/templates/",
        ) from exc
    except TemplateFileRefusedError as exc:
        raise ValidationError(f"{template.name}:{exc.message}", hint=exc.hint) from exc
    except (jinja2.UndefinedError, jinja2.exceptions.SecurityError, jinja2.TemplateError) as exc:
        raise ValidationError(
            f"{template.name}: template error: {exc}",
            hint="the context holds `policy` (id, version, title, definition, violates, "
            "allowed, examples, severity, actions) and `glossary` (term, definition pairs)",
        ) from exc
    text = _normalise(text)
    return CompiledPrompt(
        policy_ref=policy.ref,
        policy_hash=policy_content_hash(policy),
        template=template.name,
        template_hash=template.sha256,
        text=text,
        prompt_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _TRAILING_SPACE.sub("", text)
    text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip("\n") + "\n"
