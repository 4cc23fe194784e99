"""The dev server holds under load and bad input: every request gets an answer, never a 500.

Docs: the portal's 400 for a bad parameter is the general REST error envelope
(b24restdocs: api-reference/common/system/errors, `error` + `error_description`)."""

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.restkit import send

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


def test_a_path_segment_longer_than_a_file_name_is_404(emu):
    for origin in (emu.app_origin, emu.portal_origin):
        assert send(f"{origin}/{'a' * 300}", method="GET").status == 404
        assert send(f"{origin}/x/{'b' * 4000}.js", method="GET").status == 404


def test_numbers_too_big_for_the_portal_are_its_400_not_a_500(rest):
    for method, params in (
        ("crm.deal.list", {"start": 10**23}),
        ("crm.deal.get", {"id": 10**27}),
        ("crm.deal.list", {"filter": {"ID": 10**30}}),
        ("user.get", {"ID": 10**25}),
    ):
        answer = rest.call(method, params)
        assert answer.status != 500, (method, params, answer)
        if answer.status != 200:
            assert answer.status == 400 and answer.error != "INTERNAL_SERVER_ERROR"


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
_number = st.one_of(st.integers(), st.floats(), _text)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=_text, value=_number, name=st.sampled_from(["start", "id", "ID", "order", "limit"]))
def test_no_path_or_parameter_makes_the_emulator_answer_500(emu, rest, path, value, name):
    for origin in (emu.app_origin, emu.portal_origin):
        assert send(f"{origin}/{quote(path)}", method="GET").status != 500
    for method in ("crm.deal.list", "crm.deal.get", "user.get", "crm.item.list"):
        assert rest.call(method, {name: value}).status != 500
