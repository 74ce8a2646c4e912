import "leaflet/dist/leaflet.css";
import "./maps.css";
import * as L from "leaflet";
import { useEffect, useMemo, useRef, useState } from "react";
import type { ChartData, RegionSet } from "../../../api";
import { useStudioInstance } from "../../../app/useStudio";
import { measureLabel } from "../echartsOption";
import { tooltipContent } from "./baseMap";
import { choropleth, choroplethMessages } from "./choropleth";
import { readRegions } from "./data";
import { CONTIGUOUS_US, WORLD, type Extent } from "./geo";
import { useFit, useLeafletMap, useOutlines, useTiles } from "./hooks";
import { MapLegend } from "./Legend";
import { classOf, formatNumber } from "./scales";
import { regionShapes, shapeKey, shapeName, type Shape } from "./shapes";
import { useMapTheme } from "./theme";

interface Props {
  data: ChartData;
  /** A filled region was clicked: the region text of its row. */
  onSelect?: (region: string) => void;
}

type Loaded = { key: string; shapes: Shape[] } | { key: string; error: string };

function openingExtent(set: RegionSet, shapes: readonly Shape[] | null): Extent | null {
  if (set.kind === "usStates") return CONTIGUOUS_US;
  if (set.kind === "worldCountries") return WORLD;
  if (!shapes || shapes.length === 0) return null;
  const bounds = L.geoJSON([...shapes]).getBounds();
  return bounds.isValid()
    ? [
        [bounds.getSouth(), bounds.getWest()],
        [bounds.getNorth(), bounds.getEast()],
      ]
    : null;
}

/**
 * A choropleth: US states, world countries or a project file's shapes, each filled by its row's
 * value in quantile classes, those without a row left neutral; values that name no shape are
 * listed over the map.
 */
export function RegionMap({ data, onSelect }: Props) {
  const studio = useStudioInstance();
  const container = useRef<HTMLDivElement>(null);
  const { map, sized } = useLeafletMap(container);
  const theme = useMapTheme();
  const tiles = useTiles(map, data.spec.tiles);
  // Handlers bound once read the latest callback through this.
  const select = useRef(onSelect);
  useEffect(() => {
    select.current = onSelect;
  }, [onSelect]);

  // The set as a string, so a refresh with an equal spec does not reload the shapes.
  const setKey = JSON.stringify(data.spec.regions ?? { kind: "usStates" });
  const set = useMemo(() => JSON.parse(setKey) as RegionSet, [setKey]);
  useOutlines(map, set.kind === "worldCountries" ? null : "countries", theme, tiles !== "loaded");
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  useEffect(() => {
    let current = true;
    const readFile = (path: string) => studio.backend.call("readFile", { path }).then((file) => file.content);
    regionShapes(set, readFile)
      .then((answer) => current && setLoaded({ key: setKey, ...answer }))
      .catch((error: unknown) => current && setLoaded({ key: setKey, error: error instanceof Error ? error.message : String(error) }));
    return () => {
      current = false;
    };
  }, [studio, set, setKey]);
  const shapes = loaded?.key === setKey && "shapes" in loaded ? loaded.shapes : null;
  const loadError = loaded?.key === setKey && "error" in loaded ? loaded.error : null;

  const rows = useMemo(() => readRegions(data), [data]);
  const keys = useMemo(() => new Map((shapes ?? []).map((shape) => [shape, shapeKey(set, shape)])), [shapes, set]);
  const fill = useMemo(() => {
    const present = new Set<string>();
    for (const key of keys.values()) if (key !== null) present.add(key);
    return choropleth(rows, set, present);
  }, [rows, set, keys]);
  const messages = shapes ? choroplethMessages(fill, set, rows.length) : [];
  const colorTitle = data.spec.color ? measureLabel(data.spec.color) : "rows";
  const extent = useMemo(() => openingExtent(set, shapes), [set, shapes]);
  useFit(map, sized, extent, { top: 16, right: 16, bottom: 16, left: 16 });

  useEffect(() => {
    if (!map || !shapes) return undefined;
    // Over loaded tiles the fills are translucent and shapes without data empty, so streets show.
    const overTiles = tiles === "loaded";
    const styleOf = (shape: Shape | undefined): L.PathOptions => {
      const key = shape ? keys.get(shape) : null;
      const entry = key ? fill.values.get(key) : undefined;
      const index = fill.classes && entry ? classOf(fill.classes, entry.value) : -1;
      const color = index >= 0 ? fill.classes?.colors[index] : undefined;
      return color
        ? { fill: true, fillColor: color, fillOpacity: overTiles ? 0.7 : 1, color: theme.halo, weight: 0.8, opacity: 1 }
        : { fill: true, fillColor: theme.noData, fillOpacity: overTiles ? 0.25 : 1, color: theme.border, weight: 0.8, opacity: 1 };
    };
    const layer = L.geoJSON(shapes, {
      style: styleOf,
      onEachFeature: (shape: Shape, path) => {
        const key = keys.get(shape);
        const entry = key ? fill.values.get(key) : undefined;
        const value = entry?.value;
        // Built when first shown: thousands of regions' tooltips up front cost a third of the first draw.
        const content = () => {
          const lines: [string, string][] = [[colorTitle, value === null || value === undefined ? "no data" : formatNumber(value)]];
          if (entry && entry.region !== shapeName(set, shape)) lines.push(["as", entry.region]);
          return tooltipContent(shapeName(set, shape), lines);
        };
        path.bindTooltip(content, { sticky: true, className: "kiln-map-tip", opacity: 1 });
        path.on("mouseover", () => {
          if (path instanceof L.Path) path.setStyle({ color: theme.highlight, weight: 2 }).bringToFront();
        });
        path.on("mouseout", () => layer.resetStyle(path));
        path.on("click", () => entry && select.current?.(entry.region));
      },
    }).addTo(map);
    return () => {
      layer.remove();
    };
  }, [map, shapes, keys, fill, set, theme, tiles, colorTitle]);

  const unmatched = fill.unmatched.length + fill.unshaped.length;
  return (
    <div className="kiln-map" data-testid="region-map" data-filled={shapes ? fill.filled : 0} data-unmatched={shapes ? unmatched : 0} data-loaded={shapes !== null}>
      <div ref={container} className="kiln-map-canvas" />
      <div className="kiln-map-messages">
        {loadError && (
          <div className="kiln-map-message kiln-map-error" data-testid="region-map-error">
            {loadError}
          </div>
        )}
        {messages.map((message) => (
          <div key={message} className="kiln-map-message" data-testid="region-map-message">
            {message}
          </div>
        ))}
        {tiles === "failed" && <div className="kiln-map-note" data-testid="map-tiles-failed">Map tiles did not load; showing the built-in outlines.</div>}
      </div>
      <MapLegend colorTitle={colorTitle} classes={fill.classes} noData={shapes && fill.filled < keys.size ? theme.noData : null} />
    </div>
  );
}
