"""`grondmotief report`: chapter templates rendered into `chapters/`, deterministically and safely.

- Templates are `templates/*.md.j2` in the study, overriding the packaged defaults of the same name
  (the repository's top-level `templates/`, shipped as `grondmotief/data/templates/`). Names
  starting with `_` are partials (include/import only).
- Rendering runs in Jinja2's ImmutableSandboxedEnvironment with StrictUndefined: templates may come
  from a pull request, so they see plain data and a few pure helpers, nothing else. Every `{{ }}`
  string is Markdown-escaped unless it is already safe (`|quote`, `|blockquote`, `|raw`).
- Rendering a template is a pure function of the context; `render_report` returns every output file
  as text, and only `write_report` touches the disk (atomically, inside chapters/, never deleting).
"""

from __future__ import annotations

import difflib
import os
import re
import string
import traceback
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from grondmotief.core.errors import GrondmotiefError, ReportError
from grondmotief.core.fileio import atomic_write_text, read_text
from grondmotief.privacy.mdsafe import Md, blockquote, escape_inline, escape_text, table_cell
from grondmotief.report.budget import (
    MAX_REPEAT,
    MAX_STRING,
    RenderWatchdog,
    TemplateBudgetExceeded,
    TemplateTooLarge,
    bounded_concat,
    bounded_join,
    check_args,
    check_binop,
    check_str_method,
    check_value,
    guarded,
)
from grondmotief.study.folder import Study

SUFFIX = ".md.j2"
FIGURES = "figures"
MAX_CHAPTER_CHARS = MAX_STRING  # a chapter this large is a runaway loop, not a report: stop before writing it
_SURROGATE = re.compile("[\ud800-\udfff]")
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?")


def packaged_templates_dir() -> Path:
    """The default chapter templates. Their one source is the repository's top-level `templates/`
    (the demo study's own): a built package ships them as `grondmotief/data/templates/` (see
    pyproject.toml), and a source checkout (editable install, PYTHONPATH=src) reads them in place."""
    package = Path(str(resources.files("grondmotief")))
    shipped = package / "data" / "templates"
    if not shipped.is_dir() and package.parent.name == "src":
        return package.parent.parent / "templates"
    return shipped


def packaged_prefix() -> str:
    """How messages name the folder of the defaults: as installed, or the checkout's templates/."""
    where = "templates/" if packaged_templates_dir().parent.name != "data" else "grondmotief/data/templates/"
    return f"(packaged) {where}"


@dataclass(frozen=True)
class TemplateSource:
    name: str  # e.g. 01-ervaringen.md.j2
    path: Path
    label: str  # as shown in messages: templates/01-ervaringen.md.j2, or (packaged) …

    @property
    def chapter(self) -> str:
        return self.name[: -len(".j2")]


def template_sources(study: Study) -> list[TemplateSource]:
    """Chapter templates: the study's, plus packaged defaults the study does not override."""
    found: dict[str, TemplateSource] = {}
    packaged = packaged_templates_dir()
    for folder, is_study in ((packaged, False), (study.templates_dir, True)):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(f"*{SUFFIX}")):
            if path.name.startswith(("_", ".")) or not path.is_file():
                continue
            label = study.rel(path) if is_study else f"{packaged_prefix()}{path.name}"
            found[path.name] = TemplateSource(path.name, path, label)
    return [found[k] for k in sorted(found)]


def is_packaged_source(study: Study) -> bool:
    """True in grondmotief's own checkout: the demo study's templates/ are the packaged defaults."""
    folder = study.templates_dir
    return folder.is_dir() and folder.resolve() == packaged_templates_dir().resolve()


