"""Web requests from cells: ``urllib.request`` and ``requests`` as on desktop.

Pyodide has no sockets. The runtime gives the kernel one synchronous fetch
(``src/worker/web-requests.ts``: a synchronous ``XMLHttpRequest`` in a browser
worker, with or without JSPI or shared memory; a helper thread under Node), and
this module sends the two HTTP clients notebooks use through it:

- ``urllib.request``: its HTTP and HTTPS handlers, so ``urlopen``,
  ``urlretrieve``, ``pandas.read_csv(url)`` and openers built later;
- ``requests``: ``HTTPAdapter.send``, so every session and ``requests.get``.

Each is adapted when a cell first imports it (:mod:`.after_import`): a kernel
that makes no request pays nothing. The fetch follows redirects and
decompresses the body as a browser does, so the answer carries no
``Content-Encoding`` (desktop ``urllib`` asks for no compression, and gets the
same bytes). A request that gets no response — the host does not allow
cross-origin requests from the page, the machine is offline, the name does not
resolve — raises the library's own connection error with one line that says so;
a request without a timeout gives up after :data:`DEFAULT_TIMEOUT` seconds
rather than hang the cell.
"""

from __future__ import annotations

import email.parser
import http.client
import io
import json
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .after_import import after_import

#: Seconds a request without a timeout waits for its answer.
DEFAULT_TIMEOUT = 120.0


@dataclass(frozen=True)
class Answer:
    """A response, any status: the body is complete and decompressed."""

    status: int
    reason: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes


class NoResponse(Exception):
    """The request got no response; ``str()`` is the line a person reads."""

    def __init__(self, message: str, *, timed_out: bool) -> None:
        super().__init__(message)
        self.timed_out = timed_out


#: Makes one request: (method, url, headers, body, timeout in seconds) → the answer, or raises NoResponse.
Fetch = Callable[[str, str, list[tuple[str, str]], bytes | None, float], Answer]


def no_response(url: str, *, timed_out: bool, timeout: float, detail: str = "") -> NoResponse:
    """The one-line error for a request that got no answer, with what to try."""
    if timed_out:
        return NoResponse(
            f"no response from {url} within {timeout:g} s; pass a longer timeout= if the host is slow",
            timed_out=True,
        )
    why = f" ({detail})" if detail else ""
    return NoResponse(
        f"could not fetch {url}{why}: no response. A host read from a browser must allow cross-origin "
        "requests (CORS), as GitHub raw files and most data portals do; check the URL and the network, "
        "or upload the file and read it from disk",
        timed_out=False,
    )


def fetch_from_host(fetch_sync: Any) -> Fetch:
    """The runtime's synchronous fetch (a JavaScript function, see ``web-requests.ts``) as a :data:`Fetch`."""
    from pyodide.ffi import to_js  # the Pyodide edge

    def fetch(method: str, url: str, headers: list[tuple[str, str]], body: bytes | None, timeout: float) -> Answer:
        request = json.dumps({"method": method, "url": url, "headers": headers, "timeoutMs": round(timeout * 1000)})
        answer = fetch_sync(request, to_js(body) if body else None)
        error = getattr(answer, "error", None)
        if error is not None:
            # A browser never says why (CORS hides it); Node says "connect ECONNREFUSED ...".
            message = str(answer.message)
            detail = "" if message == "no response" or "XMLHttpRequest" in message else message
            raise no_response(url, timed_out=error == "timeout", timeout=timeout, detail=detail)
        return Answer(
            status=int(answer.status),
            reason=str(answer.statusText),
            url=str(answer.url),
            headers=[(str(name), str(value)) for name, value in answer.headers.to_py()],
            body=bytes(answer.body.to_bytes()),
        )

    return fetch


#: Set by :func:`install`, before which nothing is adapted to call it.
_fetch: Fetch


def install(fetch: Fetch) -> None:
    """Send ``urllib.request`` and ``requests`` through ``fetch`` (each from its first import on)."""
    global _fetch
    _fetch = fetch
    after_import("urllib.request", _adapt_urllib)
    after_import("requests.adapters", _adapt_requests)


def _timeout_seconds(timeout: object) -> float:
    """A library's timeout (a number, a (connect, read) pair, ``None`` or a sentinel) as seconds."""
    if isinstance(timeout, tuple):
        numbers = [t for t in timeout if isinstance(t, (int, float))]
        return float(sum(numbers)) if numbers else DEFAULT_TIMEOUT
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0:
        return float(timeout)
    return DEFAULT_TIMEOUT


