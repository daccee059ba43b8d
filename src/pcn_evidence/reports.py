"""Second-hand accounts: the press rows that carry a report which is not itself among the sources.

The NHS Confederation's report on PCNs is known only through two articles. Two chapters
(the Confederation's and the trade press's) must draw the same line between the report's
findings and everything else those articles say, so the line is drawn here, once.

>>> import pandas as pd
>>> sources = pd.DataFrame({"id": ["a", "b"], "covers": ["Body X report", None]})
>>> press = pd.DataFrame({"source_id": ["a", "a", "a", "b"],
...                       "reports_on": ["Body X report", "interview or statement", "outlet reporting",
...                                      "Body X report"],
...                       "body": ["Body X", "Body X", "Outlet", "Body X"]})
>>> second_hand_rows(press, sources, "Body X").tolist()
[True, True, False, False]
"""

from __future__ import annotations

import pandas as pd

__all__ = ["second_hand_rows"]


def second_hand_rows(press: pd.DataFrame, sources: pd.DataFrame, body: str) -> pd.Series:
    """True for each press row that reports ``body``'s report second-hand.

    That is: a row of an article whose ``covers`` names the body, which the coders
    attribute to the report itself (``reports_on`` is ``"<body> report"``) or which
    is an interview or statement by someone speaking for the body. The outlet's own
    context in the same article, and any row of another article, is not.
    """
    articles = sources.loc[sources["covers"].fillna("").str.contains(body, regex=False), "id"]
    in_articles = press["source_id"].isin(articles)
    from_report = press["reports_on"] == f"{body} report"
    by_its_people = (press["reports_on"] == "interview or statement") & (press["body"] == body)
    return in_articles & (from_report | by_its_people)