# The sandbox ---------------------------------------------------------------------------------------
def make_env(study: Study) -> Any:
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateNotFound
    from jinja2.compiler import CodeGenerator
    from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
    from jinja2.utils import Namespace

    class BoundedCodeGenerator(CodeGenerator):
        """`a ~ b` compiles to a str() of each side joined in C; route it through a size check."""

        def visit_Concat(self, node: Any, frame: Any) -> None:
            self.write("environment.bounded_concat((")
            for arg in node.nodes:
                self.visit(arg, frame)
                self.write(", ")
            self.write("))")

    class BoundedNamespace(Namespace):
        """`{% set ns.x = ns.x ~ ns.x %}` in a loop doubles a value per pass: check what is stored."""

        def __setitem__(self, name: str, value: Any) -> None:
            super().__setitem__(name, check_value(value))

    class ContainedLoader(FileSystemLoader):
        """A file loader that refuses templates whose real path (after symlinks) leaves its folder.

        Templates are read like every study file: strict UTF-8, BOM dropped, `\n` line ends, so a
        Latin-1 or binary template is an error naming file and line, and no BOM reaches a chapter.
        """

        def __init__(self, folder: str, prefix: str) -> None:
            super().__init__(folder, encoding="latin-1")  # never fails; the real decoding is below
            self.prefix = prefix

        def get_source(self, environment: Any, template: str) -> Any:
            _, filename, uptodate = super().get_source(environment, template)
            real = os.path.realpath(filename)
            if not any(real.startswith(os.path.realpath(p) + os.sep) for p in self.searchpath):
                raise TemplateNotFound(template)
            try:
                source = read_text(Path(filename), f"{self.prefix}{template}")
            except GrondmotiefError as exc:
                raise ReportError(exc.message) from None
            return source, filename, uptodate

    class Sandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset(["*", "**", "%", "+"])
        cpu_seconds = 60.0  # set from limits.template_seconds below
        code_generator_class = BoundedCodeGenerator
        concat = staticmethod(bounded_join)
        bounded_concat = staticmethod(bounded_concat)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
            check_str_method(__obj, args, kwargs)
            check_args(args, kwargs)
            return check_value(super().call(__context, __obj, *args, **kwargs))

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**" and isinstance(right, int | float) and abs(right) > 64:
                raise SecurityError("exponent too large for a template")
            if operator == "*":
                for seq, k in ((left, right), (right, left)):
                    if isinstance(seq, str | list | tuple) and isinstance(k, int) and len(seq) * k > MAX_REPEAT:
                        raise SecurityError("repetition too large for a template")
            if operator == "%" and isinstance(left, str):
                _check_widths(left, braces=False)
                check_value(right)
            check_binop(operator, left, right)
            return super().call_binop(context, operator, left, right)

        def wrap_str_format(self, value: Any) -> Any:
            wrapped = super().wrap_str_format(value)
            if wrapped is not None:
                _check_widths(value.__self__, braces=True)
            return wrapped

    loaders = [ContainedLoader(str(study.templates_dir), "templates/")] if study.templates_dir.is_dir() else []
    loaders.append(ContainedLoader(str(packaged_templates_dir()), packaged_prefix()))
    env = Sandbox(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
        auto_reload=False,
    )
    env.cpu_seconds = study.settings.limits.template_seconds
    env.globals["lipsum"] = _no_lipsum  # random text: a chapter would differ on every run
    env.globals["namespace"] = BoundedNamespace
    env.filters.update(FILTERS)
    for name in ("center", "indent", "format", "slice", "batch"):  # a count argument allocates that much
        env.filters[name] = _bounded(env.filters[name], check_format=name == "format")
    env.filters["sum"] = _numbers_only(env.filters["sum"])
    env.filters["wordwrap"] = _bounded_wordwrap(env.filters["wordwrap"])
    env.filters["replace"] = _bounded_replace(env.filters["replace"])
    # Every filter and test: no argument or result larger than a template may hold.
    env.filters = {name: guarded(fn) for name, fn in env.filters.items()}
    env.tests = {name: guarded(fn) for name, fn in env.tests.items()}
    return env


def _numbers_only(fn: Any) -> Any:
    def sum_(*args: Any, **kwargs: Any) -> Any:
        start = kwargs.get("start", args[3] if len(args) > 3 else 0)
        if not isinstance(start, int | float):  # |sum(start=[]) concatenates lists, quadratically, in C
            raise TemplateTooLarge("|sum adds numbers; start must be a number")
        return fn(*args, **kwargs)

    sum_.jinja_pass_arg = fn.jinja_pass_arg  # type: ignore[attr-defined]
    return sum_


def _bounded_wordwrap(fn: Any) -> Any:
    def wordwrap(env: Any, s: Any, width: int = 79, *args: Any, **kwargs: Any) -> Any:
        wrapstring = kwargs.get("wrapstring", args[1] if len(args) > 1 else None) or "\n"
        text = str(s)
        lines = len(text) // max(1, int(width)) + text.count("\n") + 1
        if len(text) + lines * len(str(wrapstring)) > MAX_STRING:
            raise TemplateTooLarge(f"a string of more than {MAX_STRING:,} characters")
        return fn(env, s, width, *args, **kwargs)

    wordwrap.jinja_pass_arg = fn.jinja_pass_arg  # type: ignore[attr-defined]
    return wordwrap


