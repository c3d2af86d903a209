from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from checklists.management.commands.seed_demo import DEMO_PASSWORD, demo_accounts
from checklists.urls import partnership_urlpatterns
from checklists.views.sites import my_sites
from phb_readiness import health
from phb_readiness.accounts.urls import password_urlpatterns

urlpatterns = [
    path("", my_sites, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True,
            # the demo accounts as seed_demo creates them, listed only in the embedded run (they exist nowhere else)
            extra_context={"demo_accounts": demo_accounts(), "demo_password": DEMO_PASSWORD},
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include(password_urlpatterns)),
    path("account/", include("phb_readiness.accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("checklists.urls")),
    path("", include((partnership_urlpatterns, "partnership"))),
    path("", include("phb_readiness.reports.urls")),
    path("", include("phb_readiness.inbox.urls")),
]

if settings.PHB_BENCH:  # the benchmark's floor view, only where the benchmark runs (settings.PHB_BENCH)
    urlpatterns.append(path("", include("phb_readiness.bench.urls")))
