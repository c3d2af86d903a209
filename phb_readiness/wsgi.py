import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phb_readiness.settings")
application = get_wsgi_application()

from phb_readiness.warmup import warm_up  # noqa: E402 - needs the apps that get_wsgi_application set up

warm_up()
