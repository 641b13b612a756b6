"""`slo` (cli/slo.py): Sloth specs to a rule file, and a bad spec named."""

import subprocess
from pathlib import Path

from tests.cli.run import ROOT, command


def test_slo_converts_a_sloth_spec_into_a_rule_file(tmp_path: Path, promtool: str) -> None:
    out = tmp_path / "rules.yaml"
    spec = ROOT / "tests" / "fixtures" / "sloth" / "getting-started" / "spec.yml"
    done = command("slo", str(spec), "--out", str(out))
    assert done.returncode == 0, done.stderr
    checked = subprocess.run(
        [promtool, "check", "rules", str(out)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_slo_names_the_bad_key_of_a_spec(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yml"
    spec.write_text(
        'version: "prometheus/v1"\nservice: x\nslos:\n  - name: a\n    objective: 120\n'
        '    sli: {events: {error_query: "e[{{.window}}]", total_query: "t[{{.window}}]"}}\n',
        encoding="utf-8",
    )
    done = command("slo", str(spec), "--out", str(tmp_path / "rules.yaml"))
    assert done.returncode == 2
    assert f"  {spec}: slos[0].objective: must be < 100" in done.stderr.splitlines()
    assert "Traceback" not in done.stderr
