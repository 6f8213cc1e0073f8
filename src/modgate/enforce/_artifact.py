"""Model artifacts on disk: content-addressed files with a sidecar of hashes, checked on load.

An artifact is a joblib pickle named for its sha256 (`<sha256[:16]>.joblib`) next to a sidecar
`<same>.json` holding the full sha256, the training-data hash, the dev metrics and the library
versions. Pickles run code when loaded, so `load_artifact` hashes the bytes first and refuses
anything whose hash differs from the one the catalog recorded at registration.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from modgate.errors import EnforcerError, ModgateWarning


class ArtifactVersionWarning(ModgateWarning):
    """An artifact was saved with another scikit-learn version than the one loading it."""


class ArtifactInfo(BaseModel):
    """Where an artifact was written and what identifies it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: Path
    """The artifact file."""
    sha256: str
    """sha256 of its bytes."""
    sidecar: dict[str, Any]
    """Contents of the sidecar JSON."""


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_artifact(model: Any, directory: Path, *, meta: dict[str, Any]) -> ArtifactInfo:
    """Pickle a model into `directory`, named by its hash, with a sidecar of hashes.

    Args:
        model: The fitted model.
        directory: Folder to write into (created if missing).
        meta: Extra sidecar fields (training-data hash, metrics, profile…).

    Returns:
        The artifact's path, sha256 and sidecar.
    """
    import joblib
    import sklearn

    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    data = buffer.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    path = directory / f"{sha[:16]}.joblib"
    sidecar = {"sha256": sha, "format": "joblib", "sklearn": sklearn.__version__, **meta}
    if not path.exists() or file_sha256(path) != sha:
        _write_atomic(path, data)
    _write_atomic(
        path.with_suffix(".json"),
        (json.dumps(sidecar, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode(),
    )
    return ArtifactInfo(path=path, sha256=sha, sidecar=sidecar)


def load_artifact(path: Path, expected_sha256: str) -> Any:
    """Load a pickled model after checking its bytes against the expected sha256.

    Args:
        path: The artifact file.
        expected_sha256: The hash recorded when the artifact was registered.

    Returns:
        The unpickled model.

    Raises:
        EnforcerError: The file is missing, or its hash differs (tampered or replaced): it is
            never unpickled then.
    """
    import joblib
    import sklearn

    if not path.is_file():
        raise EnforcerError(f"model artifact {path} not found")
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected_sha256:
        raise EnforcerError(
            f"model artifact {path} has sha256 {actual[:16]}…, expected {expected_sha256[:16]}…: "
            "refusing to load a changed artifact",
            hint="retrain (modgate enforcer train) or restore the original file",
        )
    sidecar_path = path.with_suffix(".json")
    if sidecar_path.is_file():
        try:
            saved_with = json.loads(sidecar_path.read_text(encoding="utf-8")).get("sklearn")
        except (ValueError, OSError):
            saved_with = None
        if saved_with and saved_with != sklearn.__version__:
            warnings.warn(
                f"{path} was saved with scikit-learn {saved_with}, this is "
                f"{sklearn.__version__}: predictions may differ",
                ArtifactVersionWarning,
                stacklevel=2,
            )
    return joblib.load(io.BytesIO(data))


__all__ = [
    "ArtifactInfo",
    "ArtifactVersionWarning",
    "file_sha256",
    "load_artifact",
    "save_artifact",
]
