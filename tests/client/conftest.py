"""Client integration tests run against a real sandbox server over loopback HTTP.

The server is ``tests/conftest.py``'s: one per session, reset before every test that names ``sandbox``
(so no test sees another's orders or faults)."""

import pytest

import pixorder

START = "2027-03-01T00:00:00Z"
END = "2027-03-21T00:00:00Z"
FIELD = {"type": "Polygon", "coordinates": [[[10.0, 50.0], [10.06, 50.0], [10.06, 50.04], [10.0, 50.04],
                                             [10.0, 50.0]]]}  # ≈19 km²
POINT = {"type": "Point", "coordinates": [149.44135, 28.49240]}


@pytest.fixture
def connect(sandbox):
    made = []

    def make(api, **options):
        options.setdefault("backoff", 0.01)
        options.setdefault("reconcile_delay", 0.0)
        options.setdefault("reconcile_patience", 0.3)
        client = pixorder.connect("sandbox", api=api, base_url=sandbox.url, **options)
        made.append(client)
        return client

    yield make
    sandbox.faults(rate=0)
    for client in made:
        client.close()


def request(aoi=FIELD, **kwargs):
    return pixorder.TaskingRequest(aoi=aoi, start=START, end=END, **kwargs)
