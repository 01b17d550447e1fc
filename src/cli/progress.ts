/**
 * Progress on stderr: a redrawn bar on a terminal, never wider than it, or plain log lines
 * (about every 10 %) otherwise, so that logs stay readable in CI and files. The last line is
 * drawn by {@link Progress.finish}, with the final status.
 */

/** What progress is written to: a terminal (with its width) or not. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private nextLine: number;
  private drawn = false;

  constructor(
    private readonly total: number,
    private readonly stream: ProgressStream = process.stderr,
    private readonly enabled = true,
  ) {
    this.nextLine = Math.max(1, Math.ceil(total / 10));
  }

  get elapsedSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  rate(done: number): number {
    const s = this.elapsedSeconds;
    return s > 0 ? done / s : 0;
  }

  /** A row is done: redraws the bar (at most every 80 ms), or logs a line at each tenth. */
  update(done: number, failed: number, status: string): void {
    if (!this.enabled || done >= this.total) return;
    if (this.stream.isTTY) {
      const now = Date.now();
      if (now - this.lastDraw < 80) return;
      this.lastDraw = now;
      this.stream.write(`\r\x1b[2K${this.barLine(done, failed, status)}`);
      this.drawn = true;
    } else if (done >= this.nextLine) {
      while (this.nextLine <= done) this.nextLine += Math.max(1, Math.ceil(this.total / 10));
      this.stream.write(`${this.plainLine(done, failed, status)}\n`);
    }
  }

  /** The run is over: the last line, with the final status (the model's metrics as River prints them). */
  finish(done: number, failed: number, status: string): void {
    if (!this.enabled) return;
    if (this.stream.isTTY) this.stream.write(`\r\x1b[2K${this.barLine(done, failed, status)}\n`);
    else this.stream.write(`${this.plainLine(done, failed, status)}\n`);
    this.drawn = false;
  }

  /** Ends a drawn bar's line, so that what is printed next starts on a line of its own. */
  interrupt(): void {
    if (this.drawn && this.stream.isTTY) this.stream.write("\n");
    this.drawn = false;
  }

  private percent(done: number): number {
    return this.total ? Math.floor((100 * done) / this.total) : 100;
  }

  private rateText(done: number): string {
    return Math.round(this.rate(done)).toLocaleString("en-US");
  }

  private plainLine(done: number, failed: number, status: string): string {
    const fail = failed ? ` ${failed} failed` : "";
    return `${done}/${this.total} (${this.percent(done)}%) ${this.rateText(done)} rows/s${status ? ` ${status}` : ""}${fail}`;
  }

  /**
   * `[=====>    ] 625/1250 50%  1,234 rows/s  ROCAUC: 93.10%`, fitted to the terminal's
   * width: the bar shrinks first, then the status is cut with an ellipsis.
   */
  barLine(done: number, failed: number, status: string): string {
    // One column short of the width: writing the last column makes some terminals wrap.
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    const pct = this.percent(done);
    const fail = failed ? `  ${failed} failed` : "";
    const counts = `${done}/${this.total} ${pct}%  ${this.rateText(done)} rows/s`;
    const tail = status ? `  ${status}${fail}` : fail;
    const room = width - counts.length - 1;
    // The bar gets up to 24 columns, fewer when the rest would not fit.
    const barWidth = Math.min(24, room - tail.length - 2);
    let line: string;
    if (barWidth >= 5) {
      const filled = Math.round((barWidth * pct) / 100);
      const bar = `${"=".repeat(Math.max(0, filled - 1))}${filled ? ">" : ""}${" ".repeat(barWidth - filled)}`;
      line = `[${bar}] ${counts}${tail}`;
    } else {
      line = `${counts}${tail}`;
    }
    return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
  }
}
