// Logging: errors always (unless silent), an access log line per request, and a debug trace of
// each connection in the seed's words ("Socket established with ...", "Received url ...").
// Every call site checks a boolean first, so a disabled level costs nothing per request.
import type { AccessLogFormat, LogLevel } from './options.js';

export type LogSink = (line: string, level: 'error' | 'info' | 'debug') => void;

const LEVELS: Record<LogLevel, number> = { silent: 0, error: 1, info: 2, debug: 3 };

function defaultSink(line: string, level: 'error' | 'info' | 'debug'): void {
  if (level === 'error') process.stderr.write(line + '\n');
  else process.stdout.write(line + '\n');
}

export interface AccessRecord {
  remoteAddress: string;
  method: string;
  target: string;
  httpVersion: string;
  status: number;
  bytes: number;
  durationMs: number;
  userAgent: string | undefined;
  referer: string | undefined;
}

export class Logger {
  readonly errorEnabled: boolean;
  readonly infoEnabled: boolean;
  readonly debugEnabled: boolean;
  readonly accessEnabled: boolean;

  constructor(
    level: LogLevel,
    private readonly accessFormat: AccessLogFormat,
    private readonly sink: LogSink = defaultSink,
    /** Where access lines go instead of `sink` (an access log file). */
    private readonly accessSink: ((line: string) => void) | null = null,
  ) {
    const n = LEVELS[level];
    this.errorEnabled = n >= 1;
    this.infoEnabled = n >= 2;
    this.debugEnabled = n >= 3;
    this.accessEnabled = accessFormat !== 'off';
  }

  error(message: string): void {
    if (this.errorEnabled) this.write(`${new Date().toISOString()} error ${message}`, 'error');
  }

  info(message: string): void {
    if (this.infoEnabled) this.write(`${new Date().toISOString()} info ${message}`, 'info');
  }

  /** Connection trace, tagged with the connection id. */
  debug(connectionId: number, message: string): void {
    if (this.debugEnabled) this.write(`[conn ${connectionId}] ${message}`, 'debug');
  }

  access(record: AccessRecord): void {
    if (!this.accessEnabled) return;
    const format = this.accessFormat;
    const line =
      format === 'json' ? JSON.stringify({ time: new Date().toISOString(), ...record })
      : format === 'combined' ? combinedLogLine(record)
      : commonLogLine(record);
    if (this.accessSink !== null) this.accessSink(line);
    else this.write(line, 'info');
  }

  /**
   * A line to the user's sink. Logging runs on the paths of bad input (a parse error logs): a
   * sink that throws must not turn a bad request into a crash, so its error and the line go to
   * stderr instead.
   */
  private write(line: string, level: 'error' | 'info' | 'debug'): void {
    try {
      this.sink(line, level);
    } catch (error) {
      if (this.sink === defaultSink) return;
      defaultSink(`${new Date().toISOString()} error the log function threw (${String(error)}); its line: ${line}`, 'error');
    }
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => (n < 10 ? '0' + n : String(n));

/** NCSA Common Log Format: host ident authuser [date] "request-line" status bytes. */
function commonLogLine(r: AccessRecord): string {
  const d = new Date();
  const date = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
  return `${r.remoteAddress} - - [${date}] "${r.method} ${r.target} HTTP/${r.httpVersion}" ${r.status} ${r.bytes}`;
}

/** A header value inside a quoted log field: `"` and backslash escaped, control bytes as \xHH (as nginx does). */
function quoteLogField(value: string | undefined): string {
  if (value === undefined || value === '') return '"-"';
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += '\\' + value[i];
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += value[i];
  }
  return '"' + out + '"';
}

/** Apache/nginx "combined": the common format plus "Referer" and "User-Agent". */
function combinedLogLine(r: AccessRecord): string {
  return `${commonLogLine(r)} ${quoteLogField(r.referer)} ${quoteLogField(r.userAgent)}`;
}
