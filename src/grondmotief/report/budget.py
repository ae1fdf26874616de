"""What a chapter template may allocate and compute.

The sandbox (render.py) stops Python internals; this module stops exhaustion. Sizes are checked
before the operation that would allocate them, because a huge `str()` or `str.join` is one C call
that nothing can interrupt; time is bounded by a watchdog thread that raises inside rendering
(`PyThreadState_SetAsyncExc`, delivered between bytecodes, so it works in any thread, unlike a signal).

A value's size is counted with shared parts expanded (`{% set b = [a, a] %}` is twice `a`), memoised
per object so counting is linear in the distinct objects, and stopped at the budget.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
import time
from collections.abc import Callable
from typing import Any

MAX_REPEAT = 100_000  # largest string or list a template may build with *, and largest padding width
MAX_STRING = 20_000_000  # largest string a template may build (the size of the largest chapter)
MAX_ITEMS = 50_000_000  # largest value a template may pass around: items plus characters, shared parts expanded
MAX_INT_BITS = 10_000  # largest integer (about 3,000 digits; Python refuses to print more than 4,300)
MEMORY_BYTES = 1024 * 1024 * 1024  # growth of the process while one template renders
POLL_SECONDS = 0.02


class TemplateBudgetExceeded(Exception):  # noqa: N818
    """Raised inside rendering by the watchdog (an Exception, so Jinja maps it to the template line;
    should something catch it, the watchdog raises it again)."""

    message = "the template used more CPU time or memory than allowed"


class TemplateTooLarge(Exception):
    """A size check failed; render.py turns it into `templates/…:LINE: not allowed in a template: …`."""


def _leaf(value: Any) -> int:
    return len(value) + 1 if isinstance(value, str) else 1


def expanded_size(value: Any, limit: int = MAX_ITEMS) -> int:
    """Items and characters in `value` with shared parts expanded, roughly what `str(value)` would
    build; stops counting past `limit` (returns limit + 1)."""
    if not isinstance(value, list | tuple | dict | set | frozenset):
        return _leaf(value)
    memo: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        obj, done = stack.pop()
        key = id(obj)
        if key in memo and not done:
            continue
        children = [x for kv in obj.items() for x in kv] if isinstance(obj, dict) else list(obj)
        if not done:
            memo[key] = -1  # in progress: a cycle counts once
            stack.append((obj, True))
            stack.extend((c, False) for c in children if isinstance(c, list | tuple | dict | set | frozenset))
            if len(memo) > limit:
                return limit + 1
            continue
        total = 1
        for c in children:
            total += max(memo.get(id(c), 1), 1) if isinstance(c, list | tuple | dict | set | frozenset) else _leaf(c)
            if total > limit:
                return limit + 1
        memo[key] = total
    return memo[id(value)]


def check_value(value: Any) -> Any:
    """Refuse a string, integer or container larger than a template may hold; return it unchanged."""
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise TemplateTooLarge(f"a string of more than {MAX_STRING:,} characters")
    elif isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > MAX_INT_BITS:
            raise TemplateTooLarge(f"an integer of more than {MAX_INT_BITS:,} bits")
    elif isinstance(value, list | tuple | dict | set | frozenset) and expanded_size(value) > MAX_ITEMS:
        raise TemplateTooLarge(
            f"a list or mapping of more than {MAX_ITEMS:,} items and characters, nested ones included"
        )
    return value


def check_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for a in (*args, *kwargs.values()):
        check_value(a)


def guarded(fn: Any) -> Callable[..., Any]:
    """A filter, test or function whose arguments and result are size-checked."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        check_args(args, kwargs)
        return check_value(fn(*args, **kwargs))

    wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
    for attr in ("jinja_pass_arg",):  # keep Jinja's @pass_environment / @pass_context marks
        if hasattr(fn, attr):
            setattr(wrapper, attr, getattr(fn, attr))
    return wrapper


def bounded_join(chunks: Any) -> str:
    """Jinja's `concat` for macro bodies, `{% set %}` blocks and `{% filter %}`: a loop can repeat one
    large chunk many times, and the join is one C call, so count before joining."""
    out = list(chunks)
    total = 0
    for s in out:
        total += len(s)
        if total > MAX_STRING:
            raise TemplateTooLarge(f"a string of more than {MAX_STRING:,} characters")
    return "".join(out)


def bounded_concat(parts: tuple[Any, ...]) -> str:
    """`a ~ b`: str() of each part, refusing parts and results too large to build."""
    out: list[str] = []
    total = 0
    for p in parts:
        check_value(p)
        s = p if isinstance(p, str) else str(p)
        total += len(s)
        if total > MAX_STRING:
            raise TemplateTooLarge(f"a string of more than {MAX_STRING:,} characters")
        out.append(s)
    return "".join(out)


