"""The recording mocks: what a program registers, and nothing of ours imported with them."""

import subprocess
import sys

import pulumi

from cli.mocks import record
from tests.conftest import ROOT


def test_every_registration_keeps_its_parent_options_and_secret_inputs() -> None:
    def build() -> None:
        parent = pulumi.ComponentResource("test:index:Group", "group")
        pulumi.CustomResource(
            "test:index:Thing",
            "thing",
            {"plain": "p", "hidden": pulumi.Output.secret("s")},
            pulumi.ResourceOptions(parent=parent, protect=True),
        )

    (group, thing) = record(build, "test")
    assert (group.type, group.custom) == ("test:index:Group", False)
    assert (thing.parent_name, thing.protect, thing.custom) == ("group", True, True)
    assert thing.secret_inputs == frozenset({"hidden"})
    assert thing.inputs["plain"] == "p"


def test_importing_the_mocks_imports_no_provider_sdk_and_nothing_of_the_program() -> None:
    """A bare program measured against ours pays for the Pulumi SDK alone."""
    probe = (
        "import sys, cli.mocks; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'components', 'stacks', 'o11y', 'pulumi_kubernetes', 'pulumiverse_grafana'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
