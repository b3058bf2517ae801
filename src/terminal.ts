// stderr on a terminal, shared by the progress bars and the human-readable logs: while bars are drawn,
// a log line is printed above them (never through them). Touches stderr.
import cliProgress from 'cli-progress';

let bars: cliProgress.MultiBar | undefined;

/** Writes to stderr, above the progress bars when some are drawn. */
export function writeStderr(text: string): void {
  // Each line erased first: it is written over a bar's line, which may be longer.
  if (bars) bars.log(`${text.replace(/\n$/, '').split('\n').map((line) => `\x1b[2K${line}`).join('\n')}\n`);
  else process.stderr.write(text);
}

/** Starts drawing bars on stderr (one set at a time). */
export function startBars(format: string): cliProgress.MultiBar {
  bars?.stop();
  bars = new cliProgress.MultiBar(
    // The bar shrinks on narrow terminals, so that the counts, rate and ETA after it stay on the line.
    { format, stream: process.stderr, hideCursor: true, clearOnComplete: false, stopOnComplete: false, etaBuffer: 20, fps: 8, autopadding: true, barsize: Math.min(40, Math.max(8, (process.stderr.columns || 80) - 75)) },
    cliProgress.Presets.shades_classic,
  );
  return bars;
}

/** Prints the logs still buffered, the bars' last state, and stops drawing. */
export function stopBars(): void {
  const current = bars;
  bars = undefined;
  if (!current) return;
  current.stop();
  // Lines logged since the last redraw come after the bars' final state.
  const pending = (current as unknown as { loggingBuffer?: string[] }).loggingBuffer ?? [];
  for (const line of pending.splice(0)) process.stderr.write(line);
}
