import "leaflet/dist/leaflet.css";
import "./maps.css";
import * as L from "leaflet";
import { useEffect, useMemo, useRef, useState } from "react";
import type { ChartData } from "../../../api";
import { measureLabel } from "../echartsOption";
import { HIGHLIGHT_PANE, MARKER_PANE, tooltipContent } from "./baseMap";
import { finiteValues, readPoints, type Points } from "./data";
import { FIT_MAX_ZOOM, WORLD, pointExtent } from "./geo";
import { useFit, useLeafletMap, useOutlines, useTiles } from "./hooks";
import { MapLegend, type SizeLegend } from "./Legend";
import { PointsLayer } from "./PointsLayer";
import { classOf, defaultRadius, formatNumber, quantileClasses, sizeScale, sizeSteps } from "./scales";
import { useMapTheme } from "./theme";

interface Props {
  data: ChartData;
  /** A marker was clicked: its row of `data.rows`. */
  onSelect?: (row: unknown[]) => void;
}

/** Past this many markers, markers are small, without outlines, and drawn in row order. */
const DENSE = 2_000;

/** Radii for dense maps stay small so thousands of markers read as a distribution, not a carpet. */
function radiusRange(count: number): [number, number] {
  if (count > 20_000) return [1.5, 8];
  if (count > DENSE) return [2.5, 12];
  return [5, 18];
}

