"""A real server (``flask --app webapp serve``, as the README runs it) and Debian's chromium.

Each test gets a fresh data folder and database; the server loads the sample library on its
first start and prints the admin's one-time password, which the fixture reads back.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
START_TIMEOUT = 180  # seconds to wait for the first start (library import and indexing)


@dataclass
class LiveServer:
    url: str
    env: dict
    log: Path
    admin_password: str

    def flask(self, *args: str) -> str:
        """Run a ``flask --app webapp`` command against this server's data; return its output."""
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "webapp", *args], env=self.env, cwd=ROOT,
                                capture_output=True, text=True, check=True)
        return result.stdout + result.stderr

    def create_user(self, name: str, role: str, password: str, *extra: str) -> None:
        self.flask("create-user", name, "--role", role, "--password", password, *extra)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text(encoding='utf-8', errors='replace')}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"server did not start:\n{log.read_text(encoding='utf-8', errors='replace')}")


@pytest.fixture
def live_server(database_url, tmp_path):
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("KB_")}
    env.update({"KB_DATA_DIR": str(tmp_path / "data"), "KB_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"})
    log = tmp_path / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "webapp", "serve", "--port", str(port)],
                                   env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for(port, process, log)
        match = re.search(r"一次性密码：(\S+)", log.read_text(encoding="utf-8"))
        assert match, log.read_text(encoding="utf-8")
        yield LiveServer(url=f"http://127.0.0.1:{port}", env=env, log=log, admin_password=match.group(1))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """Builder: a page in its own browser context (own cookies), clipboard allowed for the server."""
    contexts = []

    def build():
        context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield build
    for context in contexts:
        context.close()


def log_in(page, server: LiveServer, username: str, password: str) -> None:
    page.goto(f"{server.url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    # Wait for the page the login leads to: a bare ``wait_for_load_state`` may return for the login page
    # itself, and a caller typing at once then loses its first keys to the page being left.
    with page.expect_navigation():
        page.press("#password", "Enter")
    page.wait_for_load_state()
    # Chromium focuses an ``autofocus`` field in a later rendering step, not when the page has loaded: keys
    # typed before then go to the body (the search box lost its first character in a CI run).
    page.wait_for_function("() => { const field = document.querySelector('[autofocus]');"
                           " return !field || document.activeElement === field; }")


def screenshot(page, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


def wait_until(page, expression: str, timeout: float = 20.0) -> None:
    """Poll ``page.evaluate(expression)`` until it is truthy. Not ``page.wait_for_function``: when
    its predicate is not true at once, Playwright polls it with ``eval``, which the pages' CSP
    (``script-src 'self'``) refuses."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.1)

