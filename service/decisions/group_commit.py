"""Group commit of the decision log: appends that arrive while a commit is under way wait for
it, then go in together, in one transaction with one commit (one fsync on SQLite).

Nothing waits to fill a batch: the first append is committed at once, and whatever arrived
meanwhile forms the next batch. Each append is answered only after the commit that holds it
(so a 201 is never sent for a record not committed), and a failure of the commit fails every
append in it with the same StorageUnavailable. The chain order is the order of arrival.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from service.decisions import repository
from service.decisions.repository import DuplicateIdempotencyKey, Seal
from service.decisions.tables import DecisionRow

# At most this many records in one transaction: it holds the chain lock while it seals them.
MAX_BATCH = 64


@dataclass
class _Append:
    seal: Seal
    idempotency_key: str | None
    answer: asyncio.Future[DecisionRow]


class GroupCommit:
    """One per process and database, used from one event loop."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._waiting: list[_Append] = []
        self._committing: asyncio.Task[None] | None = None
        self.batches = 0  # commits made (the tests and bench read how appends were grouped)

    async def append(self, seal: Seal, idempotency_key: str | None = None) -> DecisionRow:
        """Store the record `seal` makes at the next place in the chain; DuplicateIdempotencyKey
        when a committed record (or one earlier in the same batch) holds `idempotency_key`."""
        answer: asyncio.Future[DecisionRow] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Append(seal, idempotency_key, answer))
        if self._committing is None or self._committing.done():
            self._committing = asyncio.create_task(self._commit_all(), name="group-commit")
        return await answer

    async def _commit_all(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            try:
                rows = await run_in_threadpool(self._commit, batch)
            except asyncio.CancelledError:  # the loop is closing: nobody is answered a 201
                for append in batch + self._waiting:
                    append.answer.cancel()
                self._waiting = []
                raise
            except Exception as exc:  # every append in the batch fails, none is stored
                for append in batch:
                    _answer(append, exc)
                continue
            for append, row in zip(batch, rows, strict=True):
                _answer(append, row if row is not None else DuplicateIdempotencyKey())

    def _commit(self, batch: list[_Append]) -> list[DecisionRow | None]:
        appends = [(append.seal, append.idempotency_key) for append in batch]
        try:
            rows = repository.append_batch(self.engine, appends)
        except DuplicateIdempotencyKey:
            # A key taken by a writer outside the head lock: sort the batch out one by one
            if len(batch) == 1:
                raise
            rows = [self._commit_one(append) for append in appends]
        self.batches += 1
        return rows

    def _commit_one(self, append: tuple[Seal, str | None]) -> DecisionRow | None:
        try:
            return repository.append_batch(self.engine, [append])[0]
        except DuplicateIdempotencyKey:
            return None


def _answer(append: _Append, outcome: DecisionRow | Exception) -> None:
    if append.answer.done():  # the request was cancelled (client gone, deadline)
        return
    if isinstance(outcome, Exception):
        append.answer.set_exception(outcome)
    else:
        append.answer.set_result(outcome)
