"""A small driver for headless Chromium over the DevTools protocol, through
``--remote-debugging-pipe`` (file descriptors 3 and 4, messages ended by a NUL byte): no
port, no websocket, no package beyond the standard library.

It opens a page from file, records every console message, log entry (Chromium reports a
Content-Security-Policy violation as a 'security' log entry) and uncaught exception, runs
JavaScript in the page to read the DOM, clicks at an element's position as a mouse does,
turns script execution off, and takes screenshots.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str | None:
    """The Chromium on PATH, or None."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserError(Exception):
    pass


class Page:
    """One tab of a headless Chromium."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session

    def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30) -> dict[str, Any]:
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def open(self, path: Path, *, settle: float = 0.5) -> None:
        """Load ``path`` and wait for its load event, then a little more for late messages."""
        self.browser.events.clear()
        self.send("Page.navigate", {"url": path.resolve().as_uri()})
        self.browser.wait_for("Page.loadEventFired", self.session)
        time.sleep(settle)
        self.browser.drain(0.1)

    def evaluate(self, expression: str) -> Any:
        """Run ``expression`` in the page and return its value (JSON-serialisable)."""
        answer = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in answer:
            raise BrowserError(json.dumps(answer["exceptionDetails"])[:500])
        return answer["result"].get("value")

    def click(self, selector: str) -> None:
        """Click the middle of the first element ``selector`` matches, with the mouse."""
        box = self.evaluate(
            f"(function(){{var e=document.querySelector({json.dumps(selector)});"
            "e.scrollIntoView({block:'center'});var r=e.getBoundingClientRect();"
            "return [r.left+r.width/2, r.top+r.height/2];})()"
        )
        x, y = box
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})
        time.sleep(0.3)
        self.browser.drain(0.1)

    def problems(self) -> list[str]:
        """Console errors, CSP violations and uncaught exceptions seen since the page opened."""
        found = []
        for event in self.browser.events:
            method, params = event.get("method"), event.get("params", {})
            if event.get("sessionId") not in (None, self.session):
                continue
            if method == "Log.entryAdded":
                entry = params.get("entry", {})
                if entry.get("level") == "error" or entry.get("source") == "security":
                    found.append(f"log ({entry.get('source')}): {entry.get('text')}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(f"console: {json.dumps(params.get('args'))[:300]}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {json.dumps(params.get('exceptionDetails'))[:300]}")
        return found

    def screenshot(self, path: Path, *, full: bool = True) -> None:
        params: dict[str, Any] = {"format": "png"}
        if full:
            size = self.evaluate(
                "[document.documentElement.scrollWidth, Math.min(document.documentElement.scrollHeight, 6000)]"
            )
            params |= {
                "clip": {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1},
                "captureBeyondViewport": True,
            }
        data = self.send("Page.captureScreenshot", params, timeout=60)["data"]
        path.write_bytes(base64.b64decode(data))


class Browser:
    """A headless Chromium driven over a pipe. Use ``launch()``."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="stratlint-chromium-")
        to_browser_read, self._write = os.pipe()
        self._read, from_browser_write = os.pipe()

        def wire() -> None:  # in the child: the pipe ends on the descriptors Chromium expects
            os.dup2(to_browser_read, 3)
            os.dup2(from_browser_write, 4)

        self.process = subprocess.Popen(
            [
                executable,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-pipe",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--mute-audio",
                "--window-size=1280,900",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            pass_fds=(3, 4),
            preexec_fn=wire,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None, timeout: float = 30
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._receive(deadline - time.monotonic())
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return dict(answer.get("result", {}))
            self.events.append(answer)

    def wait_for(self, method: str, session: str | None, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        for event in self.events:
            if event.get("method") == method and event.get("sessionId") == session:
                return event
        while True:
            event = self._receive(deadline - time.monotonic())
            self.events.append(event)
            if event.get("method") == method and event.get("sessionId") == session:
                return event

    def drain(self, seconds: float) -> None:
        """Collect the events that arrive within ``seconds``."""
        with contextlib.suppress(TimeoutError):
            while True:
                self.events.append(self._receive(seconds))

    def _receive(self, timeout: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._read], [], [], max(timeout, 0))
            if not ready:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium closed the pipe")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        return dict(json.loads(raw))

    def new_page(self, *, javascript: bool = True) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        for domain in ("Page.enable", "Runtime.enable", "Log.enable"):
            page.send(domain)
        if not javascript:
            page.send("Emulation.setScriptExecutionDisabled", {"value": True})
        return page

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send("Browser.close", timeout=5)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._read, self._write):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)


ARTIFACTS = Path(
    os.environ.get("STRATLINT_ARTIFACTS", Path(__file__).resolve().parent.parent / "build" / "screenshots")
)
"""Where screenshots are saved for people to look at (a CI artifact); nobody compares pixels."""


def save_screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path)
    return path


@contextlib.contextmanager
def launch() -> Iterator[Browser]:
    executable = chromium()
    if executable is None:
        raise BrowserError("no Chromium on PATH")
    browser = Browser(executable)
    try:
        yield browser
    finally:
        browser.close()
