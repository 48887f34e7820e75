"""The run's CSV log and its loss plot, both rewritten atomically as training goes."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from pipeline.atomic import atomic_write

COLUMNS = (
    "step",
    "tokens",
    "lr",
    "train_loss",
    "val_loss",
    "val_bpb",
    "tokens_per_s",
    "train_seconds",
    "elapsed_s",
)


class Logbook:
    """``log.csv`` (one row every few steps, validation figures on validation steps) and
    ``loss.png``. On ``--resume`` the rows after the checkpoint's step are dropped."""

    def __init__(self, folder: Path, keep_until_step: int | None = None):
        self.csv_path = Path(folder) / "log.csv"
        self.plot_path = Path(folder) / "loss.png"
        self.rows: list[dict[str, str]] = []
        if keep_until_step is not None and self.csv_path.exists():
            with open(self.csv_path, newline="", encoding="utf-8") as handle:
                self.rows = [r for r in csv.DictReader(handle) if int(r["step"]) <= keep_until_step]
        self._save_csv()

    def add(self, **values: float | int | None) -> None:
        self.rows.append({key: _text(values.get(key)) for key in COLUMNS})
        self._save_csv()

    def _save_csv(self) -> None:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        with atomic_write(self.csv_path) as handle:
            handle.write(buffer.getvalue())

    def plot(self) -> None:
        """Train and validation loss (nats/token) and validation bits/byte against steps."""
        import logging

        import matplotlib

        matplotlib.use("Agg")
        logging.getLogger("matplotlib").setLevel(logging.WARNING)
        from matplotlib.figure import Figure

        figure = Figure(figsize=(8, 6))
        loss_axes, bpb_axes = figure.subplots(2, 1, sharex=True)
        for column, label in (("train_loss", "train"), ("val_loss", "validation")):
            points = [(int(r["step"]), float(r[column])) for r in self.rows if r[column]]
            if points:
                loss_axes.plot(
                    *zip(*points, strict=True),
                    label=label,
                    marker="." if column == "val_loss" else None,
                )
        loss_axes.set_ylabel("loss (nats/token)")
        loss_axes.legend()
        loss_axes.grid(alpha=0.3)
        points = [(int(r["step"]), float(r["val_bpb"])) for r in self.rows if r["val_bpb"]]
        if points:
            bpb_axes.plot(*zip(*points, strict=True), marker=".", color="tab:green")
        bpb_axes.set_ylabel("validation bits/byte")
        bpb_axes.set_xlabel("step")
        bpb_axes.grid(alpha=0.3)
        figure.tight_layout()
        with atomic_write(self.plot_path, "wb") as handle:
            figure.savefig(handle, format="png", dpi=80)


def _text(value: float | int | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
