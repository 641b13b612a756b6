"""The Pulumi program's entry point: load the running stack, then build it (components/program.py)."""

from components.program import program
from stacks.loader import load_stack

loaded = load_stack()
program(loaded.stack, loaded.secrets)
