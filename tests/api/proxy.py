"""A TCP proxy that delays every client→server chunk: makes requests to OPA slow on purpose."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator

from service.opa.process import free_port


async def _pipe(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    delay: float,
    marker: bytes,
    on_hold: Callable[[], None] | None = None,
) -> None:
    try:
        while chunk := await reader.read(65536):
            if delay and marker in chunk:
                if on_hold:
                    on_hold()
                await asyncio.sleep(delay)
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


@contextlib.contextmanager
def delaying_proxy(
    target_port: int,
    delay: float,
    marker: bytes = b"",
    on_hold: Callable[[], None] | None = None,
) -> Iterator[int]:
    """Yield the port of a proxy to 127.0.0.1:target_port that holds back, by `delay` seconds,
    each client chunk containing `marker` (e.g. the decision query's path); `on_hold` is called
    as each one is held (so a test can wait until requests are really in flight)."""
    port = free_port()
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", target_port)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(
            _pipe(client_r, server_w, delay, marker, on_hold), _pipe(server_r, client_w, 0, b"")
        )

    stop = asyncio.Event()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port)
        ready.set()
        async with server:
            await stop.wait()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    thread = threading.Thread(target=lambda: loop.run_until_complete(main()), daemon=True)
    thread.start()
    ready.wait(5)
    try:
        yield port
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(5)
        loop.close()
