"""Reading a policy file's bytes into TOML data, refusing what would otherwise fail later.

A council edits its file in whatever editor it has: Notepad's "Unicode" saves UTF-16, an old
editor saves Windows-1252, a slip of the keyboard nests brackets thousands deep (which makes
Python's TOML reader overflow its stack). Each is refused here, with the line and the key, so a
bad file stops the app when it is read and never as a traceback in the middle of someone's work.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from pathlib import Path
from typing import Any

from caseworker_tui.errors import PolicyError

# The deepest a shipped policy nests is four (the file, [threshold], its rules, one rule); a
# value nested more than this is a mistake, not a policy.
MAX_NESTING = 8
_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]#]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*([A-Za-z0-9_\-."' ]+?)\s*=""")
_SAVE_AS_UTF8 = "save it as UTF-8 (in Notepad: File, Save as, Encoding: UTF-8)"


def key_at_line(text: str, line: int) -> str:
    """The dotted key a council would look for on `line` (1-based): its table and its key."""
    table, key = "", ""
    for content in text.splitlines()[:line]:
        if header := _HEADER.match(content):
            table, key = header[1].replace(" ", ""), ""
        elif found := _KEY.match(content):
            key = found[1].strip().strip("\"'")
    return ".".join(part for part in (table, key) if part) or "the top of the file"


def read_policy_text(path: Path | str) -> str:
    """The file's text, read as UTF-8 (a UTF-8 byte-order mark is allowed and dropped)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise PolicyError(f"cannot read policy file {path}: {exc.strerror}") from None
    return decode_policy(data, str(path))


def decode_policy(data: bytes, source: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(data):
        raise PolicyError(f"{source}: the file is saved as UTF-16, but a policy file must be UTF-8 "
                          f"text; {_SAVE_AS_UTF8}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        text = data.decode("utf-8", errors="replace")
        raise PolicyError(f"{source}: {key_at_line(text, line)} (line {line}): is not UTF-8 text "
                          f"(byte 0x{data[exc.start]:02x}); {_SAVE_AS_UTF8}") from None


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII text with every other byte zero."""
    head = data[:400]
    if len(head) < 4:
        return False
    return head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4


def load_toml(text: str, source: str) -> dict[str, Any]:
    """The TOML data of `text`; too deep a nesting and bad TOML are refused with the key."""
    text = text.removeprefix("\ufeff")
    deep = _too_deep_at(text)
    if deep is not None:
        raise PolicyError(f"{source}: {key_at_line(text, deep)} (line {deep}): values are nested "
                          f"more than {MAX_NESTING} deep; no policy setting needs that")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source} is not valid TOML: {exc}") from None
    except RecursionError:  # the scan above should have caught it; never a traceback
        raise PolicyError(f"{source}: values are nested too deeply") from None
    too_deep = _deepest_key(data)
    if too_deep is not None:
        raise PolicyError(f"{source}: {too_deep}: tables are nested more than {MAX_NESTING} deep; "
                          "no policy setting needs that")
    return data


def _too_deep_at(text: str) -> int | None:
    """The line where brackets outside strings and comments first nest past MAX_NESTING."""
    depth, line, i, n = 0, 1, 0, len(text)
    while i < n:
        char = text[i]
        if char == "\n":
            line += 1
        elif char == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif char in "\"'":
            quote = char * 3 if text.startswith(char * 3, i) else char
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                if text[i] == "\\" and char == '"':
                    i += 1
                elif text[i] == "\n":
                    line += 1
                    if len(quote) == 1:  # an unclosed string: TOML's reader says so
                        break
                i += 1
            i += len(quote)
            continue
        elif char in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return line
        elif char in "]}":
            depth = max(0, depth - 1)
        i += 1
    return None


def _deepest_key(data: dict[str, Any]) -> str | None:
    """Dotted table names can nest without brackets: the first key deeper than MAX_NESTING."""
    stack: list[tuple[Any, list[str]]] = [(data, [])]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_NESTING:
            return ".".join(path[:MAX_NESTING]) + ".…"
        if isinstance(value, dict):
            stack.extend((v, [*path, str(k)]) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, [*path, str(i)]) for i, v in enumerate(value))
    return None
