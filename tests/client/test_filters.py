"""Listing filters: each adapter knows its listings' filters (from the API's documents) and refuses
any other before a call is made, naming it and the filters it knows; the ones it knows filter."""

import pytest

import pixorder
from pixorder.models import OrderStatus, QuotationStatus
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


# --- status filters take pixorder's neutral words (``OrderStatus``, ``QuotationStatus``) -------------
def _assert_status_filter_selects(listing, rows):
    """``listing(status=…)`` gives exactly the rows whose neutral status is the word asked, for every word
    of ``OrderStatus`` as a user writes it: the enum, its text, in lower case with spaces, in a list."""
    assert len({str(r.status) for r in rows}) >= 3  # the test means something only with several statuses held
    for status in OrderStatus:
        for spelling, wanted in ((status, {status}), (status.value, {status}),
                                 (status.value.lower().replace("_", " "), {status}),
                                 ([status.value, "canceled"], {status, OrderStatus.CANCELLED})):
            expected = sorted(r.id for r in rows if r.status in wanted)
            assert sorted(r.id for r in listing(status=spelling).collect()) == expected, spelling


def test_planet_status_filter_takes_the_neutral_words(sandbox, connect):
    client = connect("planet")
    sandbox.seed("planet", 18, statuses=["RECEIVED", "PENDING", "IN_PROGRESS", "FULFILLED", "CANCELLED",
                                         "REJECTED", "EXPIRED", "FAILED", "REQUESTED"])
    rows = client.orders.list().collect()
    _assert_status_filter_selects(client.orders.list, rows)
    # Planet's own lookup takes them too; a word no Planet order has asks nothing of the server
    assert sorted(o.id for o in client.orders.list(status__in=["canceled"]).collect()) == sorted(
        o.id for o in rows if o.status == "CANCELLED")
    before = client.transport.stats.requests
    assert client.orders.list(status="DRAFT").collect() == []
    assert client.orders.list(status="DRAFT").to_geodataframe().empty
    assert client.transport.stats.requests == before


def test_pixxel_status_filter_takes_the_neutral_words(sandbox, connect):
    client = connect("pixxel")
    sandbox.seed("pixxel", 60)
    items = client.order_items.list().collect()
    _assert_status_filter_selects(client.order_items.list, items)
    # the fast frame path filters alike, and a word no Pixxel item has (PENDING) is no 400
    for word in ("ACTIVE", "canceled", "PENDING"):
        frame = client.order_items.list(status=word).to_geodataframe()
        assert sorted(frame["id"]) == sorted(i.id for i in items if i.status == OrderStatus(word))
    tasks = client.tasks.list(status="fulfilled").collect()  # the tasks of the items in that status
    expected = sorted(t.id for i in items if i.status == "FULFILLED" for t in i.tasks)
    assert expected and sorted(t.id for t in tasks) == expected


def test_geopera_status_filter_takes_the_neutral_words(sandbox, connect):
    client = connect("geopera")
    sandbox.seed("geopera", 10)  # FULFILLED and FAILED_PERMANENTLY/CANCELLED
    expiring = client.orders.create(request(FIELD, name="left to expire"))
    sandbox.advance(days=30)  # its quotation was never decided: FAILED_PERMANENTLY/QUOTATION_EXPIRED
    for name in ("new one", "new two"):
        client.orders.create(request(FIELD, name=name))  # CREATED: RECEIVED
    rows = client.orders.list().collect()
    assert next(o for o in rows if o.id == expiring.id).status == "FAILED"
    _assert_status_filter_selects(client.orders.list, rows)
    # Geopera's own words are sent as they are
    assert sorted(o.id for o in client.orders.list(status="FAILED_PERMANENTLY").collect()) == sorted(
        o.id for o in rows if o.status in ("FAILED", "CANCELLED"))


def test_geopera_quotation_status_filter_takes_the_neutral_words(sandbox, connect):
    client = connect("geopera")
    orders = [client.orders.create(request(FIELD, name=f"field {k}")) for k in range(3)]
    sandbox.advance(hours=7)  # the quotations show
    quotations = client.quotations.list().collect()
    assert len(quotations) == 3
    client.quotations.decide(quotations[0].id, accept=True)
    client.quotations.decide(quotations[1].id, accept=False)
    rows = client.quotations.list().collect()
    assert {q.order_id for q in rows} == {o.id for o in orders}
    for word in ("PENDING", "waiting", "NOT_DECIDED", "accepted", QuotationStatus.REJECTED):
        expected = sorted(q.id for q in rows if q.status == QuotationStatus(word))
        assert len(expected) == 1
        assert sorted(q.id for q in client.quotations.list(status=word).collect()) == expected, word


def test_a_status_one_letter_off_is_refused_not_sent(sandbox):
    """``orders.list(status="recieved")`` returned nothing, silently: the typo was sent as a status."""
    import pytest

    import pixorder
    from pixorder import errors as E

    for api in ("planet", "geopera"):
        client = pixorder.connect("sandbox", api=api, base_url=sandbox.url)
        with pytest.raises(E.ValidationError, match=r"status: is no status word; did you mean RECEIVED\?"):
            list(client.orders.list(status="recieved"))
        client.close()
