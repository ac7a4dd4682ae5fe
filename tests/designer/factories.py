"""factory-boy factories for the designer apps. Datasets and pipelines are made through their services,
so a factory-made object is exactly what an upload or a save would have produced."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.datasets import services as dataset_services
from designer.datasets.models import Dataset
from designer.pipelines import services as pipeline_services
from designer.pipelines.models import Pipeline
from designer.workspaces import services as workspace_services
from designer.workspaces.models import Membership, Workspace

PASSWORD = "correct-horse-battery-staple"

IRIS_CSV = (
    "sepal_length,sepal_width,petal_length,petal_width,species\n"
    "5.1,3.5,1.4,0.2,setosa\n"
    "4.9,3.0,1.4,0.2,setosa\n"
    "7.0,3.2,4.7,1.4,versicolor\n"
    "6.4,3.2,4.5,1.5,versicolor\n"
    "6.3,3.3,6.0,2.5,virginica\n"
    "5.8,2.7,5.1,1.9,virginica\n"
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class WorkspaceFactory(factory.django.DjangoModelFactory):
    """A workspace owned by ``created_by`` (made through the service, so the owner membership exists)."""

    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")
    created_by = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class: Any, *args: Any, name: str, created_by: Any, **kwargs: Any) -> Workspace:
        return workspace_services.create_workspace(user=created_by, name=name)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = "editor"


class DatasetFactory(factory.django.DjangoModelFactory):
    """A dataset whose version 1 is ``csv`` uploaded through ``create_dataset`` (really stored)."""

    class Meta:
        model = Dataset

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Dataset {n}")
    description = ""
    created_by = factory.LazyAttribute(lambda d: d.workspace.created_by)
    csv = IRIS_CSV
    filename = "data.csv"

    @classmethod
    def _create(
        cls,
        model_class: Any,
        *args: Any,
        workspace: Workspace,
        name: str,
        description: str,
        created_by: Any,
        csv: str | bytes,
        filename: str,
        **kwargs: Any,
    ) -> Dataset:
        data = csv.encode() if isinstance(csv, str) else csv
        upload = SimpleUploadedFile(filename, data, content_type="text/csv")
        return dataset_services.create_dataset(created_by, workspace, name, upload, description=description)


class PipelineFactory(factory.django.DjangoModelFactory):
    """A pipeline created through ``create_pipeline`` (version 1 is ``document``, empty by default)."""

    class Meta:
        model = Pipeline

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Pipeline {n}")
    description = ""
    created_by = factory.LazyAttribute(lambda p: p.workspace.created_by)
    document = None

    @classmethod
    def _create(
        cls,
        model_class: Any,
        *args: Any,
        workspace: Workspace,
        name: str,
        description: str,
        created_by: Any,
        document: Any,
        **kwargs: Any,
    ) -> Pipeline:
        return pipeline_services.create_pipeline(created_by, workspace, name, description, document)
