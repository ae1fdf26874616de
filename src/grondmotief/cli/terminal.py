"""A raw terminal for the review loop: single keys (arrows included), full-screen redraws, signals.

Our own ~200 lines on termios rather than a library: the loop has to wait on three things at
once (a key, a resize, suggestions arriving from a background thread), which `select` on stdin
and a wake-up pipe does directly; readchar blocks without a timeout, and prompt_toolkit would
bring a full application framework (and its own event loop) for one screen.

Whatever happens (q, Ctrl-C, a closed terminal, a crash), `__exit__` puts the terminal back.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import signal
import sys
import termios
from collections.abc import Iterator
from types import FrameType
from typing import Any

ALT_SCREEN_ON, ALT_SCREEN_OFF = "\x1b[?1049h", "\x1b[?1049l"
CURSOR_OFF, CURSOR_ON = "\x1b[?25l", "\x1b[?25h"

_CSI_KEYS = {
    "A": "up",
    "B": "down",
    "C": "right",
    "D": "left",
    "H": "home",
    "F": "end",
    "Z": "shift-tab",
    "1~": "home",
    "4~": "end",
    "7~": "home",
    "8~": "end",
    "3~": "delete",
    "P": "f1",
    "11~": "f1",
    "Q": "f2",
    "12~": "f2",
    "5~": "pgup",
    "6~": "pgdn",
}
_CONTROL_KEYS = {
    "\r": "enter",
    "\n": "enter",
    "\t": "tab",
    "\x7f": "backspace",
    "\x08": "backspace",
    "\x03": "ctrl-c",
    "\x01": "ctrl-a",
    "\x04": "ctrl-d",
    "\x05": "ctrl-e",
    "\x0c": "ctrl-l",
    "\x15": "ctrl-u",
    "\x17": "ctrl-w",
    "\x1a": "ctrl-z",
    "\x0e": "down",
    "\x10": "up",
}


class TerminalClosed(BaseException):
    """The terminal went away (SIGHUP, end of input) or we were told to stop (SIGTERM)."""

    def __init__(self, signum: int | None = None) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum if self.signum else 129


def screen_mode(env: dict[str, str] | None = None) -> str:
    """'plain' on a dumb terminal (no escape sequences at all), 'mono' under NO_COLOR, else 'color'."""
    env = dict(os.environ) if env is None else env
    term = env.get("TERM", "")
    if term in ("", "dumb", "unknown"):
        return "plain"
    if env.get("NO_COLOR"):
        return "mono"
    return "color"


class Terminal:
    def __init__(self, mode: str, fd_in: int | None = None, fd_out: int | None = None) -> None:
        self.mode = mode
        self.fd_in = sys.stdin.fileno() if fd_in is None else fd_in
        self.fd_out = sys.stdout.fileno() if fd_out is None else fd_out
        self._saved: list[Any] | None = None
        self._handlers: dict[int, Any] = {}
        self._buf = b""
        self._wake_r, self._wake_w = -1, -1
        self._critical = 0
        self._pending: int | None = None
        self.resized = False
        self.closed = False

    # Setup and teardown ------------------------------------------------------
    def __enter__(self) -> Terminal:
        self._saved = termios.tcgetattr(self.fd_in)
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)
        for sig, handler in (
            (signal.SIGWINCH, self._on_resize),
            (signal.SIGHUP, self._on_stop),
            (signal.SIGTERM, self._on_stop),
            (signal.SIGINT, self._on_stop),
        ):
            self._handlers[sig] = signal.signal(sig, handler)
        self._raw()
        if self.mode != "plain":
            self.write(ALT_SCREEN_ON + CURSOR_OFF)
        return self

    def _raw(self) -> None:
        """Keys one at a time, no echo; Ctrl-C and Ctrl-Z arrive as keys. Output processing stays on."""
        assert self._saved is not None
        mode = termios.tcgetattr(self.fd_in)
        mode[0] &= ~(termios.IXON | termios.ICRNL | termios.INLCR | termios.ISTRIP)
        mode[3] &= ~(termios.ICANON | termios.ECHO | termios.ISIG | termios.IEXTEN)
        mode[6][termios.VMIN] = 1
        mode[6][termios.VTIME] = 0
        termios.tcsetattr(self.fd_in, termios.TCSAFLUSH, mode)

    def restore(self) -> None:
        with contextlib.suppress(OSError, termios.error):
            if self.mode != "plain":
                self.write(CURSOR_ON + ALT_SCREEN_OFF)
        if self._saved is not None:
            with contextlib.suppress(OSError, termios.error):
                termios.tcsetattr(self.fd_in, termios.TCSADRAIN, self._saved)

    def __exit__(self, *exc: object) -> None:
        self.restore()
        for sig, handler in self._handlers.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(sig, handler)
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def suspend(self) -> None:
        """Ctrl-Z: give the shell its terminal back, carry on where we were after `fg`."""
        self.restore()
        os.kill(os.getpid(), signal.SIGSTOP)
        self.resume()

    def resume(self) -> None:
        """Back to raw keys on the alternate screen (after Ctrl-Z, or after $EDITOR had the terminal)."""
        self._raw()
        if self.mode != "plain":
            self.write(ALT_SCREEN_ON + CURSOR_OFF)
        self.resized = True

    # Signals -----------------------------------------------------------------
    def _on_resize(self, signum: int, frame: FrameType | None) -> None:
        self.resized = True
        self.wake()

    def _on_stop(self, signum: int, frame: FrameType | None) -> None:
        if self._critical:
            self._pending = signum  # finish the write first: a decision is all or nothing
            return
        self._raise(signum)

    @staticmethod
    def _raise(signum: int) -> None:
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise TerminalClosed(signum)

    @contextlib.contextmanager
    def critical(self) -> Iterator[None]:
        """Hold off SIGHUP/SIGTERM/SIGINT while a decision is written, act on them right after."""
        self._critical += 1
        try:
            yield
        finally:
            self._critical -= 1
            if not self._critical and self._pending is not None:
                signum, self._pending = self._pending, None
                self._raise(signum)

    def wake(self) -> None:
        """Thread-safe: make a waiting `read_key` return None so the screen is redrawn."""
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b".")

    # Output ------------------------------------------------------------------
    def size(self) -> tuple[int, int]:
        try:
            cols, rows = os.get_terminal_size(self.fd_out)
        except OSError:
            cols, rows = 80, 24
        return max(cols, 20), max(rows, 8)

    def write(self, text: str) -> None:
        data = text.encode("utf-8", "replace")
        while data:
            try:
                n = os.write(self.fd_out, data)
            except InterruptedError:
                continue
            except OSError as exc:
                if exc.errno in (errno.EIO, errno.EPIPE, errno.EBADF):
                    self.closed = True
                    raise TerminalClosed(signal.SIGHUP) from None
                raise
            data = data[n:]

    def draw(self, lines: list[str]) -> None:
        if self.mode == "plain":
            # No cursor control on a dumb terminal: each screen follows the previous one.
            self.write("\n" + "\n".join(lines) + "\n")
            return
        self.write("\x1b[H" + "\x1b[K\r\n".join(lines) + "\x1b[K\x1b[J")

    # Input -------------------------------------------------------------------
    def read_key(self, timeout: float | None = None) -> str | None:
        """The next key ('a', 'up', 'enter', 'ctrl-c', 'é', …), or None when woken or timed out."""
        if not self._buf:
            ready = self._wait(timeout)
            if self._wake_r in ready:
                with contextlib.suppress(BlockingIOError, OSError):
                    os.read(self._wake_r, 4096)
            if self.fd_in not in ready:
                return None
            self._fill()
        return self._parse()

    def _wait(self, timeout: float | None) -> list[int]:
        ready, _, _ = select.select([self.fd_in, self._wake_r], [], [], timeout)
        return ready

    def _fill(self) -> None:
        try:
            chunk = os.read(self.fd_in, 1024)
        except OSError as exc:
            if exc.errno == errno.EIO:
                chunk = b""
            else:
                raise
        if not chunk:
            self.closed = True
            raise TerminalClosed(signal.SIGHUP)
        self._buf += chunk

    def _more(self, wait: float = 0.05) -> bool:
        """Wait briefly for the rest of an escape sequence or a multi-byte character."""
        ready, _, _ = select.select([self.fd_in], [], [], wait)
        if ready:
            self._fill()
            return True
        return False

    def _parse(self) -> str | None:
        b = self._buf
        if b[:1] == b"\x1b":
            if len(b) == 1 and not self._more():
                self._buf = b""
                return "esc"
            b = self._buf
            if b[1:2] in (b"[", b"O"):
                i = 2
                while True:
                    while i < len(b) and not 0x40 <= b[i] <= 0x7E:
                        i += 1
                    if i < len(b) or not self._more():
                        break
                    b = self._buf
                if i >= len(b):
                    self._buf = b""
                    return "unknown"
                params, final = b[2:i].decode("ascii", "replace"), chr(b[i])
                self._buf = b[i + 1 :]
                name = _CSI_KEYS.get(params.split(";")[0] + "~") if final == "~" else _CSI_KEYS.get(final)
                return name or "unknown"
            self._buf = b[1:]
            return "esc"
        first = b[0]
        need = (
            1
            if first < 0x80
            else 2
            if first >> 5 == 0b110
            else 3
            if first >> 4 == 0b1110
            else 4
            if first >> 3 == 0b11110
            else 1
        )
        while len(self._buf) < need and self._more():
            pass
        ch, self._buf = self._buf[:need], self._buf[need:]
        text = ch.decode("utf-8", "replace")
        return _CONTROL_KEYS.get(text, text)
