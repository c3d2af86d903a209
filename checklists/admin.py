from django.contrib import admin

from checklists.models import (
    Assessment,
    Comment,
    Evidence,
    Framework,
    Item,
    NotificationPreference,
    Response,
    Section,
    SignOff,
    SiteVisit,
)
from checklists.services.assessments import assessment_create


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    """Frameworks come from fixtures/ through load_framework; a published version is immutable."""

    list_display = ["name", "version", "published", "loaded_at", "content_sha256"]
    readonly_fields = ["slug", "version", "content_sha256", "loaded_at", "sources"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or not obj.published

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is not None and not obj.published and not obj.assessments.exists()


class ItemInline(ReadOnlyMixin, admin.TabularInline):
    model = Item
    fields = ["code", "question", "kind", "mandatory", "evidence_expected", "source_section"]
    extra = 0


@admin.register(Section)
class SectionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "title", "framework", "position"]
    list_filter = ["framework"]
    inlines = [ItemInline]


@admin.register(Item)
class ItemAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "question", "kind", "mandatory", "evidence_expected"]
    list_filter = ["section__framework", "section", "kind", "mandatory"]
    search_fields = ["code", "question"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["site", "round_label", "framework", "state", "submitted_at", "reviewed_at"]
    list_filter = ["state", "framework", "site__region"]
    search_fields = ["site__code", "site__name", "round_label"]
    readonly_fields = [
        "state",
        "submitted_at",
        "reviewed_at",
        "reviewed_by",
        "return_reasons",
        "carried_forward_from",
        "created_at",
    ]
    raw_id_fields = ["created_by"]

    def get_readonly_fields(self, request, obj=None):
        # An assessment's site and framework hold its answers and their readiness: they never change after it starts.
        return [*self.readonly_fields, "site", "framework"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change) -> None:
        """A new assessment starts as the app starts one: a response per item, its readiness stored, audited."""
        if change:
            super().save_model(request, obj, form, change)
            return
        created = assessment_create(
            site=obj.site, framework=obj.framework, round_label=obj.round_label, user=request.user
        )
        obj.pk, obj.created_at = created.pk, created.created_at


@admin.register(Response)
class ResponseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["assessment", "item", "status", "owner", "due_date", "version", "updated_at"]
    list_filter = ["status", "assessment__site"]
    list_select_related = ["assessment__site", "item", "owner"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "response",
        "size",
        "content_type",
        "uploaded_by",
        "uploaded_at",
        "removed_at",
    ]
    list_select_related = ["response__assessment__site", "response__item", "uploaded_by"]
    exclude = ["file"]  # files are private: never linked from the admin either


@admin.register(Comment)
class CommentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["response", "author", "author_role", "is_concern", "concern_state", "created_at"]
    list_filter = ["is_concern", "concern_state"]
    list_select_related = ["response__assessment__site", "response__item", "author"]


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Append-only."""

    list_display = [
        "assessment",
        "section",
        "kind",
        "signed_by",
        "signer_role",
        "created_at",
        "content_sha256",
    ]
    list_filter = ["kind"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "category", "frequency"]


@admin.register(SiteVisit)
class SiteVisitAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["user", "site", "last_seen_at"]
