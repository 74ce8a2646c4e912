import type { ChartData } from "../../api";
import { measureLabel } from "./echartsOption";

/**
 * Readable names for the columns of chart data (the engine's query names them x, series, y0 …):
 * the spec's own columns and measures, as a CSV download's header should say them.
 */
export function displayColumns(data: ChartData): string[] {
  if (data.roles.length === 0) return data.columns;
  const { spec } = data;
  let measure = 0;
  return data.roles.map((role, index) => {
    switch (role) {
      case "x":
        return spec.x ?? "x";
      case "series":
        return spec.series ?? "series";
      case "y": {
        const entry = spec.y[measure];
        measure += 1;
        return entry ? measureLabel(entry) : (data.columns[index] ?? "value");
      }
      case "latitude":
        return spec.latitude ?? "latitude";
      case "longitude":
        return spec.longitude ?? "longitude";
      case "size":
        return spec.size ? measureLabel(spec.size) : "size";
      case "color":
        return spec.color ? measureLabel(spec.color) : "color";
      case "label":
        return spec.label ?? "label";
      case "region":
        return spec.region ?? "region";
    }
  });
}
