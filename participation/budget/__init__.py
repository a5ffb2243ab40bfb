"""The participatory budget (budżet obywatelski) with one vote per resident."""
