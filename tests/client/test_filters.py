"""Listing filters: each adapter knows its listings' filters (from the API's documents) and refuses
any other before a call is made, naming it and the filters it knows; the ones it knows filter."""

import pytest

import pixorder
from tests.client.conftest import FIELD, request

LISTINGS = [  # (api, facade, a filter it knows)
    ("planet", "orders", "reference"),
    ("pixxel", "orders", "user_id"),
    ("pixxel", "order_items", "order_ids"),
    ("pixxel", "tasks", "order_id"),
    ("geopera", "orders", "reference"),
    ("geopera", "quotations", "order_id"),
    ("geopera", "feasibility", "order_id"),
]


@pytest.mark.parametrize(("api", "facade", "known"), LISTINGS)
def test_an_unknown_filter_is_refused_before_any_call(connect, api, facade, known):
    client = connect(api)
    before = client.transport.stats.requests
    with pytest.raises(pixorder.ValidationError) as info:
        getattr(client, facade).list(colour="blue")
    assert client.transport.stats.requests == before  # refused before any call
    error = info.value
    label = {"planet": "Planet", "pixxel": "Pixxel", "geopera": "Geopera"}[api]
    assert error.field == "colour" and error.value == "blue"
    assert error.rule.startswith(f"is not a filter of {label}'s {facade}.list(); known filters: ")
    assert known in error.rule.split("known filters: ")[1].split(", ")
    # a filter left None is no filter: never refused
    assert getattr(client, facade).list(colour=None, limit=1) is not None


def test_paging_words_are_not_filters(connect):
    """``limit``/``offset``/``page``/``size`` belong to the listing, not to the filters."""
    with pytest.raises(pixorder.ValidationError, match="offset: is not a filter of Planet's orders.list()"):
        connect("planet").orders.list(offset=10)
    with pytest.raises(pixorder.ValidationError, match="page: is not a filter of Geopera's orders.list()"):
        connect("geopera").orders.list(page=2)
    with pytest.raises(pixorder.ValidationError, match="status: is not a filter of Pixxel's orders.list"):
        connect("pixxel").orders.list(status="PAID")  # GET /v0/orders takes user_id only


def test_known_filters_still_filter(sandbox, connect):
    planet = connect("planet")
    for name in ("field one", "field two"):
        planet.orders.create(request(FIELD, name=name))
    assert [o.name.split(" [")[0] for o in planet.orders.list(name="one").collect()] == ["field one"]
    assert len(planet.orders.list(status=["RECEIVED", "PENDING"]).collect()) == 2

    pixxel = connect("pixxel")
    first = pixxel.orders.create(request(FIELD, name="pixxel one"))
    pixxel.orders.create(request(FIELD, name="pixxel two"))
    # ``order_id`` is read as Pixxel's ``order_ids`` (it was sent as it was, and ignored: every task came back)
    items = pixxel.order_items.list(order_ids=[first.id]).collect()
    assert [i.order_id for i in items] == [first.id] and len(pixxel.order_items.list().collect()) == 2
    tasks = pixxel.tasks.list(order_id=first.id).collect()
    assert len(pixxel.tasks.list().collect()) == 2 and [t.order_item_id for t in tasks] == [items[0].id]

    geopera = connect("geopera")
    order = geopera.orders.create(request(FIELD, name="geopera one"))
    geopera.orders.create(request(FIELD, name="geopera two"))
    assert [o.id for o in geopera.orders.list(reference=order.reference).collect()] == [order.id]
    assert [o.id for o in geopera.orders.list(name="one").collect()] == [order.id]