def _as_delivered(answer: Answer) -> list[tuple[str, str]]:
    """The answer's headers for the bytes we hold: decompressed, so no ``Content-Encoding``,
    and a ``Content-Length`` that matches."""
    encoded = any(name.lower() == "content-encoding" for name, _ in answer.headers)
    headers = [(n, v) for n, v in answer.headers if n.lower() != "content-encoding"]
    if encoded:
        headers = [(n, str(len(answer.body)) if n.lower() == "content-length" else v) for n, v in headers]
    return headers


def _body_bytes(data: object) -> bytes | None:
    """A request body as bytes: bytes-like, a file object, or an iterable of bytes (as ``http.client`` takes)."""
    if data is None:
        return None
    if isinstance(data, str):
        return data.encode("iso-8859-1")  # http.client's default for a str body
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    read = getattr(data, "read", None)
    if callable(read):
        content = read()
        return content.encode("iso-8859-1") if isinstance(content, str) else bytes(content)
    return b"".join(chunk.encode("iso-8859-1") if isinstance(chunk, str) else bytes(chunk) for chunk in data)  # type: ignore[attr-defined]


# --- urllib.request ---------------------------------------------------------------


def _http_message(headers: Iterable[tuple[str, str]]) -> http.client.HTTPMessage:
    text = "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
    message: http.client.HTTPMessage = email.parser.Parser(_class=http.client.HTTPMessage).parsestr(text)
    return message


def _urllib_response(answer: Answer) -> Any:
    import urllib.response

    class Response(urllib.response.addinfourl):
        """What ``urlopen`` returns on desktop, as far as code reads it: ``addinfourl`` with
        ``http.client.HTTPResponse``'s ``reason``, ``msg`` and ``getheader``."""

        reason: str
        msg: str

        def getheader(self, name: str, default: str | None = None) -> str | None:
            values = self.headers.get_all(name)
            return ", ".join(values) if values else default

        def getheaders(self) -> list[tuple[str, str]]:
            return list(self.headers.items())

    response = Response(io.BytesIO(answer.body), _http_message(_as_delivered(answer)), answer.url, answer.status)
    response.reason = response.msg = answer.reason
    return response


def _urllib_open(handler: object, request: Any) -> Any:
    """``HTTPHandler.http_open`` (and ``https_open``) through the host's fetch."""
    import urllib.error

    headers = dict(request.unredirected_hdrs)
    headers.update({k: v for k, v in request.headers.items() if k not in headers})
    timeout = _timeout_seconds(request.timeout)
    try:
        answer = _fetch(
            request.get_method(), request.full_url, list(headers.items()), _body_bytes(request.data), timeout
        )
    except NoResponse as error:
        if error.timed_out:  # as desktop's urllib reports a response that did not come in time
            raise TimeoutError(str(error)) from None
        raise urllib.error.URLError(str(error)) from None
    return _urllib_response(answer)


def _adapt_urllib(module: types.ModuleType) -> None:
    module.HTTPHandler.http_open = _urllib_open
    https = getattr(module, "HTTPSHandler", None)
    if https is not None:
        https.https_open = _urllib_open
    else:  # no ssl module: HTTPS goes through the same handler
        module.HTTPHandler.https_open = _urllib_open
        module.HTTPHandler.https_request = module.AbstractHTTPHandler.do_request_


# --- requests -----------------------------------------------------------------------


def _requests_send(
    adapter: Any,
    request: Any,
    stream: bool = False,
    timeout: object = None,
    verify: object = True,
    cert: object = None,
    proxies: object = None,
) -> Any:
    """``requests.adapters.HTTPAdapter.send`` through the host's fetch."""
    from requests.exceptions import ConnectionError, ReadTimeout
    from urllib3 import HTTPResponse
    from urllib3._collections import HTTPHeaderDict

    seconds = _timeout_seconds(timeout)
    try:
        answer = _fetch(
            request.method or "GET", request.url, list(request.headers.items()), _body_bytes(request.body), seconds
        )
    except NoResponse as error:
        raise (ReadTimeout if error.timed_out else ConnectionError)(str(error), request=request) from None
    raw = HTTPResponse(
        body=io.BytesIO(answer.body),
        headers=HTTPHeaderDict(_as_delivered(answer)),
        status=answer.status,
        reason=answer.reason,
        preload_content=False,
        decode_content=False,
        request_url=answer.url,
    )
    response = adapter.build_response(request, raw)
    response.url = answer.url
    if not stream:
        response.content  # noqa: B018 - read now, as requests does without stream=True
    return response


def _adapt_requests(module: types.ModuleType) -> None:
    module.HTTPAdapter.send = _requests_send
