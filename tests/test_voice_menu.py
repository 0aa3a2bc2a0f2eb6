"""The 语音服务: the key tree, announcements resting on published FAQ entries, 需复核 when an entry or an
article it cites changes, versions, schedule windows, recordings checked by content, the espeak-ng preview."""
from __future__ import annotations

import datetime as dt
import io
import shutil
import wave

import pytest

from kb.core.actors import SYSTEM
from kb.faq.operations import (
    FaqData,
    ReviewData,
    create_entry,
    publish_entry,
    review_entry,
    submit_entry,
    update_entry,
)
from kb.library.importing import import_paths
from kb.core.permissions import Forbidden
from kb.accounts.users import NewUser, create_user
from kb.channels.voice_audio import (
    ESPEAK_MISSING,
    VoiceError,
    inspect_recording,
    synthesise_preview,
)
from kb.channels.voice_menu import (
    CURRENT,
    NEEDS_REVIEW,
    AnnouncementData,
    NodeData,
    VoiceMenuError,
    add_node,
    announcement_status,
    menu_lines,
    playing_on,
    review_announcement,
    review_list,
    save_announcement,
)
from kb.channels.voice_recordings import RecordingData, add_recording, current_recording
from tests.conftest import TAX

INVOICE_2019 = "发票管理办法(2019-03-02).md"
INVOICE_2023 = "发票管理办法(2023-07-20).md"
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


