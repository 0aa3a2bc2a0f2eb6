"""Recordings of the voice menu's announcements and 语音信箱 greetings, made by agents (工作细则 二5).

Each names who recorded it, when, and which version of the text it reads; a recording of an older
version no longer counts as the announcement's sound (``current_recording``). The file is checked by
what it holds (``kb.channels.voice_audio.inspect_recording``) and kept in the database, for every host.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kb.accounts.audit import actor_label
from kb.core.db import get_or_not_found
from kb.core.permissions import require as _require
from kb.channels.voice_audio import MAX_RECORDING_BYTES, inspect_recording
from kb.channels.voice_menu import VoiceMenuError, can_record_voice, get_announcement
from kb.channels.models import VoiceAnnouncement, VoiceRecording
from kb.core.timestamps import beijing_now


@dataclass
class RecordingData:
    announcement_id: int
    filename: str
    content: bytes
    max_bytes: int = MAX_RECORDING_BYTES


def add_recording(session: Session, actor, data: RecordingData) -> VoiceRecording:
    """An agent's recording of the announcement's present version (checked by content, size-limited)."""
    _require(can_record_voice(actor), "只有咨询服务员或中心主任可以上传录音")
    announcement = get_announcement(session, data.announcement_id)
    if not announcement.active:
        raise VoiceMenuError("该播报已停用，不能再上传录音")
    filename = (data.filename or "录音").strip()[:300]
    info = inspect_recording(filename, data.content, data.max_bytes)
    recording = VoiceRecording(
        announcement=announcement, announcement_version=announcement.version, recorded_by_id=getattr(actor, "id", None),
        recorded_by_name=actor_label(actor)[:100], recorded_at=beijing_now(), filename=filename, format=info.format,
        size_bytes=len(data.content), duration_seconds=info.duration_seconds,
        sha256=hashlib.sha256(data.content).hexdigest(), data=data.content)
    session.add(recording)
    session.flush()
    return recording


def current_recording(announcement: VoiceAnnouncement) -> VoiceRecording | None:
    """The latest recording of the present wording (a recording of an older version does not count)."""
    return next((r for r in reversed(announcement.recordings) if r.announcement_version == announcement.version), None)


def get_recording(session: Session, recording_id: int) -> VoiceRecording:
    return get_or_not_found(session, VoiceRecording, recording_id, "录音")
