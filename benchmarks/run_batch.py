"""The command line that every batch of runs in benchmarks/ shares: which arms, how many seeds, where, or only the report."""
import argparse
from pathlib import Path


def batch_arguments(doc: str, arms: list[str], out: Path, families: list[str] | None = None) -> argparse.Namespace:
    "Parse the batch's arguments (with --families where the batch has several) and make its output directory."
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    if families:
        parser.add_argument("--families", nargs="+", default=list(families), choices=families)
    parser.add_argument("--arms", nargs="+", default=list(arms), choices=arms)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=out)
    parser.add_argument("--report", action="store_true", help="only write the summary, table and curves of finished runs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    return args
