"""The sizing engine of a reference revision, as a subprocess: one JSON request per stdin line,
one JSON answer per stdout line (tests/sizing/test_equivalence.py starts it).

Run with the reference tree first on PYTHONPATH, so `service` is that revision's package, not
the working tree's. argv: the reference tree, then the policies folder whose catalogue both
sides size against (the working tree's, so a catalogue edit does not read as a physics change).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    reference, policies = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    import service  # the reference revision's package (PYTHONPATH)

    where = Path(service.__file__).resolve()
    if reference not in where.parents:
        raise SystemExit(f"imported service from {where}, not from the reference {reference}")
    from service.errors import InvalidInput
    from service.sizing.catalog import load_catalog
    from service.sizing.models import SizingRequest
    from service.sizing.service import size_request

    catalog = load_catalog(policies)
    print(json.dumps({"ready": str(where)}), flush=True)
    for line in sys.stdin:
        request = SizingRequest.model_validate_json(line)  # the body as the caller sent it
        try:
            answer: dict[str, object] = {
                "result": size_request(request, catalog=catalog).model_dump_json()
            }
        except InvalidInput as exc:
            answer = {"invalid": [str(exc), exc.field]}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
