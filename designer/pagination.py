"""Pagination of every list in the REST API: ``?limit=&offset=``, at most MAX_LIMIT rows a page.

A limit is capped rather than passed on: an unbounded one (``?limit=10**30``) overflowed the database's
LIMIT and answered 500.
"""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination

MAX_LIMIT = 1000


class Pagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT
