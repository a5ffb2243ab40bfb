"""API of consultations (under /api/participation/)."""

urlpatterns = []
