import { useEffect, useLayoutEffect, useRef } from "react";

interface Props {
  /** The log's lines, as the CLI prints them; null while a past run's log is loading. */
  lines: readonly string[] | null;
  /** True while the run is going: new lines follow at the bottom. */
  live: boolean;
  /** What to say when there is no run to show. */
  empty: string;
}

/**
 * The Log tab: the run's lines as `kiln build` prints them in a terminal. While a run streams in
 * it stays scrolled to the newest line, unless the user scrolled up to read something.
 */
export function RunLog({ lines, live, empty }: Props) {
  const box = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);

  useEffect(() => {
    const element = box.current;
    if (!element) return undefined;
    const onScroll = () => {
      pinned.current = element.scrollTop + element.clientHeight >= element.scrollHeight - 8;
    };
    element.addEventListener("scroll", onScroll, { passive: true });
    return () => element.removeEventListener("scroll", onScroll);
  }, []);

  useLayoutEffect(() => {
    const element = box.current;
    if (element && (pinned.current || !live)) element.scrollTop = element.scrollHeight;
  }, [lines, live]);

  const text = lines === null ? "Loading the log…" : lines.length > 0 ? lines.join("\n") : empty;
  return (
    <pre ref={box} className={`run-log ${lines && lines.length > 0 ? "has-lines" : ""}`} data-testid="run-log">
      {text.split("\n").map((line, index) => (
        <span key={index} className={logLineClass(line)}>
          {line}
          {"\n"}
        </span>
      ))}
    </pre>
  );
}

/** Colours the lines a reader scans for: failures, warnings and the closing totals. */
export function logLineClass(line: string): string {
  // The totals line names ERROR=0 too: it is judged by its counts, not its words.
  const totals = /^Done\. PASS=\d+ WARN=(\d+) ERROR=(\d+)/.exec(line);
  if (totals) return Number(totals[2]) > 0 ? "log-error log-done" : Number(totals[1]) > 0 ? "log-warn log-done" : "log-done";
  if (/ of \d+ (ERROR|FAIL) |^(Error|Failure) in |Completed with errors/.test(line)) return "log-error";
  if (/ of \d+ WARN |^Warning in |Completed with warnings/.test(line)) return "log-warn";
  if (/Completed successfully/.test(line)) return "log-done";
  return "";
}
