"""Boxes and points in diagram coordinates, the sizes bpmn-js draws things at, and the spacing used."""
from __future__ import annotations

import math
from dataclasses import dataclass

SIZES = {"event": (36.0, 36.0), "gateway": (50.0, 50.0), "activity": (100.0, 80.0)}
LANE_LABEL = 30.0       # the band bpmn-js writes a lane's (or participant's) name in
CONTENT_PAD = 40.0      # between a lane's label band and its first column, and after the last column
GAP = 80.0              # between two columns: room for elbows
LABELLED_GAP = 130.0    # after a column a named flow leaves: room for the name
ROW = 160.0             # one sub-row: a task, its boundary events and their names, a track below
SHORT_ROW = 130.0       # one sub-row without boundary events
ROW_TOP = 40.0          # above the first sub-row of a lane: a track and breathing room
TRACK_STEP = 12.0       # between parallel loop-back lines
LABEL_WIDTH = 90.0      # bpmn-js wraps external labels at 90px
LINE_HEIGHT = 14.0


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: Box) -> bool:
        return (self.x < other.right and other.x < self.right
                and self.y < other.bottom and other.y < self.bottom)

    def contains(self, other: Box) -> bool:
        return (self.x <= other.x and other.right <= self.right
                and self.y <= other.y and other.bottom <= self.bottom)

    def on_border(self, x: float, y: float, tolerance: float = 1.0) -> bool:
        inside = self.x - tolerance <= x <= self.right + tolerance and self.y - tolerance <= y <= self.bottom + tolerance
        near = min(abs(x - self.x), abs(x - self.right), abs(y - self.y), abs(y - self.bottom)) <= tolerance
        return inside and near

    def crossed_by(self, a: Point, b: Point) -> bool:
        """Whether an axis-parallel segment runs through the inside (running along the border does not count)."""
        lo_x, hi_x = sorted((a[0], b[0]))
        lo_y, hi_y = sorted((a[1], b[1]))
        return (lo_x < self.right - 1 and hi_x > self.x + 1
                and lo_y < self.bottom - 1 and hi_y > self.y + 1)


Point = tuple[float, float]


def text_width(text: str) -> float:
    """Roughly how wide bpmn-js draws a name at its 11px label font: CJK glyphs are twice as wide."""
    return sum(12.0 if ord(ch) >= 0x2E80 else 6.5 for ch in text)


def label_size(text: str) -> tuple[float, float]:
    width = text_width(text)
    lines = max(1, math.ceil(width / LABEL_WIDTH))
    return min(width, LABEL_WIDTH), lines * LINE_HEIGHT
