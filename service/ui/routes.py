"""Pages of the web UI. Each page needs the roles of the API operation it mirrors
(service/auth/access.py), so a key sees in the browser exactly what it may read by API."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from service import __version__
from service.api.deps import DbDep, PolicyEngineDep, SettingsDep, get_db
from service.api.use_case_deps import MaskerDep, SigningKeyDep
from service.audit import service as audit
from service.auth import service as auth_service
from service.auth.access import required_roles
from service.auth.models import Principal
from service.decisions import audit as decisions_audit
from service.decisions import repository as decisions_repository
from service.decisions import service as decisions
from service.decisions.chain import GENESIS_HASH, public_key_from_b64
from service.decisions.repository import DecisionFilter
from service.decisions.sealing import record_dict
from service.decisions.verify import check_record
from service.errors import TiergateError, Unauthorized
from service.evidence import repository as evidence_repository
from service.evidence.pack import Period
from service.evidence.routes import pack_download
from service.evidence.summary import summarize
from service.exceptions import service as exceptions
from service.labels import (
    LANGS,
    PROCUREMENTS,
    RESOURCE_FORMS,
    SEVERITIES,
    STATE_SECRETS,
    VERDICTS,
    YES_NO,
    Lang,
    PolicyNames,
    date_text,
    joined,
    label,
    policy_names,
)
from service.policies.vocabulary import Sector, Tier, Verdict
from service.ui import text
from service.ui.session import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_SECONDS,
    Session,
    Signer,
    tokens_match,
)

HERE = Path(__file__).resolve().parent
LANG_COOKIE = "tg_lang"
# No scripts at all, styles only from the app's own stylesheet, nothing framed or posted elsewhere.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

router = APIRouter(prefix="/ui", include_in_schema=False)
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["figure"] = text.figure


class PageRefused(Exception):
    """Stop rendering a page and send `response` instead (sign-in redirect, 403, 404 pages)."""

    def __init__(self, response: Response) -> None:
        self.response = response


def install(app: FastAPI) -> None:
    """Mount the UI: its pages, its stylesheet, and the handler of refused pages."""
    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=HERE / "static"), name="ui-static")

    async def _refused(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageRefused)
        return exc.response

    app.add_exception_handler(PageRefused, _refused)


# ---------------------------------------------------------------- plumbing


def _signer(request: Request) -> Signer:
    signer: Signer | None = getattr(request.app.state, "ui_signer", None)
    if signer is None:
        signer = Signer.from_file(request.app.state.settings.data_dir / "ui-session-secret")
        request.app.state.ui_signer = signer
    return signer


def _lang(request: Request) -> Lang:
    return "en" if request.cookies.get(LANG_COOKIE) == "en" else "zh"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    principal: Principal | None = None,
    session: Session | None = None,
    **context: Any,
) -> HTMLResponse:
    lang = _lang(request)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "t": lambda key: text.t(key, lang),
            "label": lambda table, value: label(table, value, lang),
            "date": lambda value, with_time=True: date_text(value, lang, with_time=with_time),
            "joined": lambda items: joined(list(items), lang),
            "principal": principal,
            # the menu: for a signed-in key, or everyone when authentication is off
            "signed_in": principal is not None or not request.app.state.access.enabled,
            "csrf_token": session.csrf_token if session else "",
            "role_names": text.ROLE_NAMES,
            "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            "version": __version__,
            **context,
        },
        status_code=status_code,
    )
    response.headers.update(SECURITY_HEADERS)
    return response


def _named(names: PolicyNames) -> dict[str, Any]:
    """What every page that shows sectors and verdicts passes its template."""
    return {"names": names, "sectors": names.sectors, "verdicts": VERDICTS}


def _redirect(url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    response.headers.update(SECURITY_HEADERS)
    return response


async def _signed_in(request: Request) -> tuple[Principal | None, Session | None]:
    """The principal of the session cookie, or a redirect to sign-in. With authentication off
    (local experiments) every page is open, as the API is."""
    if not request.app.state.access.enabled:
        return None, Session(key_id="", csrf_token=_anonymous_csrf(request), expires=0)
    session = _signer(request).session(request.cookies.get(SESSION_COOKIE))
    if session is not None:
        principal = await run_in_threadpool(
            auth_service.active_principal, await get_db(request), session.key_id
        )
        if principal is not None:
            return principal, session
    raise PageRefused(_redirect("/ui/"))


def _anonymous_csrf(request: Request) -> str:
    return _signer(request).dumps({"anonymous": True})[-32:]


async def _page(
    request: Request, method: str, template: str
) -> tuple[Principal | None, Session | None]:
    """Sign-in and role check for a page that mirrors the API operation (method, template)."""
    principal, session = await _signed_in(request)
    needed = required_roles(request.app.routes, method, template) or frozenset()
    if principal is not None and not principal.roles & needed:
        lang = _lang(request)
        roles = joined([label(text.ROLE_NAMES, r.value, lang) for r in sorted(needed)], lang)
        raise PageRefused(
            _render(
                request,
                "error.html",
                status_code=403,
                principal=principal,
                session=session,
                title=text.t("forbidden", lang),
                message=text.t("forbidden_help", lang).format(roles=roles),
            )
        )
    return principal, session


async def _form(request: Request, session: Session | None) -> Mapping[str, Any]:
    """The posted form, after its CSRF token was checked against the session's."""
    form = await request.form()
    if session is None or not tokens_match(form.get("csrf_token"), session.csrf_token):
        raise PageRefused(_csrf_refused(request))
    return form


