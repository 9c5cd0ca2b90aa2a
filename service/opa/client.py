"""The policy engine as the service sees it: the one module that talks to OPA.

Every failure here — OPA down, slow, answering non-2xx, answering "undefined", answering
something that is not a decision, or running a policy revision other than the one on disk —
becomes one typed error (PolicyEngineUnavailable / PolicyOutOfSync) that the API renders as
503. Nothing downstream ever sees a partial or guessed verdict: fail closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic_core import from_json, to_json

from service.errors import PolicyEngineUnavailable, PolicyOutOfSync
from service.observability.metrics import OPA_LATENCY
from service.opa.revision import DiskPolicy, DiskRevision, digest, is_exactly
from service.opa.transport import Transport

DECISION_PACKAGE = "tiergate.main"
# The decision plus the manifests of the bundles OPA serves (policies/tiergate/main/main.rego).
DECISION_RULE = "decision_with_provenance"
# The same plus every catalogue rule's explanation (a dry run with ?explain=true); a separate
# entry point so that plain decisions never evaluate the explanations.
EXPLAINED_RULE = "decision_explained"
CATALOGUE_RULE = "catalogue"

# Give OPA this long to reload an edit of the watched files before answering "out of sync":
# with the December 2026 policy set a reload took 1.0-1.2 s on a loaded 2-core machine
# (load 9; 0.7-1.1 s before), so 1 s refused valid edits. Only a rejected edit waits it out.
_SYNC_GRACE_SECONDS = 3.0
# Re-read what OPA has loaded at least this often (in the background), so a sidecar restarted
# with another bundle is noticed even when the files on disk did not change. A managed OPA's
# restarts are reported by the supervisor at once.
_LOADED_REVISION_TTL_SECONDS = 30.0


class EngineAnswered(Exception):
    """OPA answered with a status other than 200."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


# Timeouts and connection failures are OSErrors (TimeoutError is one); an answer that is not
# HTTP or not JSON, or JSON of another shape, is a ValueError, KeyError, IndexError or TypeError.
_ENGINE_ERRORS = (OSError, ValueError, LookupError, TypeError, EngineAnswered)


@dataclass(frozen=True)
class PolicyAnswer:
    """One evaluated decision with the provenance an audit needs."""

    result: dict[str, Any]
    decision_id: str | None
    revision: str
    engine_version: str
    # Only when asked for (`decide(..., explain=True)`): one entry per catalogue rule.
    explanations: list[dict[str, Any]] | None = None


RevisionServed = Callable[[DiskPolicy], Awaitable[object]]
"""Called once per revision, the first time OPA is found serving it (the revision archive)."""


