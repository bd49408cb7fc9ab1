from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "registration"
    verbose_name = "Registration"
    demo_loader = "registration.demo.load"
    page_parts = [("home.top", 20, "registration/parts/home_status.html")]
