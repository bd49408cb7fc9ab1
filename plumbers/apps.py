from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate


class PlumbersConfig(AppConfig):
    name = "plumbers"
    verbose_name = "Conference"

    def ready(self):
        from plumbers.roles import sync_organizer_permissions

        post_migrate.connect(sync_organizer_permissions, dispatch_uid="plumbers_org_perms")

        from plumbers.pagecache import connect_signals

        connect_signals()

        from plumbers import auth_backend

        auth_backend.connect_signals()

        from plumbers import mail  # noqa: F401  (registers the PLUMBERS_SITE_URL deploy check)


class PlumbersAdminConfig(AdminConfig):
    """Django's admin with the organizers' site (plumbers.admin_site) as ``admin.site``."""

    default_site = "plumbers.admin_site.PlumbersAdminSite"
