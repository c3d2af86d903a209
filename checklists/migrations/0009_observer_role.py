"""Staff-side observers write comments and raise concerns under their own role."""

from django.db import migrations, models

ROLES = [
    ("manager", "Pilot manager"),
    ("contributor", "Contributor"),
    ("union_rep", "Union rep (staff side)"),
    ("reviewer", "SPF reviewer"),
    ("observer", "Staff-side observer"),
    ("admin", "Administrator"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0008_checklist_import"),
        ("sites", "0002_observer_scope"),
    ]

    operations = [
        migrations.AlterField(
            model_name="comment",
            name="author_role",
            field=models.CharField(choices=ROLES, max_length=16),
        ),
        migrations.AlterField(
            model_name="signoff",
            name="signer_role",
            field=models.CharField(choices=ROLES, max_length=16),
        ),
    ]
