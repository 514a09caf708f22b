"""Web requests through the kernel's adapters print what desktop Python prints.

Each scenario runs twice against one local HTTP server: once with ``urllib``
and ``requests`` as they are (desktop), once sent through
:mod:`sync_kernel.kernel.web` with a fetch that behaves as the browser's does
(it follows redirects, asks for and undoes compression, drops the headers a
browser sets itself). The two results must be equal. The real fetches (the
browser's ``XMLHttpRequest``, Node's helper thread) are tested by
``test/runtime.test.ts`` and the browser suite.
"""

from __future__ import annotations

import gzip
import http.client
import http.server
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas
import pytest
import requests
import requests.adapters

from sync_kernel.kernel import web

CSV = "city,people\nOslo,709000\nLima,10000000\n"
TEXT = "compressible " * 200


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = urllib.parse.urlparse(self.path).path
        if path == "/data.csv":
            self._send(200, CSV.encode(), "text/csv; charset=utf-8")
        elif path == "/data.json":
            self._send(200, json.dumps({"x": [1, 2, 3]}).encode(), "application/json")
        elif path == "/moved":
            self._send(302, b"", "text/plain", {"Location": "/data.json"})
        elif path == "/text":
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                self._send(200, gzip.compress(TEXT.encode()), "text/plain", {"Content-Encoding": "gzip"})
            else:
                self._send(200, TEXT.encode(), "text/plain")
        elif path == "/slow":
            time.sleep(1.5)
            self._send(200, b"late", "text/plain")
        else:
            self._send(404, b"nothing here", "text/plain")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        echo = {"body": body.decode(), "type": self.headers.get("Content-Type"), "custom": self.headers.get("X-Custom")}
        self._send(201, json.dumps(echo).encode(), "application/json")


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that timed out has gone: its broken pipe is expected


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


SET_BY_THE_BROWSER = {"host", "user-agent", "accept-encoding", "connection", "content-length"}


