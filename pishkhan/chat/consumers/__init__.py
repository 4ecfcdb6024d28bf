"""Live chat's websocket consumers (protocol: the JSON frames in each module's docstring)."""

from pishkhan.chat.consumers.staff import StaffConsumer, SupervisorConsumer
from pishkhan.chat.consumers.visitor import VisitorConsumer

__all__ = ["StaffConsumer", "SupervisorConsumer", "VisitorConsumer"]
