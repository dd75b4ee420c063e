"""The ``kg`` command line: one thin module per command (see :mod:`kg.cli.app`)."""
