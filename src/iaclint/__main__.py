"""`python -m iaclint` runs the command line."""

from iaclint.cli import run

run()
