"""Sign-in endpoints: session login/logout for the browser, a token for scripts, and who am I."""

from __future__ import annotations

from django.middleware.csrf import get_token
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .serializers import CredentialsSerializer, CsrfSerializer, MeSerializer, TokenSerializer

THROTTLED = OpenApiResponse(
    description="Too many failed sign-ins for this username or from this address (TESSERA_LOGIN_FAILURES_*): "
    "even the right password is refused until the Retry-After header's seconds have passed."
)


class CsrfView(APIView):
    """Sets the CSRF cookie; the browser calls it once before its first unsafe request."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(responses=CsrfSerializer, summary="Set the CSRF cookie")
    def get(self, request: Request) -> Response:
        # get_token marks the cookie for (re)sending; CsrfViewMiddleware sets it on the response.
        return Response({"csrf_token": get_token(request._request)})


class LoginView(APIView):
    """Session sign-in. CSRF-protected even though the caller is anonymous (no login CSRF)."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        request=CredentialsSerializer, responses={200: MeSerializer, 429: THROTTLED}, summary="Sign in (session)"
    )
    def post(self, request: Request) -> Response:
        SessionAuthentication().enforce_csrf(request)  # 403 JSON "CSRF Failed: ..."
        data = CredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.sign_in(request._request, **data.validated_data)
        return Response(MeSerializer(selectors.me(user)).data)


class LogoutView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=None, responses={204: None}, summary="Sign out (session)")
    def post(self, request: Request) -> Response:
        services.sign_out(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer, summary="The signed-in user and their workspaces")
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(selectors.me(request.user)).data)


class TokenView(APIView):
    """For scripts: trade a username and password for a token (no session, no CSRF)."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        request=CredentialsSerializer, responses={200: TokenSerializer, 429: THROTTLED}, summary="Get an API token"
    )
    def post(self, request: Request) -> Response:
        data = CredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.check_credentials(request._request, **data.validated_data)
        return Response({"token": services.token_for(user)})
