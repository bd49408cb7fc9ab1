from django.apps import AppConfig


class SponsorsConfig(AppConfig):
    name = "sponsors"
    verbose_name = "Sponsors"
    demo_loader = "sponsors.demo.load"
    page_parts = [
        ("home.bottom", 10, "sponsors/parts/home.html"),
        ("footer", 10, "sponsors/parts/footer.html"),
    ]

    def ready(self):
        from sponsors import signals  # noqa: F401  (connects the cache invalidation)
