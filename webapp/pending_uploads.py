"""Uploads waiting for confirmation, kept in the data folder between preview and confirm.

Each upload is two files under ``<data>/uploads/``: ``<token>.bin`` (the bytes) and
``<token>.json`` (file name, uploader, time). Tokens are random; only the uploader may use
them; leftovers older than a day are removed.
"""
from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass
class PendingUpload:
    token: str
    name: str
    data: bytes
    user_id: int


def _folder(data_dir: str | Path) -> Path:
    folder = Path(data_dir) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save(data_dir: str | Path, name: str, data: bytes, user_id: int) -> str:
    folder = _folder(data_dir)
    _purge(folder)
    token = secrets.token_urlsafe(18)
    (folder / f"{token}.bin").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps({"name": name, "user_id": user_id, "at": time.time()},
                                                     ensure_ascii=False), encoding="utf-8")
    return token


def load(data_dir: str | Path, token: str, user_id: int) -> PendingUpload | None:
    if not _TOKEN.match(token or ""):
        return None
    folder = _folder(data_dir)
    try:
        info = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
        data = (folder / f"{token}.bin").read_bytes()
    except (OSError, ValueError):
        return None
    if info.get("user_id") != user_id:
        return None
    return PendingUpload(token=token, name=info["name"], data=data, user_id=user_id)


def discard(data_dir: str | Path, token: str) -> None:
    if not _TOKEN.match(token or ""):
        return
    for suffix in (".bin", ".json"):
        (_folder(data_dir) / f"{token}{suffix}").unlink(missing_ok=True)


def _purge(folder: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue
