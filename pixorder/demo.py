"""``make demo``: open the quickstart notebook in JupyterLab on 127.0.0.1, bound to the sandbox."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "01-quickstart.ipynb"


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

    aoi = pixorder.AOI({"type": "Point", "coordinates": [149.44135, 28.49240]})
    print(aoi)
    for provider in ("pixxel", "planet", "geopera"):
        for rule in aoi.check(provider):
            print(f"  {provider:8s} {rule.severity:7s} {rule.message}")
    frame = pixorder.compare(aoi, {"start": "2027-03-01", "end": "2027-03-21", "cloud_cover": 20})
    print(frame[["provider", "area_km2", "billed_area_km2", "amount", "unit", "error"]].to_string(index=False))


def main() -> int:
    if "--text" in sys.argv or not NOTEBOOK.exists():
        text_demo()
        return 0
    port = _free_port()
    token = secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}/lab/tree/{NOTEBOOK.relative_to(ROOT)}?token={token}"
    print(f"pixorder demo: JupyterLab on the sandbox (no API key needed)\n  open {url}\n  stop with Ctrl-C")
    cmd = [sys.executable, "-m", "jupyterlab", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
           "--no-browser" if os.environ.get("PIXORDER_NO_BROWSER") else "--ServerApp.open_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and CI run as root; JupyterLab refuses without this
    try:
        return subprocess.call(cmd, cwd=ROOT)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
