"""语音服务 pages and command: who may open and change what, the director building the menu, an agent
uploading a recording (checked by content), the preview, the printable script and ``voice-menu --json``."""
from __future__ import annotations

import io
import json
import shutil

import docx
import pytest
from sqlalchemy import select

from kb.core.actors import SYSTEM
from kb.core.db import transaction
from kb.faq.operations import FaqData, create_entry, get_entry, publish_entry, submit_entry, update_entry
from kb.accounts.users import find_user
from kb.channels.models import VoiceAnnouncement, VoiceMenuNode
from tests.test_voice_menu import mp3_bytes, wav_bytes
from tests.web_helpers import add_user, client_as, csrf_token, login, post_form  # noqa: F401  (fixture)

INVOICE = "发票管理办法(2023-07-20).md"


@pytest.fixture
def faq_id(app, import_tax):
    import_tax(INVOICE)
    with transaction(app.extensions["kb_storage"].session_factory) as session:
        entry = create_entry(session, SYSTEM, FaqData(
            question="发票存根联要保存多久？", answer="已经开具的发票存根联，应当保存5年。",
            citations=[f"{INVOICE}#第二十八条"]), status="published")
        return entry.id


def _build_menu(client, faq_id: int) -> int:
    assert post_form(client, "/voice/nodes", {"key": "1", "title": "发票业务"}, "/voice/").status_code == 302
    with app_session(client) as session:
        node_id = str(session.scalars(select(VoiceMenuNode.id).where(VoiceMenuNode.key == "1")).one())
    response = post_form(client, "/voice/announcements", {
        "node_id": node_id, "title": "发票存根联保存期限", "text": "已经开具的发票存根联，应当保存五年。",
        "faq_ids": str(faq_id)}, "/voice/")
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def app_session(client):
    return client.application.extensions["kb_storage"].session_factory()


ROLES = ("agent", "policy", "director", "admin", "department")


@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_and_change_the_voice_menu(app, client_as, role):
    client = client_as(role)  # a department user of 纳税服务科, not 征管处
    assert client.get("/voice/").status_code == (403 if role == "department" else 200)
    page = client.get("/voice/", follow_redirects=True)
    may_edit = role == "director"
    assert ('id="add-node"' in page.text) == may_edit
    if role != "department":
        response = client.post("/voice/nodes", data={"key": "1", "title": "发票", "csrf_token": csrf_token(page.text)})
        assert response.status_code == (302 if may_edit else 403)


def test_the_collection_office_edits_the_menu(app, faq_id):
    add_user(app, "zhengguan", "department", department="征管处")
    client = app.test_client()
    login(client, "zhengguan")
    announcement_id = _build_menu(client, faq_id)
    page = client.get(f"/voice/announcements/{announcement_id}")
    assert "按键 1 · 发票存根联保存期限" in page.text and "zhengguan" in page.text


def test_bad_input_comes_back_in_chinese_with_the_form(app, client_as, faq_id):
    director = client_as("director")
    assert post_form(director, "/voice/nodes", {"key": "1", "title": "发票业务"}, "/voice/").status_code == 302
    response = post_form(director, "/voice/announcements", {
        "node_id": "1", "title": "汇算提示", "text": "汇算期间请按二。", "faq_ids": "999",
        "starts_on": "2027-13-01"}, "/voice/")
    assert response.status_code == 400 and "开始日期“2027-13-01”无效" in response.text
    assert "汇算期间请按二。" in response.text  # nothing typed is lost
    response = post_form(director, "/voice/announcements", {
        "node_id": "1", "title": "汇算提示", "text": "汇算期间请按二。", "faq_ids": "999"}, "/voice/")
    assert response.status_code == 400 and "问答 999 不存在" in response.text


def test_an_agent_uploads_a_recording_checked_by_its_content(app, client_as, faq_id):
    director = client_as("director")
    announcement_id = _build_menu(director, faq_id)
    agent = client_as("agent")
    url = f"/voice/announcements/{announcement_id}"
    page = agent.get(url)
    assert 'id="save-announcement"' not in page.text and 'id="upload-recording"' in page.text

    fake = agent.post(f"{url}/recordings", data={"csrf_token": csrf_token(page.text),
                                                  "file": (io.BytesIO("不是声音".encode() * 50), "假.wav")},
                      content_type="multipart/form-data")
    assert fake.status_code == 400 and "不是可播放的 WAV 或 MP3 录音" in fake.text
    for name, data in (("存根联.wav", wav_bytes(1.0)), ("存根联.mp3", mp3_bytes())):
        response = agent.post(f"{url}/recordings", data={"csrf_token": csrf_token(page.text),
                                                         "file": (io.BytesIO(data), name)},
                              content_type="multipart/form-data")
        assert response.status_code == 302, response.text
    page = agent.get(url)
    assert page.text.count("agent-user（工号 1001）") >= 2 and "第 1 版" in page.text
    sound = agent.get("/voice/recordings/2")
    assert sound.status_code == 200 and sound.mimetype == "audio/mpeg" and sound.data == mp3_bytes()


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_the_director_hears_a_synthesised_preview(app, client_as, faq_id):
    director = client_as("director")
    announcement_id = _build_menu(director, faq_id)
    page = director.get(f"/voice/announcements/{announcement_id}")
    assert 'id="synth-preview"' in page.text
    sound = director.get(f"/voice/announcements/{announcement_id}/preview.wav")
    assert sound.status_code == 200 and sound.mimetype == "audio/wav" and sound.data.startswith(b"RIFF")


