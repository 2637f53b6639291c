"""`python -m iaclint` and the `iaclint` command (`run`)."""

import gc


def run() -> None:
    """The command line, with the cyclic collector off before anything is imported.

    The process ends with `os._exit` (`iaclint.cli.run`), so nothing it builds is freed or needs
    collecting; left on, the collector walks the classes and functions that the imports create,
    again and again (1% of the instructions of a one-file scan). This module imports nothing else
    so that the collector is off before click and iaclint are imported. A caller that imports
    `iaclint.cli` (tests, CliRunner) keeps its collector.
    """
    gc.disable()
    from iaclint.cli import run as run_cli

    run_cli()


if __name__ == "__main__":
    run()
