"""Build-time checks and generated pages of the documentation site (mkdocs.yml names this file under `hooks:`).

- The CLI reference is rendered from the `portable` command's own argument parser
  (`providers.cli.main.parser()`), so it cannot drift from `portable --help`.
- Every public name of `portable` (`portable.__all__`) and of `portable.testing` must have a docstring and a
  `::: portable.<name>` entry in the API reference.
- A Python code block is never written inline in a page: it embeds an example file with pymdownx.snippets
  (`--8<-- "docs/examples/..."`), a file that tests/unit/docs/test_examples.py runs.

Problems are warnings on a logger under `mkdocs`, so `mkdocs build --strict` fails on them.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

log = logging.getLogger("mkdocs.hooks.portable")

CLI_MARKER = "<!-- portable-cli-reference -->"
PUBLIC_MODULES = ("portable", "portable.testing")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)[ \t]*(?P<info>[^\n]*)$", re.MULTILINE)
_DIRECTIVE = re.compile(r"^[ \t]*:::[ \t]+(?P<identifier>[\w.]+)", re.MULTILINE)
_SNIPPET = re.compile(r'^[ \t]*-{1,}8<-{1,}[ \t]+"[^"]+"[ \t]*$')

# The identifiers each page documents with `::: identifier`, gathered anew on every build.
_documented: dict[str, str] = {}


def on_config(config: Any, **_: Any) -> None:
    # The checks import portable and providers from this checkout. (mkdocs restores sys.path after loading a hook,
    # so this cannot happen at import time.)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def on_pre_build(config: Any, **_: Any) -> None:
    _documented.clear()


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    where = page.file.src_uri
    _check_python_blocks(markdown, where)
    for match in _DIRECTIVE.finditer(markdown):
        _documented.setdefault(match["identifier"], where)
    if CLI_MARKER in markdown:
        markdown = markdown.replace(CLI_MARKER, cli_reference())
    return markdown


def on_post_build(config: Any, **_: Any) -> None:
    for problem in undocumented_names(set(_documented)):
        log.warning(problem)


# Inline code ------------------------------------------------------------------------------------------------------


def _check_python_blocks(markdown: str, where: str) -> None:
    """Warn about a Python block (```python, or ```{.python title="..."}, the form ruff's Markdown formatting leaves
    alone) holding anything but snippet lines: examples live in files that tests run."""
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, language = opening["fence"], (opening["info"].split() or [""])[0].lstrip("{.").rstrip("}").lower()
        body: list[str] = []
        index += 1
        while index < len(lines) and not lines[index].strip().startswith(fence):
            body.append(lines[index])
            index += 1
        index += 1
        if language in ("python", "py", "python3", "pycon") and any(
            line.strip() and not _SNIPPET.match(line) for line in body
        ):
            log.warning(
                f"{where}: a {language} block is written inline; put the code in a file under docs/examples/ that a "
                'test runs, and embed it with --8<-- "docs/examples/..."'
            )


# The public API ---------------------------------------------------------------------------------------------------


def undocumented_names(documented: set[str]) -> list[str]:
    """One sentence for each public name without a docstring or without an entry in the API reference."""
    import griffe

    problems = []
    loader = griffe.GriffeLoader(search_paths=[str(ROOT)])
    for module_name in ("portable", "providers"):
        loader.load(module_name)
    loader.resolve_aliases(external=False, implicit=False)
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        static = loader.modules_collection[module_name]
        for name in module.__all__:
            path = f"{module_name}.{name}"
            if path not in documented:
                problems.append(
                    f"{path} is public ({module_name}.__all__) but not in the API reference: add `::: {path}` to "
                    "docs/reference/"
                )
            target = static[name]
            target = target.final_target if target.is_alias else target
            if not target.docstring or not target.docstring.value.strip():
                problems.append(f"{path} has no docstring: write one in {target.filepath.relative_to(ROOT)}")
            elif target.is_class:
                problems.extend(
                    f"{path}.{member_name} has no docstring: write one in {target.filepath.relative_to(ROOT)}"
                    for member_name, member in target.members.items()
                    if not member_name.startswith("_") and member.is_function and not member.docstring
                )
            elif target.is_module:
                problems.extend(
                    f"{path}.{member_name} has no docstring: write one in {target.filepath.relative_to(ROOT)}"
                    for member_name, member in target.members.items()
                    if not member_name.startswith("_")
                    and not member.is_alias
                    and member.is_function
                    and not member.docstring
                )
    return problems


# The CLI reference ------------------------------------------------------------------------------------------------


def cli_reference() -> str:
    """Markdown for every command of `portable`, and for the local runner's own command line: usage, description and
    options, from their parsers themselves."""
    from providers.cli.main import parser
    from providers.local.__main__ import parser as local_parser

    root = parser()
    sections = [_command_markdown(root, "portable", level=2)]
    for name, command in _subcommands(root):
        sections.append(_command_markdown(command, f"portable {name}", level=2))
        for sub_name, sub_command in _subcommands(command):
            sections.append(_command_markdown(sub_command, f"portable {name} {sub_name}", level=3))
    sections.append(_command_markdown(local_parser(), "python -m providers.local", level=2))
    return "\n\n".join(sections)


def _subcommands(command: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices.items())
    return []


def _command_markdown(command: argparse.ArgumentParser, title: str, level: int) -> str:
    usage = " ".join(command.format_usage().removeprefix("usage:").split())
    parts = [f"{'#' * level} `{title}`", "", "```text", usage, "```"]
    if command.description:
        parts += ["", _escaped(command.description)]
    rows = []
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            rows += [(f"`{name}`", _escaped(_help_of(action, name))) for name in action.choices]
            continue
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._HelpAction):
            continue
        rows.append((_invocation(action), _escaped(action.help or "")))
    if rows:
        parts += ["", "| argument | meaning |", "| --- | --- |"]
        parts += [f"| {argument} | {meaning} |" for argument, meaning in rows]
    return "\n".join(parts)


def _help_of(action: argparse._SubParsersAction[argparse.ArgumentParser], name: str) -> str:
    for choice in action._choices_actions:
        if choice.dest == name:
            return choice.help or ""
    return ""


def _invocation(action: argparse.Action) -> str:
    if not action.option_strings:
        return f"`{action.metavar or action.dest}`"
    takes_value = action.nargs != 0
    metavar = action.metavar or action.dest.upper()
    names = ", ".join(f"`{option} {metavar}`" if takes_value else f"`{option}`" for option in action.option_strings)
    if action.choices and takes_value:
        names += f" (one of {', '.join(f'`{choice}`' for choice in action.choices)})"
    return names


_CODE_SPAN = re.compile(r"(`[^`]*`)")
_MARKDOWN_SPECIAL = re.compile(r"([\\*_{}\[\]>#|!])")


def _escaped(text: str) -> str:
    """Help text as Markdown that shows it as written: newlines folded, `code spans` kept as they are (a table cell
    may hold a pipe inside one), and elsewhere every character Markdown would act on (emphasis, HTML, attribute lists,
    table pipes) escaped."""
    parts = _CODE_SPAN.split(" ".join(text.split()))
    return "".join(
        part if index % 2 else _MARKDOWN_SPECIAL.sub(r"\\\1", part).replace("<", "&lt;")
        for index, part in enumerate(parts)
    )
