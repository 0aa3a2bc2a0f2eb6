"""Real app processes for the multi-process and fault tests (and ``bench/``): start, wait, kill, talk HTTP.

Everything stays on 127.0.0.1. A process is started in its own session so that ``kill()`` sends
SIGKILL to it alone (not to pytest), the way a crashed host or an OOM kill would end it.
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-1"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of an app process: its data folder and database, no sample library."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(KB_DATA_DIR=str(data_dir), KB_DATABASE_URL=database_url, KB_LOAD_SAMPLE="0",
               KB_SECRET_KEY="live-test", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def flask_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "webapp", *args]


def run_flask(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(flask_command(*args), env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


class Process:
    """A child process with its output in a log file."""

    def __init__(self, command: list[str], env: dict, log: Path):
        self.log = log
        self._out = open(log, "ab")
        self.popen = subprocess.Popen(command, env=env, cwd=ROOT, stdout=self._out, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group (gunicorn's workers too); no clean-up runs."""
        if self.running():
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)
        self._out.close()

    def stop(self, timeout: float = 20) -> None:
        if self.running():
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=30)
        self._out.close()

    def output(self) -> str:
        if not self._out.closed:
            self._out.flush()
        return self.log.read_text(errors="replace")


class Server(Process):
    """``flask serve`` (or any command serving ``base``); ``wait_ready`` polls ``/healthz``."""

    def __init__(self, command: list[str], env: dict, log: Path, port: int):
        super().__init__(command, env, log)
        self.base = f"http://127.0.0.1:{port}"

    @classmethod
    def flask_serve(cls, env: dict, log: Path, port: int | None = None) -> "Server":
        port = port or free_port()
        return cls(flask_command("serve", "--port", str(port)), env, log, port)

    @classmethod
    def gunicorn(cls, env: dict, log: Path, workers: int = 2, port: int | None = None, threads: int = 1) -> "Server":
        port = port or free_port()
        command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
                   "-b", f"127.0.0.1:{port}", "--timeout", "120", "webapp:create_app()"]
        return cls(command, env, log, port)

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                raise RuntimeError(f"server exited ({self.popen.returncode}):\n{self.output()[-3000:]}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not ready after {timeout} s:\n{self.output()[-3000:]}")


class Response:
    def __init__(self, status: int, body: bytes, url: str):
        self.status, self.body, self.url = status, body, url

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)


class WebClient:
    """A browser-like client: cookies, redirects followed, CSRF tokens taken from the pages."""

    def __init__(self, base: str, timeout: float = 60):
        self.base = base
        self.timeout = timeout
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        url = path if path.startswith("http") else self.base + path
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return Response(response.status, response.read(), response.geturl())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read(), error.geturl())

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def csrf(self, path: str) -> str:
        match = _CSRF.search(self.get(path).text)
        assert match, f"no CSRF token on {path}"
        return match.group(1) or match.group(2)

    def post_form(self, path: str, data: dict, page: str | None = None) -> Response:
        fields = {**data, "csrf_token": self.csrf(page or path)}
        body = urllib.parse.urlencode(fields, doseq=True).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def login(self, username: str, password: str = PASSWORD) -> None:
        response = self.post_form("/login", {"username": username, "password": password})
        assert response.status == 200 and "/login" not in response.url, response.text[:500]

    def upload(self, name: str, data: bytes) -> Response:
        """The upload desk: send the file, then confirm its preview; returns the confirm response."""
        boundary = uuid.uuid4().hex
        csrf = self.csrf("/upload")
        body = (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
        preview = self.request("POST", "/upload", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        if preview.status != 200 or "/upload/" not in preview.url:
            return preview
        match = _CSRF.search(preview.text)
        assert match, preview.text[:500]
        fields = urllib.parse.urlencode({"csrf_token": match.group(1) or match.group(2)}).encode()
        return self.request("POST", preview.url, fields, {"Content-Type": "application/x-www-form-urlencoded"})


def api(base: str, token: str, method: str, path: str, body: dict | None = None, timeout: float = 60) -> Response:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(base + "/api/v1" + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Response(response.status, response.read(), response.geturl())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read(), error.geturl())


def search_titles(base: str, token: str, query: str) -> list[str]:
    response = api(base, token, "GET", "/search?" + urllib.parse.urlencode({"q": query, "limit": 50}))
    assert response.status == 200, response.text[:500]
    return [r["doc_title"] for r in response.json()["results"]]
