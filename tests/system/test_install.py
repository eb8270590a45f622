"""What a non-editable install ships: every package of the tree, and the files read as resources.

pyproject.toml lists the packages by hand (`packages.find` cannot reach the templates, which live
outside the package tree), so a package added to the tree and not to the list would be missing
from every install but the editable one the tests run on. CI installs the package for real and
runs a few commands on it; these checks say which entry is missing, and run everywhere.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def _folder(package: str) -> Path:
    mapped = SETUPTOOLS.get("package-dir", {})
    return ROOT / mapped[package] if package in mapped else ROOT.joinpath(*package.split("."))


def test_every_package_of_the_tree_is_listed_for_the_install():
    in_tree = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "caseworker_tui").rglob("__init__.py")}
    in_tree |= set(SETUPTOOLS.get("package-dir", {}))
    listed = set(SETUPTOOLS["packages"])
    assert {"not listed": in_tree - listed, "not in the tree": listed - in_tree} == {
        "not listed": set(), "not in the tree": set()}


def test_the_files_read_as_resources_are_shipped_with_their_packages():
    shipped = {package: [path for pattern in patterns for path in _folder(package).glob(pattern)]
               for package, patterns in SETUPTOOLS["package-data"].items()}
    assert {p.name for p in shipped["caseworker_tui.letters"]} >= {"acknowledgement.docx", "outcome.docx"}
    assert sorted(p.name for p in shipped["caseworker_tui.data"]) == [  # the default, five examples, the deny-list
        "common-passphrases.txt", "policy-birmingham.toml", "policy-cleveland.toml", "policy-east-herts.toml",
        "policy-gosport.toml", "policy-leicester.toml", "policy-richmond.toml"]
    assert [p.name for p in shipped["caseworker_tui"]] == ["app.tcss"]
