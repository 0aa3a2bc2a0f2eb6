"""Project-level contracts: the README's settings table, the direction of dependencies."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from kb.settings import SETTINGS

ROOT = Path(__file__).resolve().parent.parent


def test_readme_documents_every_setting_and_no_other():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(KB_[A-Z_]+)` \|", readme, re.MULTILINE))
    assert documented == {s.name for s in SETTINGS}


def _imports(package: str) -> set[str]:
    found: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def test_kb_imports_neither_flask_nor_whoosh_nor_the_other_packages():
    assert not _imports("kb") & {"flask", "whoosh", "jieba", "webapp", "indexer", "flask_login", "flask_wtf"}


def test_indexer_does_not_import_the_web_app():
    if (ROOT / "indexer").exists():
        assert not _imports("indexer") & {"flask", "webapp"}
