"""``make demo`` works on copies of the notebooks in ``.demo/``, so the checkout stays clean (issue 14)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pixorder import demo

ROOT = Path(__file__).resolve().parent.parent


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A git checkout holding this repository's .gitignore and notebooks, committed and clean."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "pixorder"
    (repo / "notebooks").mkdir(parents=True)
    shutil.copy2(ROOT / ".gitignore", repo / ".gitignore")
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy2(notebook, repo / "notebooks" / notebook.name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "notebooks")
    assert git(repo, "status", "--porcelain") == ""
    return repo


def _autosave(notebook: Path) -> None:
    """What JupyterLab does to an open notebook: writes it back with outputs and a newer time."""
    content = json.loads(notebook.read_text())
    content["cells"][0].setdefault("metadata", {})["autosaved"] = True
    notebook.write_text(json.dumps(content))


def test_demo_setup_copies_the_notebooks_and_autosave_leaves_the_checkout_clean(checkout: Path):
    copies = demo.prepare_notebooks(checkout)
    assert [c.name for c in copies] == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert all(c.parent == checkout / ".demo" / "notebooks" for c in copies)
    assert "01-quickstart.ipynb" in {c.name for c in copies}
    for copy in copies:  # JupyterLab saves what it opened
        _autosave(copy)
    assert git(checkout, "status", "--porcelain") == ""  # before: " M notebooks/01-quickstart.ipynb"


def test_a_copy_is_refreshed_only_when_the_tracked_notebook_is_newer(checkout: Path):
    tracked = checkout / "notebooks" / "01-quickstart.ipynb"
    (copy, *_) = [c for c in demo.prepare_notebooks(checkout) if c.name == tracked.name]
    _autosave(copy)
    later = copy.stat().st_mtime + 10
    os.utime(copy, (later, later))  # the user's run is newer than the tracked notebook: kept
    demo.prepare_notebooks(checkout)
    assert json.loads(copy.read_text())["cells"][0]["metadata"].get("autosaved") is True
    os.utime(tracked, (later + 10, later + 10))  # a pull brought a newer notebook: the copy follows it
    demo.prepare_notebooks(checkout)
    assert copy.read_bytes() == tracked.read_bytes()
    assert git(checkout, "status", "--porcelain") == ""


def test_demo_dir_is_ignored_by_this_repository():
    assert ".demo/" in (ROOT / ".gitignore").read_text().splitlines()
    assert demo.DEMO_DIR == ROOT / ".demo"


def test_demo_setup_in_this_checkout_changes_nothing_git_sees():
    if shutil.which("git") is None or subprocess.run(["git", "rev-parse"], cwd=ROOT, capture_output=True).returncode:
        pytest.skip("not a git checkout")
    before = git(ROOT, "status", "--porcelain")
    for copy in demo.prepare_notebooks():
        _autosave(copy)
    assert git(ROOT, "status", "--porcelain") == before  # clean stays clean
