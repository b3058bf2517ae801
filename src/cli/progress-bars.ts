// Progress of an in-process run on a terminal: one bar per listing pass (done/total, percent, rate,
// ETA), logs printed above them. Touches stderr.
import type cliProgress from 'cli-progress';
import type { ProgressSink } from '../harvest/progress.ts';
import { startBars, stopBars } from '../terminal.ts';

const FORMAT = '{label} |{bar}| {percentage}% {value}/{total} {unit} · {rate}/s · ETA {eta_formatted} · {items} items';

interface Row {
  bar: cliProgress.SingleBar;
  /** When the pass began: the previous pass's last update (passes run one after the other). */
  started: number;
  done: number;
  items: number;
  unit: string;
}

export function createProgressBars(): ProgressSink {
  let multibar: cliProgress.MultiBar | undefined;
  const rows = new Map<string, Row>();
  let lastUpdate = Date.now();
  let width = 0;
  const payload = (label: string, row: Row) => {
    const seconds = (Date.now() - row.started) / 1000;
    return { label: label.padEnd(width), unit: row.unit, items: row.items, rate: seconds > 0.05 ? (row.done / seconds).toFixed(1) : '–' };
  };
  return {
    update(kind, done, total, items) {
      multibar ??= startBars(FORMAT);
      let row = rows.get(kind);
      if (!row) {
        const unit = kind.endsWith('by id') ? 'items' : 'pages';
        row = { bar: multibar.create(total ?? Math.max(done, 1), 0), started: lastUpdate, done: 0, items: 0, unit };
        rows.set(kind, row);
        if (kind.length > width) {
          width = kind.length; // labels stay aligned: the others are padded again
          for (const [label, other] of rows) if (other !== row) other.bar.update(other.done, payload(label, other));
        }
      }
      Object.assign(row, { done, items });
      if (total !== undefined && total !== row.bar.getTotal()) row.bar.setTotal(total);
      row.bar.update(done, payload(kind, row));
      lastUpdate = Date.now();
    },
    end() {
      if (multibar) stopBars();
      multibar = undefined;
      rows.clear();
    },
  };
}
