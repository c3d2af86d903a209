"""The audit chain's links become HMAC-SHA256 under the service's audit key (phb_readiness.keys), which lives outside
the database: every existing link is recomputed in chain order, and an `audit.rekey` event records it (how many
events, the old head, whether the old plain-SHA-256 chain verified). An empty chain is left as it is.

Runs as the tables' owner: it lifts the append-only trigger within its own transaction and restores it. Stop the
web and worker processes of the previous release first: they would append links under the old formula.
"""

from django.db import migrations

from phb_readiness.audit.services import audit_rekey


def rekey(apps, schema_editor) -> None:
    audit_rekey(model=apps.get_model("audit", "AuditEvent"), using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_chain_linear"),
    ]

    # Not reversible in substance: going back leaves keyed links, which the previous release cannot verify.
    operations = [migrations.RunPython(rekey, migrations.RunPython.noop, elidable=False)]
