"""SQLite state shared by every emulated provider.

One connection (``check_same_thread=False``) guarded by a re-entrant lock: the sandbox is small and
SQLite serialises writers anyway, so one connection is the simplest thing that is safe under
concurrent requests. In memory by default; with a file path the database uses WAL and every write is
committed before the handler returns, so a restart on the same file loses nothing.

Schema (suits all three providers):

* ``docs``: one row per stored resource (an order, an order item, a quotation, ...), keyed by
  ``(provider, kind, id)``. ``body`` is the JSON the API returns; ``org`` scopes it to a tenant;
  ``created_at`` (ISO, sortable) drives ordering; ``status`` and ``due_at`` are indexed copies that
  the life-cycle clock uses to find rows whose next transition is due.
* ``idempotency``: stored responses of spend operations (see :mod:`.idempotency`).
* ``meta``: small key/value settings, e.g. the clock offset.

Filters in :meth:`Store.query` name either a column (``id``, ``org``, ``created_at``, ``status``,
``due_at``) or a top-level or dotted field of ``body`` (read with ``json_extract``).
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    provider   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    org        TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    status     TEXT,
    due_at     TEXT,
    body       TEXT NOT NULL,
    PRIMARY KEY (provider, kind, id)
);
-- (created_at, id) matches every listing's ORDER BY, so a page is an index walk, not a sort of all rows.
CREATE INDEX IF NOT EXISTS docs_by_created ON docs (provider, kind, created_at, id);
CREATE INDEX IF NOT EXISTS docs_by_org ON docs (provider, kind, org, created_at, id);
CREATE INDEX IF NOT EXISTS docs_by_status ON docs (provider, kind, status);
CREATE INDEX IF NOT EXISTS docs_by_due ON docs (due_at) WHERE due_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS idempotency (
    org        TEXT NOT NULL,
    path       TEXT NOT NULL,
    key        TEXT NOT NULL,
    body_hash  TEXT NOT NULL,
    status     INTEGER,
    response   BLOB,
    media_type TEXT,
    created_at TEXT NOT NULL,
    owner      TEXT,  -- the sandbox run that claimed the key; a claim left by an earlier run is stale
    PRIMARY KEY (org, path, key)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_COLUMNS = frozenset({"id", "org", "created_at", "status", "due_at"})
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_OPERATORS = {"=": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

Where = Sequence[tuple[str, str, Any]]
"""Filters ANDed together: ``(field, op, value)`` with op in ``= != < <= > >= in icontains is_null``."""


@dataclass
class Doc:
    """One stored resource. ``body`` is what the API returns for it."""

    provider: str
    kind: str
    id: str
    body: dict[str, Any]
    org: str = ""
    created_at: str = ""
    status: str | None = None
    due_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)  # not persisted; handler scratch


class Store:
    """Thread-safe SQLite document store. Every public write commits before returning."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self._conn = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._depth = 0  # nesting of transaction(); only touched while holding _lock
        # newest_page(): listing totals and page-end sort keys, valid until the next write
        self._pages: dict[tuple[str, tuple[Any, ...]], tuple[int, dict[int, tuple[str, str]]]] = {}
        self._pages_version = -1
        if path:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")  # WAL+NORMAL survives process crashes
        self._conn.executescript(_SCHEMA)
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(idempotency)")}
        if "owner" not in columns:  # a database file written before claims had an owner
            self._conn.execute("ALTER TABLE idempotency ADD COLUMN owner TEXT")

    # -- transactions -------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and run the block in one transaction (nested calls join the outer one).

        Use it for read-modify-write sequences that must be atomic, e.g. a status check then update.
        """
        with self._lock:
            outermost = self._depth == 0
            if outermost:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self._conn
            except BaseException:
                self._depth -= 1
                if outermost:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outermost:
                self._conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- documents ----------------------------------------------------------------------------

    def insert(self, doc: Doc) -> Doc:
        """Insert a new document; raises sqlite3.IntegrityError if the id exists."""
        with self.transaction() as conn:
            conn.execute("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?)", _row(doc))
        return doc

    def insert_many(self, docs: Iterable[Doc]) -> int:
        """Bulk insert in one transaction with executemany (100k rows in about a second)."""
        rows = [_row(doc) for doc in docs]
        with self.transaction() as conn:
            conn.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?)", rows)
        return len(rows)

    def put(self, doc: Doc) -> Doc:
        """Replace the stored body, status and due time of an existing document (or insert it)."""
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO docs VALUES (?,?,?,?,?,?,?,?)", _row(doc))
        return doc

    def get(self, provider: str, kind: str, id: str, *, org: str | None = None) -> Doc | None:
        """The document, or None; with ``org`` a document of another organisation is also None."""
        sql = "SELECT * FROM docs WHERE provider=? AND kind=? AND id=?"
        params: list[Any] = [provider, kind, id]
        if org is not None:
            sql += " AND org=?"
            params.append(org)
        with self._lock:
            row = self._conn.execute(sql, params).fetchone()
        return _doc(row) if row else None

    def delete(self, provider: str, kind: str, id: str) -> bool:
        with self.transaction() as conn:
            cursor = conn.execute("DELETE FROM docs WHERE provider=? AND kind=? AND id=?", (provider, kind, id))
        return cursor.rowcount > 0

    def query(
        self,
        provider: str,
        kind: str,
        *,
        org: str | None = None,
        where: Where = (),
        order_by: Sequence[tuple[str, bool]] = (("created_at", False),),
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Doc]:
        """Documents matching every filter, ordered by ``(field, descending)`` pairs then by id.

        The id tie-breaker makes the order total, so limit/offset pages never repeat or skip rows.
        """
        clause, params = _where_sql(provider, kind, org, where)
        order = ", ".join(f"{_field_sql(name)} {'DESC' if desc else 'ASC'}" for name, desc in order_by)
        order = f"{order}, id ASC" if order else "id ASC"
        sql = f"SELECT * FROM docs WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?"
        params += [-1 if limit is None else limit, offset]
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [_doc(row) for row in rows]

    def newest_page(self, conn: sqlite3.Connection, select: str, where: str, params: Sequence[Any], limit: int,
                    offset: int) -> tuple[int, list[Any]]:
        """``(total, rows)`` of a newest-first listing (``created_at DESC, id DESC``), cheaply.

        ``select`` is the column expression returned per row. A listing's total and the sort keys of
        the rows that ended its pages are remembered until the next write (SQLite's
        ``total_changes``), so the next page starts from the nearest earlier page end instead of
        counting and skipping every row before it: a page costs its own rows, not its offset.
        Call with the store's lock held (inside :meth:`transaction`).
        """
        key = (where, tuple(params))
        if self._pages_version != conn.total_changes:
            self._pages.clear()
            self._pages_version = conn.total_changes
        known = self._pages.get(key)
        if known is None:
            total = conn.execute(f"SELECT COUNT(*) FROM docs WHERE {where}", params).fetchone()[0]
            known = self._pages[key] = (total, {})
        total, ends = known
        start = max((o for o in ends if o < offset), default=None)
        if start is None:
            sql, args = f"{where}", [*params, limit, offset]
        else:
            created, ident = ends[start]
            sql = f"{where} AND (created_at, id) < (?, ?)"  # a row value: an index range, not a scan
            args = [*params, created, ident, limit, offset - start - 1]
        rows = conn.execute(f"SELECT created_at, id, {select} FROM docs WHERE {sql} "
                            "ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", args).fetchall()
        if rows:
            if len(ends) > 10_000:
                ends.clear()
            ends[offset + len(rows) - 1] = (rows[-1][0], rows[-1][1])
        return total, [row[2] for row in rows]

    def count(self, provider: str, kind: str, *, org: str | None = None, where: Where = ()) -> int:
        clause, params = _where_sql(provider, kind, org, where)
        with self._lock:
            return self._conn.execute(f"SELECT COUNT(*) FROM docs WHERE {clause}", params).fetchone()[0]

    def due(self, now_iso: str, *, providers: Sequence[str], limit: int = 1000) -> list[Doc]:
        """Documents of ``providers`` whose next life-cycle transition is due at or before now."""
        marks = ",".join("?" * len(providers)) or "NULL"
        sql = (
            # INDEXED BY: left alone, SQLite walks docs_by_status for the provider IN (...) term and reads
            # every row of the provider (90 ms per request at 100k rows, before every provider request).
            f"SELECT * FROM docs INDEXED BY docs_by_due WHERE due_at IS NOT NULL AND due_at <= ? "
            f"AND provider IN ({marks}) "
            "ORDER BY due_at LIMIT ?"
        )
        with self._lock:
            rows = self._conn.execute(sql, (now_iso, *providers, limit)).fetchall()
        return [_doc(row) for row in rows]

    # -- meta and housekeeping ----------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def clear(self) -> None:
        """Forget everything (``POST /_sandbox/reset``)."""
        with self.transaction() as conn:
            for table in ("docs", "idempotency", "meta"):
                conn.execute(f"DELETE FROM {table}")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Raw SQL for core helpers such as :mod:`.idempotency` (joins an open transaction)."""
        with self.transaction() as conn:
            return conn.execute(sql, params).fetchall()


