"""The sandbox reads and writes JSON through orjson only where that gives exactly the stdlib's answer."""

from __future__ import annotations

import json
import math

import pytest

from pixorder.sandbox.web import LENIENT_JSON, dumps, loads

BODIES = [
    b'{"a": [1, 2.5, -0, -0.0, 1E2, 0.0008612984949837399, -0.0054819842310966545]}',
    b'{"a": 1, "a": 2}',
    b"18446744073709551615", b"18446744073709551616", b"-9223372036854775809", b"[1234567890123456789012]",
    b"12345678901234567890.5", b"1e-0000000000000000000005", b"1e-400", b"4.9e-324",
    b"NaN", b"[Infinity, -Infinity]", b"1e400", b'"\\ud800"', b'\xef\xbb\xbf{"a": 1}', '{"a": "é"}'.encode("utf-16"),
    b'"caf\xc3\xa9"', b"  [ ]  ",
]


@pytest.mark.parametrize("raw", BODIES)
def test_loads_gives_the_stdlib_value(raw: bytes) -> None:
    expected = json.loads(raw)
    got = loads(raw)
    assert repr(got) == repr(expected) and type(got) is type(expected)


@pytest.mark.parametrize("raw", [b"[1,]", b"", b"{", b'"\xff"', b"01", b"[1] x"])
def test_loads_refuses_with_the_stdlib_error(raw: bytes) -> None:
    with pytest.raises(Exception) as expected:
        json.loads(raw)
    with pytest.raises(type(expected.value)) as got:
        loads(raw)
    assert str(got.value) == str(expected.value)


def test_a_lenient_body_is_answered_by_the_stdlib() -> None:
    scope: dict[str, object] = {}
    body = loads(b'{"extra": NaN}', scope)
    assert scope[LENIENT_JSON] is True and math.isnan(body["extra"])
    with pytest.raises(ValueError):  # as JSONResponse refuses it; orjson would write null
        dumps(body, scope)
    assert dumps({"a": [1.5, "é", None, 10**30]}) == json.dumps({"a": [1.5, "é", None, 10**30]}, ensure_ascii=False,
                                                                 separators=(",", ":")).encode()
    assert json.loads(dumps({"x": 1e16, "y": 2.5e-7})) == {"x": 1e16, "y": 2.5e-7}
