"""The command line above the Pulumi program: `python -m cli plan|render|check|...`.

It reads a stack file once, runs the program (components/program.py) in this process under
Pulumi mocks, and renders, checks and compares what the core (o11y/) generated for it.
"""
