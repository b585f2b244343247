"""The workspace around orders: projects (``frontier.*``) and cloud stores (``courier.*``).

* ``GET /v0/projects`` (``page_num`` from 1, ``page_size`` default 10, at most 100) →
  ``{count, projects: [{id, name, title, org_id, members_count, created_at, updated_at, metadata}]}``;
  ``GET /v0/projects/{id}`` → ``{project: {…}}``. Each organisation has one default project.
* ``GET /v0/stores`` → ``{stores}``; ``POST /v0/stores`` ``{name, type: S3|GCS|AZBLOB, configs:
  {bucket, region, path_prefix?}, secrets: {…}, labels?}`` → 200 the store (secrets are kept and
  never shown); a second store with the same name is a 409; ``DELETE /v0/stores/{id}`` → 204.
"""

from __future__ import annotations

import uuid
from typing import Any

from ..state import SandboxState
from ..store import Doc
from ..timeutil import iso
from .common import KIND_STORE, NAME, default_project_id, org_uuid, user_uuid
from .errors import error, not_found
from .validation import Problems, str_field

BUCKET_TYPES = ("S3", "GCS", "AZBLOB")
PROJECT_CREATED = "2024-01-01T00:00:00.000000Z"


def default_project(org: str) -> dict[str, Any]:
    """The organisation's default project (``frontier.getProjectById.project``)."""
    return {
        "id": default_project_id(org), "name": "default", "title": "Default project", "org_id": org_uuid(org),
        "created_at": PROJECT_CREATED, "updated_at": PROJECT_CREATED, "metadata": {"description": "Created with the workspace"},
    }


def list_projects(org: str, page_num: int, page_size: int) -> dict[str, Any]:
    """``GET /v0/projects``."""
    projects = [{**default_project(org), "members_count": 1}]
    start = (page_num - 1) * page_size
    return {"count": len(projects), "projects": projects[start:start + page_size]}


def get_project(org: str, project_id: str) -> dict[str, Any]:
    """``GET /v0/projects/{id}``."""
    if project_id != default_project_id(org):
        raise not_found("Project", project_id)
    return {"project": default_project(org)}


def list_stores(state: SandboxState, org: str) -> dict[str, Any]:
    """``GET /v0/stores``, newest first."""
    docs = state.store.query(NAME, KIND_STORE, org=org, order_by=[("created_at", True)])
    return {"stores": [_public_store(d.body) for d in docs]}


def _public_store(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "secrets"}


def create_store(state: SandboxState, org: str, payload: Any) -> dict[str, Any]:
    """``POST /v0/stores``."""
    problems = Problems()
    if not isinstance(payload, dict):
        payload = {}
        problems.add("body", "must be a JSON object")
    name = str_field(payload, "name", "", problems, required=True)
    kind = str_field(payload, "type", "", problems, required=True, choices=BUCKET_TYPES)
    configs = payload.get("configs")
    if not isinstance(configs, dict):
        problems.add("configs", "is required: {bucket, region, path_prefix?}")
        configs = {}
    else:
        for key in ("bucket", "region"):
            str_field(configs, key, "configs", problems, required=True)
        str_field(configs, "path_prefix", "configs", problems)
    secrets = payload.get("secrets")
    if not isinstance(secrets, dict) or not all(isinstance(v, str) for v in secrets.values()):
        problems.add("secrets", "is required: an object of strings (e.g. access_key_id, secret_access_key)")
    labels = payload.get("labels") or {}
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        problems.add("labels", "must be an object of strings")
        labels = {}
    for d in problems.details:
        d["field"] = d["field"].lstrip(".")
    problems.raise_if_any()
    if state.store.count(NAME, KIND_STORE, org=org, where=[("name", "=", name)]):
        raise error(409, f"A store named {name!r} already exists.", "CONFLICT")
    now = iso(state.clock.now())
    body = {"id": str(uuid.uuid4()), "name": name, "type": kind,
            "configs": {k: configs[k] for k in ("bucket", "region", "path_prefix") if k in configs},
            "labels": labels, "created_at": now, "updated_at": now, "created_by": user_uuid(org), "secrets": secrets}
    state.store.insert(Doc(NAME, KIND_STORE, body["id"], body, org, now))
    return _public_store(body)


def delete_store(state: SandboxState, org: str, store_id: str) -> None:
    """``DELETE /v0/stores/{id}``."""
    if state.store.get(NAME, KIND_STORE, store_id, org=org) is None:
        raise not_found("Store", store_id)
    state.store.delete(NAME, KIND_STORE, store_id)
