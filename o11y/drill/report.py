"""The drill's scenario table, as the command prints it."""

from o11y.drill.run import Outcome


def minutes(seconds: float) -> str:
    return f"{int(seconds) // 60}m{int(seconds) % 60:02d}s"


def scenario_table(outcomes: list[Outcome], unexercised: tuple[str, ...]) -> str:
    lines = []
    for outcome in outcomes:
        verdict = "PASS" if outcome.passed else "FAIL"
        lines.append(
            f"{verdict}  {outcome.scenario}: {outcome.description} ({minutes(outcome.seconds)})"
        )
        for fired in outcome.fired:
            severity = fired.labels.get("severity", "?")
            if not outcome.expected:  # the baseline: what fires with nothing broken
                lines.append(f"      firing  {fired.alert} [{severity}]")
                continue
            mark = "expected" if fired.alert in outcome.expected else "also"
            lines.append(
                f"      fired  {fired.alert} [{severity}] after {minutes(fired.after)} ({mark})"
            )
        for note in outcome.notifications:
            lines.append(f"      sent   {note}")
        if outcome.inhibited:
            lines.append(f"      inhibited  {', '.join(sorted(outcome.inhibited))}")
        for problem in outcome.problems:
            lines.append(f"      problem  {problem}")
    lines.append("")
    lines.append(f"Not exercised here (no local source), {len(unexercised)} alerts:")
    lines.append("  " + ", ".join(unexercised))
    passed = sum(o.passed for o in outcomes)
    lines.append("")
    lines.append(f"{passed}/{len(outcomes)} passed")
    return "\n".join(lines)
