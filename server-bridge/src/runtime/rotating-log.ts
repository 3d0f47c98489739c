import { chmodSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';

export interface RotationOptions {
  /** the live file is rotated once a write would take it past this */
  maxBytes: number;
  /** how many old files are kept: `file.1` (the newest) … `file.<keep>` */
  keep: number;
}

export const DEFAULT_ROTATION: RotationOptions = { maxBytes: 10 * 1024 * 1024, keep: 3 };

/**
 * The bridge's log file, rotated by size: `bridge.log` is always the live one (the path the
 * README gives), the older ones `bridge.log.1` … `.N`, all 0600. pino's own destination
 * (sonic-boom) does the writing; rotation is a rename and its `reopen`, the way logrotate
 * works with it. (pino-roll was the kept alternative, but it names the live file
 * `bridge.1.log`, `bridge.2.log`…, which moves the file users are told to read.)
 */
export class RotatingLog {
  private readonly destination: pino.DestinationStream & { reopen(): void; flushSync(): void; end(): void };
  private size: number;

  constructor(
    private readonly file: string,
    private readonly options: RotationOptions = DEFAULT_ROTATION,
  ) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.size = existsSync(file) ? statSync(file).size : 0;
    // a file left over past the cap (a bridge that logged a lot, or older than rotation) goes first
    if (this.size >= options.maxBytes) this.shift();
    if (existsSync(file)) chmodSync(file, 0o600);
    this.destination = pino.destination({ dest: file, append: true, sync: false, mode: 0o600 }) as never;
  }

  write(line: string): void {
    const bytes = Buffer.byteLength(line);
    if (this.size > 0 && this.size + bytes > this.options.maxBytes) {
      this.shift();
      // what is still queued lands in the file just renamed; what comes next in the new one
      this.destination.reopen();
    }
    this.destination.write(line);
    this.size += bytes;
  }

  flushSync(): void {
    try {
      this.destination.flushSync();
    } catch {
      // nothing open yet
    }
  }

  private shift(): void {
    for (let n = this.options.keep - 1; n >= 1; n--) {
      if (existsSync(`${this.file}.${n}`)) renameSync(`${this.file}.${n}`, `${this.file}.${n + 1}`);
    }
    if (this.options.keep >= 1) renameSync(this.file, `${this.file}.1`);
    this.size = 0;
  }
}
