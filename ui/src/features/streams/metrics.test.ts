import { describe, expect, it } from "vitest";
import type { StreamConsumerDto, StreamDto, StreamsStatus } from "../../api";
import { addSample, compactData, consumerLag, formatAge, formatDuration, lagSeries, lagText, prettyData, sparklinePath, streamRates, type StatusSample } from "./metrics";

function stream(recordsIn: number, bytesIn: number): StreamDto {
  return { name: "orders", kind: "kinesis", shards: 2, retentionHours: 24, recordsIn, bytesIn, recordsHeld: recordsIn, newestArrivalMs: 0, deliveryTable: null };
}

function consumer(newestTakenMs: number, newestArrivalMs: number, autoRefresh = true): StreamConsumerDto {
  return { name: "public.orders_view", stream: "orders", autoRefresh, newestTakenMs, newestArrivalMs, lastRefreshMs: 0, records: 0, rejected: 0, lastError: null };
}

function sample(at: number, streams: StreamDto[], consumers: StreamConsumerDto[] = []): StatusSample {
  const status: StreamsStatus = { endpoint: "http://127.0.0.1:4577", endpointError: null, streams, consumers };
  return { at, status };
}

describe("streamRates", () => {
  it("needs two polls, then averages over the last five seconds", () => {
    expect(streamRates([sample(0, [stream(0, 0)])], "kinesis:orders")).toBeNull();
    const samples = [0, 1, 2, 3, 4, 5, 6].map((second) => sample(second * 1000, [stream(second * 100, second * 2048)]));
    const rates = streamRates(samples, "kinesis:orders");
    expect(rates?.recordsPerSecond).toBeCloseTo(100);
    expect(rates?.bytesPerSecond).toBeCloseTo(2048);
    // A burst in the last second counts over the window, not as one spike.
    samples.push(sample(7000, [stream(1100, 7 * 2048)]));
    expect(streamRates(samples, "kinesis:orders")?.recordsPerSecond).toBeCloseTo((1100 - 200) / 5);
  });

  it("says nothing when the totals went back (the stream was reopened)", () => {
    expect(streamRates([sample(0, [stream(500, 500)]), sample(1000, [stream(3, 3)])], "kinesis:orders")).toBeNull();
  });
});

describe("addSample", () => {
  it("keeps about a minute", () => {
    let samples: StatusSample[] = [];
    for (let second = 0; second <= 120; second += 1) samples = addSample(samples, sample(second * 1000, []));
    expect(samples[0]?.at).toBe(55_000);
    expect(samples.at(-1)?.at).toBe(120_000);
  });
});

describe("consumerLag", () => {
  it("is up to date without records or when the newest was taken", () => {
    expect(lagText(consumerLag(consumer(0, 0)))).toBe("up to date");
    expect(lagText(consumerLag(consumer(5000, 5000)))).toBe("up to date");
  });

  it("is the arrival gap between the stream's newest and the consumer's newest", () => {
    expect(consumerLag(consumer(5000, 6500))).toEqual({ kind: "behind", ms: 1500 });
    expect(lagText(consumerLag(consumer(5000, 6500)))).toBe("1.5 s behind");
  });

  it("says a manual view waits for REFRESH rather than a lag of 55 years", () => {
    expect(lagText(consumerLag(consumer(0, 1_700_000_000_000, false)))).toBe("waits for REFRESH");
  });

  it("charts only measured lags", () => {
    const samples = [sample(1000, [], [consumer(0, 900, false)]), sample(2000, [], [consumer(900, 1400)]), sample(3000, [], [consumer(1400, 1400)])];
    expect(lagSeries(samples, "public.orders_view", 3000)).toEqual([
      { at: 2000, ms: 500 },
      { at: 3000, ms: 0 },
    ]);
  });
});

describe("sparklinePath", () => {
  it("ends at the right edge, scaled to at least a second, and breaks across gaps", () => {
    const { d, maxMs } = sparklinePath(
      [
        { at: 0, ms: 0 },
        { at: 1000, ms: 500 },
        { at: 50_000, ms: 0 },
        { at: 60_000, ms: 0 },
      ],
      60_000,
      120,
      20,
    );
    expect(maxMs).toBe(1000);
    expect(d).toBe("M0.0 17.0 L2.0 9.5 M100.0 17.0 M120.0 17.0");
  });
});

describe("formatting", () => {
  it("reads durations and ages the way people say them", () => {
    expect(formatDuration(40)).toBe("40 ms");
    expect(formatDuration(1500)).toBe("1.5 s");
    expect(formatDuration(45_000)).toBe("45 s");
    expect(formatDuration(600_000)).toBe("10 min");
    expect(formatAge(0, 1000)).toBeNull();
    expect(formatAge(10_000, 10_050)).toBe("just now");
    expect(formatAge(10_000, 10_300)).toBe("0.3 s ago");
    expect(formatAge(10_000, 250_000)).toBe("4 min ago");
  });

  it("indents JSON and leaves anything else as sent", () => {
    expect(prettyData('{"a":1}')).toEqual({ text: '{\n  "a": 1\n}', json: true });
    expect(prettyData("not json")).toEqual({ text: "not json", json: false });
    expect(compactData('{\n  "a": [1, 2]\n}')).toBe('{"a":[1,2]}');
    expect(compactData("two\n lines")).toBe("two lines");
    expect(prettyData('{"cut": "at 4 Ki')).toEqual({ text: '{"cut": "at 4 Ki', json: false });
  });
});
