"""Geopera v1 wire models: pydantic mirrors of the ``orders.*`` component schemas of geopera-openapi.json.

The class names *are* the component names, so the sandbox's own ``/openapi.json`` declares request
and response bodies exactly as Geopera's document does (a schemathesis run against the sandbox
exercises the same shapes). Field names, types, defaults and constraints follow the document:
``QuotationDecideInput.decision`` has the pattern ``^(ACCEPTED|REJECTED)$``, ``TemplateSaveInput.name``
is 1–255 characters. Inputs ignore unknown keys, as Geopera's FastAPI server does; outputs allow
extra keys (``additionalProperties: true``). Validation failures become FastAPI's own 422
``{"detail": [{"loc", "msg", "type"}]}`` (HTTPValidationError).

These are the sandbox's own schemas, written from the docs; the client keeps its own (DESIGN.md).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

JsonObject = dict[str, Any]


class _Input(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Output(BaseModel):
    model_config = ConfigDict(extra="allow")


# -- inputs -------------------------------------------------------------------------------------


class ArchiveEstimateInput(_Input):
    captures: list[JsonObject] = Field(default_factory=list, title="Captures")
    splitByDate: bool | None = Field(False, title="Splitbydate")


class TaskingEstimateInput(_Input):
    groups: list[JsonObject] = Field(default_factory=list, title="Groups")


class TaskingSensorsInput(_Input):
    pass


class TaskingGroupsInput(_Input):
    order_id: str = Field(title="Order Id")


class CoverageInput(_Input):
    order_id: str = Field(title="Order Id")


class OrderGetInput(_Input):
    order_id: str = Field(title="Order Id")


class OrderCancelInput(_Input):
    order_id: str = Field(title="Order Id")


class OrderAssetsInput(_Input):
    order_id: str = Field(title="Order Id")


class OrderSchemaInput(_Input):
    data_product_id: str = Field(title="Data Product Id")


class OrderUpdateInput(_Input):
    order_id: str = Field(title="Order Id")
    tags: list[str] | None = Field(None, title="Tags")


class EstimateInput(_Input):
    dataProduct: str = Field(title="Dataproduct")
    displayName: str = Field("", title="Displayname")
    params: JsonObject = Field(default_factory=dict, title="Params")
    featureCollection: JsonObject = Field(default_factory=dict, title="Featurecollection")
    tags: list[str] | None = Field(None, title="Tags")


class OrderPlaceInput(_Input):
    workspaceId: str = Field(title="Workspaceid")
    dataProduct: str = Field(title="Dataproduct")
    displayName: str = Field("", title="Displayname")
    params: JsonObject = Field(default_factory=dict, title="Params")
    featureCollection: JsonObject = Field(default_factory=dict, title="Featurecollection")
    tags: list[str] | None = Field(None, title="Tags")


class FeasibilityCheckInput(_Input):
    dataProduct: str = Field(title="Dataproduct")
    displayName: str | None = Field(None, title="Displayname")
    featureCollection: JsonObject = Field(default_factory=dict, title="Featurecollection")
    params: JsonObject | None = Field(None, title="Params")


class FeasibilityDecideInput(_Input):
    study_id: str = Field(title="Study Id")
    acceptedOptionId: str = Field(title="Acceptedoptionid")


class QuotationDecideInput(_Input):
    quotation_id: str = Field(title="Quotation Id")
    decision: str = Field(pattern=r"^(ACCEPTED|REJECTED)$", title="Decision")


class StudiesListInput(_Input):
    id: str | None = Field(None, title="Id")
    workspaceId: str | None = Field(None, title="Workspaceid")
    orderId: str | None = Field(None, title="Orderid")
    decision: str | None = Field(None, title="Decision")
    page: int = Field(0, title="Page")
    size: int = Field(20, title="Size")


class DecisionsPendingInput(_Input):
    workspaceId: str | None = Field(None, title="Workspaceid")
    page: int = Field(0, title="Page")
    size: int = Field(20, title="Size")
    kinds: str | None = Field(None, title="Kinds")


class OrdersListInput(_Input):
    workspaceId: str | None = Field(None, title="Workspaceid")
    type: str | None = Field(None, title="Type")
    status: str | None = Field(None, title="Status")
    subStatus: str | None = Field(None, title="Substatus")
    displayName: str | None = Field(None, title="Displayname")
    dataProductIds: str | None = Field(None, title="Dataproductids")
    orderIds: str | None = Field(None, title="Orderids")
    tags: str | None = Field(None, title="Tags")
    size: int = Field(20, title="Size")
    page: int = Field(0, title="Page")
    sort: str = Field("createdAt,desc", title="Sort")


class TemplateSaveInput(_Input):
    name: str = Field(min_length=1, max_length=255, title="Name")
    description: str | None = Field(None, title="Description")
    capture_asap: bool = Field(True, title="Capture Asap")
    resolution: str = Field(title="Resolution")
    sensor: str = Field(title="Sensor")
    capture_frequency: str = Field(title="Capture Frequency")
    datum: str = Field(title="Datum")
    file_format: str = Field(title="File Format")
    has_control: bool = Field(False, title="Has Control")
    max_cloud_coverage: int = Field(0, title="Max Cloud Coverage")
    max_nadir_angle: int = Field(0, title="Max Nadir Angle")


class TemplateListInput(_Input):
    pass


class TemplateDeleteInput(_Input):
    template_id: str = Field(title="Template Id")


# -- outputs (documentation only: handlers write the JSON themselves) ----------------------------


class ArchiveEstimateOutput(_Output):
    groups: list[JsonObject] = Field(default_factory=list, title="Groups")
    errors: list[JsonObject] = Field(default_factory=list, title="Errors")
    total_aud: float = Field(0.0, title="Total Aud")
    total_credits: int = Field(0, title="Total Credits")


class TaskingEstimateOutput(_Output):
    groups: list[JsonObject] = Field(default_factory=list, title="Groups")
    errors: list[JsonObject] = Field(default_factory=list, title="Errors")
    totalAud: float = Field(0.0, title="Totalaud")
    totalCredits: int = Field(0, title="Totalcredits")


class TaskingSensorsOutput(_Output):
    sensors: list[JsonObject] = Field(default_factory=list, title="Sensors")


class OrderPlaceOutput(_Output):
    pass


class OrderUpdateOutput(_Output):
    pass


class OrderCancelOutput(_Output):
    orderId: str = Field(title="Orderid")
    status: str = Field(title="Status")


class TemplateSaveOutput(_Output):
    id: str = Field(title="Id")
    name: str = Field(title="Name")


class TemplateListOutput(_Output):
    templates: list[JsonObject] = Field(default_factory=list, title="Templates")


class TemplateDeleteOutput(_Output):
    template_id: str = Field(title="Template Id")
    deleted: bool = Field(True, title="Deleted")


class Problem(BaseModel):
    """RFC 7807 problem detail object (also the codegen error model)."""

    type: str = Field("about:blank", title="Type", description="A URI reference identifying the problem type.")
    title: str = Field(title="Title", description="A short, human-readable summary of the problem type.")
    status: int = Field(title="Status", description="The HTTP status code generated for this occurrence.")
    detail: str = Field(title="Detail", description="A human-readable explanation specific to this occurrence.")
