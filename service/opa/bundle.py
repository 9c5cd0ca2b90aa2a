"""Signed policy bundles for the sidecar deployment (README.md, "Replicas": every replica's OPA
loads the same signed bundle). `opa build` packs the served policy files (tests left out, like
the managed OPA) and signs them; the sidecar runs
`opa run --server --bundle … --verification-key …` and refuses a bundle whose files do not match
the signature.

The bundle's manifest revision is tiergate's policy revision of the files (revision.py), the
same digest the service checks a running OPA against and writes into every decision record.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from service.opa.process import READ_OPTIMISED_STORE, SKIP_VERSION_CHECK
from service.opa.revision import TEST_FILE_PATTERN, DiskRevision

# ES256 (ECDSA P-256): a short key, supported by `opa build`/`opa run` out of the box.
DEFAULT_SIGNING_ALG = "ES256"


class BundleBuildFailed(RuntimeError):
    """`opa build` refused: the message carries OPA's own explanation."""


def build_signed_bundle(
    *,
    opa_binary: str,
    policies_dir: Path,
    out: Path,
    signing_key: Path,
    signing_alg: str = DEFAULT_SIGNING_ALG,
) -> str:
    """Write a signed bundle of `policies_dir` to `out`; return its revision."""
    revision = DiskRevision(policies_dir).current().revision
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [
        opa_binary,
        "build",
        "--bundle",
        ".",  # paths inside the bundle relative to the policies folder
        "--ignore",
        TEST_FILE_PATTERN,
        "--signing-key",
        str(signing_key.resolve()),
        "--signing-alg",
        signing_alg,
        "--revision",
        revision,
        "--output",
        str(out.resolve()),
    ]
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        command, cwd=policies_dir, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BundleBuildFailed(f"opa build failed: {result.stderr.strip() or result.stdout}")
    return revision


def sidecar_command(bundle: Path, verification_key: str, signing_alg: str) -> list[str]:
    """How a sidecar serves the bundle: as the managed OPA (no version check, the read-optimised
    store; README.md, "Replicas") with decision logging on, so decisions get an id."""
    return [
        "opa",
        "run",
        "--server",
        SKIP_VERSION_CHECK,
        READ_OPTIMISED_STORE,
        "--bundle",
        str(bundle),
        "--verification-key",
        verification_key,
        "--signing-alg",
        signing_alg,
        "--set",
        "decision_logs.console=true",
    ]
