"""The demo's micro-venture round (微公益创投) 禾你益起 第一期: one application from
each demo organization, at every step of a venture's life (申报, 评审, 立项, 未通过,
实施, 结项, 终止), with reviews, support plans, a mid-term check and expenditures.

Every step goes through the ventures' services; its history and audit entries are
then dated back, as an import of earlier records would be. Applications are taken
while the window holds today and the window is closed afterwards, so the round
shows the dates of a window that closed months ago.

The package: ``proposals`` (the round and its nine applications), ``steps`` (one
service call dated back), ``reviewing`` (panels and scores), ``running`` (the plan,
spending and mid-term check); ``seed`` tells the story with ``deciding`` (the two
review batches) and ``implementing`` (the ventures carried out)."""

from incubator.demo.ventures.proposals import (
    PROPOSALS,
    ROUND_BUDGET,
    ROUND_DESCRIPTION,
    ROUND_NAME,
    Proposal,
)
from incubator.demo.ventures.seed import seed_ventures

__all__ = [
    "PROPOSALS",
    "ROUND_BUDGET",
    "ROUND_DESCRIPTION",
    "ROUND_NAME",
    "Proposal",
    "seed_ventures",
]
