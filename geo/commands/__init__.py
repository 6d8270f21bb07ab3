"""CLI commands, one module each; every module has ``configure(subparsers)``.

Adding a command is a new module plus one line in ``COMMANDS``.
"""

COMMANDS = [
    "geo.commands.export",
    "geo.commands.import_",
]
