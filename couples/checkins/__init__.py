"""Check-ins: the nightly and weekly ritual, its dates, answers and reveal."""