def _csrf_refused(request: Request) -> HTMLResponse:
    lang = _lang(request)
    return _render(
        request,
        "error.html",
        status_code=403,
        title=text.t("csrf", lang),
        message=text.t("csrf_help", lang),
    )


def _day(value: str | None, field: str, *, end: bool = False) -> datetime | None:
    """A date input (YYYY-MM-DD) as a UTC instant; `end` gives the next midnight (inclusive)."""
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise ValueError(field) from exc
    return day + timedelta(days=1) if end else day


# ---------------------------------------------------------------- sign-in, sign-out, language


@router.get("/", response_class=HTMLResponse)
async def signin_page(request: Request) -> Response:
    """The sign-in form (or the dashboard when already signed in)."""
    try:
        await _signed_in(request)
        return _redirect("/ui/dashboard")
    except PageRefused:
        pass
    return _signin_form(request)


def _signin_form(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    # Double submit: the form's token is derived from a signed HttpOnly cookie set with it.
    cookie_token = _signer(request).dumps({"signin": True, "n": secrets.token_urlsafe(12)})
    token = Session(key_id="", csrf_token=cookie_token.rsplit(".", 1)[1][:32], expires=0)
    response = _render(request, "signin.html", status_code=status, session=token, error=error)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        cookie_token,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/ui/",
    )
    return response


@router.post("/sign-in")
async def sign_in(request: Request, db: DbDep) -> Response:
    """Exchange an API key for a session cookie (HttpOnly, SameSite=Strict)."""
    form = await request.form()
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if _signer(request).loads(cookie) is None or not tokens_match(
        form.get("csrf_token"), cookie.rsplit(".", 1)[-1][:32]
    ):
        return _csrf_refused(request)
    key = form.get("api_key")
    try:
        if not isinstance(key, str):
            raise Unauthorized("no key")
        principal = await run_in_threadpool(auth_service.authenticate, db, key.strip())
    except Unauthorized:
        return _signin_form(request, error=text.t("bad_key", _lang(request)), status=401)
    _session, value = _signer(request).new_session(principal.key_id)
    response = _redirect("/ui/dashboard")
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/ui/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/ui/")
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    """End the session."""
    _principal, session = await _signed_in(request)
    await _form(request, session)
    response = _redirect("/ui/")
    response.delete_cookie(SESSION_COOKIE, path="/ui/")
    return response


