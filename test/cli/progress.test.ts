import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Progress } from "../../src/cli/progress.js";

/** A fake terminal of `columns` columns that records what is written. */
function terminal(columns: number) {
  const writes: string[] = [];
  return { isTTY: true, columns, writes, write: (t: string) => writes.push(t) };
}

/** The visible text of a redraw: without the carriage return and the erase-line sequence. */
const ERASE = "\r\x1b[2K";
const visible = (w: string) => (w.startsWith(ERASE) ? w.slice(ERASE.length) : w).replace(/\n$/, "");

describe("Progress", () => {
  const status = "ROCAUC: 95.07%, Accuracy: 89.12%, LogLoss: 0.330112, MAE: 0.123456, F1: 91.00%";

  it("never draws wider than the terminal, at any width, and shows the status when it fits", () => {
    for (const columns of [10, 20, 32, 40, 60, 80, 120, 200]) {
      const tty = terminal(columns);
      const p = new Progress(1250, tty);
      p.update(10, 0, status);
      p.finish(1250, 3, status);
      assert.equal(tty.writes.length, 2);
      for (const w of tty.writes) {
        const line = visible(w);
        assert.ok(line.length <= Math.max(20, columns - 1), `${columns} columns: "${line}" (${line.length})`);
      }
      const last = visible(tty.writes[1]!);
      if (columns >= 120) assert.ok(last.endsWith(`${status}  3 failed`), last);
      else if (columns >= 40) assert.match(last, /^(\[[=> ]+\] )?1250\/1250 100% .*…$/);
    }
  });

  it("draws a bar that fills up, and ends the line at the finish", () => {
    const tty = terminal(100);
    const p = new Progress(100, tty);
    p.update(50, 0, "ROCAUC: 90.00%");
    p.finish(100, 0, "ROCAUC: 95.07%");
    assert.match(visible(tty.writes[0]!), /^\[=+> +\] 50\/100 50% {2}[\d,]+ rows\/s {2}ROCAUC: 90\.00%$/);
    assert.match(visible(tty.writes[1]!), /^\[=+>\] 100\/100 100% {2}[\d,]+ rows\/s {2}ROCAUC: 95\.07%$/);
    assert.ok(tty.writes[1]!.endsWith("\n"));
  });

  it("writes plain lines about every tenth when not a terminal", () => {
    const lines: string[] = [];
    const p = new Progress(100, { isTTY: false, write: (t: string) => lines.push(t) });
    for (let i = 1; i < 100; i++) p.update(i, 0, "s");
    p.finish(100, 0, "ROCAUC: 95.07%");
    assert.equal(lines.length, 10);
    assert.match(lines[0]!, /^10\/100 \(10%\) [\d,]+ rows\/s s\n$/);
    assert.match(lines[9]!, /^100\/100 \(100%\) [\d,]+ rows\/s ROCAUC: 95\.07%\n$/);
  });
});
