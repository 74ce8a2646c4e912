import type { Classes } from "./scales";
import { classLabels, formatNumber } from "./scales";

export type SizeLegend = { title: string; steps: readonly { value: number; radius: number }[] };

interface Props {
  colorTitle: string | null;
  classes: Classes | null;
  /** The swatch of shapes or markers without a value, when there are any. */
  noData: string | null;
  size?: SizeLegend | null;
}

/** The key to a map's colours (with how the classes were cut) and, for points, its sizes. */
export function MapLegend({ colorTitle, classes, noData, size }: Props) {
  if (!classes && !size) return null;
  return (
    <div className="kiln-map-legend" data-testid="map-legend">
      {classes && colorTitle && (
        <div className="kiln-map-legend-block">
          <div className="kiln-map-legend-title">
            {colorTitle} <span className="kiln-map-legend-method">({classes.method} classes)</span>
          </div>
          {classLabels(classes).map((label, index) => (
            <div key={label} className="kiln-map-legend-row">
              <span className="kiln-map-swatch" style={{ background: classes.colors[index] }} />
              {label}
            </div>
          ))}
          {noData && (
            <div className="kiln-map-legend-row">
              <span className="kiln-map-swatch kiln-map-swatch-empty" style={{ background: noData }} />
              no value
            </div>
          )}
        </div>
      )}
      {size && size.steps.length > 0 && (
        <div className="kiln-map-legend-block">
          <div className="kiln-map-legend-title">{size.title}</div>
          {size.steps.map((step) => (
            <div key={step.value} className="kiln-map-legend-row">
              <span className="kiln-map-size-cell">
                <span className="kiln-map-size" style={{ width: step.radius * 2, height: step.radius * 2 }} />
              </span>
              {formatNumber(step.value)}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
