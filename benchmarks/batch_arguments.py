"""The command line that every batch of runs in benchmarks/ shares: which families (where a batch has several), arms
and seeds, where to write, or only the report of what finished."""
import argparse
from pathlib import Path


def count(text: str) -> int:
    "A number of seeds: a whole number of at least 1."
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seeds: allowed are whole numbers >= 1")
    return int(text)


def batch_parser(doc: str, arms: tuple[str, ...], out: Path, families: tuple[str, ...] = ()) -> argparse.ArgumentParser:
    "The batch's parser (a script adds its own arguments); --out is made when parsed by `parse_batch`."
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    if families:
        parser.add_argument("--families", nargs="+", default=list(families), choices=families)
    parser.add_argument("--arms", nargs="+", default=list(arms), choices=arms)
    parser.add_argument("--seeds", type=count, default=5, help="seeds 0 to SEEDS - 1 (default 5)")
    parser.add_argument("--out", type=Path, default=out)
    parser.add_argument("--report", action="store_true", help="only write the summary, table and curves of finished runs")
    return parser


def parse_batch(parser: argparse.ArgumentParser) -> argparse.Namespace:
    "The parsed arguments, with the output directory made."
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    return args
