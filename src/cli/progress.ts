/**
 * Progress on stderr: a redrawn bar on a terminal, plain log lines (about every 10 %)
 * otherwise, so that logs stay readable in CI and files.
 */
export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private nextLine: number;

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
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

  update(done: number, failed: number, status: string): void {
    if (!this.enabled) return;
    const rate = Math.round(this.rate(done)).toLocaleString("en-US");
    const pct = this.total ? Math.floor((100 * done) / this.total) : 100;
    if (this.stream.isTTY) {
      const now = Date.now();
      if (now - this.lastDraw < 80 && done < this.total) return;
      this.lastDraw = now;
      const width = 24;
      const filled = Math.round((width * pct) / 100);
      const bar = `${"=".repeat(Math.max(0, filled - 1))}${filled ? ">" : ""}${" ".repeat(width - filled)}`;
      const fail = failed ? `  ${failed} failed` : "";
      this.stream.write(`\r\x1b[2K[${bar}] ${done}/${this.total} ${pct}%  ${rate} rows/s  ${status}${fail}`);
      if (done >= this.total) this.stream.write("\n");
    } else if (done >= this.nextLine || done >= this.total) {
      while (this.nextLine <= done) this.nextLine += Math.max(1, Math.ceil(this.total / 10));
      this.stream.write(
        `${done}/${this.total} (${pct}%) ${rate} rows/s ${status}${failed ? ` ${failed} failed` : ""}\n`,
      );
    }
  }
}
