"""API of the participatory budget (under /api/participation/)."""

urlpatterns = []
