"""Web UI pages (in-process): sign-in, sessions, CSRF, roles, what each page shows."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from service.auth import service as auth_service
from service.roles import Role
from tests.conftest import POLICIES_DIR, decision_request

PAGES = ("/ui/dashboard", "/ui/decisions", "/ui/verify", "/ui/rules", "/ui/evidence")


@pytest.fixture
def ui(make_settings):  # type: ignore[no-untyped-def]
    """A browser-like client (no API key header) of an app with authentication on."""
    from service.main import create_app

    with TestClient(create_app(make_settings(auth_enabled=True)), follow_redirects=False) as c:
        yield c


def _key(ui: TestClient, *roles: Role, name: str = "auditor") -> str:
    return auth_service.create(ui.app.state.runtime.db, roles=list(roles), name=name).key  # type: ignore[attr-defined]


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "form without csrf_token"
    return match.group(1)


def _sign_in(ui: TestClient, key: str) -> None:
    form = ui.get("/ui/")
    answer = ui.post("/ui/sign-in", data={"api_key": key, "csrf_token": _csrf(form.text)})
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/dashboard"


def _decide(ui: TestClient, key: str, **context: object) -> dict[str, object]:
    answer = ui.post(
        "/v1/decisions",
        json=decision_request(**context),
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_pages_redirect_to_sign_in_without_a_session(ui: TestClient) -> None:
    assert 'href="/ui/decisions"' not in ui.get("/ui/").text  # no menu before sign-in
    for page in PAGES:
        answer = ui.get(page)
        assert answer.status_code == 303 and answer.headers["location"] == "/ui/", page


def test_session_cookie_is_httponly_strict_and_pages_send_a_strict_csp(ui: TestClient) -> None:
    key = _key(ui, Role.auditor)
    form = ui.get("/ui/")
    assert 'name="api_key"' in form.text
    answer = ui.post("/ui/sign-in", data={"api_key": key, "csrf_token": _csrf(form.text)})
    cookie = answer.headers["set-cookie"]
    assert "tg_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain HTTP in tests; set when served over TLS
    assert key not in cookie
    for page in PAGES:
        page_answer = ui.get(page)
        assert page_answer.status_code == 200, page
        csp = page_answer.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp.replace("default-src", "")
        assert "<script" not in page_answer.text and " style=" not in page_answer.text, page
        assert 'lang="zh-CN"' in page_answer.text


def test_wrong_key_is_refused_on_the_sign_in_page(ui: TestClient) -> None:
    form = ui.get("/ui/")
    answer = ui.post("/ui/sign-in", data={"api_key": "tgk_nope.x", "csrf_token": _csrf(form.text)})
    assert answer.status_code == 401 and "密钥无效或已吊销" in answer.text


def test_sign_in_and_forms_without_csrf_token_are_refused(ui: TestClient) -> None:
    key = _key(ui, Role.auditor)
    ui.get("/ui/")
    assert ui.post("/ui/sign-in", data={"api_key": key}).status_code == 403
    _sign_in(ui, key)
    for path in ("/ui/verify", "/ui/evidence", "/ui/sign-out"):
        answer = ui.post(path, data={})
        assert answer.status_code == 403 and "CSRF" in answer.text, path
        assert ui.post(path, data={"csrf_token": "forged"}).status_code == 403, path
    assert ui.get("/ui/dashboard").status_code == 200  # still signed in


def test_submitter_sees_403_pages(ui: TestClient) -> None:
    _sign_in(ui, _key(ui, Role.submitter, name="portal"))
    for page in PAGES:
        answer = ui.get(page)
        assert answer.status_code == 403, page
        assert "无权访问" in answer.text and "审计员" in answer.text


def test_revoked_key_ends_its_session(ui: TestClient) -> None:
    key = _key(ui, Role.auditor)
    _sign_in(ui, key)
    auth_service.revoke(ui.app.state.runtime.db, key.split(".")[0])  # type: ignore[attr-defined]
    assert ui.get("/ui/dashboard").status_code == 303


def test_record_page_shows_ladder_reasons_and_integrity(ui: TestClient) -> None:
    admin = _key(ui, *Role, name="合规部 张三")
    record = _decide(ui, admin, sector="defense", state_secret="confidential")
    _sign_in(ui, admin)
    page = ui.get(f"/ui/decisions/{record['id']}").text
    ladder = json.loads((POLICIES_DIR / "tiergate/reference/tiers/data.json").read_text())["ladder"]
    for tier in ladder:  # the names the policy data gives each tier
        assert tier["name_zh"] in page
    request_card = page.split("<h2>申请内容</h2>")[1].split("</section>")[0]
    assert "机密" in request_card and "军工国防" in request_card  # enum values read as Chinese
    assert "confidential" not in request_card and "defense" not in request_card
    assert record["violations"] or record["obligations"]
    for item in record["violations"] + record["obligations"]:  # type: ignore[operator]
        assert item["message_zh"] in page and item["message"].replace("'", "&#39;") in page
    assert "已通过 ✓" in page and record["integrity"]["hash"] in page  # type: ignore[index]
    assert "合规部 张三" in page
    assert "<svg" in page  # the memory chart
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", page)
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:", page)  # no raw RFC 3339


def test_list_filters_and_pages(ui: TestClient) -> None:
    admin = _key(ui, *Role)
    for sector in ("finance", "finance", "healthcare"):
        _decide(ui, admin, sector=sector)
    _sign_in(ui, admin)
    page = ui.get("/ui/decisions?sector=healthcare").text
    assert page.count('href="/ui/decisions/') == 1 and "医疗卫生" in page
    assert ui.get("/ui/decisions?sector=finance").text.count('href="/ui/decisions/') == 2
    bad = ui.get("/ui/decisions?sector=mars")
    assert bad.status_code == 422 and "筛选条件无效" in bad.text


def test_language_switch_and_safe_return(ui: TestClient) -> None:
    _sign_in(ui, _key(ui, Role.auditor))
    answer = ui.get("/ui/lang/en?next=/ui/rules")
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/rules"
    assert "Rule catalogue" in ui.get("/ui/rules").text
    assert ui.get("/ui/lang/en?next=https://evil.example/").headers["location"] == "/ui/"


def test_ui_verify_and_evidence_are_audited(ui: TestClient) -> None:
    admin = _key(ui, *Role, name="auditor-1")
    _decide(ui, admin)
    _sign_in(ui, admin)
    token = _csrf(ui.get("/ui/verify").text)
    verified = ui.post("/ui/verify", data={"csrf_token": token})
    assert verified.status_code == 200 and "哈希链完整" in verified.text
    pack = ui.post("/ui/evidence", data={"csrf_token": token, "since": "", "until": ""})
    assert pack.status_code == 200 and pack.content[:2] == b"PK"
    events = ui.get("/v1/audit-events", headers={"Authorization": f"Bearer {admin}"}).json()
    actions = [(e["action"], e["parameters"].get("via"), e["key_name"]) for e in events["items"]]
    assert actions == [
        ("evidence.download", "ui", "auditor-1"),
        ("decisions.verify", "ui", "auditor-1"),
    ]


def test_dashboard_lists_the_exceptions_expiring_within_30_days(ui: TestClient) -> None:
    from tests.exceptions.test_routes import exception_body, now, stamp

    approver = {"Authorization": f"Bearer {_key(ui, Role.approver, name='approver')}"}
    for days, reference in ((10, "风控委〔2026〕17号"), (200, "风控委〔2026〕18号")):
        body = exception_body(expires_at=stamp(now() + timedelta(days=days)), reference=reference)
        assert ui.post("/v1/exceptions", json=body, headers=approver).status_code == 201
    _sign_in(ui, _key(ui, Role.auditor))
    page = ui.get("/ui/dashboard").text
    section = page[page.index('id="expiring-exceptions"') :]
    assert "30 天内到期的例外" in section
    assert "风控委〔2026〕17号" in section  # expires in 10 days
    assert "风控委〔2026〕18号" not in section  # in 200 days
    assert "行业：金融" in section and "单位：已脱敏" in section and "申请层级：" in section
    expires = now() + timedelta(days=10)
    assert f"{expires.year}年{expires.month}月{expires.day}日" in section
    assert "hmac-sha256" not in section and "T00:00" not in section


def test_record_page_marks_a_violation_waived_by_an_exception(ui: TestClient) -> None:
    from tests.exceptions.test_routes import exception_body

    key = _key(ui, Role.approver, Role.submitter, Role.auditor)
    headers = {"Authorization": f"Bearer {key}"}
    exception = ui.post("/v1/exceptions", json=exception_body(), headers=headers).json()
    record = _decide(ui, key, requested_tier="shared_cloud")
    assert record["verdict"] == "allow"
    _sign_in(ui, key)
    page = ui.get(f"/ui/decisions/{record['id']}").text
    violations = page[page.index('id="violations"') : page.index('id="obligations"')]
    assert "已豁免" in violations
    assert f"<code>{exception['id']}</code>" in violations
    assert "不影响结论" in violations
