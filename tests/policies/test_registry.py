"""policies/tiergate/lib/registry.rego is generated from the rule packages on disk: it must be a
fresh build, so a rule package added (or an emission added to one) without regenerating it fails
here instead of being silently left out of every decision."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

from tests.support.builders import POLICIES_DIR


def _generator() -> ModuleType:
    path = POLICIES_DIR.parent / "scripts" / "build_rule_registry.py"
    spec = importlib.util.spec_from_file_location("build_rule_registry", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_registry_is_a_fresh_build_of_the_rule_packages() -> None:
    generator = _generator()
    assert generator.REGISTRY == POLICIES_DIR / "tiergate" / "lib" / "registry.rego"
    assert generator.REGISTRY.read_text(encoding="utf-8") == generator.build(), (
        "lib/registry.rego is stale: run python3 scripts/build_rule_registry.py"
    )


def test_every_rule_package_on_disk_is_in_the_registry() -> None:
    on_disk = {
        f"{path.parent.name}.{path.stem}"
        for path in (POLICIES_DIR / "tiergate" / "rules").glob("*/*.rego")
        if not path.name.endswith("_test.rego")
    }
    assert set(_generator().emissions()) == on_disk


def test_a_new_rule_package_changes_the_registry(tmp_path: Path) -> None:
    generator = _generator()
    rules = tmp_path / "rules"
    shutil.copytree(POLICIES_DIR / "tiergate" / "rules", rules)
    (rules / "tier" / "brand_new.rego").write_text(
        "package tiergate.rules.tier.brand_new\n\n"
        'deny contains "x" if input.x\n\n'
        'substitution := "required" if input.x\n',
        encoding="utf-8",
    )
    found = generator.emissions(rules)
    assert found["tier.brand_new"] == {"deny", "substitution"}
    source = generator.build(rules)
    assert "rules.tier.brand_new.deny," in source
    assert "substitution contains rules.tier.brand_new.substitution" in source
    assert source != generator.REGISTRY.read_text(encoding="utf-8")


def test_emissions_read_rule_heads_not_helpers() -> None:
    found = _generator().emissions()
    assert found["domestic.finance_critical"] == {"substitution", "excluded_ids", "deny"}
    assert found["obligations.mlps_filing"] == {"obligation"}
    assert found["tier.below_minimum"] == {"deny"}
