from django.apps import AppConfig


class MicroconferencesConfig(AppConfig):
    name = "microconferences"
    verbose_name = "Microconferences"
    demo_loader = "microconferences.demo.load"
    page_parts = [("home.top", 30, "microconferences/parts/home.html")]

    def ready(self):
        # Registers the rules permission "microconferences.edit_microconference".
        from microconferences import permissions  # noqa: F401
