"""A real browser for the page tests: headless Chromium (Debian's package, which
scripts/browser.sh installs) driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
JSON messages ended by NUL on file descriptors 3 and 4), so no driver program and no extra
package is needed. It opens a file at a given window width, collects console messages, errors and
refused loads, evaluates JavaScript in the page (the tests read the rendered DOM; the pages
themselves hold no script) and takes a screenshot."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def chromium() -> str:
    """The browser's path, as scripts/browser.sh finds it (installing it when missing); a test
    fails without one."""
    result = subprocess.run(["bash", str(REPO / "scripts" / "browser.sh")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return _binary(result.stdout.strip())


def _binary(path: str) -> str:
    """Debian's /usr/bin/chromium is a shell launcher; the browser itself is beside its libraries."""
    real = Path("/usr/lib/chromium/chromium")
    return str(real) if path == "/usr/bin/chromium" and real.exists() else path


class Browser:
    def __init__(self) -> None:
        self.profile = tempfile.mkdtemp(prefix="lint-canon-browser-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def fds() -> None:  # the browser reads commands on 3 and writes answers on 4
            read, write = os.dup(to_child_r), os.dup(from_child_w)  # above 4 if those are taken
            os.dup2(read, 3)
            os.dup2(write, 4)
            os.set_inheritable(3, True)  # dup2 onto itself keeps close-on-exec
            os.set_inheritable(4, True)

        self.process = subprocess.Popen(
            [
                chromium(),
                "--headless=new",
                "--remote-debugging-pipe",
                "--no-sandbox",  # as root in a container; the pages are ours and hold no script
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            preexec_fn=fds,  # a test helper: no thread of its own is running
            close_fds=False,  # 3 and 4 are made in preexec_fn; closing fds would close them
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable", session=True)

    def _send(self, message: dict[str, Any]) -> None:
        os.write(self._to_child, json.dumps(message).encode() + b"\0")

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            assert time.monotonic() < deadline, "the browser did not answer in time"
            chunk = os.read(self._from_child, 1 << 20)
            assert chunk, "the browser went away"
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def call(self, method: str, params: dict[str, Any] | None = None, session: bool = False) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        self._send(message)
        deadline = time.monotonic() + 60
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == self._next:
                assert "error" not in answer, answer["error"]
                result: dict[str, Any] = answer.get("result", {})
                return result
            self.events.append(answer)

    def wait_for(self, method: str, seconds: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        for event in self.events:
            if event.get("method") == method:
                self.events.remove(event)
                return event
        while True:
            event = self._receive(deadline)
            if event.get("method") == method:
                return event
            self.events.append(event)

    def open(self, path: Path, width: int, height: int = 900) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
            session=True,
        )
        self.call("Page.navigate", {"url": path.absolute().as_uri()}, session=True)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def problems(self) -> list[str]:
        """Console messages of level warning or error, uncaught errors, and the browser's log
        entries of those levels (a refused load, a Content-Security-Policy violation)."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                found.append(json.dumps(params.get("args")))
            elif method == "Runtime.exceptionThrown":
                found.append(json.dumps(params.get("exceptionDetails")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                found.append(params["entry"].get("text", ""))
        return found

    def screenshot(self, target: Path) -> bytes:
        data = base64.b64decode(
            self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=True)["data"]
        )
        target.write_bytes(data)
        return data

    def close(self) -> None:
        try:
            self._send({"id": self._next + 1, "method": "Browser.close"})
            self.process.wait(timeout=20)
        except Exception:
            self.process.kill()
        finally:
            os.close(self._to_child)
            os.close(self._from_child)
            shutil.rmtree(self.profile, ignore_errors=True)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