class PolicyEngine:
    """The service's view of one OPA server (its REST API over service/opa/transport.py).
    Connections are opened on first use and kept alive until `close`."""

    def __init__(self, *, url: str, timeout: float, policies_dir: Path) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"OPA URL must be http(s)://host:port, got {url!r}")
        self.url = url
        # No retries: fail fast; the caller (portal) retries, we never guess.
        self._http = Transport(
            host=parts.hostname,
            port=parts.port or (443 if parts.scheme == "https" else 80),
            tls=parts.scheme == "https",
            timeout=timeout,
        )
        self._disk = DiskRevision(policies_dir)
        self._loaded: tuple[str, float] | None = None  # (revision, monotonic time checked)
        self._version: str | None = None
        self._lock = asyncio.Lock()
        self._refresh: asyncio.Task[None] | None = None
        # Awaited before a revision's first decision: a failure (the archive cannot be
        # written) fails that decision, so no record names a revision the archive lacks.
        self.on_revision_served: RevisionServed | None = None
        self._announced: set[str] = set()

    async def close(self) -> None:
        if self._refresh is not None:
            self._refresh.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresh
        self._http.close()
        self._disk.close()

    async def _json(self, method: str, path: str, payload: Any = None) -> Any:
        """One request to OPA's REST API; its JSON answer, or EngineAnswered for a non-200.

        JSON through pydantic_core (Rust) rather than the json module: a decision's input
        (~3 KB) and answer (~5 KB) took ~130 µs to encode and decode, these ~50 µs. Integers of
        any size stay exact both ways (policy data may hold one beyond 2^53); a NaN is written
        as NaN, as json.dumps writes it, so OPA refuses it (400 → unavailable) instead of
        reading null."""
        body = None if payload is None else to_json(payload, inf_nan_mode="constants")
        reply = await self._http.request(method, path, body)
        if reply.status != 200:
            raise EngineAnswered(reply.status)
        return from_json(reply.body)

    def forget_loaded_state(self) -> None:
        """Called after OPA (re)starts: what it has loaded must be read again."""
        self._loaded = None
        self._version = None

    @property
    def disk_revision(self) -> str:
        return self._disk.current().revision

    @property
    def disk_policy(self) -> DiskPolicy:
        """The policy files this engine checks OPA against."""
        return self._disk.current()

    async def decide(self, policy_input: dict[str, Any], *, explain: bool = False) -> PolicyAnswer:
        """Evaluate the entry point; raise instead of returning anything untrustworthy.

        The revision is checked before and after the query: if the policy files changed while
        OPA evaluated, the answer may come from either revision, so it is asked again rather
        than recorded under a revision that may not have decided it.
        """
        for _attempt in range(2):
            revision = await self.ensure_in_sync()
            answer = await self._query(policy_input, revision, explain=explain)
            if self._disk.current().revision == revision:
                return answer
        raise PolicyOutOfSync("the policy files kept changing during evaluation; try again")

    async def _query(
        self, policy_input: dict[str, Any], revision: str, *, explain: bool = False
    ) -> PolicyAnswer:
        version = await self.engine_version()
        rule = EXPLAINED_RULE if explain else DECISION_RULE
        try:
            with OPA_LATENCY.time():
                response = await self._json(
                    "POST", f"/v1/data/{_path(DECISION_PACKAGE)}/{rule}", {"input": policy_input}
                )
        except _ENGINE_ERRORS as exc:
            raise PolicyEngineUnavailable(_describe("evaluating the decision", exc)) from exc
        if not isinstance(response, dict) or "result" not in response:
            raise PolicyEngineUnavailable(
                f"policy engine returned an undefined result for data."
                f"{DECISION_PACKAGE}.{rule}: the entry point is missing or failed"
            )
        result = response["result"]
        if not isinstance(result, dict) or not isinstance(result.get("decision"), dict):
            raise PolicyEngineUnavailable("policy engine returned a decision that is not an object")
        explanations = result.get("explanations") if explain else None
        if explain and not isinstance(explanations, list):
            raise PolicyEngineUnavailable("policy engine returned explanations that are not a list")
        _check_bundle_revisions(result.get("bundles"), revision)
        return PolicyAnswer(
            result=result["decision"],
            decision_id=response.get("decision_id"),
            revision=revision,
            engine_version=version,
            explanations=explanations,
        )

    async def catalogue(self) -> list[dict[str, Any]]:
        """The rule catalogue the policies build from their METADATA."""
        try:
            path = f"/v1/data/{_path(DECISION_PACKAGE)}/{CATALOGUE_RULE}"
            result = (await self._json("GET", path))["result"]
        except _ENGINE_ERRORS as exc:
            raise PolicyEngineUnavailable(_describe("reading the rule catalogue", exc)) from exc
        if not isinstance(result, list):
            raise PolicyEngineUnavailable("rule catalogue from the policy engine is not a list")
        return result

    async def engine_version(self) -> str:
        if self._version is None:
            try:
                response = await self._json(
                    "POST", "/v1/query", {"query": "v := opa.runtime().version"}
                )
                self._version = str(response["result"][0]["v"])
            except _ENGINE_ERRORS as exc:
                raise PolicyEngineUnavailable(_describe("reading the OPA version", exc)) from exc
        return self._version

    async def healthy(self) -> bool:
        try:
            return (await self._http.request("GET", "/health")).status == 200
        except _ENGINE_ERRORS:
            return False

    async def ready(self) -> str:
        """The readiness check: OPA answers its health endpoint and serves the files' revision.
        What OPA has loaded is read as for decisions: once per revision, again after a restart
        and in the background every _LOADED_REVISION_TTL_SECONDS; read on every probe, it
        fetched OPA's whole policy listing (~1.15 MB with the syntax trees) each time."""
        if not await self.healthy():
            raise PolicyEngineUnavailable("policy engine unreachable or unhealthy (GET /health)")
        return await self.ensure_in_sync()

    async def ensure_in_sync(self) -> str:
        """Return the policy revision, once OPA's loaded policy equals the files on disk."""
        deadline = time.monotonic() + _SYNC_GRACE_SECONDS
        while True:
            expected = self._disk.current().revision
            loaded = await self._loaded_revision(expected)
            if loaded == expected:
                await self._announce(expected)
                return expected
            if time.monotonic() >= deadline:
                raise PolicyOutOfSync(
                    f"policy engine has loaded revision {loaded[:12]} but the policy files on "
                    f"disk are revision {expected[:12]}; the engine probably rejected an edit "
                    "(run `make policy-check`), so no decision is made until they agree"
                )
            self._loaded = None
            self._disk.invalidate()  # and read the files again too, whatever the watch saw
            await asyncio.sleep(0.05)

    async def _announce(self, revision: str) -> None:
        if revision in self._announced or self.on_revision_served is None:
            return
        policy = self._disk.current()
        if policy.revision != revision:
            return  # edited meanwhile: decide() sees the change after its query and asks again
        await self.on_revision_served(policy)
        self._announced.add(revision)

    async def _loaded_revision(self, expected: str) -> str:
        cached = self._loaded
        if cached and cached[0] == expected:
            # Stale-while-revalidate: the periodic re-read (a sidecar swapped under us) runs
            # in the background; done inline it stalled every request behind it (p99 ~0.9 s
            # at 50 req/s in bench/run.py).
            stale = time.monotonic() - cached[1] >= _LOADED_REVISION_TTL_SECONDS
            if stale and (self._refresh is None or self._refresh.done()):
                self._refresh = asyncio.create_task(self._revalidate(), name="opa-revalidate")
            return cached[0]
        async with self._lock:
            revision = await self.read_loaded_revision()
            self._loaded = (revision, time.monotonic())
            return revision

    async def _revalidate(self) -> None:
        try:
            revision = await self.read_loaded_revision()
        except PolicyEngineUnavailable:
            self._loaded = None  # the next decision re-reads inline and fails closed
            return
        self._loaded = (revision, time.monotonic())

    async def read_loaded_revision(self) -> str:
        """Digest what OPA reports it has loaded (modules and data documents)."""
        disk = self._disk.current()
        try:
            # The listing holds every module's text (beside its syntax tree): one request,
            # not the listing and then each module again (twice the ~1.15 MB OPA serialises).
            listing = await self._json("GET", "/v1/policies")
            modules = [str(module["raw"]) for module in listing["result"]]
            data: dict[str, Any] = {}
            for path in disk.data:
                data[path] = (await self._json("GET", f"/v1/data/{path}"))["result"]
        except Exception as exc:  # any failure to read back the loaded policy: fail closed
            raise PolicyEngineUnavailable(_describe("reading the loaded policy", exc)) from exc
        return disk.revision if is_exactly(disk, modules, data) else digest(modules, data)


