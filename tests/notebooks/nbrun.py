"""Execute a notebook with nbclient and report what it built: errors, frames, timings.

Used by ``test_notebooks.py`` (imported) and by ``test_binder.py`` (run as a script with the
Python of a fresh Binder-like environment), so it needs nothing but the standard library,
nbformat and nbclient, which JupyterLab brings along.

A probe cell, appended to an in-memory copy of the notebook (never to the file), prints every
DataFrame/GeoDataFrame the notebook left in its namespace: its columns, row count, CRS and how
many rows carry an ``error``. Tests then assert on the frames by the names the notebook gives them.

    python tests/notebooks/nbrun.py notebooks/01-quickstart.ipynb ...   # one JSON report per line
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

KEY_VARS = ("PIXXEL_API_KEY", "PL_API_KEY", "GEOPERA_API_KEY")
MARKER = "PIXORDER-NOTEBOOK-PROBE "

PROBE = f'''
def _pixorder_probe():
    import json as _json
    import sys as _sys
    import pandas as _pd
    frames = {{}}
    for _name, _value in list(globals().items()):
        if _name.startswith("_") or not isinstance(_value, _pd.DataFrame):
            continue
        _crs = getattr(_value, "crs", None) if "geometry" in _value.columns else None
        frames[_name] = {{
            "rows": int(len(_value)),
            "columns": [str(c) for c in _value.columns],
            "geo": any(_t.__name__ == "GeoDataFrame" for _t in type(_value).__mro__),
            "crs": _crs.to_string() if _crs is not None else None,
            "errors": int(_value["error"].notna().sum()) if "error" in _value.columns else 0,
        }}
    _pixorder = _sys.modules.get("pixorder")
    print({MARKER!r} + _json.dumps({{"executable": _sys.executable, "frames": frames,
                                      "pixorder": getattr(_pixorder, "__file__", None)}}))
_pixorder_probe()
'''


def offline_env() -> dict[str, str]:
    """The environment a notebook runs in under test: no provider keys, and no way out.

    Every proxy variable points at a closed local port, so an HTTP client that tried a real
    provider host would fail at once instead of reaching it; loopback (the sandbox) is exempt.
    """
    env = {k: v for k, v in os.environ.items() if k not in KEY_VARS}
    dead = "http://127.0.0.1:9"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env[name] = env[name.lower()] = dead
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def run_notebook(path: str | Path, *, timeout: int = 120, kernel_name: str = "python3",
                 preamble: str | None = None) -> dict[str, Any]:
    """Execute ``path`` top to bottom in its own directory; a report even when a cell fails.

    ``preamble`` is code run in the kernel before the first cell (not part of the notebook).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(path).resolve()
    nb = nbformat.read(path, as_version=4)
    declared = nb.metadata.get("kernelspec", {})
    n_cells = len(nb.cells)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    if preamble:
        nb.cells.insert(0, nbformat.v4.new_code_cell(preamble))
    own = nb.cells[1 if preamble else 0:][:n_cells]  # the notebook's own cells, without ours
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name, allow_errors=False,
                            resources={"metadata": {"path": str(path.parent)}})
    failure = None
    started = time.perf_counter()
    try:
        client.execute(env=offline_env())  # the kernel's whole environment, not merged with ours
    except CellExecutionError as exc:
        failure = str(exc)[-3000:]
    seconds = time.perf_counter() - started

    errors, stderr, probe = [], [], None
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                errors.append({"cell": index, "ename": out.ename, "evalue": out.evalue})
            elif out.output_type == "stream" and out.name == "stderr":
                stderr.append({"cell": index, "text": out.text[-2000:]})
            elif out.output_type == "stream" and MARKER in out.text:
                probe = json.loads(out.text.split(MARKER, 1)[1].splitlines()[0])
    return {
        "notebook": path.name, "seconds": round(seconds, 2), "cells": n_cells, "kernelspec": declared,
        "failure": failure, "errors": errors, "stderr": stderr,
        "executable": (probe or {}).get("executable"), "frames": (probe or {}).get("frames"),
        "pixorder": (probe or {}).get("pixorder"),
        "stdout": [out.text for cell in own for out in cell.get("outputs", [])
                   if out.output_type == "stream" and out.name == "stdout"],
    }


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(json.dumps(run_notebook(arg)), flush=True)
