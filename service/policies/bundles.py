"""Policy files ⇄ tar.gz bundles: pack an archived revision, unpack an uploaded candidate.

A packed bundle holds the served files at their paths below policies/ plus a `.manifest`
naming the revision, so OPA can serve it as it is (`opa run --server --bundle FILE`) and its
files re-digest to that revision (service/opa/revision.py). Unpacking accepts such a bundle or
one `opa build` made (paths with a leading "/", signatures and manifests ignored).
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from collections.abc import Mapping

from service.errors import InvalidBundle
from service.opa.revision import is_policy_file

# Bundles are policy text: a generous cap that a real policy set stays far below (the
# December 2026 set is ~0.5 MB unpacked) and a decompression bomb does not get past.
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
MANIFEST = ".manifest"
_IGNORED = {MANIFEST, ".signatures.json"}


def pack(files: Mapping[str, str], revision: str) -> bytes:
    """A reproducible tar.gz (sorted names, zero times and owners) of `files` and a manifest."""
    entries = {MANIFEST: json.dumps({"revision": revision}), **dict(sorted(files.items()))}
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, text in entries.items():
            payload = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(payload))
    return gzip.compress(raw.getvalue(), mtime=0)


def unpack(bundle: bytes, *, name: str = "bundle") -> dict[str, str]:
    """The policy files of a tar.gz bundle (path → text); InvalidBundle names what is wrong."""
    try:
        raw = gzip.decompress(bundle)
    except (OSError, EOFError) as exc:
        raise InvalidBundle(f"{name} is not a gzip file ({exc})", field=name) from exc
    if len(raw) > MAX_UNPACKED_BYTES:
        raise InvalidBundle(f"{name} unpacks to more than {MAX_UNPACKED_BYTES} bytes", field=name)
    files: dict[str, str] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            for member in tar:
                path = member.name.lstrip("/").removeprefix("./")
                if member.isdir() or path in _IGNORED or not path:
                    continue
                if not member.isfile():
                    raise InvalidBundle(f"{name}: {path} is not a regular file", field=name)
                if path.startswith("../") or "/../" in f"/{path}":
                    raise InvalidBundle(f"{name}: {path} points outside the bundle", field=name)
                if not is_policy_file(path):
                    continue  # README, tests: not served, as OPA serving the folder skips them
                handle = tar.extractfile(member)
                assert handle is not None  # a regular file always has content
                try:
                    files[path] = handle.read().decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise InvalidBundle(
                        f"{name}: {path} is not UTF-8 at byte {exc.start}", field=name
                    ) from exc
    except tarfile.TarError as exc:
        raise InvalidBundle(f"{name} is not a tar archive ({exc})", field=name) from exc
    if not any(path.endswith(".rego") for path in files):
        raise InvalidBundle(f"{name} holds no .rego policy module", field=name)
    return files