def _bounded_replace(fn: Any) -> Any:
    def replace(eval_ctx: Any, s: Any, old: Any, new: Any, *args: Any, **kwargs: Any) -> Any:
        check_str_method(str(s).replace, (str(old), str(new)), {})
        return fn(eval_ctx, s, old, new, *args, **kwargs)

    replace.jinja_pass_arg = fn.jinja_pass_arg  # type: ignore[attr-defined]
    return replace


def _no_lipsum(*args: Any, **kwargs: Any) -> None:
    from jinja2.sandbox import SecurityError

    raise SecurityError("lipsum() writes random text; chapters must be reproducible")


def _check_widths(fmt: str, *, braces: bool) -> None:
    """Refuse a format string whose width or precision would build a huge string ('%999999999d')."""
    from jinja2.sandbox import SecurityError

    numbers: list[str] = []
    if braces:
        try:
            specs = [spec for _, _, spec, _ in string.Formatter().parse(fmt) if spec]
        except ValueError:
            return  # malformed: formatting itself raises a clear error
        if any("{" in spec for spec in specs):  # a width taken from an argument: '{:{w}}'
            raise SecurityError("a computed format width is not allowed in a template")
        numbers = [n for spec in specs for n in re.findall(r"\d+", spec)]
    else:
        for m in _PRINTF.finditer(fmt):
            if "*" in m.group(0):
                raise SecurityError("a computed format width is not allowed in a template")
            numbers += [g for g in m.groups() if g]
    if any(int(n) > MAX_REPEAT for n in numbers):
        raise SecurityError("format width too large for a template")


def _bounded(fn: Any, *, check_format: bool) -> Any:
    def filter_(value: Any, *args: Any, **kwargs: Any) -> Any:
        from jinja2.sandbox import SecurityError

        if check_format:  # '%999999999d'|format(1): the width is in the format string, not the arguments
            if isinstance(value, str):
                _check_widths(value, braces=False)
        elif any(isinstance(a, int) and a > MAX_REPEAT for a in (*args, *kwargs.values())):
            raise SecurityError("width too large for a template")
        return fn(value, *args, **kwargs)

    if hasattr(fn, "jinja_pass_arg"):
        filter_.jinja_pass_arg = fn.jinja_pass_arg  # type: ignore[attr-defined]
    return filter_


def _finalize(value: Any) -> Any:
    """Every printed value: safe Markdown stays, other strings are escaped, None prints nothing."""
    check_value(value)  # Jinja str()s what this returns: a list sharing one huge part would explode
    if isinstance(value, str) and _SURROGATE.search(value):  # "\udc80": half a character, unwritable
        raise TemplateTooLarge("text with half a character (an escape such as \\udc80) cannot be written")
    if value is None:
        return ""
    if isinstance(value, Md):
        return value
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, float):
        return f"{value:.2f}"
    return value


def _pct(value: Any, digits: int = 0) -> Md:
    return Md(f"{float(value) * 100:.{int(digits)}f}%")


def _quote_filter(q: dict[str, Any]) -> Md:
    from grondmotief.report.quotes import role_label

    lines = []
    if q.get("context"):
        ctx = q["context"]
        lines += [f"> *{escape_inline(role_label(ctx.get('role')))}:* {escape_inline(ctx.get('text', ''))}", ">"]
    cite = f"{q['attribution']} ({q['id']})" if q.get("attribution") else f"({q['id']})"
    lines += [blockquote(str(q["text"])), ">", f"> — {escape_inline(cite)}"]
    return Md("\n".join(lines))


def _join_and(values: Any, word: str = "en") -> Md:
    """['anna', 'ben', 'carla'] → "anna, ben en carla", each item escaped."""
    items = [escape_inline(str(v)) for v in values]
    if len(items) <= 1:
        return Md("".join(items))
    return Md(", ".join(items[:-1]) + f" {escape_inline(str(word))} " + items[-1])


FILTERS: dict[str, Any] = {
    "join_and": _join_and,
    "md": lambda v: Md(escape_inline("" if v is None else str(v))),
    "raw": lambda v: Md("" if v is None else str(v)),
    "blockquote": lambda v: Md(blockquote(str(v))),
    "cell": lambda v: Md(table_cell(v)),
    "pct": _pct,
    "quote": _quote_filter,
}


