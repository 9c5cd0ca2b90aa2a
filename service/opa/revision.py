"""Policy revision: one digest of the Rego modules and data documents a policy consists of.

The same function digests the files on disk and what a running OPA reports it has loaded, so
the two can be compared: a decision is only made when they agree (an author's edit that OPA
rejected leaves them different, and the service refuses to decide until they match again).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rfc8785

from service.errors import PolicyOutOfSync
from service.opa.watch import FolderWatch


def digest(modules: Iterable[str], data_documents: Mapping[str, Any]) -> str:
    """sha256 over the sorted module digests and the canonical (RFC 8785) data documents.

    Module ids are left out on purpose: OPA names a module by the path it was loaded from, which
    differs between a managed OPA, a sidecar and a bundle, while the content is what matters.
    """
    module_digests = sorted(hashlib.sha256(text.encode("utf-8")).hexdigest() for text in modules)
    payload: dict[str, Any] = {"modules": module_digests, "data": dict(data_documents)}
    return hashlib.sha256(_canonical(payload)).hexdigest()


def _canonical(payload: dict[str, Any]) -> bytes:
    """RFC 8785 bytes of `payload`, or sorted compact JSON when it holds an integer beyond 2^53.

    RFC 8785 writes every number as a double and refuses such integers, yet policy data may
    state an exact threshold (10^26 operations). Both sides of the comparison are parsed from
    the same literals (OPA serves a data number exactly as written), so Python's sorted JSON of
    them is exact and deterministic; a policy without such a number keeps its RFC 8785 digest.
    """
    try:
        return rfc8785.dumps(payload)
    except rfc8785.IntegerDomainError:
        return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("ascii")


# Policy tests are not served: loaded into the server they would also be walked by the entry
# point's `data.tiergate.rules[_][_]` aggregation (7x slower decisions, measured with opa bench).
TEST_FILE_PATTERN = "*_test.rego"


def policy_modules(policies_dir: Path) -> list[Path]:
    """The .rego files a server loads: everything but the tests."""
    return sorted(p for p in policies_dir.rglob("*.rego") if is_policy_file(p.name))


@dataclass(frozen=True)
class DiskPolicy:
    """What the server loads from `policies_dir`: the non-test .rego files and every data.json.

    `files` is every one of them as read (path relative to the folder → text): what the
    revision archive keeps, so the exact files behind a revision can be served again."""

    modules: dict[str, str]
    data: dict[str, Any]
    revision: str
    files: dict[str, str]


class UnreadablePolicyFile(ValueError):
    """A policy file that is not UTF-8 or not valid JSON; `path` names it."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def is_policy_file(path: str) -> bool:
    """A file OPA serves: a .rego module other than a test, or a data.json."""
    name = path.rsplit("/", 1)[-1]
    return name == "data.json" or (name.endswith(".rego") and not name.endswith("_test.rego"))


def policy_of_files(files: Mapping[str, str]) -> DiskPolicy:
    """The policy (and its revision) that a set of served files makes: path → text, paths
    relative to the policies folder. Files that OPA would not serve are left out."""
    served = {path: text for path, text in sorted(files.items()) if is_policy_file(path)}
    modules = {path: text for path, text in served.items() if path.endswith(".rego")}
    data: dict[str, Any] = {}
    for path, text in served.items():
        if path.endswith("data.json"):
            try:
                data[path.rsplit("/", 1)[0] if "/" in path else "."] = json.loads(text)
            except json.JSONDecodeError as exc:
                raise UnreadablePolicyFile(path, f"invalid JSON at line {exc.lineno}") from exc
    return DiskPolicy(
        modules=modules, data=data, revision=digest(modules.values(), data), files=served
    )


def _comparable(document: Any) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False)


def is_exactly(
    policy: DiskPolicy, modules: Iterable[str], data_documents: Mapping[str, Any]
) -> bool:
    """Whether these modules and data documents are exactly the policy's, so that their digest
    is its revision without computing one. The digest (RFC 8785 in pure Python) blocks the
    event loop: a re-read of what OPA serves (every 30 s, see client.py) cost 94-114 ms of CPU
    with it and 52-54 ms with this comparison in C's json instead (medians of 6, load 4.8).
    False only means "compute the digest": two spellings of one number (1 and 1.0) differ
    here, not there; identical canonical text never hides a difference (true is not 1)."""
    return (
        sorted(modules) == sorted(policy.modules.values())
        and data_documents.keys() == policy.data.keys()
        and all(_comparable(data_documents[p]) == _comparable(policy.data[p]) for p in policy.data)
    )


