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

    Args:
        root: the checkout (holds ``notebooks/``).
        demo_dir: where the copies go, under ``notebooks/`` (created when missing).

    Returns:
        list[Path]: the copies, one per tracked notebook, sorted by name.

    >>> import tempfile
    >>> from pathlib import Path
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "notebooks").mkdir()
    >>> _ = (root / "notebooks" / "01-quickstart.ipynb").write_text("{}")
    >>> [p.relative_to(root).as_posix() for p in prepare_notebooks(root)]
    ['.demo/notebooks/01-quickstart.ipynb']
    >>> copy = root / ".demo" / "notebooks" / "01-quickstart.ipynb"
    >>> _ = copy.write_text('{"cells": ["run"]}')            # the copy you ran is newer: it is kept
    >>> _ = prepare_notebooks(root); copy.read_text()
    '{"cells": ["run"]}'
    >>> import shutil; shutil.rmtree(root)
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
    """What runs when JupyterLab cannot: an AOI, its area, its rules and a price per provider.

    Prints to stdout; prices from the sandbox, or from a provider's live API when its key is set.

    >>> text_demo()
    AOI(point, 25.00 km², bounds=(149.41581, 28.46984, 149.46689, 28.51496))
      pixxel   info    the point was turned into a 5×5 km square (25.0 km²)
      pixxel   bends   Pixxel bills at least 100 km²: billed as 100 km² (AOI is 25.0 km²)
    ...
    provider  area_km2  billed_area_km2  amount unit error
      pixxel 24.999999            100.0  1000.0  USD  <NA>
      planet 24.999999             25.0    25.0 SQKM  <NA>
     geopera 24.999999             25.0   700.0  AUD  <NA>
    """
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
    """``make demo``: JupyterLab on 127.0.0.1 on copies of the notebooks, until Ctrl-C.

    Opens ``notebooks/01-quickstart.ipynb`` (bound to the sandbox: no key needed) from ``.demo/`` with
    a fresh token, on port 8888 or a free one; ``PIXORDER_NO_BROWSER`` set: no browser is opened.
    With ``--text`` in ``sys.argv``, or without the notebooks, it runs :func:`text_demo` instead.

    Returns:
        int: JupyterLab's exit code (0 after Ctrl-C, or after the text demo).

    Raises:
        RuntimeError: no free port on 127.0.0.1.

    Not run as a test: it serves JupyterLab until stopped.

    >>> main()   # doctest: +SKIP
    pixorder demo: JupyterLab on the sandbox (no API key needed), on copies of the notebooks in .demo/
      open http://127.0.0.1:8888/lab/tree/notebooks/01-quickstart.ipynb?token=...
      stop with Ctrl-C
    """
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