def check_str_method(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Methods of str that allocate by an argument: 'x'.ljust(10**9), ''.join(…), s.replace('', big)."""
    self = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", "")
    if not isinstance(self, str):
        return
    if name in ("ljust", "rjust", "center", "zfill") and args and isinstance(args[0], int) and args[0] > MAX_REPEAT:
        raise TemplateTooLarge(f"a width above {MAX_REPEAT:,}")
    if name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(size, int) and size * self.count("\t") > MAX_STRING:
            raise TemplateTooLarge(f"a string of more than {MAX_STRING:,} characters")
    if name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        old, new = args[0], args[1]
        hits = len(self) + 1 if not old else self.count(old)
        if len(self) + hits * max(0, len(new) - len(old)) > MAX_STRING:
            raise TemplateTooLarge(f"a string of more than {MAX_STRING:,} characters")
    if name == "join" and args:
        items = list(args[0]) if not isinstance(args[0], str) else args[0]
        check_value(items)
        total = len(self) * max(0, len(items) - 1)
        for item in items:
            total += len(item) if isinstance(item, str) else 0
            if total > MAX_STRING:
                raise TemplateTooLarge(f"a string of more than {MAX_STRING:,} characters")


def check_binop(operator: str, left: Any, right: Any) -> None:
    """`*`, `**` and `+` on sequences and integers, before Python allocates the result."""
    ints = all(isinstance(x, int) and not isinstance(x, bool) for x in (left, right))
    if operator == "**" and ints and right > 0 and left not in (0, 1, -1) and left.bit_length() * right > MAX_INT_BITS:
        raise TemplateTooLarge(f"an integer of more than {MAX_INT_BITS:,} bits")
    if operator == "*":
        if ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise TemplateTooLarge(f"an integer of more than {MAX_INT_BITS:,} bits")
        for seq, k in ((left, right), (right, left)):
            if isinstance(seq, str | list | tuple) and isinstance(k, int):
                if len(seq) * k > MAX_REPEAT:
                    raise TemplateTooLarge("repetition too large for a template")
                if not isinstance(seq, str) and expanded_size(seq) * k > MAX_ITEMS:
                    raise TemplateTooLarge(
                        f"a list of more than {MAX_ITEMS:,} items and characters, nested ones included"
                    )
    if operator == "+" and isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
        if isinstance(left, str) and isinstance(right, str):
            if len(left) + len(right) > MAX_STRING:
                raise TemplateTooLarge(f"a string of more than {MAX_STRING:,} characters")
        elif expanded_size(left) + expanded_size(right) > MAX_ITEMS:
            raise TemplateTooLarge(f"a list of more than {MAX_ITEMS:,} items and characters, nested ones included")


# Time and memory ------------------------------------------------------------------------------
def _rss_bytes() -> int | None:
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _trim_heap() -> None:
    """Give freed heap back to the system first (glibc), so the growth measured is this template's
    and not memory freed earlier being reused unseen."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


class RenderWatchdog:
    """While active, raises TemplateBudgetExceeded in the rendering thread when it has used more
    than `cpu_seconds` of CPU time (its own, not the machine's: a busy machine does not fail a
    report) or the process has grown by more than MEMORY_BYTES."""

    def __init__(self, cpu_seconds: float) -> None:
        self.cpu_seconds = cpu_seconds
        self.reason = ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._done = False

    def __enter__(self) -> RenderWatchdog:
        self._tid = threading.get_ident()
        try:
            clock = time.pthread_getcpuclockid(self._tid)
            self._cpu: Callable[[], float] = lambda: time.clock_gettime(clock)
        except (AttributeError, OSError):  # no per-thread CPU clock here: wall time is the bound
            self._cpu = time.monotonic
        self._start = self._cpu()
        _trim_heap()
        self._rss0 = _rss_bytes()
        self._thread = threading.Thread(target=self._watch, name="template-watchdog", daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        last = 0.0
        while not self._stop.wait(POLL_SECONDS):
            now = time.monotonic()
            if self.reason and now - last < 0.5:
                continue  # fired: give the exception time to unwind, then fire again if still running
            if self._cpu() - self._start > self.cpu_seconds:
                self._fire(f"rendering took more than {self.cpu_seconds:g} s of CPU time (`limits.template_seconds`)")
                last = now
                continue
            rss = _rss_bytes()
            if rss is not None and self._rss0 is not None and rss - self._rss0 > MEMORY_BYTES:
                self._fire(f"rendering used more than {MEMORY_BYTES // 2**20:,} MB of memory")
                last = now

    def _fire(self, reason: str) -> None:
        with self._lock:
            if self._done:
                return
            self.reason = self.reason or reason
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self._tid), ctypes.py_object(TemplateBudgetExceeded)
            )

    def __exit__(self, *exc: Any) -> None:
        with self._lock:
            self._done = True
            if self.reason and exc[0] is None:
                # Fired while rendering was finishing: clear the pending exception, fail anyway.
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._tid), None)
        self._stop.set()
        self._thread.join()
        if self.reason and exc[0] is None:
            raise TemplateBudgetExceeded(self.reason)