def browser_like_fetch(
    method: str, url: str, headers: list[tuple[str, str]], body: bytes | None, timeout: float
) -> web.Answer:
    """What the runtime's fetch does, on CPython: redirects followed, gzip asked for and undone."""
    sent = {k: v for k, v in headers if k.lower() not in SET_BY_THE_BROWSER} | {"Accept-Encoding": "gzip"}
    for _ in range(10):
        parts = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(parts.netloc, timeout=timeout)
        try:
            connection.request(method, parts.path or "/", body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
        except TimeoutError:
            raise web.no_response(url, timed_out=True, timeout=timeout) from None
        except OSError as error:
            raise web.no_response(url, timed_out=False, timeout=timeout, detail=str(error)) from None
        finally:
            connection.close()
        if response.status in (301, 302, 303) and response.getheader("Location"):
            url = urllib.parse.urljoin(url, response.getheader("Location"))
            method, body = "GET", None
            continue
        if response.getheader("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        return web.Answer(response.status, response.reason, url, response.getheaders(), data)
    raise AssertionError("redirect loop")


@pytest.fixture
def adapted() -> Iterator[None]:
    """``urllib.request`` and ``requests`` sent through the kernel's adapters, restored after."""
    saved = (
        urllib.request.HTTPHandler.http_open,
        urllib.request.HTTPSHandler.https_open,
        requests.adapters.HTTPAdapter.send,
    )
    web.install(browser_like_fetch)
    try:
        yield
    finally:
        (
            urllib.request.HTTPHandler.http_open,
            urllib.request.HTTPSHandler.https_open,
            requests.adapters.HTTPAdapter.send,
        ) = saved


def on_desktop_and_adapted(scenario: Callable[[], Any], request: pytest.FixtureRequest) -> tuple[Any, Any]:
    desktop = scenario()
    request.getfixturevalue("adapted")
    return desktop, scenario()


def error_of(call: Callable[[], Any]) -> tuple[str, str] | None:
    try:
        call()
    except Exception as error:
        return type(error).__name__, str(error)
    return None


def test_urlopen_reads_status_headers_and_body(base: str, request: pytest.FixtureRequest) -> None:
    def scenario() -> Any:
        with urllib.request.urlopen(f"{base}/data.csv") as response:
            return (
                response.status,
                response.reason,
                response.getheader("Content-Type"),
                response.headers["Content-Length"],
                response.geturl(),
                response.read().decode(),
            )

    desktop, adapted = on_desktop_and_adapted(scenario, request)
    assert adapted == desktop
    assert adapted[-1] == CSV


def test_urlopen_raises_httperror_with_the_body(base: str, request: pytest.FixtureRequest) -> None:
    def scenario() -> Any:
        try:
            urllib.request.urlopen(f"{base}/missing.csv")
        except urllib.error.HTTPError as error:
            return error.code, error.reason, error.read(), error.headers["Content-Type"]
        return None

    desktop, adapted = on_desktop_and_adapted(scenario, request)
    assert adapted == desktop == (404, "Not Found", b"nothing here", "text/plain")


def test_urlopen_posts_data_and_headers(base: str, request: pytest.FixtureRequest) -> None:
    def scenario() -> Any:
        sent = urllib.request.Request(f"{base}/echo", data=b"a=1&b=2", headers={"X-Custom": "yes"})
        with urllib.request.urlopen(sent) as response:
            return response.status, json.loads(response.read())

    desktop, adapted = on_desktop_and_adapted(scenario, request)
    assert adapted == desktop
    assert adapted[1]["body"] == "a=1&b=2"


def test_urlopen_follows_redirects_and_undoes_compression(base: str, request: pytest.FixtureRequest) -> None:
    def scenario() -> Any:
        with urllib.request.urlopen(f"{base}/moved") as moved, urllib.request.urlopen(f"{base}/text") as text:
            return (
                moved.geturl(),
                json.loads(moved.read()),
                text.headers.get("Content-Encoding"),
                text.read().decode(),
            )

    desktop, adapted = on_desktop_and_adapted(scenario, request)
    assert adapted == desktop
    assert adapted[-1] == TEXT


def test_urlretrieve_writes_the_file(base: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    def scenario() -> Any:
        target = tmp_path / "copy.csv"
        urllib.request.urlretrieve(f"{base}/data.csv", target)
        return target.read_text()

    desktop, adapted = on_desktop_and_adapted(scenario, request)
    assert adapted == desktop == CSV


def test_pandas_read_csv_of_a_url(base: str, request: pytest.FixtureRequest) -> None:
    def scenario() -> Any:
        return pandas.read_csv(f"{base}/data.csv").to_dict("list"), pandas.read_json(f"{base}/data.json").to_dict()

    desktop, adapted = on_desktop_and_adapted(scenario, request)
    assert adapted == desktop
    assert adapted[0] == {"city": ["Oslo", "Lima"], "people": [709000, 10000000]}


def test_requests_get_post_and_errors(base: str, request: pytest.FixtureRequest) -> None:
    def scenario() -> Any:
        got = requests.get(f"{base}/data.json", headers={"X-Custom": "1"})
        posted = requests.post(f"{base}/echo", json={"n": 1}, headers={"X-Custom": "yes"})
        moved = requests.get(f"{base}/moved")
        missing = requests.get(f"{base}/missing")
        text = requests.get(f"{base}/text")
        return (
            (got.status_code, got.reason, got.ok, got.json(), got.headers["content-type"], got.url),
            (posted.status_code, posted.json()),
            (moved.url, moved.json()),
            (missing.status_code, missing.text, error_of(missing.raise_for_status)),
            (text.text, text.encoding),
        )

    desktop, adapted = on_desktop_and_adapted(scenario, request)
    assert adapted == desktop
    assert adapted[1][1] == {"body": '{"n": 1}', "type": "application/json", "custom": "yes"}


def test_requests_streams_raw_and_chunks(base: str, request: pytest.FixtureRequest) -> None:
    def scenario() -> Any:
        raw = requests.get(f"{base}/data.csv", stream=True).raw.read(decode_content=True)
        chunks = list(requests.get(f"{base}/data.csv", stream=True).iter_content(chunk_size=8))
        lines = list(requests.get(f"{base}/data.csv", stream=True).iter_lines(decode_unicode=True))
        session = requests.Session()
        with session.get(f"{base}/data.json") as response:
            in_session = response.json()
        return raw, b"".join(chunks), lines, in_session

    desktop, adapted = on_desktop_and_adapted(scenario, request)
    assert adapted == desktop
    assert adapted[0] == CSV.encode()


def test_no_response_is_the_libraries_own_error(request: pytest.FixtureRequest) -> None:
    with socket_that_refuses() as url:

        def scenario() -> Any:
            return (
                error_of(lambda: urllib.request.urlopen(url))[0],  # type: ignore[index]
                error_of(lambda: requests.get(url))[0],  # type: ignore[index]
            )

        desktop, adapted = on_desktop_and_adapted(scenario, request)
    assert adapted == desktop == ("URLError", "ConnectionError")
    message = error_of(lambda: requests.get(url))
    assert message is not None
    assert "\n" not in message[1] and url in message[1] and "CORS" in message[1]


def test_a_slow_answer_times_out_as_on_desktop(base: str, request: pytest.FixtureRequest) -> None:
    def scenario() -> Any:
        return (
            error_of(lambda: urllib.request.urlopen(f"{base}/slow", timeout=0.3))[0],  # type: ignore[index]
            error_of(lambda: requests.get(f"{base}/slow", timeout=0.3))[0],  # type: ignore[index]
        )

    desktop, adapted = on_desktop_and_adapted(scenario, request)
    assert adapted == desktop == ("TimeoutError", "ReadTimeout")


def test_a_request_without_timeout_gets_the_default(monkeypatch: pytest.MonkeyPatch, adapted: None) -> None:
    asked: list[float] = []

    def recording_fetch(method: str, url: str, headers: Any, body: bytes | None, timeout: float) -> web.Answer:
        asked.append(timeout)
        return web.Answer(200, "OK", url, [], b"")

    monkeypatch.setattr(web, "_fetch", recording_fetch)
    urllib.request.urlopen("http://example.invalid/")
    requests.get("http://example.invalid/")
    requests.get("http://example.invalid/", timeout=(2, 5))
    assert asked == [web.DEFAULT_TIMEOUT, web.DEFAULT_TIMEOUT, 7.0]


class socket_that_refuses:
    """A local URL nobody listens on (a port bound, then closed)."""

    def __enter__(self) -> str:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        return f"http://127.0.0.1:{port}/data.csv"

    def __exit__(self, *args: object) -> None:
        pass
