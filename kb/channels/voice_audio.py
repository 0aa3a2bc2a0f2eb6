"""Sound for the voice menu: checking an uploaded recording by what it holds, and the offline
synthesised preview (Debian's ``espeak-ng``, Mandarin voice ``cmn``) the director hears until a
recording exists.

A recording is accepted when ``mutagen`` reads it as WAV or MP3 audio of some length, whatever its
file name says; a renamed text or PDF file is refused, and so is anything over ``MAX_RECORDING_BYTES``.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError
from mutagen.mp3 import MP3
from mutagen.wave import WAVE

from kb.core.errors import KbError

MAX_RECORDING_BYTES = 10 * 1024 * 1024
ESPEAK = "espeak-ng"
ESPEAK_VOICE = "cmn"
ESPEAK_TIMEOUT_SECONDS = 30
ESPEAK_MISSING = "未安装 espeak-ng，无法生成合成试听；请以 root 运行 scripts/setup.sh --system 安装（Debian 软件包 espeak-ng）"
FORMAT_LABELS = {"wav": "WAV", "mp3": "MP3"}


class VoiceError(KbError):
    pass


@dataclass(frozen=True)
class AudioInfo:
    format: str               # wav | mp3
    duration_seconds: float


def inspect_recording(filename: str, data: bytes, max_bytes: int = MAX_RECORDING_BYTES) -> AudioInfo:
    """What the uploaded ``data`` is, or a ``VoiceError`` saying in Chinese why it is refused."""
    if not data:
        raise VoiceError("录音文件为空")
    if len(data) > max_bytes:
        raise VoiceError(f"录音文件“{filename}”为 {len(data) / 1048576:.1f} MB，超过上限 {max_bytes / 1048576:.0f} MB")
    for fmt, reader in (("wav", WAVE), ("mp3", MP3)):
        if fmt == "wav" and not data.startswith(b"RIFF"):
            continue
        try:
            audio = reader(io.BytesIO(data))
        except (MutagenError, ValueError, EOFError):
            continue
        length = float(getattr(audio.info, "length", 0) or 0)
        if length > 0:
            return AudioInfo(format=fmt, duration_seconds=round(length, 2))
    raise VoiceError(f"“{filename}”不是可播放的 WAV 或 MP3 录音（按文件内容判断，与扩展名无关）")


def preview_available() -> bool:
    return shutil.which(ESPEAK) is not None


def synthesise_preview(text: str) -> bytes:
    """The text spoken by espeak-ng's Mandarin voice, as WAV bytes (made on this machine, offline)."""
    text = (text or "").strip()
    if not text:
        raise VoiceError("播报文字为空，无法生成合成试听")
    program = shutil.which(ESPEAK)
    if program is None:
        raise VoiceError(ESPEAK_MISSING)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "preview.wav"
        try:
            subprocess.run([program, "-v", ESPEAK_VOICE, "-w", str(out), "--", text], check=True,
                           capture_output=True, timeout=ESPEAK_TIMEOUT_SECONDS)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
            raise VoiceError(f"espeak-ng 合成失败：{error}") from error
        return out.read_bytes()