def render_template(env: Any, source: TemplateSource, context: dict[str, Any]) -> str:
    """Render one template to a string. Errors name the template file and line, never data."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.sandbox import SecurityError

    chunks: list[str] = []
    size = 0
    watchdog = RenderWatchdog(getattr(env, "cpu_seconds", 60.0))
    try:
        with watchdog:
            # Streamed, so a runaway loop stops at the size limit instead of filling memory and disk.
            for chunk in env.get_template(source.name).generate(context):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_CHAPTER_CHARS:
                    break
    except TemplateSyntaxError as exc:
        raise ReportError(f"{_label(exc.filename, source)}:{exc.lineno}: template syntax: {exc.message}") from None
    except TemplateNotFound as exc:
        where = _where(exc, source)
        raise ReportError(
            f"{where}: template '{exc.name}' not found; a template may include or import only "
            "other templates in templates/ or the packaged defaults (no modules)"
        ) from None
    except TemplateBudgetExceeded as exc:
        reason = watchdog.reason or str(exc) or TemplateBudgetExceeded.message
        raise ReportError(f"{_where(exc, source)}: stopped: {reason}; nothing was written") from None
    except (SecurityError, TemplateTooLarge) as exc:
        raise ReportError(f"{_where(exc, source)}: not allowed in a template: {exc}") from None
    except UndefinedError as exc:
        raise ReportError(
            f"{_where(exc, source)}: undefined: {exc.message}; see the template context in docs/chapters.md"
        ) from None
    except ReportError:  # a template file that is not UTF-8 text: already names file and line
        raise
    except GrondmotiefError as exc:  # a helper called with a wrong group or code id
        raise ReportError(f"{_where(exc, source)}: {exc.message}") from None
    except (OverflowError, MemoryError) as exc:  # range() above the sandbox's limit, a string too big to build
        raise ReportError(
            f"{_where(exc, source)}: not allowed in a template: too large (a number or text beyond what can be built)"
        ) from None
    except RecursionError as exc:
        raise ReportError(
            f"{_where(exc, source)}: recursion too deep (a macro or include that calls itself?)"
        ) from None
    except (TemplateError, TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError) as exc:
        where = _where(exc, source)
        if where == source.label and isinstance(exc, ValueError):  # raised while compiling: a number literal
            where = _long_number_line(source) or where
        raise ReportError(f"{where}: {_render_problem(exc)}") from None
    if size > MAX_CHAPTER_CHARS:
        raise ReportError(
            f"{source.label}: renders to more than {MAX_CHAPTER_CHARS // 1_000_000} million characters; "
            "a loop that never ends? Nothing was written"
        )
    return "".join(chunks)


def _long_number_line(source: TemplateSource) -> str | None:
    """Jinja's lexer reads a 5,000-digit literal with int(), which refuses it without a line."""
    try:
        text = source.path.read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        return None
    m = re.search(r"\d{4301,}", text)
    return f"{source.label}:{text.count(chr(10), 0, m.start()) + 1}" if m else None


def _render_problem(exc: BaseException) -> str:
    """What went wrong, in words; the exception's own text only where it cannot carry data."""
    from jinja2 import TemplateError

    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, ValueError) and "digits" in str(exc):  # int ↔ str beyond Python's 4,300 digits
        return "a number too long to print or read (more than 4,300 digits)"
    if isinstance(exc, KeyError | IndexError):
        return "no such key or position in a list or mapping (use `is defined` or `|default` to test first)"
    if isinstance(exc, AttributeError):
        return "no such attribute"
    if isinstance(exc, ValueError):
        return "a value of the wrong kind for this filter or operation (for example a word where a number is needed)"
    text = str(exc) if isinstance(exc, TemplateError | TypeError) else ""
    return f"TypeError while rendering: {text}" if isinstance(exc, TypeError) else f"while rendering: {text}"


def _label(filename: str | None, source: TemplateSource) -> str:
    if not filename:
        return source.label
    path = Path(filename)
    if path.name == source.name:
        return source.label
    if packaged_templates_dir() in path.parents:
        return f"{packaged_prefix()}{path.name}"
    return f"templates/{path.name}"


