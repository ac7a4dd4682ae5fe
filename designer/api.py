"""Shared API plumbing: JSON errors for every failure, never an HTML 500 page for bad input."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object changed since you loaded it."
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    """The request was well-formed but names things that do not fit (problems listed in ``problems``)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, detail: str, problems: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.problems = problems or []


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        from django.conf import settings

        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        exc = PayloadTooLarge(f"The request body is larger than the {limit} MB limit for JSON requests.")
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Unprocessable):
        response.data = {"detail": str(exc.detail), "problems": exc.problems}
    elif isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": "Some fields are invalid.", "fields": response.data}
    elif isinstance(response.data, list):
        response.data = {"detail": " ".join(str(x) for x in response.data)}
    return response
