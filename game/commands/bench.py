"""`persona bench [ROW...]`: speed rows against baselines measured in the same run."""

from __future__ import annotations

import argparse

from game.commands.common import fail, print_json


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``bench`` parser."""
    parser = sub.add_parser("bench", help="speed rows, each against a baseline measured in the same run",
                            description="Measure speed. Each row compares against a baseline measured in "
                                        "the same run and says whether its target is met. Name rows to run "
                                        "only those.")
    parser.add_argument("rows", nargs="*", metavar="ROW", help="rows to run (default: all)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--list", action="store_true", help="list the rows and exit")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run bench rows and print them."""
    from game.bench import ROWS, machine_info

    if args.list:
        for name, (description, _) in ROWS.items():
            print(f"{name:<16} {description}")
        return 0
    unknown = [r for r in args.rows if r not in ROWS]
    if unknown:
        return fail(f"unknown bench row(s): {', '.join(unknown)}; rows are: {', '.join(ROWS)}")
    names = args.rows or list(ROWS)
    if args.json:
        rows = [ROWS[name][1]() for name in names]
        print_json({"machine": machine_info(), "rows": [r.to_json() for r in rows]})
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console()
    rows = []
    with console.status("measuring...") as status:
        for name in names:
            status.update(f"measuring {name}: {ROWS[name][0]}")
            rows.append(ROWS[name][1]())
    table = Table(title="persona bench (medians; baselines measured in the same run)")
    for column in ("row", "value", "baseline", "ratio", "target", "met"):
        table.add_column(column)
    for row in rows:
        table.add_row(row.name, f"{row.value:.2f} {row.unit}", f"{row.baseline}: {row.baseline_value:.2f}",
                      f"{row.ratio:.2f}x", row.target, "[green]yes[/]" if row.met else "[red]no[/]")
    console.print(table)
    return 0
