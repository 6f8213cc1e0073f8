"""Label Studio and Argilla: golden sets in and out of the labeling tools, annotators kept.

* **Label Studio** JSON export: a list of tasks `{"id", "data": {"text": …}, "annotations":
  [{"completed_by": USER, "result": [{"type": "choices", "from_name": …, "value":
  {"choices": [LABEL, …]}}], "was_cancelled": false}]}`. `completed_by` is the user (an id, or
  an object with `email`/`username`/`id`); cancelled annotations are skipped.
* **Argilla** (v2) records, as `Dataset.records.to_json` / `Record.to_dict` write them (a JSON
  list, or JSON lines): `{"id", "fields": {"text": …}, "metadata": {…}, "responses":
  {QUESTION: [{"value": LABEL, "user_id": USER, "status": "submitted"}]}}`; discarded
  responses are skipped.

Import converts the tool's file into annotation rows (one per item × annotator) and runs them
through `import_golden_file`, so every rule of a golden import holds (rejects file, policy
check, text rule, label map, multi-label choices with `--multi-label`). Export writes the
set's current annotations in the tool's shape; export then import gives the same set.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from modgate.errors import ValidationError
from modgate.golden import _repo
from modgate.golden._io import ImportOptions, ImportResult, import_golden_file
from modgate.golden._schema import GoldenSetConfig
from modgate.store import Store

LabelingTool = Literal["label-studio", "argilla"]
LABELING_TOOLS: tuple[LabelingTool, ...] = ("label-studio", "argilla")
"""Tools whose files golden sets import from and export to."""

_LS_FROM = "label"
_LS_TO = "text"


def _load_json_records(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path}: cannot read the file: {exc}") from exc
    stripped = text.lstrip()
    try:
        if stripped.startswith("["):
            loaded = json.loads(text)
        else:
            loaded = [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{path}:{exc.lineno}: not JSON: {exc.msg}") from exc
    if not isinstance(loaded, list) or not all(isinstance(r, dict) for r in loaded):
        raise ValidationError(f"{path}: expected a JSON list of objects (or JSON lines)")
    return loaded


def _user(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        for key in ("email", "username", "id"):
            if value.get(key) not in (None, ""):
                return str(value[key])
        return None
    return str(value)


def _label_value(choices: list[Any]) -> Any:
    return choices[0] if len(choices) == 1 else list(choices)


def _label_studio_rows(
    tasks: list[dict[str, Any]], text_key: str, question: str | None
) -> Iterator[dict[str, Any]]:
    for task in tasks:
        data = task.get("data") or {}
        item_id = data.get("id", task.get("id"))
        base = {k: v for k, v in data.items() if k not in (text_key, "id")}
        base.update({"id": None if item_id is None else str(item_id), "text": data.get(text_key)})
        annotations = task.get("annotations") or task.get("completions") or []
        for annotation in annotations:
            if annotation.get("was_cancelled"):
                continue
            choices: list[Any] = []
            for result in annotation.get("result") or []:
                if result.get("type") != "choices":
                    continue
                if question is not None and result.get("from_name") != question:
                    continue
                choices.extend((result.get("value") or {}).get("choices") or [])
            yield {**base, "annotator": _user(annotation.get("completed_by")),
                   "label": _label_value(choices) if choices else None}  # fmt: skip


def _argilla_rows(
    records: list[dict[str, Any]], text_key: str, question: str | None
) -> Iterator[dict[str, Any]]:
    for record in records:
        fields = record.get("fields") or {}
        metadata = record.get("metadata") or {}
        item_id = record.get("id", record.get("external_id"))
        base = {**metadata, "id": None if item_id is None else str(item_id),
                "text": fields.get(text_key)}  # fmt: skip
        responses = record.get("responses") or {}
        names = [question] if question is not None else sorted(responses)
        if len(names) > 1:
            raise ValidationError(
                f"record {item_id!r} answers several questions {names}: name one with --question"
            )
        for name in names:
            for response in responses.get(name) or []:
                if response.get("status") == "discarded":
                    continue
                value = response.get("value")
                label = _label_value(value) if isinstance(value, list) else value
                yield {**base, "annotator": _user(response.get("user_id")), "label": label}


def import_labeling_file(
    store: Store,
    name: str,
    path: Path,
    tool: LabelingTool,
    options: ImportOptions,
    *,
    actor: str,
    config: GoldenSetConfig | None = None,
    rejects_path: Path | None = None,
    text_key: str = "text",
    question: str | None = None,
) -> ImportResult:
    """Import a Label Studio export or Argilla records into a golden set, annotators kept.

    Args:
        store: The store.
        name: Golden set (created when missing).
        path: The tool's JSON file.
        tool: `label-studio` or `argilla`.
        options: Import options (policy, label map, multi-label…); columns are fixed here.
        actor: Who imports (audit).
        config: Set config to create the set with.
        rejects_path: Rejects file (default `<file>.rejects.jsonl`).
        text_key: The data key (Label Studio) or field (Argilla) holding the text.
        question: The choices control (`from_name`) or Argilla question to read (default:
            every choices result / the only question).

    Raises:
        ValidationError: Unknown tool, or a file that is not the tool's JSON.
    """
    if tool not in LABELING_TOOLS:
        raise ValidationError(
            f"unknown labeling tool {tool!r} (known: {', '.join(LABELING_TOOLS)})"
        )
    records = _load_json_records(path)
    rows = (
        _label_studio_rows(records, text_key, question)
        if tool == "label-studio"
        else _argilla_rows(records, text_key, question)
    )
    with tempfile.TemporaryDirectory() as folder:
        converted = Path(folder) / f"{path.stem}.jsonl"
        with converted.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        fixed = options.model_copy(
            update={
                "shape": "annotations",
                "origin": options.origin or path.name,
                "id_column": "id",
                "text_column": "text",
                "annotator_column": "annotator",
                "label_column": "label",
            }  # fmt: skip
        )
        return import_golden_file(
            store, name, converted, fixed, actor=actor, config=config,
            rejects_path=rejects_path or path.with_name(path.name + ".rejects.jsonl"),
        )  # fmt: skip


def export_labeling_file(
    store: Store, name: str, path: Path, tool: LabelingTool, *, question: str = "label"
) -> int:
    """Write a golden set's items and per-annotator labels as the tool's file.

    Label Studio: one task per item (`data`: text, id, policy and facets), one annotation per
    annotator with a `choices` result. Argilla: one record per item, one response per
    annotator under `question`. Anonymous votes become that many responses without a user.

    Returns:
        Items written.

    Raises:
        NotFoundError: No such set.
        ValidationError: Unknown tool.
    """
    if tool not in LABELING_TOOLS:
        raise ValidationError(
            f"unknown labeling tool {tool!r} (known: {', '.join(LABELING_TOOLS)})"
        )
    with store.connect() as conn:
        _repo.require_set(conn, name)
        loaded = _repo.load_items(conn, name)
        ratings = _repo.load_annotations(conn, name)
    out: list[dict[str, Any]] = []
    for number, entry in enumerate(loaded, start=1):
        g = entry.golden
        facets = {"policy": g.policy, "tags": list(g.tags), "allowed": list(g.allowed),
                  "criteria": list(g.criteria), "source": g.source, "group": g.group,
                  "community": entry.community}  # fmt: skip
        facets = {k: v for k, v in facets.items() if v not in (None, [])}
        given = [(r.annotator, r.label) for r in ratings.get(g.item_id, []) for _ in range(r.votes)]
        if tool == "label-studio":
            out.append({
                "id": number,
                "data": {"text": entry.text, "id": g.item_id, **facets},
                "annotations": [
                    {"completed_by": annotator, "was_cancelled": False,
                     "result": [{"from_name": question, "to_name": _LS_TO, "type": "choices",
                                 "value": {"choices": [label]}}]}  # fmt: skip
                    for annotator, label in given
                ],
            })  # fmt: skip
        else:
            out.append({
                "id": g.item_id,
                "fields": {"text": entry.text},
                "metadata": facets,
                "responses": {question: [
                    {"value": label, "user_id": annotator, "status": "submitted"}
                    for annotator, label in given
                ]},
                "suggestions": {},
                "vectors": {},
                "status": "completed" if given else "pending",
            })  # fmt: skip
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(out)


__all__ = ["LABELING_TOOLS", "LabelingTool", "export_labeling_file", "import_labeling_file"]
