"""Create the database cache's table, so that `miroir migrate` is the only step an install needs.

Rate limits and login lockouts are counted in the cache (core/ratelimit.py); its table is not a
model, so Django's migrations would not create it otherwise. createcachetable leaves an
existing table alone, so this is safe to run on any database.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
