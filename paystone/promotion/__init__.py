"""Promotion: the gate between a training run and a version of the service.

Public API: `promote`, `PromotionReport`, `PromotionError` (`.promote`); `compare_results`,
`compare_data_test`, `Comparison` (`.comparison`); `Verdict`, `paired_resample_interval`,
`paired_bootstrap_interval`, `verdict_of` (`.statistics`); `report_table`, `write_report` (`.report`).
"""

from paystone.promotion.comparison import Comparison, DataTestRow, RegressionRow, compare_data_test, compare_results
from paystone.promotion.promote import PromotionError, PromotionReport, promote
from paystone.promotion.report import report_json, report_table, write_report
from paystone.promotion.statistics import (
    Interval,
    Verdict,
    paired_bootstrap_interval,
    paired_resample_interval,
    verdict_of,
)

__all__ = [
    "Comparison",
    "DataTestRow",
    "Interval",
    "PromotionError",
    "PromotionReport",
    "RegressionRow",
    "Verdict",
    "compare_data_test",
    "compare_results",
    "paired_bootstrap_interval",
    "paired_resample_interval",
    "promote",
    "report_json",
    "report_table",
    "verdict_of",
    "write_report",
]