@router.get("/lang/{code}")
async def set_language(request: Request, code: str, next: str = "/ui/") -> Response:
    """Switch the UI language (a preference cookie), then go back to the page."""
    target = next if next.startswith("/ui/") and not next.startswith("//") else "/ui/"
    response = _redirect(target)
    if code in LANGS:
        response.set_cookie(
            LANG_COOKIE,
            code,
            max_age=365 * 86400,
            samesite="strict",
            path="/ui/",
            secure=_secure(request),
        )
    return response


# ---------------------------------------------------------------- pages


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    """Decisions per day, deny rate by sector, tiers selected, most frequent rules (30 days)."""
    principal, session = await _page(request, "GET", "/v1/decisions")
    since = datetime.now(UTC) - timedelta(days=30)
    entries = await run_in_threadpool(
        evidence_repository.index_entries, db, since=since, until=None
    )
    names = policy_names(settings.policies_dir)
    summary = summarize(entries, tier_order=names.tier_order, top_rules=10)
    lang = _lang(request)
    highest_rate = max((row.rate for row in summary.deny_rate_by_sector), default=0.0)
    charts = {
        "days": [
            (date_text(b.key, lang, with_time=False), b.count, b.share) for b in summary.by_day
        ],
        "deny_rate": [
            (row.sector, row.rate, row.rate / highest_rate if highest_rate else 0.0)
            for row in summary.deny_rate_by_sector
        ],
        "tiers": [(b.key, b.count, b.share) for b in summary.by_tier],
        "rules": [(b.key, b.count, b.share) for b in summary.by_rule],
    }
    expiring = await run_in_threadpool(exceptions.expiring_soon, db, datetime.now(UTC))
    return _render(
        request,
        "dashboard.html",
        expiring=expiring["items"],
        principal=principal,
        session=session,
        summary=summary,
        charts=charts,
        **_named(names),
    )


@router.get("/decisions", response_class=HTMLResponse)
async def decision_list(
    request: Request, db: DbDep, settings: SettingsDep, masker: MaskerDep
) -> Response:
    """The decision list with the API's filters and cursor paging."""
    principal, session = await _page(request, "GET", "/v1/decisions")
    query = request.query_params
    chosen = {
        name: query.get(name, "").strip()
        for name in ("sector", "verdict", "tier", "rule_id", "organization", "since", "until")
    }
    error = None
    page: dict[str, Any] = {"items": [], "next_cursor": None}
    try:
        filters = DecisionFilter(
            sector=Sector(chosen["sector"]) if chosen["sector"] else None,
            verdict=Verdict(chosen["verdict"]) if chosen["verdict"] else None,
            tier=Tier(chosen["tier"]) if chosen["tier"] else None,
            rule_id=chosen["rule_id"] or None,
            organization=chosen["organization"] or None,
            since=_day(chosen["since"], "since"),
            until=_day(chosen["until"], "until", end=True),
        )
        page = await run_in_threadpool(
            decisions.list_decisions,
            db,
            filters=filters,
            limit=25,
            cursor=query.get("cursor") or None,
            masker=masker,
        )
    except (ValueError, TiergateError) as exc:
        error = f"{text.t('bad_filter', _lang(request))}: {exc}"
    next_url = None
    if page["next_cursor"]:
        kept = {k: v for k, v in chosen.items() if v}
        next_url = "/ui/decisions?" + urlencode({**kept, "cursor": page["next_cursor"]})
    names = policy_names(settings.policies_dir)
    return _render(
        request,
        "decisions.html",
        status_code=422 if error else 200,
        principal=principal,
        session=session,
        items=page["items"],
        next_url=next_url,
        paged=bool(query.get("cursor")),
        chosen=chosen,
        error=error,
        **_named(names),
    )


