"""``manage.py load_samples --workspace <id> [--user <username>]``: add the bundled sample datasets."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from designer.datasets.services import load_samples
from designer.workspaces.models import Membership, Workspace


class Command(BaseCommand):
    help = "Add the sample datasets bundled with scikit-learn to a workspace (skips names already there)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", type=int, required=True, help="Workspace id.")
        parser.add_argument("--user", help="Username recorded as the creator (default: the workspace's first owner).")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(pk=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"workspace {options['workspace']} does not exist")
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"there is no user '{options['user']}'")
        else:
            owner = Membership.objects.filter(workspace=workspace, role="owner").order_by("id").first()
            user = owner.user if owner else None
        created = load_samples(user, workspace)
        for dataset in created:
            self.stdout.write(f"added '{dataset.name}' (dataset {dataset.pk})")
        self.stdout.write(
            self.style.SUCCESS(f"{len(created)} sample dataset(s) added to workspace '{workspace.name}'")
            if created
            else f"workspace '{workspace.name}' already has every sample"
        )
