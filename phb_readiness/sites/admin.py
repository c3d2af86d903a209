from django.contrib import admin

from phb_readiness.sites.models import Membership, PilotSite, Region, ReviewerScope


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(PilotSite)
class PilotSiteAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "pilot_type", "active"]
    list_filter = ["region", "pilot_type", "active"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "site", "role", "created_at"]
    list_filter = ["role", "site__region"]
    search_fields = ["user__username", "user__last_name", "site__code", "site__name"]
    autocomplete_fields = ["user", "site"]


@admin.register(ReviewerScope)
class ReviewerScopeAdmin(admin.ModelAdmin):
    """Who sees across sites: SPF reviewers and staff-side observers, for one region or the whole programme."""

    list_display = ["user", "role", "region"]
    list_filter = ["role", "region"]
    autocomplete_fields = ["user"]
