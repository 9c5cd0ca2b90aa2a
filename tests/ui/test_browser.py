"""The web UI in a real headless Chromium (Debian's package, driven by Playwright) against a
real `tiergate serve` on the session OPA. The server starts on an empty database, so the
first-start banner is where the test gets its key.

Screenshots of every page go to build/ui-screenshots/ (printed); docs/ui/ holds a few copies.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from service.evidence.verify import verify_pack
from service.roles import Role
from service.settings import PROJECT_ROOT
from tests import serving
from tests.conftest import decision_request
from tests.exceptions.test_routes import exception_body, now, stamp

CHROMIUM = "/usr/bin/chromium"
SHOTS = PROJECT_ROOT / "build" / "ui-screenshots"


@dataclass
class Server:
    base: str
    admin_key: str
    submitter_key: str
    defense_id: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, opa_url: str) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("ui-server")
    env = serving.serve_env(folder / "data", opa_url, auth_enabled="true")
    out = (folder / "stdout.log").open("wb")
    process = serving.spawn(env, output=out, ready=False)
    base = serving.base_url(env)
    try:
        serving.wait_ready(base, process)
        log = (folder / "stdout.log").read_text(encoding="utf-8", errors="replace")
        found = re.search(r"^\s+(tgk_[0-9a-f]{8}\.\S+)$", log, re.MULTILINE)
        assert found, f"no first-start key banner in:\n{log[:2000]}"
        assert f"{base}/ui/" in log and "首次启动" in log
        admin = found.group(1)
        headers = {"Authorization": f"Bearer {admin}"}
        submitter = httpx.post(
            f"{base}/v1/keys/api",
            json={"roles": ["submitter"], "name": "采购门户"},
            headers=headers,
        ).json()["key"]
        defense_id = ""
        for context in (
            {"sector": "finance"},
            {"sector": "finance", "data_class": "important", "core_business": True},
            {"sector": "healthcare", "personal_information": True},
            {"sector": "internet", "public_service": True},
            {"sector": "defense", "state_secret": "confidential", "requested_tier": "vpc"},
            {"sector": "government", "requested_accelerator": "nvidia-h20"},
        ):
            answer = httpx.post(
                f"{base}/v1/decisions",
                json=decision_request(**context),
                headers={"Authorization": f"Bearer {submitter}"},
                timeout=30,
            )
            assert answer.status_code == 201, answer.text
            if context["sector"] == "defense":
                defense_id = answer.json()["id"]
        # after the decisions, so none considers it: one exception expiring within 30 days
        exception = exception_body(expires_at=stamp(now() + timedelta(days=20)))
        answer = httpx.post(f"{base}/v1/exceptions", json=exception, headers=headers, timeout=30)
        assert answer.status_code == 201, answer.text
        yield Server(base, admin, submitter, defense_id)
    finally:
        serving.stop(process)
        out.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run scripts/ensure-chromium.sh"
    SHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nUI screenshots: {SHOTS}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--lang=zh-CN"]
        )
        try:
            yield launched
        finally:
            launched.close()


def _page(browser: Browser, csp_errors: list[str]) -> Page:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            csp_errors.append(message.text)

    page.on("console", watch)
    return page


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _sign_in(page: Page, server: Server, key: str) -> None:
    page.goto(f"{server.base}/ui/")
    page.fill("input[name=api_key]", key)
    page.click("form[action='/ui/sign-in'] button[type=submit]")


def test_auditor_journey(browser: Browser, server: Server, tmp_path: Path) -> None:
    csp_errors: list[str] = []
    page = _page(browser, csp_errors)
    page.goto(f"{server.base}/ui/")
    assert page.locator("input[name=api_key]").is_visible()
    _shot(page, "01-sign-in")

    _sign_in(page, server, server.admin_key)
    page.wait_for_url(f"{server.base}/ui/dashboard")
    assert "概览" in page.locator("h1").inner_text()
    assert page.locator("svg.chart").count() == 4
    assert "不予" in page.locator("p.big").inner_text()  # e.g. the government request for an H20
    assert "风控委〔2026〕17号" in page.locator("#expiring-exceptions").inner_text()
    _shot(page, "02-dashboard")

    page.click("nav >> text=决策记录")
    assert page.locator("table.list tbody tr").count() == 6
    page.select_option("select[name=sector]", "finance")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r".*sector=finance.*"))
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 2
    assert all("金融" in rows.nth(i).inner_text() for i in range(2))
    _shot(page, "03-decision-list-filtered")

    page.goto(f"{server.base}/ui/decisions?sector=defense")
    page.click("table.list tbody tr >> text=查看")
    page.wait_for_url(f"{server.base}/ui/decisions/{server.defense_id}")
    ladder = page.locator("#ladder")
    assert ladder.locator("li.step").count() == 5
    assert "保密机房" in ladder.locator("li.is-selected").inner_text()
    assert "选定" in ladder.inner_text() and "最低要求" in ladder.inner_text()
    assert "申请" in ladder.locator("li.step").nth(3).inner_text()  # vpc, 4th from the top
    reasons = page.locator("#violations").inner_text() + page.locator("#obligations").inner_text()
    assert re.search(r"[\u4e00-\u9fff]{6,}", reasons), "no Chinese reason on the record page"
    assert "已通过 ✓" in page.locator("#verified").inner_text()
    _shot(page, "04-record")

    page.click("nav >> text=链校验")
    page.click("form[action='/ui/verify'] button[type=submit]")
    assert "哈希链完整" in page.locator("#verify-result").inner_text()
    assert "6" in page.locator("#verify-result").inner_text()
    _shot(page, "05-verify")

    page.click("nav >> text=规则目录")
    assert page.locator("table.rules tbody tr").count() >= 5
    _shot(page, "06-rules")

    page.click("nav >> text=证据包")
    _shot(page, "07-evidence")
    with page.expect_download() as download_info:
        page.click("form[action='/ui/evidence'] button[type=submit]")
    pack = tmp_path / "pack.zip"
    download_info.value.save_as(pack)
    result = verify_pack(pack)
    assert result.ok and result.checked == 6, result

    # a form posted without its CSRF token is refused (same cookies as the browser)
    refused = page.context.request.post(f"{server.base}/ui/verify", form={})
    assert refused.status == 403 and "CSRF" in refused.text()

    page.goto(f"{server.base}/ui/decisions/{server.defense_id}")
    page.click("a.lang")
    assert "Security ladder" in page.locator("#ladder").inner_text()
    assert "classified facility" in page.locator("#ladder").inner_text().lower()
    _shot(page, "08-record-english")
    page.click("a.lang")  # back to Chinese

    page.click("form[action='/ui/sign-out'] button[type=submit]")
    page.wait_for_url(f"{server.base}/ui/")
    assert page.locator("input[name=api_key]").is_visible()
    page.goto(f"{server.base}/ui/decisions")
    assert page.url == f"{server.base}/ui/"  # signed out: back to sign-in
    assert csp_errors == []
    page.context.close()


def test_wrong_role_sees_403_pages(browser: Browser, server: Server) -> None:
    csp_errors: list[str] = []
    page = _page(browser, csp_errors)
    _sign_in(page, server, server.submitter_key)
    page.wait_for_load_state()
    assert "无权访问" in page.locator("h1").inner_text()
    _shot(page, "09-forbidden")
    for path in ("/ui/decisions", f"/ui/decisions/{server.defense_id}", "/ui/evidence"):
        answer = page.goto(f"{server.base}{path}")
        assert answer is not None and answer.status == 403, path
        assert "审计员" in page.locator("main").inner_text()
    assert csp_errors == []
    page.context.close()


def test_wrong_key_stays_on_sign_in(browser: Browser, server: Server) -> None:
    page = _page(browser, [])
    _sign_in(page, server, "tgk_00000000.not-a-key")
    assert "密钥无效或已吊销" in page.locator("[role=alert]").inner_text()
    page.context.close()


def test_first_start_key_only_once(server: Server) -> None:
    """The banner's key works against the API, and it is stored only as a hash."""
    answer = httpx.get(
        f"{server.base}/v1/keys/api", headers={"Authorization": f"Bearer {server.admin_key}"}
    )
    keys = answer.json()["items"]
    first = [k for k in keys if k["name"] == "first-start"]
    assert len(first) == 1 and set(first[0]["roles"]) == {role.value for role in Role}
    assert server.admin_key not in answer.text
    time.sleep(0)  # keep the module's server for the other tests
