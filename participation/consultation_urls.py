"""Pages of consultations and comments on draft plans, under /konsultacje/."""

urlpatterns = []