function radii(points: Points): { radius: Float32Array; size: SizeLegend["steps"] } {
  const radius = new Float32Array(points.count);
  const sizes = finiteValues(points.size);
  const [low, high] = radiusRange(points.count);
  const scale = sizeScale(sizes, low, high);
  if (!scale || !points.size) {
    radius.fill(defaultRadius(points.count));
    return { radius, size: [] };
  }
  for (let index = 0; index < points.count; index += 1) {
    const value = points.size[index] ?? NaN;
    radius[index] = scale(Number.isFinite(value) ? value : null);
  }
  // A loop, not Math.min(...sizes): spreading 100,000 arguments overflows the stack.
  let min = Infinity;
  let max = -Infinity;
  for (const value of sizes) {
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  return { radius, size: sizeSteps(min, max).map((value) => ({ value, radius: scale(value) })) };
}

/**
 * Markers at latitude/longitude, sized and coloured by value, over the offline outlines (and the
 * spec's tiles when they load). The view fits the markers however close together they are.
 */
export function PointMap({ data, onSelect }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const { map, sized } = useLeafletMap(container);
  const theme = useMapTheme();
  const tiles = useTiles(map, data.spec.tiles);
  useOutlines(map, "countriesAndStates", theme, tiles !== "loaded");
  const [layer, setLayer] = useState<PointsLayer | null>(null);
  // Handlers bound once read the latest callback through this.
  const select = useRef(onSelect);
  useEffect(() => {
    select.current = onSelect;
  }, [onSelect]);

  const points = useMemo(() => readPoints(data), [data]);
  const classes = useMemo(() => (points.color ? quantileClasses(points.color) : null), [points]);
  const sizing = useMemo(() => radii(points), [points]);
  const missingColor = useMemo(() => points.color !== null && finiteValues(points.color).length < points.count, [points]);
  const extent = useMemo(() => pointExtent(points.lat, points.lon) ?? WORLD, [points]);
  const names = {
    latitude: data.spec.latitude ?? "latitude",
    longitude: data.spec.longitude ?? "longitude",
    size: data.spec.size ? measureLabel(data.spec.size) : "size",
    color: data.spec.color ? measureLabel(data.spec.color) : "colour",
  };
  const legendShown = Boolean(classes || sizing.size.length > 0);
  // The legend sits bottom-right: keep markers out from under it.
  useFit(map, sized, extent, { top: 40, right: legendShown ? 200 : 40, bottom: 40, left: 48 }, FIT_MAX_ZOOM);

  useEffect(() => {
    if (!map) return undefined;
    const created = new PointsLayer({ pane: MARKER_PANE }).addTo(map);
    setLayer(created);
    return () => {
      created.remove();
      setLayer(null);
    };
  }, [map]);

  useEffect(() => {
    if (!layer) return;
    const colorClass = new Int16Array(points.count);
    for (let index = 0; index < points.count; index += 1) {
      const value = points.color?.[index] ?? NaN;
      colorClass[index] = classes ? classOf(classes, Number.isFinite(value) ? value : null) : 0;
    }
    layer.setMarkers({
      lat: points.lat,
      lon: points.lon,
      radius: sizing.radius,
      colorClass,
      // Without a colour measure every marker takes the palette's middle.
      colors: classes?.colors ?? ["#21918c"],
      neutral: theme.muted,
      halo: theme.halo,
      dense: points.count > DENSE,
    });
  }, [layer, points, classes, sizing, theme]);

  // One hit test per mouse move against the grid of drawn markers, one shared tooltip.
  useEffect(() => {
    if (!map || !layer) return undefined;
    const tooltip = L.tooltip({ direction: "top", opacity: 1, className: "kiln-map-tip" });
    const ring = L.circleMarker([0, 0], {
      pane: HIGHLIGHT_PANE,
      renderer: L.svg({ pane: HIGHLIGHT_PANE }),
      interactive: false,
      fill: false,
      weight: 2,
      color: theme.highlight,
    });
    let hovered: number | null = null;
    const element = map.getContainer();
    const show = (index: number | null) => {
      if (index === hovered) return;
      hovered = index;
      element.style.cursor = index === null ? "" : "pointer";
      if (index === null) {
        map.closeTooltip(tooltip);
        ring.remove();
        return;
      }
      const latlng = L.latLng(points.lat[index] ?? 0, points.lon[index] ?? 0);
      const radius = sizing.radius[index] ?? 4;
      const lines: [string, string][] = [
        // Five decimals: about a metre, enough to tell neighbouring markers apart.
        [names.latitude, (points.lat[index] ?? 0).toFixed(5)],
        [names.longitude, (points.lon[index] ?? 0).toFixed(5)],
      ];
      if (points.size) lines.push([names.size, formatValue(points.size[index])]);
      // The engine suggests one measure for both size and colour: show it once.
      if (points.color && (names.color !== names.size || !points.size)) lines.push([names.color, formatValue(points.color[index])]);
      // Above the marker, unless that would run off the top of the map.
      const below = map.latLngToContainerPoint(latlng).y < 96;
      tooltip.options.direction = below ? "bottom" : "top";
      tooltip.options.offset = L.point(0, below ? radius : -radius);
      tooltip.setLatLng(latlng).setContent(tooltipContent(points.label?.[index] ?? null, lines));
      map.openTooltip(tooltip);
      ring.setLatLng(latlng).setRadius(radius + 2).addTo(map);
    };
    // While the map pans or zooms the drawing is moving under the mouse: no tooltip until it stops.
    let moving = false;
    const onMove = (event: L.LeafletMouseEvent) => show(moving ? null : layer.markerAt(event.containerPoint));
    const onClick = (event: L.LeafletMouseEvent) => {
      const index = layer.markerAt(event.containerPoint);
      const row = index === null ? undefined : data.rows[points.row[index] ?? -1];
      if (row) select.current?.(row);
    };
    const onOut = () => show(null);
    const onStart = () => {
      moving = true;
      show(null);
    };
    const onEnd = () => {
      moving = false;
    };
    map.on("mousemove", onMove);
    map.on("click", onClick);
    map.on("mouseout", onOut);
    map.on("zoomstart movestart", onStart);
    map.on("moveend", onEnd);
    return () => {
      map.off("mousemove", onMove);
      map.off("click", onClick);
      map.off("mouseout", onOut);
      map.off("zoomstart movestart", onStart);
      map.off("moveend", onEnd);
      map.closeTooltip(tooltip);
      ring.remove();
      element.style.cursor = "";
    };
  }, [map, layer, data, points, sizing, theme, names.latitude, names.longitude, names.size, names.color]);

  return (
    <div className="kiln-map" data-testid="point-map" data-markers={points.count}>
      <div ref={container} className="kiln-map-canvas" />
      <div className="kiln-map-messages">
        {points.count === 0 && <div className="kiln-map-message">No rows with a valid latitude and longitude to map.</div>}
        {points.skipped > 0 && (
          <div className="kiln-map-note">
            {points.skipped.toLocaleString()} rows without valid coordinates are not on the map
          </div>
        )}
        {tiles === "failed" && <div className="kiln-map-note" data-testid="map-tiles-failed">Map tiles did not load; showing the built-in outlines.</div>}
      </div>
      <MapLegend
        colorTitle={names.color}
        classes={classes}
        noData={missingColor ? theme.muted : null}
        size={sizing.size.length > 0 ? { title: names.size, steps: sizing.size } : null}
      />
    </div>
  );
}

function formatValue(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "NULL" : formatNumber(value);
}
