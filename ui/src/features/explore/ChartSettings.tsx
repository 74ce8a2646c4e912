import type { Aggregation, ChartKind, ChartSpec, ColumnDto, Measure, RegionSet, TimeBucket } from "../../api";

const KINDS: Array<[ChartKind, string]> = [
  ["line", "Line"],
  ["area", "Area"],
  ["bar", "Bar"],
  ["scatter", "Scatter"],
  ["stat", "Stat"],
  ["gauge", "Gauge"],
  ["pie", "Pie"],
  ["heatmap", "Heatmap"],
  ["pointMap", "Point map"],
  ["regionMap", "Region map"],
  ["table", "Table"],
];

const AGGREGATIONS: Array<[Aggregation, string]> = [
  ["sum", "Sum"],
  ["avg", "Average"],
  ["min", "Min"],
  ["max", "Max"],
  ["median", "Median"],
  ["count", "Count"],
  ["countDistinct", "Count distinct"],
  ["last", "Last value"],
  ["none", "Each row"],
];

const BUCKETS: Array<[TimeBucket, string]> = [
  ["auto", "Auto"],
  ["second", "Second"],
  ["minute", "Minute"],
  ["hour", "Hour"],
  ["day", "Day"],
  ["week", "Week"],
  ["month", "Month"],
  ["quarter", "Quarter"],
  ["year", "Year"],
];

const CARTESIAN: readonly ChartKind[] = ["line", "area", "bar", "scatter", "heatmap"];
/** Kinds drawing one value (a stat's number, a gauge's dial, a pie's slice sizes). */
const SINGLE_VALUE: readonly ChartKind[] = ["stat", "gauge", "pie"];

function isTemporal(column: ColumnDto | undefined): boolean {
  return /^(date|timestamp)/i.test(column?.dataType ?? "");
}

interface Props {
  spec: ChartSpec;
  columns: readonly ColumnDto[];
  onChange: (spec: ChartSpec) => void;
}

