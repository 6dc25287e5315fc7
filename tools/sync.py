"""Keep notebooks, the exported package and README.md in step.

`python tools/sync.py` cleans the notebooks (nbdev-clean), exports them to metacpo/
(nbdev-export) and renders README.md from nbs/index.ipynb. With `--check` it does the
same and fails, listing the files that changed, if any did: then the committed
notebooks, metacpo/ and README.md were out of sync.
"""
import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
INDEX = ROOT / "nbs" / "index.ipynb"
README = ROOT / "README.md"
HEADER = "<!-- Generated from nbs/index.ipynb by tools/sync.py: edit the notebook, not this file. -->\n\n"


def snapshot() -> dict:
    "Content hash of every file that cleaning, exporting or rendering may touch."
    files = [p for d in ("nbs", "metacpo") for p in (ROOT / d).rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts]
    files.append(README)
    return {str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
            for p in files}


def _strip_directives(source: str) -> str:
    return "\n".join(l for l in source.splitlines() if not l.startswith("#|")).strip()


def _is_hidden(source: str) -> bool:
    return any(l.replace(" ", "") == "#|hide" for l in source.splitlines())


def _output_text(output: dict) -> str:
    if output["output_type"] == "stream":
        return "".join(output["text"])
    return "".join(output.get("data", {}).get("text/plain", ""))


def render_readme(nb_path: Path = INDEX) -> str:
    "README.md text: the index notebook's markdown, its visible code in ```python blocks, and their text outputs."
    parts = []
    for cell in json.loads(nb_path.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            parts.append(source.strip())
        elif cell["cell_type"] == "code" and not _is_hidden(source):
            parts.append(f"```python\n{_strip_directives(source)}\n```")
            text = "".join(_output_text(o) for o in cell.get("outputs", [])).rstrip()
            if text:
                parts.append(f"```\n{text}\n```")
    return HEADER + "\n\n".join(p for p in parts if p) + "\n"


def sync():
    for tool in ("nbdev-clean", "nbdev-export"):
        subprocess.run([str(BIN / tool)], cwd=ROOT, check=True)
    README.write_text(render_readme())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if syncing changed any file")
    args = parser.parse_args()
    before = snapshot()
    sync()
    after = snapshot()
    changed = sorted(f for f in before.keys() | after.keys() if before.get(f) != after.get(f))
    if args.check and changed:
        sys.exit("Notebooks, metacpo/ and README.md were out of sync: nbdev-clean, nbdev-export and the README\n"
                 "rendering changed these files:\n  " + "\n  ".join(changed) + "\n"
                 "Edit notebooks, never metacpo/ or README.md by hand; review the changes now written\n"
                 "(git diff), commit them, and run `make test` again.")
    print(f"in sync ({len(after)} files checked)" if not changed else "synced: " + ", ".join(changed))


if __name__ == "__main__":
    main()