def _scan(policies_dir: Path) -> tuple[list[str], list[str]]:
    """Every folder and every policy file below `policies_dir` (one os.walk)."""
    folders: list[str] = []
    files: list[str] = []
    for folder, _dirs, names in os.walk(policies_dir):
        folders.append(folder)
        files.extend(os.path.join(folder, name) for name in names if is_policy_file(name))
    return sorted(folders), sorted(files)


def _stamps(paths: list[str]) -> tuple[tuple[int, int], ...]:
    stats = [os.stat(path) for path in paths]
    return tuple((stat.st_mtime_ns, stat.st_size) for stat in stats)


class DiskRevision:
    """Digest of the policy files on disk, recomputed only when something below the folder
    changed.

    Checked before and after every evaluation, so it must be cheap. With inotify
    (service/opa/watch.py) that is one non-blocking read of the event queue; a change of any
    kind triggers a new walk. Without it, it stats the folders it knows (a file added, removed
    or renamed changes its folder's mtime, and triggers a new walk) and the files it knows (an
    edit in place changes the file's mtime or size): ~90 stat calls, 0.3 ms of CPU.
    """

    def __init__(self, policies_dir: Path) -> None:
        self.policies_dir = policies_dir
        self._folders: list[str] = []
        self._files: list[str] = []
        self._signature: tuple[tuple[tuple[int, int], ...], ...] | None = None
        self._current: DiskPolicy | None = None
        self._watch = FolderWatch.open()

    def current(self) -> DiskPolicy:
        if self._watch is not None:
            return self._watched()
        try:
            signature = (_stamps(self._folders), _stamps(self._files))
        except FileNotFoundError:  # a known file or folder is gone: walk again
            signature = None
        if self._current is None or signature is None or signature != self._signature:
            self._folders, self._files = _scan(self.policies_dir)
            signature = (_stamps(self._folders), _stamps(self._files))
            self._current = self._read()
            self._signature = signature
        return self._current

    def close(self) -> None:
        """Release the watch (the stat comparison takes over if this is used again)."""
        if self._watch is not None:
            self._watch.close()
            self._watch = None

    def invalidate(self) -> None:
        """Walk and read the files again at the next look, whatever the watch says (for a
        disagreement with what OPA loaded: the files may have changed unseen)."""
        self._current = None

    def _watched(self) -> DiskPolicy:
        assert self._watch is not None
        try:
            changed = self._watch.changed()
        except OSError:  # the watch broke: compare stat results from now on
            self._watch = None
            return self.current()
        if self._current is None or changed:
            # Watch first, then walk and read: an edit landing after the walk is an event
            # seen at the next look, never a change missed.
            folders, _files = _scan(self.policies_dir)
            if not self._watch.watch(folders):
                self._watch.close()
                self._watch = None
                return self.current()
            self._current = self._read()
        return self._current

    def _read(self) -> DiskPolicy:
        files = {
            p.relative_to(self.policies_dir).as_posix(): self._text(p)
            for p in [*policy_modules(self.policies_dir), *self.policies_dir.rglob("data.json")]
        }
        try:
            return policy_of_files(files)
        except UnreadablePolicyFile as exc:
            raise self._unreadable(self.policies_dir / exc.path, exc.reason) from exc

    def _text(self, path: Path) -> str:
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise self._unreadable(path, f"not UTF-8 at byte {exc.start}") from exc

    def _unreadable(self, path: Path, reason: str) -> PolicyOutOfSync:
        """OPA cannot have loaded what is on disk now: fail closed as for any rejected edit."""
        self._current = None  # read again next time, after the author fixes it
        name = path.relative_to(self.policies_dir).as_posix()
        return PolicyOutOfSync(
            f"policy file {name} cannot be read ({reason}); no decision is made until it is fixed"
        )