def wav_bytes(seconds: float = 0.5, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


def mp3_bytes(frames: int = 40) -> bytes:
    """MPEG-1 Layer III frames, 128 kbit/s, 44.1 kHz (silence): 417 bytes each, 26 ms each."""
    return (bytes([0xFF, 0xFB, 0x90, 0x64]) + bytes(413)) * frames


@pytest.fixture
def people(session):
    made = {}
    for username, role, department in (("zhuren", "director", None), ("zuoxi", "agent", None),
                                       ("zhengguan", "department", "征管处"), ("suode", "department", "所得税处"),
                                       ("fagui", "policy", None)):
        made[username], _ = create_user(session, SYSTEM, NewUser(
            username=username, role=role, password="password-1", department=department,
            staff_no="1001" if role == "agent" else None))
    session.commit()
    return made


@pytest.fixture
def invoice_entry(session_factory, session, people):
    """A published FAQ entry citing 发票管理办法 (2019), in force until its 2023 revision arrives."""
    report = import_paths(session_factory, [TAX / INVOICE_2019], {})
    assert report.ok
    entry = create_entry(session, people["fagui"], FaqData(
        question="发票存根联要保存多久？", answer="已经开具的发票存根联，应当保存5年。",
        citations=[f"{INVOICE_2019}#第二十九条"]))
    submit_entry(session, people["fagui"], entry)
    publish_entry(session, people["zhuren"], entry)
    session.commit()
    return entry


def _menu(session, actor, entry, **fields):
    invoices = add_node(session, actor, NodeData(key="1", title="发票业务"))
    keeping = add_node(session, actor, NodeData(key="2", title="发票保管", parent_id=invoices.id))
    data = AnnouncementData(title="发票存根联保存期限", text="已经开具的发票存根联，应当保存五年。",
                            faq_ids=[entry.id], node_id=keeping.id, **fields)
    return keeping, save_announcement(session, actor, data)


def test_the_director_builds_the_menu_and_each_change_is_a_version(session, people, invoice_entry):
    director = people["zhuren"]
    node, announcement = _menu(session, director, invoice_entry)
    assert node.keys == "1-2" and announcement.keys == "1-2"
    assert announcement_status(announcement) == CURRENT
    save_announcement(session, people["zhengguan"], AnnouncementData(  # 征管处 keeps the content too
        title="发票存根联保存期限", text="发票存根联和发票登记簿，应当保存五年。", faq_ids=[invoice_entry.id],
        node_id=node.id, note="补充登记簿"), announcement.id)
    assert [(v.number, v.action, v.actor_name) for v in announcement.versions] == [
        (1, "created", "zhuren"), (2, "edited", "zhengguan")]
    assert announcement.versions[-1].changed_fields == ["text"]
    assert announcement.versions[0].snapshot["text"] == "已经开具的发票存根联，应当保存五年。"
    line, = menu_lines(session, dt.date(2026, 12, 1))
    assert {k: line.as_json()[k] for k in ("keys", "title", "faq_ids", "status")} == {
        "keys": "1-2", "title": "发票存根联保存期限", "faq_ids": [invoice_entry.id], "status": "current"}
    with pytest.raises(VoiceMenuError, match="按键 1 已用于“发票业务”"):
        add_node(session, director, NodeData(key="1", title="个人所得税"))
    with pytest.raises(VoiceMenuError, match="按键“A”无效"):
        add_node(session, director, NodeData(key="A", title="个人所得税"))


def test_only_the_director_and_the_collection_office_edit_and_agents_record(session, people, invoice_entry):
    for who in ("zuoxi", "fagui", "suode"):
        with pytest.raises(Forbidden, match="只有中心主任或征管处可以修改语音菜单"):
            add_node(session, people[who], NodeData(key="9", title="其他"))
    _node, announcement = _menu(session, people["zhuren"], invoice_entry)
    with pytest.raises(Forbidden, match="只有咨询服务员或中心主任可以上传录音"):
        add_recording(session, people["fagui"], RecordingData(announcement.id, "a.wav", wav_bytes()))
    recording = add_recording(session, people["zuoxi"], RecordingData(announcement.id, "a.wav", wav_bytes()))
    assert recording.recorded_by_id == people["zuoxi"].id and recording.recorded_by_name == "zuoxi（工号 1001）"


def test_an_announcement_rests_only_on_published_entries(session, people, invoice_entry):
    director = people["zhuren"]
    node = add_node(session, director, NodeData(key="3", title="申报"))
    draft = create_entry(session, people["fagui"], FaqData(question="草稿问题", answer="草稿"))
    with pytest.raises(VoiceMenuError, match=f"问答 {draft.id} 尚未发布"):
        save_announcement(session, director, AnnouncementData(title="t", text="x", faq_ids=[draft.id], node_id=node.id))
    with pytest.raises(VoiceMenuError, match="至少一条已发布的问答"):
        save_announcement(session, director, AnnouncementData(title="t", text="x", node_id=node.id))
    greeting = save_announcement(session, director, AnnouncementData(
        title="下班留言", text="您好，现在是非工作时间，请在提示音后留言。"))  # 语音信箱: no FAQ needed
    assert greeting.kind == "greeting" and greeting.keys == ""


def test_a_revision_of_a_cited_article_flags_the_announcement_through_the_faq(
        session_factory, session, people, tax_catalog, invoice_entry):
    director = people["zhuren"]
    _node, announcement = _menu(session, director, invoice_entry)
    session.commit()
    assert review_list(session) == []

    report = import_paths(session_factory, [TAX / INVOICE_2023], {INVOICE_2023: tax_catalog[INVOICE_2023]})
    assert report.ok
    session.expire_all()
    assert invoice_entry.needs_review  # the FAQ cascade …
    assert announcement_status(announcement) == NEEDS_REVIEW  # … reaches the voice menu
    (listed, reasons), = review_list(session)
    assert listed is announcement and "已修订" in reasons[0]
    assert menu_lines(session, dt.date(2026, 12, 1))[0].as_json()["status"] == "需复核"
    with pytest.raises(VoiceMenuError, match="本身需复核"):
        review_announcement(session, director, announcement.id)

    review_entry(session, director, invoice_entry, ReviewData(
        citations=["《中华人民共和国发票管理办法》第二十八条"], note="改引2023年版"))
    assert announcement_status(announcement) == NEEDS_REVIEW  # the entry changed: the wording is re-read
    review_announcement(session, director, announcement.id, note="措辞不变")
    assert announcement_status(announcement) == CURRENT and review_list(session) == []
    assert announcement.versions[-1].action == "reviewed" and announcement.version == 1  # same wording


def test_editing_the_entry_flags_the_announcement(session, people, invoice_entry):
    _node, announcement = _menu(session, people["zhuren"], invoice_entry)
    update_entry(session, people["zhuren"], invoice_entry, FaqData(answer="已经开具的发票存根联和发票登记簿，应当保存5年。"))
    assert "已修改" in review_list(session)[0][1][0]


def test_schedule_windows_decide_what_plays(session, people, invoice_entry):
    director = people["zhuren"]
    node, default = _menu(session, director, invoice_entry)
    season = save_announcement(session, director, AnnouncementData(
        title="汇算期间提示", text="汇算期间发票问题请按2。", faq_ids=[invoice_entry.id], node_id=node.id,
        starts_on=dt.date(2027, 3, 1), ends_on=dt.date(2027, 6, 30)))
    assert playing_on(node, dt.date(2027, 2, 28)) is default
    assert playing_on(node, dt.date(2027, 3, 1)) is season
    assert playing_on(node, dt.date(2027, 6, 30)) is season
    with pytest.raises(VoiceMenuError, match="播放时段与“汇算期间提示”（2027-03-01 至 2027-06-30）重叠"):
        save_announcement(session, director, AnnouncementData(
            title="五一", text="节日期间…", faq_ids=[invoice_entry.id], node_id=node.id,
            starts_on=dt.date(2027, 5, 1), ends_on=dt.date(2027, 5, 5)))
    with pytest.raises(VoiceMenuError, match="结束日期早于开始日期"):
        save_announcement(session, director, AnnouncementData(
            title="x", text="x", faq_ids=[invoice_entry.id], node_id=node.id,
            starts_on=dt.date(2027, 5, 5), ends_on=dt.date(2027, 5, 1)))
    plays = {line.announcement.title: line.plays_today for line in menu_lines(session, dt.date(2027, 4, 1))}
    assert plays == {"发票存根联保存期限": False, "汇算期间提示": True}


def test_recordings_are_checked_by_content_and_name_their_version(session, people, invoice_entry):
    director, agent = people["zhuren"], people["zuoxi"]
    node, announcement = _menu(session, director, invoice_entry)
    wav = add_recording(session, agent, RecordingData(announcement.id, "存根联.wav", wav_bytes(1.5)))
    assert (wav.format, wav.duration_seconds, wav.announcement_version) == ("wav", 1.5, 1)
    mp3 = add_recording(session, agent, RecordingData(announcement.id, "存根联-重录.mp3", mp3_bytes()))
    assert mp3.format == "mp3" and 1.0 < mp3.duration_seconds < 1.1
    assert current_recording(announcement) is mp3

    with pytest.raises(VoiceError, match="不是可播放的 WAV 或 MP3 录音"):
        add_recording(session, agent, RecordingData(announcement.id, "假录音.wav", "这是文字".encode() * 100))
    with pytest.raises(VoiceError, match="不是可播放的 WAV 或 MP3 录音"):
        add_recording(session, agent, RecordingData(announcement.id, "a.mp3", b"RIFF\x00\x00\x00\x00WAVEjunk"))
    with pytest.raises(VoiceError, match="超过上限"):
        add_recording(session, agent, RecordingData(announcement.id, "长.wav", wav_bytes(2), max_bytes=1000))
    assert len(announcement.recordings) == 2  # refused uploads store nothing

    save_announcement(session, director, AnnouncementData(
        title="发票存根联保存期限", text="发票存根联应当保存五年。", faq_ids=[invoice_entry.id], node_id=node.id),
        announcement.id)
    assert announcement.version == 2 and current_recording(announcement) is None  # re-record the new wording


@needs_espeak
def test_the_preview_is_spoken_offline_by_espeak_ng():
    data = synthesise_preview("您好，这里是12366纳税服务热线。")
    info = inspect_recording("preview.wav", data)
    assert info.format == "wav" and info.duration_seconds > 1


def test_a_missing_espeak_ng_is_explained_in_chinese(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine without the Debian package
    with pytest.raises(VoiceError) as error:
        synthesise_preview("您好")
    assert str(error.value) == ESPEAK_MISSING and "scripts/setup.sh --system" in ESPEAK_MISSING