@router.get("/decisions/{decision_id}", response_class=HTMLResponse)
async def decision_page(
    request: Request,
    decision_id: str,
    db: DbDep,
    settings: SettingsDep,
    policy_engine: PolicyEngineDep,
) -> Response:
    """One record: request, ladder, reasons with their regulation, memory, plans, integrity."""
    principal, session = await _page(request, "GET", "/v1/decisions/{decision_id}")
    row = await run_in_threadpool(decisions_repository.get, db, decision_id)
    if row is None:
        lang = _lang(request)
        return _render(
            request,
            "error.html",
            status_code=404,
            principal=principal,
            session=session,
            title=text.t("not_found", lang),
            message=decision_id,
        )
    record = record_dict(row)
    verified, problem = await run_in_threadpool(_verify_one, db, record)
    try:
        rules = {r["rule_id"]: r for r in await policy_engine.catalogue()}
    except TiergateError:
        rules = {}  # the page still shows the sealed record; titles need the policy engine
    names = policy_names(settings.policies_dir)
    tier = record["tier"]
    ladder = [
        {
            "id": tier_id,
            "names": names.tiers[tier_id],
            "requested": tier.get("requested") == tier_id,
            "minimum": tier.get("minimum") == tier_id,
            "selected": tier.get("selected") == tier_id,
            "allowed": tier_id in tier.get("allowed", []),
        }
        for tier_id in names.tier_order
    ]
    return _render(
        request,
        "decision.html",
        principal=principal,
        session=session,
        record=record,
        ladder=ladder,
        rules=rules,
        verified=verified,
        problem=problem,
        context_rows=_context_rows(record, names, _lang(request)),
        workload_rows=[
            (path, _shown(value, _lang(request)))
            for path, value in _flatten(record["request"].get("workload", {}), "workload.")
        ],
        masked=set(record.get("masked_fields", [])),
        memory=_memory_bars(record["sizing"].get("per_device_gb") or {}),
        memory_job=_memory_bars(record["sizing"].get("memory_gb") or {}),
        memory_parts=text.MEMORY_PARTS,
        **_named(names),
        severities=SEVERITIES,
        resource_forms=RESOURCE_FORMS,
    )


def _verify_one(db: Any, record: dict[str, Any]) -> tuple[bool, str | None]:
    """This record checked on its own: hash, signature, and its link to the record before."""
    seq = int(record["integrity"]["seq"])
    expected_prev = GENESIS_HASH
    if seq > 1:
        before = next(iter(evidence_repository.rows_between(db, seq - 1, seq - 1)), None)
        expected_prev = before.hash if before else "(record before is missing)"
    keys = {
        row.key_id: public_key_from_b64(row.public_key)
        for row in decisions_repository.signing_keys(db)
    }
    problem = check_record(record, expected_seq=seq, expected_prev=expected_prev, keys=keys)
    return problem is None, problem


def _flatten(value: Any, prefix: str) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        rows: list[tuple[str, Any]] = []
        for key, inner in value.items():
            rows.extend(_flatten(inner, f"{prefix}{key}."))
        return rows
    return [(prefix.rstrip("."), value)]


def _shown(value: Any, lang: Lang) -> str:
    if isinstance(value, bool):
        return YES_NO[value][0 if lang == "zh" else 1]
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return joined([str(v) for v in value], lang)
    return str(value)


