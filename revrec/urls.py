app_name = "revrec"

urlpatterns: list = []