def _row(doc: Doc) -> tuple[Any, ...]:
    body = json.dumps(doc.body, separators=(",", ":"))
    return (doc.provider, doc.kind, doc.id, doc.org, doc.created_at, doc.status, doc.due_at, body)


def _doc(row: tuple[Any, ...]) -> Doc:
    provider, kind, id, org, created_at, status, due_at, body = row
    return Doc(provider, kind, id, json.loads(body), org, created_at, status, due_at)


def _field_sql(name: str) -> str:
    if name in _COLUMNS:
        return name
    if not _FIELD_NAME.match(name):
        raise ValueError(f"bad field name {name!r}")
    return f"json_extract(body, '$.{name}')"


def _where_sql(provider: str, kind: str, org: str | None, where: Where) -> tuple[str, list[Any]]:
    parts, params = ["provider=?", "kind=?"], [provider, kind]
    if org is not None:
        parts.append("org=?")
        params.append(org)
    for name, op, value in where:
        column = _field_sql(name)
        if op == "in":
            values = list(value)
            parts.append(f"{column} IN ({','.join('?' * len(values))})" if values else "0")
            params += values
        elif op == "icontains":
            # LIKE is case-insensitive for ASCII in SQLite; escape the wildcards the user typed.
            escaped = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            parts.append(f"{column} LIKE ? ESCAPE '\\'")
            params.append(f"%{escaped}%")
        elif op == "is_null":
            parts.append(f"{column} IS NULL" if value else f"{column} IS NOT NULL")
        elif op in _OPERATORS:
            parts.append(f"{column} {_OPERATORS[op]} ?")
            params.append(value)
        else:
            raise ValueError(f"unknown operator {op!r}")
    return " AND ".join(parts), params
