"""How often each person hears of each kind of notification."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0005_item_provenance"),
    ]

    operations = []
