"""The benchmark's floor URL, wired only when the benchmark may run (see views.bench_enabled)."""

from django.urls import path

from phb_readiness.bench import views

app_name = "bench"
urlpatterns = [path("bench/floor", views.bench_floor, name="floor")] if views.bench_enabled() else []
