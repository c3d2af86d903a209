from django.contrib import admin

from phb_readiness.reports.models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "site", "state", "requested_by", "created_at", "pages", "sha256"]
    list_filter = ["kind", "state"]
    readonly_fields = [f.name for f in Report._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
