"""Due-date arithmetic. Pure functions: nothing here touches the database or tickets."""

from datetime import datetime, timedelta


def add_hours(start: datetime, hours: float) -> datetime:
    """Round-the-clock (24x7) time: the due instant is plain addition."""
    return start + timedelta(hours=hours)
