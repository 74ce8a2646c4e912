import type { StreamConsumerDto, StreamDto, StreamsStatus } from "../../api";

/** One answer of the `streams` operation and when it came. */
export interface StatusSample {
  at: number;
  status: StreamsStatus;
}

/** How much history the console keeps: the sparklines show this much lag. */
export const HISTORY_MS = 60_000;
/** Rates are averaged over this long, so a producer that sends in bursts reads steadily. */
export const RATE_WINDOW_MS = 5_000;

/** Appends a sample and drops those older than the sparklines show. */
export function addSample(samples: readonly StatusSample[], sample: StatusSample): StatusSample[] {
  const from = sample.at - HISTORY_MS - RATE_WINDOW_MS;
  return [...samples.filter((entry) => entry.at >= from && entry.at < sample.at), sample];
}

export function streamKey(stream: Pick<StreamDto, "kind" | "name">): string {
  return `${stream.kind}:${stream.name}`;
}

export interface StreamRates {
  recordsPerSecond: number;
  bytesPerSecond: number;
}

/**
 * Records and bytes per second into `stream`, from its totals now and at least `RATE_WINDOW_MS`
 * earlier (or the oldest poll there is). Null until two polls saw the stream, and after its
 * totals went back (the endpoint reopened it) until a new window has passed.
 */
export function streamRates(samples: readonly StatusSample[], key: string): StreamRates | null {
  const seen = samples.flatMap((sample) => {
    const stream = sample.status.streams.find((entry) => streamKey(entry) === key);
    return stream ? [{ at: sample.at, stream }] : [];
  });
  const latest = seen.at(-1);
  if (!latest || seen.length < 2) return null;
  const base = [...seen].reverse().find((entry) => entry.at <= latest.at - RATE_WINDOW_MS) ?? seen[0];
  if (!base || base.at >= latest.at) return null;
  const records = latest.stream.recordsIn - base.stream.recordsIn;
  const bytes = latest.stream.bytesIn - base.stream.bytesIn;
  if (records < 0 || bytes < 0) return null;
  const seconds = (latest.at - base.at) / 1000;
  return { recordsPerSecond: records / seconds, bytesPerSecond: bytes / seconds };
}

/** How far a consumer is behind its stream. */
export type Lag =
  /** The stream has no records, or the consumer has taken the newest. */
  | { kind: "current" }
  /** Records wait that the consumer has not taken yet, and it has taken none before. */
  | { kind: "pending"; autoRefresh: boolean }
  | { kind: "behind"; ms: number };

export function consumerLag(consumer: StreamConsumerDto): Lag {
  if (consumer.newestArrivalMs <= 0) return { kind: "current" };
  if (consumer.newestTakenMs <= 0) return { kind: "pending", autoRefresh: consumer.autoRefresh };
  const ms = Math.max(0, consumer.newestArrivalMs - consumer.newestTakenMs);
  return ms === 0 ? { kind: "current" } : { kind: "behind", ms };
}

/** The lag in milliseconds for the sparkline; null while it is not a number of milliseconds. */
export function lagMs(lag: Lag): number | null {
  if (lag.kind === "current") return 0;
  return lag.kind === "behind" ? lag.ms : null;
}

export interface LagPoint {
  at: number;
  ms: number;
}

/** The consumer's lag at each poll of the last `HISTORY_MS`. */
export function lagSeries(samples: readonly StatusSample[], name: string, now: number): LagPoint[] {
  return samples.flatMap((sample) => {
    if (sample.at < now - HISTORY_MS) return [];
    const consumer = sample.status.consumers.find((entry) => entry.name === name);
    const ms = consumer ? lagMs(consumerLag(consumer)) : null;
    return ms === null ? [] : [{ at: sample.at, ms }];
  });
}

/**
 * An SVG path of `points` over the last `HISTORY_MS` ending at `now`, in a `width` × `height`
 * box, lag growing upwards; the scale's top is the largest lag, at least one second, so a
 * consumer a few milliseconds behind draws as the flat line it is. A gap of more than three
 * seconds between polls (the console was hidden) breaks the line.
 */
export function sparklinePath(points: readonly LagPoint[], now: number, width: number, height: number): { d: string; maxMs: number } {
  const maxMs = Math.max(1000, ...points.map((point) => point.ms));
  let d = "";
  let previous: number | null = null;
  for (const point of points) {
    const x = width - ((now - point.at) / HISTORY_MS) * width;
    // Zero sits just above the axis line drawn at the bottom, so "up to date" shows as a line.
    const y = height - 3 - (point.ms / maxMs) * (height - 5);
    const command = previous === null || point.at - previous > 3000 ? "M" : "L";
    d += `${d ? " " : ""}${command}${x.toFixed(1)} ${y.toFixed(1)}`;
    previous = point.at;
  }
  return { d, maxMs };
}

/** "0.3 s", "12 s", "4 min", "2 h", "3 d": a duration at the precision people read it. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 1) return `${Math.round(Math.max(0, ms))} ms`;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

/** "0.3 s ago" for a record's arrival; null when there is none. */
export function formatAge(arrivalMs: number, now: number): string | null {
  if (arrivalMs <= 0) return null;
  const ms = Math.max(0, now - arrivalMs);
  if (ms < 100) return "just now";
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s ago` : `${formatDuration(ms)} ago`;
}

export function lagText(lag: Lag): string {
  if (lag.kind === "current") return "up to date";
  if (lag.kind === "pending") return lag.autoRefresh ? "starting" : "waits for REFRESH";
  return `${formatDuration(lag.ms)} behind`;
}

/** Arrival times as the console shows them: the local clock to the millisecond, with the date when it is not today. */
export function formatArrival(ms: number, now: number): string {
  const date = new Date(ms);
  const pad = (value: number, width = 2) => String(value).padStart(width, "0");
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
  const today = new Date(now);
  const sameDay = date.getFullYear() === today.getFullYear() && date.getMonth() === today.getMonth() && date.getDate() === today.getDate();
  return sameDay ? time : `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`;
}

/** A payload on one line, for a list of records: JSON compacted, other whitespace runs as one space. */
export function compactData(data: string): string {
  const trimmed = data.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.stringify(JSON.parse(trimmed));
    } catch {
      // Not JSON after all: shown as sent.
    }
  }
  return data.replace(/\s+/g, " ");
}

/** A payload as text to read: JSON indented, anything else as it came. */
export function prettyData(data: string): { text: string; json: boolean } {
  const trimmed = data.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return { text: JSON.stringify(JSON.parse(trimmed), null, 2), json: true };
    } catch {
      // Not JSON after all (or cut at 4 KiB): shown as sent.
    }
  }
  return { text: data, json: false };
}
