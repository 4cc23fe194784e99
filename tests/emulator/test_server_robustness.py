"""The dev server holds under load and bad input: every request gets an answer, never a 500.

Docs: the portal's 400 for a bad parameter is the general REST error envelope
(b24restdocs: api-reference/common/system/errors, `error` + `error_description`).

The bad-input matrix: every method of the method table, called with every input of
:data:`BAD_INPUTS` — alone, and on top of the method's documented call (``DOCUMENTED`` of
test_documented_shapes.py, so the bad value reaches past the first required parameter), as a
form body and as JSON, and each parameter of that call sent as each of :data:`WRONG_VALUES` —
answers below 500, and an error answer is the envelope."""

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal_emulator.rest.methods import METHODS, RECORD_METHODS
from tests.emulator.test_documented_shapes import DOCUMENTED
from tests.support.restkit import client, send

PARALLEL = 200


def _status(origin: str, method: str, path: str, body: bytes | None, gate: threading.Barrier):
    parts = urlsplit(origin)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    gate.wait(timeout=20)  # all connect at once, as a page with many parallel calls does
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        connection.request(method, path, body=body, headers=headers)
        reply = connection.getresponse()
        reply.read()
        return reply.status
    except OSError as exc:
        return type(exc).__name__
    finally:
        connection.close()


def test_two_hundred_parallel_gets_and_rest_posts_are_all_answered(emu, rest):
    (emu.root / "page.html").write_text("<p>hi</p>")
    jobs = [(emu.app_origin, "GET", "/page.html", None)] * PARALLEL
    body = f"auth={rest.token}".encode()
    jobs += [(emu.portal_origin, "POST", "/rest/server.time.json", body)] * PARALLEL
    gate = threading.Barrier(len(jobs))
    with ThreadPoolExecutor(len(jobs)) as pool:
        statuses = list(pool.map(lambda job: _status(*job, gate=gate), jobs))
    gets, posts = statuses[:PARALLEL], statuses[PARALLEL:]
    assert gets == [200] * PARALLEL
    # REST answers 200, or the portal's own 503 when the burst exceeds the rate limit.
    assert [s for s in posts if s not in (200, 503)] == []
    assert posts.count(200) >= 50  # served, not only refused: at least the plan's burst of 50


def test_a_path_segment_longer_than_a_file_name_is_404(emu):
    for origin in (emu.app_origin, emu.portal_origin):
        assert send(f"{origin}/{'a' * 300}", method="GET").status == 404
        assert send(f"{origin}/x/{'b' * 4000}.js", method="GET").status == 404


def test_numbers_too_big_for_the_portal_are_its_answers_not_a_500(rest):
    # As the portal's PHP reads them: `start` goes through intval(), which clamps 10**23 to
    # PHP_INT_MAX, so the page is past the end (200, no rows); an id or a filter value that is
    # no integer is the method's own 400; user.get's filter matches no one.
    for method, params, status, rows in (
        ("crm.deal.list", {"start": 10**23}, 200, []),
        ("crm.deal.get", {"id": 10**27}, 400, None),
        ("crm.deal.list", {"filter": {"ID": 10**30}}, 400, None),
        ("user.get", {"ID": 10**25}, 200, []),
    ):
        answer = rest.call(method, params)
        assert answer.status == status, (method, params, answer)
        if rows is not None:
            assert answer.json()["result"] == rows
        else:
            assert answer.error != "INTERNAL_SERVER_ERROR" and answer.json()["error_description"]


def _nested(depth: int) -> object:
    value: object = "deep"
    for _ in range(depth):
        value = {"a": value}
    return value


# (parameter, value): every id of the method (``id`` and the keys naming its record) gets the
# bad ids; the rest are what list and write methods read.
BAD_IDS = ("abc", -1, 10**27, "")
BAD_INPUTS = (
    ("fields", "x"),
    ("fields", ["a", "b"]),
    ("fields", {"NO_SUCH_FIELD_X": _nested(50)}),
    ("filter", "x"),
    ("filter", ["a", "b"]),
    ("order", "x"),
    ("order", ["a", "b"]),
    ("select", "x"),
    ("select", {"a": {"b": 1}}),
    ("start", -5),
    ("start", "x"),
    ("start", 10**23),
)
# What each parameter of the documented call is also sent as (a JSON body: types kept): text,
# a list, an object nested deep, a number too big for the portal, and text that is JSON
# nested far deeper than any parser's recursion (methods that read JSON text: ATTACH).
WRONG_VALUES = ("x", ["a", "b"], {"NO_SUCH_KEY_X": _nested(50)}, 10**27, "[" * 3000 + "]" * 3000)
# D7 controllers answer some errors with a number, not text, as their pages show:
# crm-type-get.md ("error": 0), booking-v1-booking-delete.md ("error": 100, "Could not find
# value for parameter {id}", the same controller error crm.item.* answers).
NUMERIC_CODES = frozenset({0, 100})


def bad_requests(method: str) -> list[dict[str, object]]:
    """The bad inputs of ``method``: none at all, then each of BAD_IDS and BAD_INPUTS."""
    ids = ("id", *RECORD_METHODS.get(method, ()))
    inputs = [(name, value) for name in dict.fromkeys(ids) for value in BAD_IDS]
    return [{}, *({name: value} for name, value in [*inputs, *BAD_INPUTS])]


