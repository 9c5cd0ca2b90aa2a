"""The OPA client's HTTP transport against stand-in servers that misbehave on purpose: answers
are read whole, connections are reused only after a complete answer, and every failure reaches
the policy engine as "unavailable" (the API's 503), never as an answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from service.errors import PolicyEngineUnavailable
from service.opa.client import PolicyEngine
from service.opa.process import free_port
from service.opa.transport import MalformedResponse, Transport

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, int], Awaitable[None]]


def answer(body: bytes, *, status: str = "200 OK", close: bool = False) -> bytes:
    headers = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
    headers += f"Content-Length: {len(body)}\r\n" + ("Connection: close\r\n" if close else "")
    return headers.encode() + b"\r\n" + body


def chunked(*parts: bytes) -> bytes:
    """As OPA sends an answer larger than Go's 4 KB response buffer."""
    body = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"
    return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head + await reader.readexactly(length)


class StandIn:
    """A TCP server whose `handler(reader, writer, connection_number)` plays OPA."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.requests: list[bytes] = []

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.handler(reader, writer, self.connections)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def stand_in(handler: Handler) -> AsyncIterator[tuple[StandIn, int]]:
    server = StandIn(handler)
    listening = await asyncio.start_server(server._serve, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    try:
        yield server, port
    finally:
        listening.close()
        await listening.wait_closed()


async def test_answers_are_read_whole_over_one_kept_alive_connection() -> None:
    async def opa(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int) -> None:
        while True:
            request = await read_request(reader)
            server.requests.append(request)
            if request.startswith(b"GET"):
                writer.write(chunked(b'{"result":', b' "chunked"}'))
            else:
                writer.write(answer(b'{"result": "sized"}'))
            await writer.drain()

    async with stand_in(opa) as (server, port):
        http = Transport(host="127.0.0.1", port=port, tls=False, timeout=2)
        try:
            posted = await http.request("POST", "/v1/data/x", b'{"input": {}}')
            got = await http.request("GET", "/v1/data/y")
            again = await http.request("POST", "/v1/data/x", b'{"input": {}}')
        finally:
            http.close()
    assert (posted.status, posted.body) == (200, b'{"result": "sized"}')
    assert (got.status, got.body) == (200, b'{"result": "chunked"}')
    assert again == posted
    assert server.connections == 1
    first = server.requests[0]
    assert first.startswith(b"POST /v1/data/x HTTP/1.1\r\n")
    assert b"\r\nContent-Length: 13\r\n" in first
    assert b"\r\nAccept-Encoding: identity\r\n" in first
    assert first.endswith(b'\r\n\r\n{"input": {}}')


async def test_a_late_answer_is_never_read_as_the_answer_to_the_next_request() -> None:
    """The first request times out and the next is sent at once; the first's answer, arriving
    later on that connection, must not become the next one's (another input's verdict)."""
    numbers = iter(range(1, 100))

    async def opa(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int) -> None:
        while True:
            await read_request(reader)
            number = next(numbers)
            if number == 1:
                await asyncio.sleep(0.4)
            writer.write(answer(b'{"result": "%d"}' % number))
            await writer.drain()

    async with stand_in(opa) as (server, port):
        http = Transport(host="127.0.0.1", port=port, tls=False, timeout=0.2)
        try:
            with pytest.raises(TimeoutError):
                await http.request("POST", "/v1/data/x", b"{}")
            reply = await http.request("POST", "/v1/data/x", b"{}")
        finally:
            http.close()
    assert reply.body == b'{"result": "2"}'
    assert server.connections == 2


async def test_a_connection_the_server_closed_is_not_reused() -> None:
    async def opa(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        await read_request(reader)
        # The first says so, the second just hangs up after answering (an OPA restarted).
        writer.write(answer(b'{"result": %d}' % n, close=n == 1))
        await writer.drain()

    async with stand_in(opa) as (server, port):
        http = Transport(host="127.0.0.1", port=port, tls=False, timeout=2)
        try:
            replies = [await http.request("GET", "/health")]
            replies.append(await http.request("GET", "/health"))
            await asyncio.sleep(0.1)  # the hang-up reaches the client
            replies.append(await http.request("GET", "/health"))
        finally:
            http.close()
    assert [reply.body for reply in replies] == [b'{"result": %d}' % n for n in (1, 2, 3)]
    assert server.connections == 3


async def test_an_answer_that_is_not_http_is_malformed() -> None:
    async def opa(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int) -> None:
        await read_request(reader)
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n")
        await writer.drain()
        await asyncio.sleep(1)

    async with stand_in(opa) as (_server, port):
        http = Transport(host="127.0.0.1", port=port, tls=False, timeout=2)
        try:
            with pytest.raises(MalformedResponse):
                await http.request("GET", "/health")
        finally:
            http.close()


async def test_an_answer_cut_off_midway_is_a_connection_error() -> None:
    async def opa(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int) -> None:
        await read_request(reader)
        writer.write(answer(b'{"result": "the whole decision"}')[:-10])
        await writer.drain()

    async with stand_in(opa) as (_server, port):
        http = Transport(host="127.0.0.1", port=port, tls=False, timeout=2)
        try:
            with pytest.raises(ConnectionError):
                await http.request("GET", "/health")
        finally:
            http.close()


@pytest.mark.parametrize(
    ("reply", "detail"),
    [
        (answer(b'{"code": "internal_error"}', status="500 Internal Server Error"), "HTTP 500"),
        (answer(b"<html>proxy error</html>"), "unusable answer"),
        (b"garbage\r\n\r\n", "unusable answer"),
        (answer(b'{"result": {"decision": "allow"}}')[:-5], "unreachable"),
        (None, "timed out"),
    ],
)
async def test_every_failure_of_the_exchange_fails_the_decision_closed(
    tmp_path: Path, reply: bytes | None, detail: str
) -> None:
    async def opa(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int) -> None:
        while True:
            request = await read_request(reader)
            if b"/v1/query" in request:  # the engine reads OPA's version first
                writer.write(answer(b'{"result": [{"v": "1.22.3"}]}'))
            elif reply is None:
                await asyncio.sleep(5)
            else:
                writer.write(reply)
                await writer.drain()
                return
            await writer.drain()

    async with stand_in(opa) as (_server, port):
        engine = PolicyEngine(url=f"http://127.0.0.1:{port}", timeout=0.3, policies_dir=tmp_path)
        engine._loaded = (engine.disk_revision, float("inf"))  # skip reading the loaded policy
        try:
            with pytest.raises(PolicyEngineUnavailable, match=detail):
                await engine.decide({"workload": {}})
        finally:
            await engine.close()


async def test_no_opa_listening_is_unreachable(tmp_path: Path) -> None:
    engine = PolicyEngine(url=f"http://127.0.0.1:{free_port()}", timeout=2, policies_dir=tmp_path)
    try:
        assert not await engine.healthy()
        with pytest.raises(PolicyEngineUnavailable, match="unreachable while reading the loaded"):
            await engine.decide({"workload": {}})
    finally:
        await engine.close()
