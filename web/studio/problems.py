"""Problem lines as the studio shows them: the engine's fields plus `text`, worded in the page's language."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.errors import Problem
from web.i18n import current_locale, lane_label, process_name, role_name, unit_name
from web.problem_places import place_words
from web.problem_texts import problem_hint, word_problem


class _Names:
    """How the studio names the codes a problem is about: as the organisation names them."""

    unit = staticmethod(unit_name)
    role = staticmethod(role_name)
    lane = staticmethod(lane_label)
    process = staticmethod(process_name)


def problem_rows(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    """file, element and English message (as the API has them), the line in the reader's words, the codes
    it shows by their names (`hint`: a decision's id, for finding it in the file; the page puts it in the
    line's title), the element in the reader's words (`place`, "" when it cannot be worded: the page shows
    `element`) with the ids they stand for (`place_hint`, the title of the words), and the problem's key and
    the property it is about (the modeler marks that control of the properties panel)."""
    locale = current_locale()
    rows = []
    for problem in problems:
        place, place_hint = place_words(problem, locale, _Names())
        rows.append({**problem.as_dict(), "text": word_problem(problem, locale, _Names()),
                     "hint": problem_hint(problem, locale), "place": place, "place_hint": place_hint,
                     "key": problem.key, "property": problem.params.get("property")})
    return rows
