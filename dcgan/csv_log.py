"""A CSV logger that continues the run's metrics.csv on a resume instead of deleting it.

Lightning's CSVLogger removes an existing `metrics.csv` when it starts; a resumed run then keeps
only its new rows. This one keeps the file and its columns, and drops only the rows that the
resume replaces (steps at or after its first new step: an attempt that was cut short).
"""

from __future__ import annotations

import csv
import os

from lightning.pytorch.loggers import CSVLogger
from lightning.pytorch.loggers.csv_logs import ExperimentWriter
from lightning.pytorch.loggers.logger import rank_zero_experiment


class ContinuingWriter(ExperimentWriter):
    """Lightning's writer, minus the deletion; the first save trims the replaced rows."""

    def _check_log_dir_exists(self) -> None:
        self._trimmed = False
        if os.path.isfile(self.metrics_file_path):
            with open(self.metrics_file_path, newline="") as fh:
                self.metrics_keys = sorted(next(csv.reader(fh), []))

    def save(self) -> None:
        """Append the new rows, after dropping old rows from the steps they replace."""
        if self.metrics and not self._trimmed:
            self._trimmed = True
            self._drop_rows_from(min(int(m["step"]) for m in self.metrics))
        super().save()

    def _drop_rows_from(self, step: int) -> None:
        if not os.path.isfile(self.metrics_file_path):
            return
        with open(self.metrics_file_path, newline="") as fh:
            rows = list(csv.DictReader(fh))
        kept = [r for r in rows if r.get("step") and int(float(r["step"])) < step]
        if len(kept) == len(rows):
            return
        with open(self.metrics_file_path, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=self.metrics_keys)
            writer.writeheader()
            writer.writerows(kept)


class ContinuingCSVLogger(CSVLogger):
    """`CSVLogger` whose metrics.csv survives any number of resumes into the same folder."""

    @property
    @rank_zero_experiment
    def experiment(self) -> ContinuingWriter:
        """The writer, made on first use in the run's log folder."""
        if self._experiment is None:
            os.makedirs(self.root_dir, exist_ok=True)
            self._experiment = ContinuingWriter(log_dir=self.log_dir)
        return self._experiment