def _check_bundle_revisions(bundles: Any, revision: str) -> None:
    """A sidecar serving bundles built by `tiergate bundle` names their revision in the same
    evaluation as the decision: a bundle swapped since the last read of its modules is caught
    on this decision, not at the next background re-read."""
    if not bundles:
        return  # plain files (the managed OPA): the content digest check covers them
    if not isinstance(bundles, dict):
        raise PolicyEngineUnavailable("policy engine reported its bundles in an unknown shape")
    served = {
        name: str((entry or {}).get("manifest", {}).get("revision", ""))
        for name, entry in bundles.items()
    }
    wrong = {name: rev for name, rev in served.items() if rev != revision}
    if wrong:
        listed = ", ".join(f"{name} at {rev[:12] or 'no revision'}" for name, rev in wrong.items())
        raise PolicyOutOfSync(
            f"policy engine serves bundle {listed} but the policy files here are revision "
            f"{revision[:12]}; build and load the bundle with `tiergate bundle`"
        )


def _path(package: str) -> str:
    return package.replace(".", "/")


def _describe(action: str, exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):  # before OSError: it is one
        return f"policy engine timed out while {action}"
    if isinstance(exc, OSError):
        return f"policy engine unreachable while {action}"
    if isinstance(exc, EngineAnswered):
        return f"policy engine answered HTTP {exc.status} while {action}"
    return f"policy engine gave an unusable answer while {action} ({type(exc).__name__})"
