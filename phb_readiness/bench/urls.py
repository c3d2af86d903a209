"""The benchmark's floor URL. phb_readiness/urls.py includes it only when settings.PHB_BENCH is on."""

from django.urls import path

from phb_readiness.bench import views

app_name = "bench"
urlpatterns = [path("bench/floor", views.bench_floor, name="floor")]
