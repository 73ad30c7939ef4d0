from django.apps import AppConfig


class Q2CConfig(AppConfig):
    name = "q2c"
    verbose_name = "Quote to cash"

    def ready(self):
        from q2c import two_factor  # noqa: F401  the device cache's signals, in every process
