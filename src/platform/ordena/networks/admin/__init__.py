"""The network admin area (``/n/{network}/…``)."""