def test_without_espeak_ng_the_page_says_how_to_install_it(app, client_as, faq_id, monkeypatch, tmp_path):
    director = client_as("director")
    announcement_id = _build_menu(director, faq_id)
    monkeypatch.setenv("PATH", str(tmp_path))
    page = director.get(f"/voice/announcements/{announcement_id}")
    assert 'id="espeak-missing"' in page.text and "scripts/setup.sh --system" in page.text
    sound = director.get(f"/voice/announcements/{announcement_id}/preview.wav")
    assert sound.status_code == 503 and "未安装 espeak-ng" in sound.text


def test_the_command_and_the_script_list_every_announcement_with_its_status(app, client_as, runner, faq_id):
    director = client_as("director")
    _build_menu(director, faq_id)
    result = runner.invoke(args=["voice-menu", "--json"])
    assert result.exit_code == 0, result.output
    line, = [json.loads(text) for text in result.output.splitlines()]
    assert {k: line[k] for k in ("keys", "title", "text", "faq_ids", "status")} == {
        "keys": "1", "title": "发票存根联保存期限", "text": "已经开具的发票存根联，应当保存五年。",
        "faq_ids": [faq_id], "status": "current"}

    with transaction(app.extensions["kb_storage"].session_factory) as session:  # the answer changes
        update_entry(session, find_user(session, "director-user"), get_entry(session, faq_id),
                     FaqData(answer="已经开具的发票存根联和发票登记簿，应当保存5年。"))
    line, = [json.loads(text) for text in runner.invoke(args=["voice-menu", "--json"]).output.splitlines()]
    assert line["status"] == "需复核"
    assert "需复核" in director.get("/voice/").text

    response = director.get("/voice/menu.docx")
    assert response.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs)
    assert "按键 1　发票业务" in text and "已经开具的发票存根联，应当保存五年。" in text and "【需复核】" in text


def test_publish_entry_is_the_only_way_into_the_menu(app, client_as, faq_id):
    """A draft entry (not yet published) cannot carry an announcement."""
    with transaction(app.extensions["kb_storage"].session_factory) as session:
        draft = create_entry(session, SYSTEM, FaqData(question="草稿", answer="草稿答复", citations=[f"{INVOICE}#第二十八条"]))
        draft_id = draft.id
    director = client_as("director")
    assert post_form(director, "/voice/nodes", {"key": "1", "title": "其他"}, "/voice/").status_code == 302
    response = post_form(director, "/voice/announcements", {
        "node_id": "1", "title": "t", "text": "x", "faq_ids": str(draft_id)}, "/voice/")
    assert response.status_code == 400 and f"问答 {draft_id} 尚未发布" in response.text
    with transaction(app.extensions["kb_storage"].session_factory) as session:
        submit_entry(session, SYSTEM, get_entry(session, draft_id))
        publish_entry(session, SYSTEM, get_entry(session, draft_id))
    response = post_form(director, "/voice/announcements", {
        "node_id": "1", "title": "t", "text": "x", "faq_ids": str(draft_id)}, "/voice/")
    assert response.status_code == 302


def test_an_overlong_title_or_note_is_refused_in_chinese_and_nothing_is_saved(app, client_as, faq_id):
    director = client_as("director")
    node = post_form(director, "/voice/nodes", {"key": "2", "title": "发" * 201}, "/voice/")
    assert node.status_code == 400 and "主题不能超过 200 字" in node.text
    assert post_form(director, "/voice/nodes", {"key": "1", "title": "发票业务"}, "/voice/").status_code == 302
    long = post_form(director, "/voice/announcements", {
        "node_id": "1", "title": "汇" * 201, "text": "汇算期间请按二。", "faq_ids": str(faq_id),
        "ends_on": "2027-02-30"}, "/voice/")
    assert long.status_code == 400 and "标题不能超过 200 字" in long.text and "结束日期“2027-02-30”无效" in long.text
    assert "汇算期间请按二。" in long.text  # nothing typed is lost
    with app.extensions["kb_storage"].session_factory() as session:
        assert session.scalars(select(VoiceAnnouncement)).first() is None
        assert [n.title for n in session.scalars(select(VoiceMenuNode))] == ["发票业务"]