def envelope_problems(answer) -> list[str]:
    """What is wrong with an answer: a 5xx, or an error without the portal's envelope."""
    if answer.status >= 500:
        return [f"HTTP {answer.status}: {answer.body[:200]!r}"]
    if answer.status < 400:
        return []
    try:
        body = answer.json()
    except ValueError:
        return [f"HTTP {answer.status} with a body that is not JSON: {answer.body[:200]!r}"]
    code, text = body.get("error"), body.get("error_description")
    problems = []
    if not (isinstance(code, str) or (type(code) is int and code in NUMERIC_CODES)):
        problems.append(f"error {code!r} is not text (nor a documented D7 number)")
    if not isinstance(text, str):
        problems.append(f"error_description {text!r} is not text")
    return problems


def _documented(method: str):
    return next(call for call in DOCUMENTED if call.method == method)


def _on_top(params: dict[str, object], bad: dict[str, object]) -> dict[str, object]:
    """The documented ``params`` with ``bad`` replacing the same names, in whatever case."""
    names = {name.lower() for name in bad}
    return {**{k: v for k, v in params.items() if k.lower() not in names}, **bad}


@pytest.mark.parametrize("method", sorted(METHODS))
def test_no_bad_input_makes_a_method_answer_500(emu, method):
    call = _documented(method)
    caller = client(emu, call.user)
    for name, params in call.before:
        assert caller.call(name, params).status == 200, (name, params)
    sends = [
        (params, json_body)
        for bad in bad_requests(method)
        for params in (bad, _on_top(call.params, bad))
        for json_body in (False, True)
    ]
    rows = [row for row in DOCUMENTED if row.method == method]
    assert all(not row.before for row in rows[1:]), "later rows need no calls before them"
    sends += [
        ({**row.params, name: value}, True)
        for row in rows
        for name in row.params
        for value in WRONG_VALUES
    ]
    found = []
    for params, json_body in sends:
        answer = caller.call(method, params, json_body=json_body)
        for problem in envelope_problems(answer):
            shown = {k: (v if len(repr(v)) < 60 else "…") for k, v in params.items()}
            found.append(f"{'JSON' if json_body else 'form'} {shown}: {problem}")
    assert not found, f"{method}:\n" + "\n".join(found)


def test_the_matrix_covers_every_method_and_sees_a_500(emu):
    assert {call.method for call in DOCUMENTED} >= set(METHODS)  # every method has a base call
    assert {"taskId", "ENTITY", "entityTypeId"} <= {
        next(iter(bad)) for method in METHODS for bad in bad_requests(method) if bad
    }
    emu.rest.fail_next(1, 500)
    assert envelope_problems(client(emu, 1).call("server.time")) == [
        'HTTP 500: b\'{"error": "INTERNAL_SERVER_ERROR", "error_description": '
        '"Internal server error"}\''
    ]


def _deep_json(token: str, name: str, depth: int, opener: str) -> bytes:
    closer = "}" if opener.startswith("{") else "]"
    value = opener * depth + "1" + closer * depth
    return f'{{"auth": "{token}", "{name}": {value}}}'.encode()


@pytest.mark.parametrize("depth", [65, 500, 5000])
def test_a_json_body_nested_deeper_than_a_form_can_be_is_a_400_for_every_method(rest, depth):
    """A form body cannot nest more than 64 levels (PHP's max_input_nesting_level drops the
    variable); a JSON body that does is refused whole with a clear 400, for every method,
    instead of a 500 from Python's recursion limit somewhere inside the method."""
    found = []
    for method in sorted(METHODS):
        for name, opener in (("fields", '{"a": '), ("filter", "[")):
            body = _deep_json(rest.token, name, depth, opener)
            answer = rest.raw(method, body, "application/json")
            if answer.status != 400 or answer.error != "ERROR_ARGUMENT":
                found.append(f"{method} {name}: {answer}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("depth", [65, 5000])
def test_the_portal_pages_api_refuses_a_body_nested_too_deep_with_a_400(emu, depth):
    """The page's own API (``POST /portal/api/<action>``) reads JSON bodies too: one nested
    deeper than a REST body may be is its 400 ``INVALID_JSON``, before any action runs."""
    deep = '{"a": ' * depth + "1" + "}" * depth
    for action in ("reset", "rest_config", "user_option", "no_such_action"):
        body = f'{{"app_sid": "x", "value": {deep}}}'.encode()
        answer = send(
            f"{emu.portal_origin}/portal/api/{action}",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        assert (answer.status, answer.error) == (400, "INVALID_JSON"), (action, answer)


def test_a_json_body_as_deep_as_a_form_can_be_is_read(rest):
    body = _deep_json(rest.token, "options", 64, '{"a": ')
    assert rest.raw("app.option.set", body, "application/json").status == 200
    assert (
        rest.raw("user.get", _deep_json(rest.token, "filter", 64, "["), "application/json").status
        == 200
    )


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
_number = st.one_of(st.integers(), st.floats(), _text)
_names = st.sampled_from(
    ["start", "id", "ID", "order", "limit", "filter", "select", "fields", "taskId", "ENTITY"]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=_text, value=_number, name=_names, method=st.sampled_from(sorted(METHODS)))
def test_no_path_or_parameter_makes_the_emulator_answer_500(emu, rest, path, value, name, method):
    for origin in (emu.app_origin, emu.portal_origin):
        assert send(f"{origin}/{quote(path)}", method="GET").status != 500
    for json_body in (False, True):
        assert envelope_problems(rest.call(method, {name: value}, json_body=json_body)) == []
