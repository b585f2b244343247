"""``python -m pixorder.sandbox serve --port 8765 --db state.sqlite``: run the sandbox in the foreground."""

from __future__ import annotations

import argparse
import gc
import sys

import uvicorn

from .app import create_app
from .faults import quiet_dropped_connections
from .keys import SANDBOX_KEYS
from .runner import bind_socket
from .state import SandboxState


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pixorder.sandbox", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the sandbox until interrupted")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default: loopback only)")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--db", default=None, help="SQLite file to keep state in (default: in memory)")
    serve.add_argument("--seed", type=int, default=0, help="seed of the fault-injection RNG")
    args = parser.parse_args(argv)

    app = create_app(SandboxState.create(args.db, args.seed))
    url = f"http://{args.host}:{args.port}"
    print(f"pixorder sandbox at {url} (API docs: {url}/docs; state: {args.db or 'in memory'})")
    for provider, key in SANDBOX_KEYS.items():
        print(f"  {provider:8s} key: {key}")
    sys.stdout.flush()
    quiet_dropped_connections()
    # The server owns this process: what exists now (modules, the app, its routes and schemas) lives as
    # long as it does. Frozen, the collector stops walking it on every full collection, which request
    # bodies (tens of thousands of small lists each) set off every few requests: ~50 ms a time before.
    gc.collect()
    gc.freeze()
    sock = bind_socket(args.host, args.port)
    config = uvicorn.Config(app, log_level="info", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
