"""The Word templates: which one is in force for a kind, and whether it can be used as it is.

Council staff edit the templates in Word, so each is held to its letter's context before use: a
name its context does not provide is an error naming the file and the variable, not a blank in
a letter that went out. Jinja runs sandboxed, strict about undefined names, and escaping data.
"""

from __future__ import annotations

import functools
import re
import typing
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import BaseModel

from caseworker_tui.errors import ConfigError
from caseworker_tui.services.letters.kinds import BY_KEY, KINDS, letter_kind


class LetterTemplateError(ConfigError):
    """A template that cannot be used as it is; the message names the file and what to fix."""


@dataclass(frozen=True)
class TemplateCheck:
    name: str
    path: str
    problems: list[str]


def template_path(kind: str, letters_dir: Path | None = None) -> Path:
    """The template in force for `kind`: its namesake in `letters_dir`, else the shipped one."""
    name = letter_kind(kind).template
    if letters_dir is not None:
        folder = Path(letters_dir).expanduser()
        if not folder.is_dir():
            raise ConfigError(f"letters_dir: {folder} is not a folder")
        if (folder / name).is_file():
            return folder / name
    return Path(str(resources.files("caseworker_tui.letters").joinpath(name)))


@functools.cache
def environment():
    """Jinja for council-edited templates: strict about names, escaping data, sandboxed."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    class LetterEnvironment(SandboxedEnvironment):
        """Compiles each template source once: docxtpl hands over the same one for every letter."""

        def __init__(self, **options) -> None:
            super().__init__(**options)
            self.compiled: dict = {}

        def from_string(self, source, globals=None, template_class=None):
            if globals is not None or template_class is not None:
                return super().from_string(source, globals, template_class)
            if source not in self.compiled:
                if len(self.compiled) > 200:
                    self.compiled.clear()
                self.compiled[source] = super().from_string(source)
            return self.compiled[source]

    return LetterEnvironment(undefined=StrictUndefined, autoescape=True)


def _template_source(tpl) -> str:
    """The jinja source docxtpl renders (body, headers, footers), one Word paragraph per line."""
    tpl.get_docx()
    parts = [tpl.get_xml()]
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        parts += [tpl.get_part_xml(part) for _, part in tpl.get_headers_footers(uri)]
    return "\n".join(re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml)) for xml in parts)


def _near(source: str, line: int | None) -> str:
    text = re.sub(r"<[^>]+>", "", source.splitlines()[line - 1]) if line else ""
    return f" near “{text.strip()[:80]}”" if text.strip() else ""


def _as_model(annotation) -> type[BaseModel] | None:
    is_model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
    return annotation if is_model else None


def _item_model(annotation) -> type[BaseModel] | None:
    args = typing.get_args(annotation) if typing.get_origin(annotation) is list else ()
    return _as_model(args[0]) if args else None


def _attribute_problems(tree, model: type[BaseModel], name: str) -> list[str]:
    """`{{ a.b }}` where a's model has no field b, following `{% for x in items %}` into items."""
    from jinja2 import nodes

    problems: list[str] = []

    def annotation(node, scope):
        if isinstance(node, nodes.Name):
            return scope.get(node.name)
        if isinstance(node, nodes.Getattr) and (owner := _as_model(annotation(node.node, scope))):
            field = owner.model_fields.get(node.attr)
            return field.annotation if field else None
        return None

    def dotted(node) -> str:
        if isinstance(node, nodes.Getattr):
            return f"{dotted(node.node)}.{node.attr}"
        return getattr(node, "name", "…")

    def visit(node, scope) -> None:
        if isinstance(node, nodes.For):
            visit(node.iter, scope)
            inner = dict(scope)
            if isinstance(node.target, nodes.Name):
                inner[node.target.name] = _item_model(annotation(node.iter, scope))
            for child in [*node.body, *([node.test] if node.test else [])]:
                visit(child, inner)
            for child in node.else_:
                visit(child, scope)
            return
        if isinstance(node, nodes.Getattr):
            owner = _as_model(annotation(node.node, scope))
            if owner is not None and node.attr not in owner.model_fields:
                problems.append(f"{name}: unknown variable {{{{ {dotted(node)} }}}}; "
                                f"{dotted(node.node)} has {', '.join(owner.model_fields)}")
        for child in node.iter_child_nodes():
            visit(child, scope)

    visit(tree, {field: info.annotation for field, info in model.model_fields.items()})
    return list(dict.fromkeys(problems))


def template_problems(kind: str, path: Path) -> list[str]:
    """What is wrong with a template for `kind`: syntax, and names its context does not provide."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateSyntaxError

    model, env, name = letter_kind(kind).context, environment(), Path(path).name
    try:
        tpl = DocxTemplate(str(path))
        source = _template_source(tpl)
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same plain answer
        return [f"{name}: not a Word document that can be read ({type(exc).__name__})"]
    try:
        tree = env.parse(source)
        names = tpl.get_undeclared_template_variables(jinja_env=env)
    except TemplateSyntaxError as exc:
        return [f"{name}: template error{_near(source, exc.lineno)}: {exc.message}"]
    fields = model.model_fields
    problems = [f"{name}: unknown variable {{{{ {var} }}}}; "
                f"the {kind} letter has {', '.join(fields)}"
                for var in sorted(names - set(fields))]
    return problems + _attribute_problems(tree, model, name)


def check_templates(letters_dir: Path | None = None) -> list[TemplateCheck]:
    """Every template in force, checked against its context; stray files in letters_dir too."""
    checks = []
    for kind in KINDS:
        path = template_path(kind, letters_dir)
        checks.append(TemplateCheck(path.name, str(path), template_problems(kind, path)))
    if letters_dir is not None:
        templates = {kind.template for kind in BY_KEY.values()}
        for path in sorted(Path(letters_dir).expanduser().glob("*.docx")):
            if path.name not in templates and not path.name.startswith("~$"):
                checks.append(TemplateCheck(path.name, str(path), [
                    f"{path.name}: replaces no letter; name it after one of {', '.join(KINDS)}"]))
    return checks
