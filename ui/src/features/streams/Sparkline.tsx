import { formatDuration, sparklinePath, type LagPoint } from "./metrics";

const WIDTH = 96;
const HEIGHT = 22;

/** A consumer's lag over the last minute as a line, newest at the right; no chart library needed. */
export function Sparkline({ points, now }: { points: readonly LagPoint[]; now: number }) {
  const { d, maxMs } = sparklinePath(points, now, WIDTH, HEIGHT);
  const worst = Math.max(0, ...points.map((point) => point.ms));
  const label =
    points.length === 0
      ? "No lag measured yet"
      : worst === 0
        ? "Lag over the last minute: up to date throughout"
        : `Lag over the last minute: at most ${formatDuration(worst)}`;
  return (
    <svg className="streams-sparkline" width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label} data-max-ms={maxMs}>
      <title>{label}</title>
      <line x1="0" x2={WIDTH} y1={HEIGHT - 0.5} y2={HEIGHT - 0.5} className="streams-sparkline-axis" />
      {d && <path d={d} className={`streams-sparkline-line ${worst > 0 ? "behind" : ""}`} />}
    </svg>
  );
}
