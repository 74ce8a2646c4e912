import { useState } from "react";
import type { TimeWindow } from "../../api";
import { Button } from "../../shared/ui";
import { Dropdown } from "./Dropdown";
import { TIME_PRESETS, timeLabel } from "./viewState";

/**
 * The range Grafana macros in panel queries expand against: Grafana's presets ("Last 3 hours"),
 * or any from/to the engine reads (`now-2d`, `now/d`, `2024-05-01T10:00:00Z`). "The dashboard's"
 * goes back to the file's own range.
 */
export function TimePicker({ picked, fileWindow, onPick }: { picked: TimeWindow | null; fileWindow: TimeWindow | null; onPick: (window: TimeWindow | null) => void }) {
  const shown = picked ?? fileWindow ?? { from: "now-6h", to: "now" };
  const [from, setFrom] = useState(shown.from);
  const [to, setTo] = useState(shown.to);
  return (
    <Dropdown caption="Time" value={timeLabel(shown)} testId="time-picker" title="The range $__timeFilter and the other time macros expand against">
      {(close) => (
        <div className="time-picker">
          <div className="time-picker-presets" role="listbox" aria-label="Time ranges">
            {fileWindow && (
              <button type="button" className="menu-item" aria-selected={picked === null} onClick={() => (onPick(null), close())}>
                The dashboard's ({timeLabel(fileWindow)})
              </button>
            )}
            {TIME_PRESETS.map((preset) => (
              <button
                key={preset.from}
                type="button"
                className="menu-item"
                aria-selected={shown.from === preset.from && shown.to === "now"}
                onClick={() => {
                  onPick({ from: preset.from, to: "now" });
                  close();
                }}
              >
                {preset.label}
              </button>
            ))}
          </div>
          <form
            className="time-picker-custom"
            onSubmit={(event) => {
              event.preventDefault();
              onPick({ from: from.trim(), to: to.trim() });
              close();
            }}
          >
            <div className="menu-caption">Custom range</div>
            <label>
              From
              <input aria-label="From" value={from} onChange={(event) => setFrom(event.target.value)} placeholder="now-7d or 2024-05-01" />
            </label>
            <label>
              To
              <input aria-label="To" value={to} onChange={(event) => setTo(event.target.value)} placeholder="now" />
            </label>
            <Button size="sm" type="submit">
              Apply
            </Button>
          </form>
        </div>
      )}
    </Dropdown>
  );
}
