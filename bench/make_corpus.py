"""Write the synthetic benchmark corpora: `python bench/make_corpus.py [--files 500] [--seed 1]`.

Terraform goes to `bench/corpus/terraform/`, CloudFormation to `bench/corpus/cloudformation/`
(both gitignored). The same seed always writes the same bytes, so runs are comparable.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import cfn_corpus
import tf_corpus

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "corpus"


def write(files: dict[str, str], root: Path) -> tuple[int, int]:
    """Replace `root` with `files`; return (file count, bytes)."""
    if root.exists():
        shutil.rmtree(root)
    total = 0
    for rel, text in sorted(files.items()):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return len(files), total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=500, help="files per corpus (default 500)")
    ap.add_argument("--bytes", type=int, default=2_000_000, help="about this many bytes per corpus (2 MB)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="parent directory of the corpora")
    ap.add_argument("--language", choices=["terraform", "cloudformation", "all"], default="all")
    args = ap.parse_args(argv)
    if args.files < 1:
        ap.error("--files must be at least 1")
    if args.language in ("terraform", "all"):
        n, size = write(tf_corpus.generate(args.files, args.bytes, args.seed), args.out / "terraform")
        print(f"terraform:      {n} files, {size / 1e6:.2f} MB in {args.out / 'terraform'}")
    if args.language in ("cloudformation", "all"):
        n, size = write(cfn_corpus.generate(args.files, args.bytes, args.seed), args.out / "cloudformation")
        print(f"cloudformation: {n} files, {size / 1e6:.2f} MB in {args.out / 'cloudformation'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
