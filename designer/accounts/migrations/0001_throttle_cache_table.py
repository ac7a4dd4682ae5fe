"""The database table of the "throttle" cache, where failed sign-ins and wrong endpoint keys are counted
when no REDIS_URL is set (the embedded default). With Redis configured this creates nothing."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies: list = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