def _context_rows(record: dict[str, Any], names: Any, lang: Lang) -> list[tuple[str, str, str]]:
    """(field path, label, value as read) of the request context."""
    tables: dict[str, Mapping[Any, tuple[str, str]]] = {
        "sector": names.sectors,
        "data_class": names.data_classes,
        "state_secret": STATE_SECRETS,
        "procurement": PROCUREMENTS,
        "region": names.regions,
        "headquarters": names.regions,
        "requested_tier": names.tiers,
    }
    rows = []
    masked = set(record.get("masked_fields", []))
    for field, value in record["request"].get("context", {}).items():
        path = f"context.{field}"
        heading = label(text.CONTEXT_FIELDS, field, lang)
        if path in masked:
            shown = text.t("masked", lang)
        elif isinstance(value, bool):
            shown = YES_NO[value][0 if lang == "zh" else 1]
        elif field == "evaluation_time":
            shown = date_text(value, lang)
        elif field in tables:
            shown = label(dict(tables[field]), value, lang)
        elif isinstance(value, dict):  # context.cross_border
            parts = [f"{label(text.CROSS_BORDER_FIELDS, k, lang)}：{v}" for k, v in value.items()]
            shown = "；".join(parts) if parts else "—"
        else:
            shown = _shown(value, lang)
        rows.append((path, heading, shown))
    return rows


def _memory_bars(breakdown: Mapping[str, Any]) -> list[tuple[str, float, float]]:
    parts = [(k, float(breakdown.get(k) or 0.0)) for k in text.MEMORY_PARTS]
    largest = max((v for _k, v in parts), default=0.0)
    return [(k, v, v / largest if largest else 0.0) for k, v in parts]


@router.get("/verify", response_class=HTMLResponse)
async def verify_page(request: Request) -> Response:
    """The chain verification form."""
    principal, session = await _page(request, "GET", "/v1/decisions/verify")
    return _render(request, "verify.html", principal=principal, session=session, result=None)


@router.post("/verify", response_class=HTMLResponse)
async def verify_chain(request: Request, db: DbDep) -> Response:
    """Walk the whole chain (audited like GET /v1/decisions/verify)."""
    principal, session = await _page(request, "GET", "/v1/decisions/verify")
    await _form(request, session)
    await run_in_threadpool(
        audit.record, db, action="decisions.verify", principal=principal, parameters={"via": "ui"}
    )
    result = await run_in_threadpool(decisions_audit.verify_with_key_ring, db)
    return _render(request, "verify.html", principal=principal, session=session, result=result)


@router.get("/rules", response_class=HTMLResponse)
async def rules_page(request: Request, policy_engine: PolicyEngineDep) -> Response:
    """The rule catalogue with each rule's METADATA."""
    principal, session = await _page(request, "GET", "/v1/policies")
    rules = sorted(await policy_engine.catalogue(), key=lambda r: str(r.get("rule_id")))
    revision = await policy_engine.ensure_in_sync()
    return _render(
        request,
        "rules.html",
        principal=principal,
        session=session,
        rules=rules,
        revision=revision,
        severities=SEVERITIES,
    )


@router.get("/evidence", response_class=HTMLResponse)
async def evidence_page(request: Request) -> Response:
    """The evidence pack form."""
    principal, session = await _page(request, "GET", "/v1/evidence")
    return _render(request, "evidence.html", principal=principal, session=session, error=None)


@router.post("/evidence")
async def evidence_download(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    policy_engine: PolicyEngineDep,
    signing_key: SigningKeyDep,
) -> Response:
    """Stream the evidence pack of the chosen period (audited like GET /v1/evidence)."""
    principal, session = await _page(request, "GET", "/v1/evidence")
    form = await _form(request, session)
    try:
        period = Period(
            since=_day(str(form.get("since") or ""), "since"),
            until=_day(str(form.get("until") or ""), "until", end=True),
        )
        parameters = {"via": "ui", "since": form.get("since"), "until": form.get("until")}
        await run_in_threadpool(
            audit.record,
            db,
            action="evidence.download",
            principal=principal,
            parameters=parameters,
        )
        return await pack_download(
            db,
            policy_engine=policy_engine,
            signing_key=signing_key,
            policies_dir=settings.policies_dir,
            period=period,
            headers=SECURITY_HEADERS,
        )
    except (ValueError, TiergateError) as exc:
        return _render(
            request,
            "evidence.html",
            status_code=422,
            principal=principal,
            session=session,
            error=str(exc),
        )
