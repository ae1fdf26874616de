"""Drive the real `grondmotief code` in a pseudo-terminal and read back what is on the screen."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pexpect

FIXTURE = Path(__file__).parent / "fixtures" / "review"
EXE = str(Path(sys.executable).parent / "grondmotief")
HOME = "\x1b[H"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]")
UP, DOWN, RIGHT, LEFT, ESC, CTRL_C = "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1b", "\x03"


def copy_study(tmp_path: Path, name: str = "study") -> Path:
    dest = tmp_path / name
    shutil.copytree(FIXTURE / "study", dest)
    return dest


def read_codings(study: Path, coder: str) -> list[dict]:
    """Every line must be a JSON object (the file is never half-written)."""
    path = study / "codings" / f"{coder}.jsonl"
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


class Tui:
    def __init__(
        self,
        study: Path,
        *args: str,
        coder: str | None = "anna",
        env: dict[str, str] | None = None,
        rows: int = 24,
        cols: int = 80,
        suggestions: bool = False,
    ) -> None:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("GRONDMOTIEF_")}
        full_env.update({"NO_COLOR": "1", "TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})
        full_env.update(env or {})
        argv = ["--study", str(study), "code", *(["--coder", coder] if coder else [])]
        argv += [*([] if suggestions else ["--no-suggestions"]), *args]
        self.child = pexpect.spawn(
            EXE, argv, env=full_env, dimensions=(rows, cols), encoding="utf-8", codec_errors="replace", timeout=20
        )
        self.child.delaybeforesend = None  # pexpect sleeps 50 ms before every send by default
        self.raw = ""

    # Reading -----------------------------------------------------------------
    def pump(self, timeout: float = 0.05) -> None:
        """Wait up to `timeout` for output, then take whatever else is already there."""
        while True:
            try:
                self.raw += self.child.read_nonblocking(65536, timeout)
            except (pexpect.TIMEOUT, pexpect.EOF):
                return
            timeout = 0.005

    @property
    def frames(self) -> int:
        return self.raw.count(HOME)

    def screen(self) -> str:
        frame = self.raw[self.raw.rfind(HOME) + len(HOME) :] if HOME in self.raw else self.raw
        return ANSI.sub("", frame).replace("\r\n", "\n").replace("\r", "")

    def lines(self) -> list[str]:
        return self.screen().split("\n")

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump()
            if text in self.screen():
                return self.screen()
            if not self.child.isalive():
                self.pump()
                break
        raise AssertionError(f"{text!r} not on screen:\n{self.screen()}")

    def wait_frames(self, n: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while self.frames < n and time.monotonic() < deadline:
            self.pump()
        assert self.frames >= n, f"no redraw after a key:\n{self.screen()}"

    # Typing ------------------------------------------------------------------
    def press(self, *keys: str, expect: str | None = None) -> str:
        """Send keys one by one, each after the screen answered the previous one."""
        for key in keys:
            n = self.frames
            self.child.send(key)
            self.wait_frames(n + 1)
        if expect is not None:
            return self.wait_for(expect)
        return self.screen()

    def type(self, text: str) -> str:
        return self.press(*text)

    def quit(self) -> int:
        self.child.send("q")
        return self.wait_exit()

    def wait_exit(self, timeout: float = 20) -> int:
        self.child.expect(pexpect.EOF, timeout=timeout)
        self.raw += self.child.before or ""
        self.child.close()
        if self.child.exitstatus is not None:
            return int(self.child.exitstatus)
        return 128 + int(self.child.signalstatus or 0)