/** The chart's settings in one row of small controls: kind, then the encodings that kind uses. */
export function ChartSettings({ spec, columns, onChange }: Props) {
  const set = (patch: Partial<ChartSpec>) => onChange({ ...spec, ...patch });
  const names = columns.map((column) => column.name);
  const xColumn = columns.find((column) => column.name === spec.x);
  const cartesian = CARTESIAN.includes(spec.kind);
  const single = SINGLE_VALUE.includes(spec.kind);
  const hasX = cartesian || spec.kind === "stat" || spec.kind === "pie";
  const measures = single ? spec.y.slice(0, 1) : spec.y;
  const setMeasure = (nth: number, measure: Measure) => set({ y: spec.y.map((entry, k) => (k === nth ? measure : entry)) });
  return (
    <div className="chart-settings" data-testid="chart-settings">
      <Field label="Chart">
        <select data-testid="chart-kind" value={spec.kind} onChange={(event) => set({ kind: event.target.value as ChartKind })}>
          {KINDS.map(([kind, label]) => (
            <option key={kind} value={kind}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      {hasX && (
        <Field label={spec.kind === "stat" ? "Trend over" : spec.kind === "pie" ? "Slices by" : spec.kind === "bar" && spec.horizontal ? "Categories" : "X"}>
          <ColumnSelect testId="chart-x" value={spec.x} names={names} optional={spec.kind === "stat"} onChange={(x) => set({ x, bucket: isTemporal(columns.find((c) => c.name === x)) ? (spec.bucket ?? "auto") : undefined })} />
        </Field>
      )}
      {hasX && isTemporal(xColumn) && (
        <Field label="Per">
          <select data-testid="chart-bucket" value={spec.bucket ?? "auto"} onChange={(event) => set({ bucket: event.target.value as TimeBucket })}>
            {BUCKETS.map(([bucket, label]) => (
              <option key={bucket} value={bucket}>
                {label}
              </option>
            ))}
          </select>
        </Field>
      )}
      {(cartesian || single) &&
        measures.map((measure, nth) => (
          <Field key={nth} label={spec.kind === "heatmap" ? "Colour" : single ? "Value" : `Y${spec.y.length > 1 ? ` ${nth + 1}` : ""}`}>
            <MeasureSelect testId={`chart-y-${nth}`} measure={measure} names={names} onChange={(next) => setMeasure(nth, next)} />
            {measures.length > 1 && (
              <button type="button" className="icon-button" aria-label={`Remove Y ${nth + 1}`} onClick={() => set({ y: spec.y.filter((_, k) => k !== nth) })}>
                ×
              </button>
            )}
          </Field>
        ))}
      {(cartesian || single) && spec.y.length === 0 && (
        <Field label="Y">
          <MeasureSelect testId="chart-y-0" measure={{ aggregation: "count" }} names={names} onChange={(next) => set({ y: [next] })} />
        </Field>
      )}
      {cartesian && spec.kind !== "heatmap" && spec.y.length < 4 && (
        <button type="button" className="link" data-testid="chart-add-y" onClick={() => set({ y: [...spec.y, spec.y[0] ?? { aggregation: "count" }] })}>
          + value
        </button>
      )}
      {cartesian && (
        <Field label={spec.kind === "heatmap" ? "Rows" : "Series"}>
          <ColumnSelect testId="chart-series" value={spec.series} names={names} optional onChange={(series) => set({ series })} />
        </Field>
      )}
      {(spec.kind === "bar" || spec.kind === "area") && (
        <label className="checkbox">
          <input type="checkbox" checked={spec.stacked} onChange={(event) => set({ stacked: event.target.checked })} />
          Stacked
        </label>
      )}
      {spec.kind === "bar" && (
        <label className="checkbox">
          <input type="checkbox" checked={spec.horizontal} onChange={(event) => set({ horizontal: event.target.checked })} />
          Horizontal
        </label>
      )}
      {spec.kind === "gauge" && (
        <>
          <Field label="Min">
            <NumberInput testId="chart-min" value={spec.min} placeholder="0" onChange={(min) => set({ min })} />
          </Field>
          <Field label="Max">
            <NumberInput testId="chart-max" value={spec.max} placeholder="auto" onChange={(max) => set({ max })} />
          </Field>
        </>
      )}
      {spec.kind === "pointMap" && (
        <>
          <Field label="Latitude">
            <ColumnSelect testId="chart-latitude" value={spec.latitude} names={names} onChange={(latitude) => set({ latitude })} />
          </Field>
          <Field label="Longitude">
            <ColumnSelect testId="chart-longitude" value={spec.longitude} names={names} onChange={(longitude) => set({ longitude })} />
          </Field>
          <Field label="Size">
            <OptionalMeasure testId="chart-size" measure={spec.size} names={names} onChange={(size) => set({ size })} />
          </Field>
          <Field label="Colour">
            <OptionalMeasure testId="chart-color" measure={spec.color} names={names} onChange={(color) => set({ color })} />
          </Field>
          <Field label="Label">
            <ColumnSelect testId="chart-label" value={spec.label} names={names} optional onChange={(label) => set({ label })} />
          </Field>
        </>
      )}
      {spec.kind === "regionMap" && (
        <>
          <Field label="Regions">
            <RegionSetSelect value={spec.regions} onChange={(regions) => set({ regions })} />
          </Field>
          <Field label="Named by">
            <ColumnSelect testId="chart-region" value={spec.region} names={names} onChange={(region) => set({ region })} />
          </Field>
          <Field label="Colour">
            <MeasureSelect testId="chart-color" measure={spec.color ?? { aggregation: "count" }} names={names} onChange={(color) => set({ color })} />
          </Field>
        </>
      )}
      {(spec.kind === "pointMap" || spec.kind === "regionMap") && (
        <Field label="Tiles">
          <input
            className="input input-sm"
            data-testid="chart-tiles"
            placeholder="offline outlines (or a tile URL with {z}/{x}/{y})"
            defaultValue={spec.tiles ?? ""}
            onBlur={(event) => set({ tiles: event.target.value.trim() || undefined })}
          />
        </Field>
      )}
    </div>
  );
}

function NumberInput({ value, placeholder, onChange, testId }: { value: number | undefined; placeholder: string; onChange: (value: number | undefined) => void; testId: string }) {
  return (
    <input
      className="input input-sm chart-number"
      data-testid={testId}
      type="number"
      placeholder={placeholder}
      defaultValue={value ?? ""}
      onBlur={(event) => {
        const text = event.target.value.trim();
        const number = Number(text);
        onChange(text === "" || !Number.isFinite(number) ? undefined : number);
      }}
    />
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <label className="chart-field">
      <span className="chart-field-label">{label}</span>
      {children}
    </label>
  );
}

function ColumnSelect({ value, names, optional, onChange, testId }: { value: string | undefined; names: readonly string[]; optional?: boolean; onChange: (value: string | undefined) => void; testId: string }) {
  return (
    <select data-testid={testId} value={value ?? ""} onChange={(event) => onChange(event.target.value || undefined)}>
      {(optional || value === undefined) && <option value="">{optional ? "none" : "choose…"}</option>}
      {names.map((name) => (
        <option key={name} value={name}>
          {name}
        </option>
      ))}
    </select>
  );
}

function MeasureSelect({ measure, names, onChange, testId }: { measure: Measure; names: readonly string[]; onChange: (measure: Measure) => void; testId: string }) {
  const counting = measure.aggregation === "count" && !measure.column;
  return (
    <span className="chart-measure" data-testid={testId}>
      <select aria-label="Aggregation" value={measure.aggregation} onChange={(event) => onChange({ ...measure, aggregation: event.target.value as Aggregation })}>
        {AGGREGATIONS.map(([aggregation, label]) => (
          <option key={aggregation} value={aggregation}>
            {label}
          </option>
        ))}
      </select>
      <select aria-label="Column" value={counting ? "" : (measure.column ?? "")} onChange={(event) => onChange({ ...measure, column: event.target.value || undefined })}>
        {measure.aggregation === "count" && <option value="">rows</option>}
        {measure.aggregation !== "count" && !measure.column && <option value="">choose…</option>}
        {names.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </span>
  );
}

function OptionalMeasure({ measure, names, onChange, testId }: { measure: Measure | undefined; names: readonly string[]; onChange: (measure: Measure | undefined) => void; testId: string }) {
  if (!measure) {
    return (
      <button type="button" className="link" data-testid={testId} onClick={() => onChange({ aggregation: "none", column: names[0] })}>
        + add
      </button>
    );
  }
  return (
    <span className="chart-measure">
      <MeasureSelect testId={testId} measure={measure} names={names} onChange={onChange} />
      <button type="button" className="icon-button" aria-label="Remove" onClick={() => onChange(undefined)}>
        ×
      </button>
    </span>
  );
}

function RegionSetSelect({ value, onChange }: { value: RegionSet | undefined; onChange: (value: RegionSet) => void }) {
  const kind = value?.kind ?? "usStates";
  return (
    <span className="chart-measure">
      <select
        data-testid="chart-regions"
        value={kind}
        onChange={(event) => {
          const next = event.target.value;
          onChange(next === "projectFile" ? { kind: "projectFile", path: "", property: "name" } : next === "worldCountries" ? { kind: "worldCountries" } : { kind: "usStates" });
        }}
      >
        <option value="usStates">US states</option>
        <option value="worldCountries">World countries</option>
        <option value="projectFile">A GeoJSON/TopoJSON file…</option>
      </select>
      {value?.kind === "projectFile" && (
        <>
          <input className="input input-sm" placeholder="maps/regions.geojson" defaultValue={value.path} onBlur={(event) => onChange({ ...value, path: event.target.value.trim() })} />
          <input className="input input-sm" placeholder="property" defaultValue={value.property} onBlur={(event) => onChange({ ...value, property: event.target.value.trim() })} />
        </>
      )}
    </span>
  );
}