def _where(exc: BaseException, source: TemplateSource) -> str:
    """The template file and line an error happened at, from Jinja's rewritten traceback."""
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if f.filename.endswith(SUFFIX) or Path(f.filename).parent in (packaged_templates_dir(),)
    ]
    if frames:
        f = frames[-1]
        return f"{_label(f.filename, source)}:{f.lineno}"
    return source.label


# The whole report ---------------------------------------------------------------------------------
@dataclass
class Rendered:
    files: dict[str, str]  # path relative to chapters/ → content
    withheld: list[Any] = field(default_factory=list)  # quotes.Withheld, deduplicated
    sources: list[TemplateSource] = field(default_factory=list)
    orphaned: int = 0  # accepted decisions left out: their passage changed (`check` lists them)


def render_report(study: Study, coders: list[str] | None = None, *, allow_flagged: bool = False) -> Rendered:
    from grondmotief.report.context import build_context

    sources = template_sources(study)
    if not sources:
        raise ReportError(
            "no chapter templates: add templates/*.md.j2 or reinstall grondmotief (packaged defaults missing)"
        )
    env = make_env(study)
    ctx, state = build_context(study, coders, allow_flagged=allow_flagged)
    files: dict[str, str] = {}
    for source in sources:
        text = render_template(env, source, ctx)
        if text.strip():  # a study template that renders empty switches that chapter off
            files[source.chapter] = text.rstrip("\n") + "\n"
    for rel, make in sorted(state.figures.items()):
        files[rel] = make()
    seen: set[str] = set()
    withheld = [w for w in state.withheld if not (w.id in seen or seen.add(w.id))]  # type: ignore[func-returns-value]
    return Rendered(files, withheld, sources, state.orphaned)


def chapters_root(study: Study) -> Path:
    """chapters/ as configured, refusing a folder outside the study (or the study folder itself)."""
    root = study.root.resolve()
    target = study.chapters_dir.resolve()
    if target == root or root not in target.parents:
        raise ReportError(
            f"grondmotief.yaml: report.chapters_dir '{study.settings.report.chapters_dir}' must be a "
            "folder inside the study"
        )
    # Chapters must never overwrite the study's own sources (a template named org01.md.j2 with
    # chapters_dir: interviews would replace a transcript), nor land in .git/ or .grondmotief/.
    own = [p.resolve() for p in (study.interviews_dir, study.codings_dir, study.codebooks_dir, study.templates_dir)]
    if target.relative_to(root).parts[0].startswith(".") or any(p == target or p in target.parents for p in own):
        raise ReportError(
            f"grondmotief.yaml: report.chapters_dir '{study.settings.report.chapters_dir}' must be a folder of "
            "its own: not interviews/, codings/, codebooks/, templates/ or a hidden folder"
        )
    return target


def _target(base: Path, rel: str) -> Path:
    path = base / rel
    parent = path.parent.resolve()
    if parent != base and base not in parent.parents:
        raise ReportError(f"refusing to write {rel}: it would leave {base.name}/ (a symlinked folder?)")
    if path.is_symlink():
        raise ReportError(f"refusing to write {base.name}/{rel}: it is a symbolic link")
    return path


@dataclass
class Change:
    path: str  # relative to the study, e.g. chapters/01-ervaringen.md
    rel: str  # relative to chapters/
    status: str  # new | changed
    diff: str


def changes(study: Study, rendered: Rendered, *, diff_lines: int = 12) -> list[Change]:
    base = chapters_root(study)
    out = []
    for rel, text in rendered.files.items():
        path = _target(base, rel)
        label = study.rel(path)
        if not path.exists():
            out.append(Change(label, rel, "new", ""))
            continue
        old = path.read_bytes().decode("utf-8", errors="replace")
        if old == text:
            continue
        diff = list(
            difflib.unified_diff(old.splitlines(), text.splitlines(), f"a/{label}", f"b/{label}", n=1, lineterm="")
        )
        more = len(diff) - diff_lines
        shown = diff[:diff_lines] + ([f"… {more} more diff line(s)"] if more > 0 else [])
        out.append(Change(label, rel, "changed", "\n".join(shown)))
    return out


def write_report(study: Study, rendered: Rendered) -> list[Change]:
    """Write what changed, each file atomically; nothing is deleted."""
    base = chapters_root(study)
    todo = changes(study, rendered, diff_lines=0)
    for ch in todo:
        atomic_write_text(_target(base, ch.rel), rendered.files[ch.rel])
    return todo
