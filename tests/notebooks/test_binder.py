"""Binder's path: a fresh virtual environment built from ``binder/`` alone, then the notebooks in it.

repo2docker clones the repository, reads ``binder/`` and ignores the root, runs
``pip install -r binder/requirements.txt`` from the clone's root and starts JupyterLab. This test
does the same on a copy of the working tree (the files git tracks or would track, so the checkout
stays untouched): a new venv without system site packages, the requirements installed by pip (slow
the first time; pip's cache makes later runs quick), the widget extensions checked in JupyterLab,
then every notebook executed by that environment's own kernel, offline, with no provider keys.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.notebooks.test_notebooks import EXPECTED, check_frames

ROOT = Path(__file__).resolve().parents[2]


def copy_of_the_clone(dest: Path) -> Path:
    """The working tree as a clone would have it: tracked and new files, nothing git ignores."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def clean_env() -> dict[str, str]:
    """Our environment minus anything that would leak this venv into the new one."""
    drop = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "JUPYTER_PATH", "JUPYTER_DATA_DIR", "CONDA_PREFIX"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not p.startswith(sys.prefix))
    return env


@pytest.mark.timeout(1800)
def test_binder_environment_runs_the_notebooks(tmp_path: Path) -> None:
    repo = copy_of_the_clone(tmp_path / "repo")
    assert (repo / "binder" / "requirements.txt").is_file()
    venv = tmp_path / "venv"
    env = clean_env()
    # A fresh environment: the base interpreter's venv, without system (or our) site packages.
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-input", "-r", "binder/requirements.txt"],
        cwd=repo, env=env, capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-4000:]

    # The widget front ends JupyterLab 4 needs are there and enabled, prebuilt (no build step).
    extensions = subprocess.run([str(venv / "bin" / "jupyter"), "labextension", "list"], cwd=repo, env=env,
                                capture_output=True, text=True)
    listing = extensions.stdout + extensions.stderr
    for name in ("@jupyter-widgets/jupyterlab-manager", "jupyter-leaflet"):
        line = next((ln for ln in listing.splitlines() if name in ln), "")
        assert "enabled" in line and "OK" in line, f"{name} missing or not enabled:\n{listing}"

    notebooks = [f"notebooks/{name}" for name in sorted(EXPECTED)]
    run = subprocess.run([str(python), "tests/notebooks/nbrun.py", *notebooks], cwd=repo, env=env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-4000:]
    reports = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert [r["notebook"] for r in reports] == sorted(EXPECTED)
    for report in reports:
        name = report["notebook"]
        assert report["failure"] is None, f"{name}: {report['failure']}"
        assert report["errors"] == [], f"{name}: {report['errors']}"
        # The kernel is the new environment's, and so is the pixorder it imported (not the checkout's).
        assert report["executable"] == str(python), f"{name} ran in {report['executable']}"
        assert report["pixorder"] and report["pixorder"].startswith(str(venv)), report["pixorder"]
        check_frames(name, report["frames"])
