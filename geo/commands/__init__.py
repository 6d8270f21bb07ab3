"""CLI commands, one module each; every module has ``configure(subparsers)``.

Adding a command is a new module plus one line in ``COMMANDS``.
"""

COMMANDS = [
    "geo.commands.export",
    "geo.commands.import_",
    "geo.commands.replay",
    "geo.commands.fetch",
    "geo.commands.diff",
    "geo.commands.stats",
]
