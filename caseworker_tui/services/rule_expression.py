"""The local threshold as a council writes it: `and`, `or`, `not` and parentheses over rule ids.

A policy file is data a council edits, so its expression is read by this small recursive-descent
parser and evaluated over a mapping of rule results; it is never handed to `eval`. Every mistake
is reported with the word and position it was found at.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import combinations

_TOKEN = re.compile(r"\s*(?:(?P<paren>[()])|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<other>\S))")
_KEYWORDS = frozenset({"and", "or", "not"})


class ExpressionError(ValueError):
    """The expression cannot be read; the message says what was found where."""


@dataclass(frozen=True)
class Name:
    id: str


@dataclass(frozen=True)
class Not:
    operand: Expression


@dataclass(frozen=True)
class And:
    operands: tuple[Expression, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Expression, ...]


Expression = Name | Not | And | Or


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "and", "or", "not", "id", "end"
    text: str
    at: int  # 1-based character position, as a person counts


def _tokens(text: str) -> list[_Token]:
    found: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # only trailing whitespace is left
            break
        at = match.start(match.lastgroup) + 1
        if match["other"]:
            raise ExpressionError(f"{match['other']!r} at position {at} is not allowed; use rule "
                                  "ids, and, or, not and parentheses")
        word = match["paren"] or match["word"]
        lowered = word.lower()
        kind = word if match["paren"] else (lowered if lowered in _KEYWORDS else "id")
        found.append(_Token(kind, word, at))
        position = match.end()
    found.append(_Token("end", "", len(text) + 1))
    return found


class _Parser:
    """or_expr := and_expr ("or" and_expr)*; and_expr := not_expr ("and" not_expr)*;
    not_expr := "not" not_expr | id | "(" or_expr ")"."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.next = 0

    def peek(self) -> _Token:
        return self.tokens[self.next]

    def take(self) -> _Token:
        token = self.tokens[self.next]
        self.next += 1
        return token

    def expression(self) -> Expression:
        operands = [self.conjunction()]
        while self.peek().kind == "or":
            self.take()
            operands.append(self.conjunction())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def conjunction(self) -> Expression:
        operands = [self.negation()]
        while self.peek().kind == "and":
            self.take()
            operands.append(self.negation())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def negation(self) -> Expression:
        token = self.take()
        if token.kind == "not":
            return Not(self.negation())
        if token.kind == "id":
            return Name(token.text)
        if token.kind == "(":
            inner = self.expression()
            closing = self.take()
            if closing.kind != ")":
                raise ExpressionError(f"the parenthesis opened at position {token.at} is not "
                                      f"closed ({_found(closing)})")
            return inner
        raise ExpressionError(f"expected a rule id, `not` or `(` at position {token.at}, "
                              f"but {_found(token)}")


def _found(token: _Token) -> str:
    return "the expression ends there" if token.kind == "end" else f"found {token.text!r}"


def parse(text: str) -> Expression:
    """The expression in `text`; ExpressionError says what is wrong and where."""
    if not text.strip():
        raise ExpressionError("is empty; name at least one rule id")
    parser = _Parser(text)
    tree = parser.expression()
    rest = parser.peek()
    if rest.kind != "end":
        raise ExpressionError(f"{rest.text!r} at position {rest.at} does not follow; join rules "
                              "with and, or")
    return tree


def names(tree: Expression) -> list[str]:
    """The rule ids the expression uses, each once, in the order written."""
    seen: dict[str, None] = {}
    for node in _walk(tree):
        if isinstance(node, Name):
            seen.setdefault(node.id)
    return list(seen)


def _walk(tree: Expression) -> Iterator[Expression]:
    yield tree
    if isinstance(tree, Not):
        yield from _walk(tree.operand)
    elif isinstance(tree, And | Or):
        for operand in tree.operands:
            yield from _walk(operand)


def evaluate(tree: Expression, values: Mapping[str, bool]) -> bool:
    if isinstance(tree, Name):
        return values[tree.id]
    if isinstance(tree, Not):
        return not evaluate(tree.operand, values)
    if isinstance(tree, And):
        return all(evaluate(operand, values) for operand in tree.operands)
    return any(evaluate(operand, values) for operand in tree.operands)


def render(tree: Expression, label: Callable[[str], str] = str) -> str:
    """The expression written back with the fewest parentheses, each rule id through `label`."""
    if isinstance(tree, Name):
        return label(tree.id)
    if isinstance(tree, Not):
        inner = render(tree.operand, label)
        return f"not {inner}" if isinstance(tree.operand, Name | Not) else f"not ({inner})"
    joiner = " and " if isinstance(tree, And) else " or "
    parts = []
    for operand in tree.operands:
        text = render(operand, label)
        parts.append(f"({text})" if isinstance(operand, And | Or) else text)
    return joiner.join(parts)


def smallest_changes(tree: Expression, values: Mapping[str, bool],
                     limit: int = 3) -> list[list[str]]:
    """The smallest sets of rules not passed that, passing too, would make the expression true.

    What a caseworker needs to say what would change a verdict: every set of the smallest size
    that works, trying up to `limit` rules at once (a policy has a handful of rules).
    """
    failing = [rule for rule in names(tree) if not values[rule]]
    for size in range(1, min(limit, len(failing)) + 1):
        found = [list(chosen) for chosen in combinations(failing, size)
                 if evaluate(tree, {**values, **dict.fromkeys(chosen, True)})]
        if found:
            return found
    return []
