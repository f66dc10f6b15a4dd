"""pytest plugin (entry point `pytest11: s2s`): `--s2s-update-snapshots` rewrites snapshot files.

With the option, `s2s.testing.assert_source_matches` writes the generated text
to its file instead of comparing (the same switch as `S2S_UPDATE_SNAPSHOTS=1`),
and the terminal summary lists the files written. Without it the plugin changes
nothing. When s2s is not installed, enable it with `-p s2s.pytest_plugin`.
"""
from __future__ import annotations

from s2s import testing


def pytest_addoption(parser):
    group = parser.getgroup("s2s")
    group.addoption("--s2s-update-snapshots", action="store_true", default=False,
                    help="write the generated source to the snapshot files of "
                         "s2s.testing.assert_source_matches instead of comparing with them")


def pytest_configure(config):
    config._s2s_written_from = len(testing.written)
    if config.getoption("s2s_update_snapshots", False):
        testing._update_override = True


def pytest_unconfigure(config):
    if config.getoption("s2s_update_snapshots", False):
        testing._update_override = None


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    paths = testing.written[getattr(config, "_s2s_written_from", 0):]
    if paths:
        terminalreporter.write_sep("-", "s2s snapshots written")
        for path in paths:
            terminalreporter.write_line(path)
