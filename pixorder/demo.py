"""``make demo``: open the quickstart notebook in JupyterLab on 127.0.0.1, bound to the sandbox.

JupyterLab works on copies of the notebooks in ``.demo/`` (ignored by git), so its autosave and the
outputs of the cells you run never modify the checkout; a copy is refreshed when the tracked notebook
is newer.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "01-quickstart.ipynb"
DEMO_DIR = ROOT / ".demo"  # in .gitignore


def prepare_notebooks(root: Path = ROOT, demo_dir: Path | None = None) -> list[Path]:
    """Copy ``root/notebooks/*.ipynb`` into ``demo_dir/notebooks/`` (default ``root/.demo``); the copies to open.

    A copy is written when it is missing or older than the tracked notebook (``shutil.copy2`` keeps the
    tracked file's time, so a copy you ran or edited stays newer and is kept until the tracked one
    changes). Nothing under ``root/notebooks`` is written.
    """
    source = root / "notebooks"
    target = (demo_dir if demo_dir is not None else root / ".demo") / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    copies = []
    for notebook in sorted(source.glob("*.ipynb")):
        copy = target / notebook.name
        if not copy.exists() or notebook.stat().st_mtime > copy.stat().st_mtime:
            shutil.copy2(notebook, copy)
        copies.append(copy)
    return copies


def _free_port(preferred: int = 8888) -> int:
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free port on 127.0.0.1")


def text_demo() -> None:
    """What runs when JupyterLab cannot: an AOI, its area, its rules and a price per provider."""
    import pixorder
    from pixorder.providers import table

    aoi = pixorder.AOI({"type": "Point", "coordinates": [149.44135, 28.49240]})
    print(aoi)
    for provider in table.NAMES:
        for rule in aoi.check(provider):
            print(f"  {provider:8s} {rule.severity:7s} {rule.message}")
    frame = pixorder.compare(aoi, {"start": "2027-03-01", "end": "2027-03-21", "cloud_cover": 20})
    print(frame[["provider", "area_km2", "billed_area_km2", "amount", "unit", "error"]].to_string(index=False))


def main() -> int:
    if "--text" in sys.argv or not NOTEBOOK.exists():
        text_demo()
        return 0
    prepare_notebooks(ROOT, DEMO_DIR)
    port = _free_port()
    token = secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}/lab/tree/notebooks/{NOTEBOOK.name}?token={token}"
    print(f"pixorder demo: JupyterLab on the sandbox (no API key needed), on copies of the notebooks in "
          f"{DEMO_DIR.relative_to(ROOT)}/\n  open {url}\n  stop with Ctrl-C")
    cmd = [sys.executable, "-m", "jupyterlab", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={DEMO_DIR}",
           "--no-browser" if os.environ.get("PIXORDER_NO_BROWSER") else "--ServerApp.open_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and CI run as root; JupyterLab refuses without this
    try:
        return subprocess.call(cmd, cwd=DEMO_DIR)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
