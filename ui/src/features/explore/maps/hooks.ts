// The React side of a Leaflet map: one map per mounted component, the tile layer and its status,
// fitting the view, and the offline outlines under everything.
import * as L from "leaflet";
import { type RefObject, useEffect, useRef, useState } from "react";
import { createMap, followSize, outlineLayer, tileLayer } from "./baseMap";
import type { Extent } from "./geo";
import { countryShapes, usStateShapes, type Shape } from "./shapes";
import type { MapTheme } from "./theme";

/** The map inside `container`, made on mount and removed on unmount; null until then. */
export function useLeafletMap(container: RefObject<HTMLDivElement | null>): { map: L.Map | null; sized: boolean } {
  const [map, setMap] = useState<L.Map | null>(null);
  const [sized, setSized] = useState(false);
  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const created = createMap(element);
    const stop = followSize(created, element, () => setSized(true));
    setMap(created);
    return () => {
      stop();
      created.remove();
      setMap(null);
      setSized(false);
    };
  }, [container]);
  return { map, sized };
}

export type TileStatus = "none" | "loading" | "loaded" | "failed";

/** Draws the spec's tile URL template under the map; says whether any tile arrived. */
export function useTiles(map: L.Map | null, url: string | undefined): TileStatus {
  const [status, setStatus] = useState<TileStatus>("none");
  useEffect(() => {
    if (!map || !url) {
      setStatus("none");
      return undefined;
    }
    setStatus("loading");
    const layer = tileLayer(
      url,
      () => setStatus("loaded"),
      () => setStatus("failed"),
    ).addTo(map);
    // Tile servers ask to be credited; OpenStreetMap's licence requires it.
    const host = hostOf(url);
    const credit = host.includes("openstreetmap") ? "© OpenStreetMap contributors" : `Tiles: ${host}`;
    const attribution = L.control.attribution({ prefix: false }).addAttribution(credit).addTo(map);
    return () => {
      layer.remove();
      attribution.remove();
    };
  }, [map, url]);
  return status;
}

function hostOf(url: string): string {
  const match = /^[a-z]+:\/\/([^/]+)/i.exec(url);
  return (match?.[1] ?? url).replace(/\{s\}\./, "");
}

/** Room to keep clear around the fitted extent, in px: where the legend and controls sit. */
export type Inset = { top: number; right: number; bottom: number; left: number };

/**
 * Fits the view to `extent` once the map has a size, and again only when the extent itself
 * changes, so a refresh with the same data keeps the zoom the user chose. The inset shrinks on a
 * small map (a dashboard panel) so it never takes more than half of either side.
 */
export function useFit(map: L.Map | null, sized: boolean, extent: Extent | null, inset: Inset, maxZoom?: number): void {
  const fitted = useRef<string | null>(null);
  const key = extent ? JSON.stringify(extent) : null;
  const { top, right, bottom, left } = inset;
  useEffect(() => {
    if (!map || !sized || key === null || key === fitted.current) return;
    fitted.current = key;
    const size = map.getSize();
    const shrink = Math.min(1, size.x / 2 / Math.max(1, left + right), size.y / 2 / Math.max(1, top + bottom));
    map.fitBounds(JSON.parse(key) as Extent, {
      paddingTopLeft: [left * shrink, top * shrink],
      paddingBottomRight: [right * shrink, bottom * shrink],
      maxZoom,
      animate: false,
    });
  }, [map, sized, key, top, right, bottom, left, maxZoom]);
  useEffect(() => {
    // A removed map forgets what it was fitted to.
    if (!map) fitted.current = null;
  }, [map]);
}

export type Outlines = "countries" | "countriesAndStates";

/**
 * The land under a map: world countries, and the US states over them at a finer scale. Filled
 * unless tiles are showing, where borders alone keep the streets visible.
 */
export function useOutlines(map: L.Map | null, which: Outlines | null, theme: MapTheme, filled: boolean): void {
  const [shapes, setShapes] = useState<Shape[] | null>(null);
  useEffect(() => {
    if (which === null) return undefined;
    let current = true;
    const loads = which === "countries" ? [countryShapes()] : [countryShapes(), usStateShapes()];
    Promise.all(loads)
      .then((sets) => current && setShapes(sets.flat()))
      // The atlases are part of the bundle; failing to load one is a broken build, not a user error.
      .catch((error: unknown) => console.error("Kiln could not load the map outlines", error));
    return () => {
      current = false;
    };
  }, [which]);
  useEffect(() => {
    if (!map || !shapes || which === null) return undefined;
    const layer = outlineLayer(shapes, theme, filled).addTo(map);
    layer.bringToBack();
    return () => {
      layer.remove();
    };
  }, [map, shapes, which, theme, filled]);
}
