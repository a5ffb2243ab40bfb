"""Pages of the participatory budget, under /budzet/."""

urlpatterns = []
