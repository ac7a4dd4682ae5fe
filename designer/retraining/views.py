"""Retraining API: an endpoint's policy (viewers read, editors write), the choices it offers, the
challengers with both models' metrics, and an editor's approval or rejection."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from designer.endpoints.models import Endpoint
from designer.workspaces.rest import WorkspaceScopedView

from . import selectors, services
from .models import Challenger, RetrainingPolicy
from .serializers import (
    ChallengerDecisionSerializer,
    ChallengerDetailSerializer,
    ChallengerSerializer,
    RetrainingOptionsSerializer,
    RetrainingPolicySerializer,
    RetrainingPolicyWriteSerializer,
)

REFUSED = OpenApiResponse(description="A field does not fit (named in 'fields' or 'problems'); nothing was saved.")
NOT_PENDING = OpenApiResponse(description="The challenger is not pending (already decided, evaluating or failed).")


class EndpointScopedView(WorkspaceScopedView):
    queryset = Endpoint.objects.all()
    object_label = "endpoint"


class RetrainingPolicyView(EndpointScopedView):
    def _policy(self, endpoint: Endpoint) -> RetrainingPolicy:
        policy = RetrainingPolicy.objects.select_related("pipeline_endpoint").filter(endpoint=endpoint).first()
        if policy is None:
            raise NotFound(f"Endpoint '{endpoint.name}' has no retraining policy.")
        return policy

    @extend_schema(
        responses=RetrainingPolicySerializer, summary="The endpoint's retraining policy and its drift alarm's state"
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(RetrainingPolicySerializer(self._policy(self.get_object(pk))).data)

    @extend_schema(
        request=RetrainingPolicyWriteSerializer,
        responses={200: RetrainingPolicySerializer, 201: RetrainingPolicySerializer, 400: REFUSED},
        summary="Set the endpoint's retraining policy, replacing any it has (editor)",
    )
    def put(self, request: Request, pk: int) -> Response:
        body = RetrainingPolicyWriteSerializer(data=request.data)  # shape first: a 400 tells nothing of ``pk``
        body.is_valid(raise_exception=True)
        endpoint = self.get_object(pk)
        policy, created = services.save_policy(endpoint, request.user, body.validated_data)
        return Response(
            RetrainingPolicySerializer(policy).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(
        request=RetrainingPolicyWriteSerializer(partial=True),
        responses={200: RetrainingPolicySerializer, 400: REFUSED},
        summary="Change some fields of the endpoint's retraining policy (editor)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        body = RetrainingPolicyWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        endpoint = self.get_object(pk)
        self._policy(endpoint)
        policy, _ = services.save_policy(endpoint, request.user, body.validated_data, partial=True)
        return Response(RetrainingPolicySerializer(policy).data)

    @extend_schema(responses={204: None}, summary="Remove the retraining policy; challengers stay as a record (editor)")
    def delete(self, request: Request, pk: int) -> Response:
        services.delete_policy(self._policy(self.get_object(pk)), request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RetrainingOptionsView(EndpointScopedView):
    @extend_schema(
        responses=RetrainingOptionsSerializer,
        summary="What a retraining policy of this endpoint may name: metrics of its model, pipeline endpoints",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(selectors.options(self.get_object(pk)))


class EndpointChallengersView(EndpointScopedView):
    @extend_schema(responses=ChallengerSerializer(many=True), summary="Challengers of the endpoint, newest first")
    def get(self, request: Request, pk: int) -> Response:
        endpoint = self.get_object(pk)
        found = Challenger.objects.filter(endpoint=endpoint).select_related(
            "endpoint", "run", "decided_by", "registered_model"
        )
        return self.paginate(found, ChallengerSerializer)


class ChallengerViewBase(WorkspaceScopedView):
    queryset = Challenger.objects.select_related("endpoint", "run", "evaluation_run", "decided_by", "registered_model")
    object_label = "challenger"


class ChallengerDetailView(ChallengerViewBase):
    @extend_schema(
        responses=ChallengerDetailSerializer,
        summary="A challenger: both models' metrics side by side and the evaluation's figures with both drawn",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(ChallengerDetailSerializer(self.get_object(pk)).data)


class ChallengerApproveView(ChallengerViewBase):
    @extend_schema(
        request=ChallengerDecisionSerializer,
        responses={200: ChallengerSerializer, 400: REFUSED, 409: NOT_PENDING},
        summary="Approve: register the challenger's model and redeploy the endpoint to it (editor)",
    )
    def post(self, request: Request, pk: int) -> Response:
        body = ChallengerDecisionSerializer(data=request.data)  # shape first: a 400 tells nothing of ``pk``
        body.is_valid(raise_exception=True)
        challenger = self.get_object(pk)
        decided = services.approve(challenger.pk, request.user, body.validated_data["note"])
        return Response(ChallengerSerializer(decided).data)


class ChallengerRejectView(ChallengerViewBase):
    @extend_schema(
        request=ChallengerDecisionSerializer,
        responses={200: ChallengerSerializer, 409: NOT_PENDING},
        summary="Reject: keep the endpoint's model (editor)",
    )
    def post(self, request: Request, pk: int) -> Response:
        body = ChallengerDecisionSerializer(data=request.data)  # shape first: a 400 tells nothing of ``pk``
        body.is_valid(raise_exception=True)
        challenger = self.get_object(pk)
        decided = services.reject(challenger.pk, request.user, body.validated_data["note"])
        return Response(ChallengerSerializer(decided).data)
