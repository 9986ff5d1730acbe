"""The JSON API (``/api/v1``): the same services as the pages, documented at ``/api/schema``.

Callers authenticate with a personal API token (``Authorization: Bearer ord_…``) or a browser
session; access is declared per handler exactly like the pages.
"""
