from django.apps import AppConfig


class SponsorsConfig(AppConfig):
    name = "sponsors"
    verbose_name = "Sponsors"

    def ready(self):
        from sponsors import signals  # noqa: F401  (connects the cache invalidation)
