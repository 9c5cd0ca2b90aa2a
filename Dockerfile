# syntax=docker/dockerfile:1
# tiergate: the API with its OPA binary (official image, pinned) and the policies.
# Must equal the OPA_VERSION file (tests/test_opa_version.py); a build arg cannot read a file.
ARG OPA_VERSION=1.22.3
ARG PYTHON_VERSION=3.11

# The official OPA release binary, pinned to the version the tests run against.
FROM openpolicyagent/opa:${OPA_VERSION}-static AS opa

FROM python:${PYTHON_VERSION}-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
RUN python -m venv /opt/venv && /opt/venv/bin/pip install .

FROM python:${PYTHON_VERSION}-slim AS runtime
RUN groupadd --system tiergate && useradd --system --gid tiergate --home /var/lib/tiergate tiergate \
    && install -d -o tiergate -g tiergate /var/lib/tiergate
COPY --from=opa /opa /usr/local/bin/opa
COPY --from=build /opt/venv /opt/venv
COPY policies /app/policies
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TIERGATE_HOST=0.0.0.0 \
    TIERGATE_PORT=8000 \
    TIERGATE_DATA_DIR=/var/lib/tiergate \
    TIERGATE_POLICIES_DIR=/app/policies \
    TIERGATE_OPA_BINARY=/usr/local/bin/opa
USER tiergate
WORKDIR /var/lib/tiergate
VOLUME ["/var/lib/tiergate"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['TIERGATE_PORT']}/readyz\", timeout=2)"]
ENTRYPOINT ["tiergate"]
CMD ["serve"]
