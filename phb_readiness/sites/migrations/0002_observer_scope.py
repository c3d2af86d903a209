"""Staff-side observers: a scope for union officers watching a region or the whole programme."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0001_initial"),
    ]

    operations = []
