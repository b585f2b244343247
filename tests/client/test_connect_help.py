"""``help(pixorder.connect)`` tells a user everything connect takes, with units, what it returns and raises."""

import pydoc

import pixorder


def test_help_connect_names_every_option_with_units_returns_raises_and_an_example():
    text = pydoc.render_doc(pixorder.connect, renderer=pydoc.plaintext)
    for option in ("api_key", "base_url", "``api``", "``timeout``", "``retries``", "``backoff``", "``rate_limits``",
                   "``page_size``", "``progress``", "``reconcile_patience``", "``workspace_id``", "``default_sensor``"):
        assert option in text, option
    assert "PIXXEL_API_KEY" in text and "PL_API_KEY" in text and "GEOPERA_API_KEY" in text
    assert "(float, seconds, default 30)" in text  # the timeout's unit and default
    assert "Returns:" in text and "Raises:" in text and "AuthError" in text and "ValidationError" in text
    assert 'pixorder.connect("sandbox", api="planet")' in text


def test_connect_docstring_states_the_real_defaults():
    import inspect

    from pixorder.client.core import AsyncClient

    defaults = {k: p.default for k, p in inspect.signature(AsyncClient.__init__).parameters.items()}
    doc = pixorder.connect.__doc__
    assert f"default {defaults['timeout']:g})" in doc and f"default {defaults['retries']})" in doc
    assert f"default {defaults['backoff']})" in doc
    assert f"defaults {defaults['reconcile_delay']} / {defaults['reconcile_patience']:g})" in doc


def test_a_mistyped_option_is_refused_with_the_option_it_meant():
    """``timout=5`` used to be dropped without a word (the client ran with the 30 s default)."""
    import pytest

    from pixorder import errors as E
    from pixorder.client.core import CLIENT_OPTIONS, AsyncClient

    with pytest.raises(E.ValidationError, match=r"timout: is not an option of connect\(\); did you mean timeout\?"):
        pixorder.connect("sandbox", api="planet", timout=5)
    with pytest.raises(E.ValidationError, match="retrys: .*did you mean retries"):
        pixorder.compare("POINT (4.35 50.85)", providers="planet", client_options={"retrys": 2})
    with pytest.raises(E.ValidationError, match="colour: .*the options are api, backoff"):
        pixorder.connect("sandbox", api="planet", colour="red")
    # every option the docstring lists is taken, and the named ones are the signature's
    named = set(__import__("inspect").signature(AsyncClient.__init__).parameters)
    assert set(CLIENT_OPTIONS) - {"api"} <= named
    client = pixorder.connect("sandbox", api="geopera", workspace_id="ws-1", default_sensor="pneo-30cm", timeout=5)
    assert client.transport.timeout == 5 and client.aio.adapter.workspace_id == "ws-1"
    client.close()


def test_wrong_kinds_of_values_are_typed_errors_before_any_call(sandbox):
    """A newcomer's slips raised TypeError/AttributeError/KeyError from deep inside (or, for
    ``timeout="30s"``, on the first call): each is now a ValidationError naming the field."""
    import pytest

    from pixorder import errors as E

    client = pixorder.connect("sandbox", api="planet", base_url=sandbox.url)
    request = pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2030-03-01", end="2030-03-21")
    slips = {
        "max_amount": lambda: client.orders.create(request, max_amount="500 USD"),
        "limit": lambda: list(client.orders.list(limit="10")),
        "timeout": lambda: pixorder.connect("sandbox", api="planet", timeout="30s"),
        "page_size": lambda: pixorder.connect("sandbox", api="planet", page_size=0),
        "order_id": lambda: client.orders.get(None),
    }
    for field, slip in slips.items():
        with pytest.raises(E.ValidationError) as info:
            slip()
        assert info.value.field == field
    with pytest.raises(E.ValidationError, match="max_amount: must be a number above 0"):
        client.orders.create(request, max_amount=-5)
    assert not [r for r in sandbox.received("planet") if r["method"] == "POST"]  # nothing was sent
    client.close()


def test_a_window_that_has_ended_is_refused_at_every_provider_before_any_call(sandbox):
    """Planet priced and dry-ran a 2020 window; Pixxel and Geopera refused it in their wire words
    (``params.acquisitionEnd``, ``order_items[0].start_date``)."""
    import pytest

    from pixorder import errors as E

    past = pixorder.TaskingRequest(aoi="POINT (4.35 50.85)", start="2020-01-01", end="2020-02-01")
    for api in ("pixxel", "planet", "geopera"):
        client = pixorder.connect("sandbox", api=api, base_url=sandbox.url)
        for call in (client.pricing.estimate, lambda request, c=client: c.orders.create(request, dry_run=True)):
            with pytest.raises(E.ValidationError) as info:
                call(past)
            assert info.value.field == "end" and "must be in the future" in info.value.rule, api
        rows = client.orders.create_many([past])
        assert rows[0].error is not None and "end: must be in the future" in rows[0].error
        client.close()
    assert not [r for r in sandbox.received() if r["method"] == "POST"]
